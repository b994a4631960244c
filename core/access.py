"""Object-level access: every view fetches single records through these helpers."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from core.roles import is_manager


def owner_of(obj) -> int | None:
    field = getattr(obj, "OWNER_FIELD", "owner")
    return getattr(obj, f"{field}_id", None)


def can_view(user, obj) -> bool:
    if not user.is_authenticated:
        return False
    if is_manager(user) or not settings.REPS_SEE_ONLY_OWN:
        return True
    return owner_of(obj) in (None, user.pk)


def can_change(user, obj) -> bool:
    """Reps change their own and unassigned records; managers change everything."""
    if not user.is_authenticated:
        return False
    return is_manager(user) or owner_of(obj) in (None, user.pk)


def get_visible_or_404(queryset: models.QuerySet | type[models.Model], user, **lookup):
    """The record if the user may see it, else 404 (never reveals that it exists)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    queryset = queryset.visible_to(user) if hasattr(queryset, "visible_to") else queryset
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def get_changeable_or_403(queryset, user, **lookup):
    """The record if the user may change it; 404 if unseen, 403 if seen but not changeable."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_change(user, obj):
        raise PermissionDenied
    return obj
