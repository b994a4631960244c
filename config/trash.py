"""The trash: what reps and managers deleted in the last TRASH_RETENTION_DAYS days, restorable
by managers with what was deleted together with it.

Deletes of companies, people, prospects, opportunities and tasks only set `deleted_at` /
`deleted_by` (see `config.db.Tracked`); the apps' services do it. This module lists those
records across the apps and brings them back: through the app's own restore service where there
is one (`prospects_restore`), through `record_restore` otherwise.
"""

import datetime as dt
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

from config.db import Tracked
from config.htmx import HtmxHttpRequest, with_message
from config.roles import is_manager

MANAGERS_ONLY = _("Only managers may restore deleted records.")
NOT_IN_TRASH = _("This record is no longer in the trash (restored already, or deleted for good).")
PARENT_IN_TRASH = _("Restore “%(parent)s” first: this record belongs to it and it is in the trash.")
RESTORED = _("“%(record)s” restored.")
RESTORED_WITH = _("“%(record)s” restored, with %(count)d record(s) deleted together with it.")

# What the trash page lists: short name used in URLs → model label.
KINDS = {
    "company": "contacts.Company",
    "person": "contacts.Person",
    "prospect": "prospects.Prospect",
    "opportunity": "prospects.Opportunity",
    "task": "pipeline.Task",
}
PAGE_LIMIT = 200


def kind_model(kind: str) -> type[Tracked]:
    try:
        return apps.get_model(KINDS[kind])
    except KeyError as exc:
        raise Http404 from exc


def kind_of(obj: models.Model) -> str:
    label = obj._meta.label
    return next(kind for kind, model_label in KINDS.items() if model_label == label)


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
    if obj._meta.label == KINDS["prospect"]:
        from prospects.services import prospects_restore

        prospects_restore(prospect_ids=[obj.pk], actor=actor)
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
    _refresh_clocks(obj, together)
    return together


def _refresh_clocks(obj: Tracked, together: list[Tracked]) -> None:
    """Stored overdue colours follow the restored tasks and opportunities."""
    from pipeline.clocks import opportunities_refresh, tasks_refresh

    records = [obj, *together]
    tasks = [r.pk for r in records if r._meta.label == KINDS["task"]]
    opportunities = {r.pk for r in records if r._meta.label == KINDS["opportunity"]}
    opportunities |= {
        r.opportunity_id for r in records if r._meta.label == KINDS["task"] and r.opportunity_id
    }
    if tasks:
        tasks_refresh(tasks)
    if opportunities:
        opportunities_refresh(sorted(opportunities))


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
        "trash.html#trash-rows" if request.htmx and not request.htmx.boosted else "trash.html"
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
            "trash.html#trash-rows",
            {
                "rows": trashed_records(user=request.user, kind=kind),
                "kind": kind,
                "limit": PAGE_LIMIT,
            },
        )
        return with_message(response, text, level)
    getattr(messages, level)(request, text)
    return redirect("trash")
