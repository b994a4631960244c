"""Process rights (PROSTEP "Modif" / "Suppression"): who may change or delete the
opportunities of a process. Object rights (`core.access.can_change`) apply on top."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from core.roles import SALES_MANAGER, SALES_REP, is_manager
from pipeline.models import Process

User = AbstractBaseUser | AnonymousUser


def _group_ids(user) -> set[int]:
    cached = getattr(user, "_jalon_group_ids", None)
    if cached is None:
        cached = set(user.groups.values_list("id", flat=True))
        user._jalon_group_ids = cached
    return cached


def _process_group_ids(process: Process, relation: str) -> set[int]:
    """Group ids of a process relation, from a prefetch when the caller made one."""
    cache_name = f"_jalon_{relation}_ids"
    cached = getattr(process, cache_name, None)
    if cached is None:
        cached = {group.pk for group in getattr(process, relation).all()}
        setattr(process, cache_name, cached)
    return cached


def is_sales_user(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or is_manager(user):
        return True
    cached = getattr(user, "_jalon_is_sales_user", None)
    if cached is None:
        # Asked once per card list and once per page: kept on the request's user object.
        cached = user.groups.filter(name__in=[SALES_REP, SALES_MANAGER]).exists()
        user._jalon_is_sales_user = cached
    return cached


def can_modify_process_opportunities(user: User, process: Process) -> bool:
    """Modify groups of the process; none set: every sales user. Managers always may."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_manager(user):
        return True
    groups = _process_group_ids(process, "modify_groups")
    if not groups:
        return is_sales_user(user)
    return bool(groups & _group_ids(user))


def can_delete_process_opportunities(user: User, process: Process) -> bool:
    """Delete groups of the process; none set: managers only. Managers always may."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_manager(user):
        return True
    groups = _process_group_ids(process, "delete_groups")
    return bool(groups & _group_ids(user))


def can_manage_stages(user: User, process: Process) -> bool:
    """Renaming, folding, adding and deleting a process's steps is configuration: managers."""
    return is_manager(user)
