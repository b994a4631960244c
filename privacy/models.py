"""What the privacy app records: the log of the rights exercised and of the anonymisations (who,
when, which record, what was done; never the personal data itself), and the managers' decisions
to keep a prospect past the retention limit."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Prospect


class PrivacyLog(models.Model):
    """One right exercised or one anonymisation, for the record of what was done (GDPR art. 30
    and the accountability principle). The record is named by its kind and id only."""

    class Action(models.TextChoices):
        EXPORT = "export", _("data exported")
        ERASE = "erase", _("erased at the person's request")
        ANONYMISE = "anonymise", _("anonymised (retention limit)")
        KEEP = "keep", _("kept for another period")

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        PROSPECT = "prospect", _("prospect")

    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    kind = models.CharField(_("record kind"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Counts of what was changed or exported (rows per table), never values.
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "object_id", "action"])]
        verbose_name = _("privacy log entry")
        verbose_name_plural = _("privacy log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.kind} #{self.object_id}"


class RetentionHold(models.Model):
    """A manager's decision to keep a prospect listed as due: counts as a contact on that day,
    so the prospect leaves the list for another RETENTION_DAYS."""

    prospect = models.ForeignKey(
        Prospect, verbose_name=_("prospect"), on_delete=models.CASCADE, related_name="+"
    )
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kept by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kept_at = models.DateTimeField(_("kept on"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=250, blank=True)

    class Meta:
        ordering = ["-kept_at"]
        indexes = [models.Index(fields=["prospect", "kept_at"])]
        verbose_name = _("retention hold")
        verbose_name_plural = _("retention holds")

    def __str__(self) -> str:
        return f"#{self.prospect_id} {self.kept_at:%Y-%m-%d}"
