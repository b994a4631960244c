"""Who may see and change which records, and the helpers every view fetches records through.

The rule, stated once (`view_reach`, `change_reach`): reps see the team's records (only their
own and unassigned ones when REPS_SEE_ONLY_OWN is set) and change their own and unassigned ones;
managers see and change everything. The object checks (`can_view`, `can_change`) and the
queryset filters (`visible_to`, `changeable_by` of `core.db.TrashQuerySet`) both read a `Reach`,
so they cannot disagree. A model's queryset may add a rule on top (private tasks).
"""

import enum

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404

from core.roles import is_manager


class Reach(enum.Enum):
    """The records a user reaches, by their owner."""

    NOTHING = "nothing"
    OWN = "own"  # the user's own records and the unassigned ones
    EVERYTHING = "everything"

    def admits(self, user, owner_id: int | None) -> bool:
        """Whether a record whose owner is `owner_id` is within reach (the object form)."""
        if self is Reach.EVERYTHING:
            return True
        return self is Reach.OWN and owner_id in (None, user.pk)

    def filter(self, queryset: models.QuerySet, user, field: str) -> models.QuerySet:
        """The rows of `queryset` within reach, their owner being `field` (the SQL form)."""
        if self is Reach.EVERYTHING:
            return queryset
        if self is Reach.NOTHING:
            return queryset.none()
        return queryset.filter(models.Q(**{field: user}) | models.Q(**{f"{field}__isnull": True}))


def view_reach(user) -> Reach:
    """Reps see the team's records, only their own and unassigned ones when REPS_SEE_ONLY_OWN
    is set; managers see everything."""
    if not user.is_authenticated:
        return Reach.NOTHING
    if is_manager(user) or not settings.REPS_SEE_ONLY_OWN:
        return Reach.EVERYTHING
    return Reach.OWN


def change_reach(user) -> Reach:
    """Reps change their own and unassigned records; managers change everything."""
    if not user.is_authenticated:
        return Reach.NOTHING
    return Reach.EVERYTHING if is_manager(user) else Reach.OWN


def owner_field(model_or_obj) -> str:
    """The field naming a record's owner (`OWNER_FIELD`, "owner" by default)."""
    return getattr(model_or_obj, "OWNER_FIELD", "owner")


def owner_of(obj) -> int | None:
    return getattr(obj, f"{owner_field(obj)}_id", None)


def can_view(user, obj) -> bool:
    """The object form of `Model.objects.visible_to(user)`, the model's own rule included."""
    manager = type(obj)._default_manager
    if hasattr(manager, "shows"):
        return manager.shows(user, obj)
    return view_reach(user).admits(user, owner_of(obj))


def can_change(user, obj) -> bool:
    """The object form of `Model.objects.changeable_by(user)`."""
    return change_reach(user).admits(user, owner_of(obj))


def get_visible_or_404(queryset: models.QuerySet | type[models.Model], user, **lookup):
    """The record if the user may see it, else 404 (never reveals that it exists)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    queryset = queryset.visible_to(user) if hasattr(queryset, "visible_to") else queryset
    try:
        # A lookup value the field cannot read ("abc" for an id) names no record either.
        queryset = queryset.filter(**lookup)
    except (TypeError, ValueError, ValidationError) as exc:
        raise Http404 from exc
    try:
        return queryset.get()
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def get_changeable_or_403(queryset, user, **lookup):
    """The record if the user may change it; 404 if unseen, 403 if seen but not changeable."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_change(user, obj):
        raise PermissionDenied
    return obj
