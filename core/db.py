"""Abstract models shared by the apps: who/when tracking, optimistic versions, the trash."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrashQuerySet(models.QuerySet):
    """Reads of tracked records, scoped to what a user may see or change.

    Reps see the team's records (only their own and unassigned ones when REPS_SEE_ONLY_OWN is
    set) and change their own and unassigned ones; managers see and change everything.
    """

    owner_field = "owner"

    def _own_or_unassigned(self, user):
        field = self.model.OWNER_FIELD if hasattr(self.model, "OWNER_FIELD") else self.owner_field
        return self.filter(models.Q(**{field: user}) | models.Q(**{f"{field}__isnull": True}))

    def visible_to(self, user):
        from core.roles import is_manager

        if not user.is_authenticated:
            return self.none()
        if is_manager(user) or not settings.REPS_SEE_ONLY_OWN:
            return self
        return self._own_or_unassigned(user)

    def changeable_by(self, user):
        from core.roles import is_manager

        if not user.is_authenticated:
            return self.none()
        if is_manager(user):
            return self
        return self._own_or_unassigned(user)

    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(TrashQuerySet)):
    """Default manager: what is in the trash is invisible to every normal read."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Tracked(models.Model):
    """Creation/modification user and time, a version for concurrent-edit detection,
    and soft deletion into the trash (restorable for TRASH_RETENTION_DAYS)."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(
        _("deleted at"), null=True, blank=True, editable=False, db_index=True
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = AliveManager()
    all_objects = TrashQuerySet.as_manager()

    class Meta:
        abstract = True

    def touch(self, actor) -> None:
        """Mark the record as changed by `actor`; bumps the version seen by edit forms."""
        now = timezone.now()
        if self.created_by_id is None and self._state.adding:
            self.created_by = actor
            self.created_at = now
        self.updated_by = actor
        self.updated_at = now
        if not self._state.adding:
            self.version = (self.version or 0) + 1
