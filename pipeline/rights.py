"""Process rights (PROSTEP "Modif" / "Suppression"): who may change or delete the
opportunities of a process. Object rights (`core.access.can_change`) apply on top."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, Exists, OuterRef, Value

from core.roles import SALES_MANAGER, SALES_REP, is_manager, user_groups
from pipeline.models import Process

User = AbstractBaseUser | AnonymousUser


def _group_ids(user) -> set[int]:
    return set(user_groups(user))


def _process_group_ids(process: Process, relation: str) -> set[int]:
    """Group ids of a process relation, from a prefetch when the caller made one."""
    cache_name = f"_jalon_{relation}_ids"
    cached = getattr(process, cache_name, None)
    if cached is None:
        cached = {group.pk for group in getattr(process, relation).all()}
        setattr(process, cache_name, cached)
    return cached


def process_rights_load(process: Process) -> Process:
    """Read the process's modify and delete groups in one query (instead of one per relation)
    for the rights below; a no-op when they were prefetched or loaded already."""
    if all(hasattr(process, f"_jalon_{r}_ids") for r in ("modify_groups", "delete_groups")):
        return process
    cache = getattr(process, "_prefetched_objects_cache", {})
    if "modify_groups" in cache and "delete_groups" in cache:
        return process
    modify = Process.modify_groups.through.objects.filter(process_id=process.pk)
    delete = Process.delete_groups.through.objects.filter(process_id=process.pk)
    found = {"modify_groups": set(), "delete_groups": set()}
    rows = modify.values_list("group_id", Value("modify_groups", output_field=CharField())).union(
        delete.values_list("group_id", Value("delete_groups", output_field=CharField())), all=True
    )
    for group_id, relation in rows:
        found[relation].add(group_id)
    for relation, ids in found.items():
        setattr(process, f"_jalon_{relation}_ids", ids)
    return process


def is_sales_user(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or is_manager(user):
        return True
    return bool({SALES_REP, SALES_MANAGER} & set(user_groups(user).values()))


def modify_groups_annotations(user, process_ref: str = "pk") -> dict:
    """The group test of `can_modify_process_opportunities`, to read with the process (the
    board reads it so, saving a query): whether the process has modify groups, and whether
    `user` is in one. Put the values on the process with `modify_groups_record`."""
    through = Process.modify_groups.through.objects.filter(process_id=OuterRef(process_ref))
    return {
        "modify_groups_any": Exists(through),
        "modify_groups_mine": Exists(through.filter(group_id__in=list(user_groups(user)))),
    }


def modify_groups_record(process: Process, user, *, any_group: bool, mine: bool) -> Process:
    process._jalon_modify_groups_of = (user.pk, any_group, mine)
    return process


def can_modify_process_opportunities(user: User, process: Process) -> bool:
    """Modify groups of the process; none set: every sales user. Managers always may."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_manager(user):
        return True
    known = getattr(process, "_jalon_modify_groups_of", None)
    if known is not None and known[0] == user.pk:
        return known[2] if known[1] else is_sales_user(user)
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
