"""The trash: what reps and managers deleted in the last TRASH_RETENTION_DAYS days, restorable
by managers with what was deleted together with it.

Deletes of companies, people, prospects, opportunities and tasks only set `deleted_at` /
`deleted_by` (see `core.db.Tracked`); the apps' services do it. Each app registers its kinds of
trashable records in its `AppConfig.ready` (`register`), with its own restore service where it
has one (`prospects_restore`) and hooks to run after a restore (the pipeline refreshes its
stored clocks): this module lists those records across the apps and brings them back without
importing any of them.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.db import Tracked
from core.htmx import HtmxHttpRequest, with_message
from core.roles import is_manager

MANAGERS_ONLY = _("Only managers may restore deleted records.")
NOT_IN_TRASH = _("This record is no longer in the trash (restored already, or deleted for good).")
PARENT_IN_TRASH = _("Restore “%(parent)s” first: this record belongs to it and it is in the trash.")
RESTORED = _("“%(record)s” restored.")
RESTORED_WITH = _("“%(record)s” restored, with %(count)d record(s) deleted together with it.")

PAGE_LIMIT = 200


@dataclass(frozen=True)
class Kind:
    name: str  # short name used in URLs
    label: str  # model label, "app.Model"
    position: int  # order on the trash page
    restore: Callable[..., object] | None = None  # the app's restore service (ids, actor)


# What the trash page lists: short name → kind, filled by the apps (`register`).
KINDS: dict[str, Kind] = {}
# Called with every record a restore brought back, whatever their kinds.
RESTORED_HOOKS: list[Callable[[list], None]] = []


def register(
    name: str,
    label: str,
    *,
    position: int,
    restore: Callable[..., object] | None = None,
) -> None:
    """Make a model's records appear on the trash page. `restore(ids=[...], actor=...)` is the
    app's own restore service, used instead of the generic one when given."""
    KINDS[name] = Kind(name=name, label=label, position=position, restore=restore)
    ordered = sorted(KINDS.values(), key=lambda kind: kind.position)
    KINDS.clear()
    KINDS.update((kind.name, kind) for kind in ordered)


def on_restored(hook: Callable[[list], None]) -> None:
    if hook not in RESTORED_HOOKS:
        RESTORED_HOOKS.append(hook)


def kind_model(kind: str) -> type[Tracked]:
    try:
        return apps.get_model(KINDS[kind].label)
    except KeyError as exc:
        raise Http404 from exc


def kind_of(obj: models.Model) -> str:
    label = obj._meta.label
    return next(kind.name for kind in KINDS.values() if kind.label == label)


def trash_limit(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.TRASH_RETENTION_DAYS)


@dataclass(frozen=True)
class TrashRow:
    kind: str
    kind_label: str
    record: Tracked

    @property
    def owner(self):
        return getattr(self.record, getattr(self.record, "OWNER_FIELD", "owner"), None)


def trashed_records(*, user, kind: str = "") -> list[TrashRow]:
    """The records in the trash, newest deletion first (managers only)."""
    if not is_manager(user):
        raise PermissionDenied(MANAGERS_ONLY)
    rows: list[TrashRow] = []
    for name in [kind] if kind else list(KINDS):
        model = kind_model(name)
        owner_field = getattr(model, "OWNER_FIELD", "owner")
        queryset = (
            model.all_objects.filter(deleted_at__gte=trash_limit())
            .select_related("deleted_by", owner_field)
            .order_by("-deleted_at", "-pk")[:PAGE_LIMIT]
        )
        label = model._meta.verbose_name
        rows += [TrashRow(kind=name, kind_label=label, record=record) for record in queryset]
    rows.sort(key=lambda row: row.record.deleted_at, reverse=True)
    return rows


def _tracked_parents(obj: Tracked):
    """The trashable records `obj` belongs to (forward foreign keys to Tracked models)."""
    for field in obj._meta.concrete_fields:
        if field.many_to_one and issubclass(field.related_model, Tracked):
            parent_id = getattr(obj, field.attname)
            if parent_id is not None:
                parent = field.related_model.all_objects.filter(pk=parent_id).first()
                if parent is not None:
                    yield parent


def _deleted_together(obj: Tracked) -> list[Tracked]:
    """The records deleted by the same action as `obj` that hang from it: the opportunities
    of a deleted prospect, the later occurrences of a deleted task series, ... (records of
    trashable models pointing to it, recursively, carrying the very same `deleted_at`)."""
    found: list[Tracked] = []
    seen = {(obj._meta.label, obj.pk)}
    queue = [obj]
    while queue:
        current = queue.pop()
        related = []
        for relation in current._meta.related_objects:
            if relation.one_to_many and issubclass(relation.related_model, Tracked):
                related += list(
                    relation.related_model.all_objects.filter(
                        **{relation.field.name: current, "deleted_at": obj.deleted_at}
                    )
                )
        series_id = getattr(current, "series_id", None)
        if series_id is not None:  # occurrences of a series deleted "this and the following"
            related += list(
                type(current).all_objects.filter(series_id=series_id, deleted_at=obj.deleted_at)
            )
        for record in related:
            key = (record._meta.label, record.pk)
            if key not in seen:
                seen.add(key)
                found.append(record)
                queue.append(record)
    return found


@transaction.atomic
def record_trash(*, obj: Tracked, actor) -> None:
    """Put one record in the trash, for the kinds whose app has no delete service of its own
    (the apps' services, e.g. `prospects_trash`, also take what goes with the record)."""
    type(obj).all_objects.filter(pk=obj.pk).update(
        deleted_at=timezone.now(), deleted_by=actor, updated_at=timezone.now(), updated_by=actor
    )


def _bring_back(record: Tracked, actor) -> None:
    # save() rather than update(): the audit trail records who restored what.
    record.deleted_at = None
    record.deleted_by = None
    record.touch(actor)
    with set_actor(actor):
        record.save(
            update_fields=["deleted_at", "deleted_by", "updated_at", "updated_by", "version"]
        )


@transaction.atomic
def record_restore(*, obj: Tracked, actor) -> list[Tracked]:
    """Bring a record back from the trash with what was deleted together with it (managers
    only, within TRASH_RETENTION_DAYS). Refused while a record it belongs to is still in the
    trash. Returns the records restored besides `obj`."""
    if not is_manager(actor):
        raise PermissionDenied(MANAGERS_ONLY)
    obj = type(obj).all_objects.select_for_update().filter(pk=obj.pk).first()
    if obj is None or obj.deleted_at is None or obj.deleted_at < trash_limit():
        raise ValidationError(NOT_IN_TRASH)
    for parent in _tracked_parents(obj):
        if parent.deleted_at is not None:
            raise ValidationError(PARENT_IN_TRASH, params={"parent": str(parent)})
    together = _deleted_together(obj)
    restore = KINDS[kind_of(obj)].restore
    if restore is not None:
        restore(ids=[obj.pk], actor=actor)
        # That service writes with update(): record the restore in the audit trail here.
        LogEntry.objects.log_create(
            type(obj).objects.get(pk=obj.pk),
            action=LogEntry.Action.UPDATE,
            actor=actor,
            changes={"deleted_at": [str(obj.deleted_at), "None"]},
        )
        remaining = [
            r
            for r in together
            if type(r).all_objects.filter(pk=r.pk, deleted_at__isnull=False).exists()
        ]
    else:
        _bring_back(obj, actor)
        remaining = together
    for record in remaining:
        _bring_back(record, actor)
    for hook in RESTORED_HOOKS:
        hook([obj, *together])
    return together


# --------------------------------------------------------------------------- views


def _managers_only(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied(MANAGERS_ONLY)


@login_required
@require_GET
def trash(request: HtmxHttpRequest):
    _managers_only(request)
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        kind = ""
    rows = trashed_records(user=request.user, kind=kind)
    kinds = [(name, kind_model(name)._meta.verbose_name_plural) for name in KINDS]
    template = (
        "core/trash.html#trash-rows"
        if request.htmx and not request.htmx.boosted
        else "core/trash.html"
    )
    return render(
        request,
        template,
        {
            "rows": rows,
            "kind": kind,
            "kinds": kinds,
            "days": settings.TRASH_RETENTION_DAYS,
            "limit": PAGE_LIMIT,
        },
    )


@login_required
@require_POST
def trash_restore(request: HtmxHttpRequest):
    _managers_only(request)
    model = kind_model(request.POST.get("kind", ""))
    pk = request.POST.get("pk", "")
    record = model.all_objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if record is None:
        raise Http404
    try:
        together = record_restore(obj=record, actor=request.user)
    except ValidationError as error:
        text, level = " ".join(error.messages), "error"
    else:
        params = {"record": str(record), "count": len(together)}
        text, level = (RESTORED_WITH if together else RESTORED) % params, "success"
    if request.htmx:
        kind = request.POST.get("filter", "")
        kind = kind if kind in KINDS else ""
        response = render(
            request,
            "core/trash.html#trash-rows",
            {
                "rows": trashed_records(user=request.user, kind=kind),
                "kind": kind,
                "limit": PAGE_LIMIT,
            },
        )
        return with_message(response, text, level)
    getattr(messages, level)(request, text)
    return redirect("trash")
