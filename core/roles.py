"""The two roles of Jalon, carried by Django groups created by a migration.

The groups' names are keys (English, as the migration stored them); wherever a group is shown
(the admin's lists and choices, the user menu) it reads in the user's language: `role_label`,
which `CoreConfig.ready` makes the groups' `str`."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

SALES_REP = "Sales rep"
SALES_MANAGER = "Sales manager"
ROLE_LABELS = {SALES_REP: _("Sales rep"), SALES_MANAGER: _("Sales manager")}


def role_label(name: str) -> str:
    """A group's name as the user reads it: the roles translated, other groups as named."""
    return str(ROLE_LABELS.get(name, name))


def group_label(group) -> str:
    return role_label(group.name)


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return SALES_MANAGER in user_groups(user).values()


def user_groups(user) -> dict[int, str]:
    """The user's groups (id -> name), read once per user object (the request's user): the
    roles and the process rights (`pipeline.rights`) all ask them, one query for all."""
    cached = getattr(user, "_jalon_groups", None)
    if cached is None:
        cached = dict(user.groups.values_list("id", "name")) if user.pk else {}
        user._jalon_groups = cached
    return cached
