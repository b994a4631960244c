"""Jalon's user: Django's user with what reps show to others (initials, phone, signature)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    initials = models.CharField(
        _("initials"),
        max_length=4,
        blank=True,
        help_text=_("Shown on Kanban cards and lists; taken from the name when empty."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email_signature = models.TextField(_("e-mail signature"), blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_initials(self) -> str:
        """The initials set by hand, else those of the first and last names, else of the
        user name."""
        if self.initials:
            return self.initials.upper()
        names = [n for n in (self.first_name, self.last_name) if n]
        if names:
            return "".join(n[0] for n in names).upper()
        return self.username[:2].upper()
