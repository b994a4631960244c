"""The trash: what reps and managers deleted in the last TRASH_RETENTION_DAYS days, restorable
by managers with what was deleted together with it.

Deletes of companies, people, prospects, opportunities and tasks only set `deleted_at` /
`deleted_by` (see `core.db.Tracked`); the apps' services do it. Each app registers its kinds of
trashable records in its `AppConfig.ready` (`register`), with its own restore service where it
has one (`prospects_restore`) and hooks to run after a restore (the pipeline refreshes its
stored clocks): this module lists those records across the apps, brings them back one by one
or a whole deletion at once (a "delete all" of the prospect file), and purges them for good
after TRASH_RETENTION_DAYS (`trash_purge`, run by the nightly job), without importing any app.

Long because the trash's life cycle is one rule read in one place: the soft delete with its
audit entries, what comes back together, the page, and the purge in foreign-key order.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, set_actor
from auditlog.diff import get_field_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, ProtectedError
from django.db.models.signals import pre_save
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.db import Tracked, lock_name
from core.htmx import HtmxHttpRequest, with_message
from core.params import id_param
from core.roles import is_manager

MANAGERS_ONLY = _("Only managers may restore deleted records.")
NOT_IN_TRASH = _("This record is no longer in the trash (restored already, or deleted for good).")
PARENT_IN_TRASH = _("Restore “%(parent)s” first: this record belongs to it and it is in the trash.")
RESTORED = _("“%(record)s” restored.")
RESTORED_WITH = ngettext_lazy(
    "“%(record)s” restored, with %(count)d record deleted together with it.",
    "“%(record)s” restored, with %(count)d records deleted together with it.",
    "count",
)
BATCH_RESTORED = ngettext_lazy("%(count)d record restored.", "%(count)d records restored.", "count")
BATCH_REFUSED = ngettext_lazy(
    "%(count)d record left in the trash: %(reasons)s",
    "%(count)d records left in the trash: %(reasons)s",
    "count",
)

PAGE_LIMIT = 200
BATCH_LIMIT = 20

logger = logging.getLogger(__name__)


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
    app's own restore service, used instead of the generic one when given; it writes through
    `restore_rows`, so that the audit log records each record it brings back."""
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


def _parents_first(names: list[str]) -> list[str]:
    """The kinds ordered so that a kind comes after the kinds it points to (an opportunity
    after its prospect, a task after its opportunity): the order to restore in, reversed to
    purge in."""
    pending = {name: kind_model(name) for name in names}
    ordered: list[str] = []
    while pending:
        ready = [
            name
            for name, model in pending.items()
            if not any(
                field.many_to_one and field.related_model in pending.values()
                for field in model._meta.concrete_fields
                if field.related_model is not model
            )
        ]
        ready = ready or list(pending)[:1]  # a cycle: take them in page order
        for name in ready:
            ordered.append(name)
            del pending[name]
    return ordered


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


# Rows written per UPDATE by `trash_rows` / `restore_rows`: under SQLite's 999 parameters.
CHUNK = 900


def _audit_entries(records: list[models.Model], *, actor, at: dt.datetime, changes) -> None:
    """One audit log entry (UPDATE) per record, inserted in bulk, each as django-auditlog would
    write it on save(): same value format, and the request's address and correlation id (its
    context fills them through LogEntry's pre_save signal, which bulk_create does not send)."""
    if not records or auditlog_disabled.get() or not auditlog.contains(type(records[0])):
        return
    content_type = ContentType.objects.get_for_model(type(records[0]))
    entries = []
    for record in records:
        entry = LogEntry(
            content_type=content_type,
            object_pk=str(record.pk),
            object_id=record.pk,
            object_repr=str(record),
            action=LogEntry.Action.UPDATE,
            changes=changes(record),
            actor=actor,
            actor_email=getattr(actor, "email", None),
            timestamp=at,
            cid=get_cid(),
        )
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=None, update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=500)


def _deleted_at_text(record: Tracked) -> str:
    """`deleted_at` as django-auditlog writes a date-time (UTC)."""
    field = record._meta.get_field("deleted_at")
    return str(
        get_field_value(record, field, getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False))
    )


def _user_text(user) -> str:
    """Who deleted, as the audit viewer names users (its "User" line), rather than the bare id
    django-auditlog would write for a foreign key: the viewer shows stored values as they are."""
    return "None" if user is None else str(user)


def _locked(queryset: models.QuerySet, *, trashed: bool) -> list[Tracked]:
    """The records of `queryset` in the trash (`trashed`) or out of it, locked, oldest first.
    The lock is taken on the plain rows (no join, no DISTINCT the caller's scope may carry)."""
    model = queryset.model
    return list(
        model.all_objects.filter(pk__in=queryset.values("pk"), deleted_at__isnull=not trashed)
        .select_for_update(of=("self",))
        .order_by("pk")
    )


@transaction.atomic
def trash_rows(queryset: models.QuerySet, *, actor, at: dt.datetime | None = None) -> list:
    """Put the records of `queryset` not in the trash yet into it: the one soft delete, which
    every app's delete service and the admin's "Move to the trash" go through. They are marked
    deleted by `actor` at `at` (now by default; what one action deletes shares that time, and
    the trash restores it together), as changed by `actor` (version bumped: a form opened
    before is stale), and each move is recorded in the audit log with its actor: an UPDATE of
    `deleted_at` and `deleted_by`, as a restore records the way back. A few queries whatever
    the number of records (a "delete all" of thousands of prospects). Returns the records, as
    they were before."""
    at = at or timezone.now()
    records = _locked(queryset, trashed=False)
    ids = [record.pk for record in records]
    for start in range(0, len(ids), CHUNK):
        queryset.model.all_objects.filter(pk__in=ids[start : start + CHUNK]).update(
            deleted_at=at,
            deleted_by=actor,
            updated_at=at,
            updated_by=actor,
            version=F("version") + 1,
        )
    deleted_at = _deleted_at_text(queryset.model(deleted_at=at))
    deleted_by = _user_text(actor)
    _audit_entries(
        records,
        actor=actor,
        at=at,
        changes=lambda record: {
            "deleted_at": ["None", deleted_at],
            "deleted_by": ["None", deleted_by],
        },
    )
    return records


@transaction.atomic
def restore_rows(queryset: models.QuerySet, *, actor) -> list:
    """Bring the records of `queryset` that are in the trash back, as changed by `actor`, each
    restore recorded in the audit log (in bulk, as `trash_rows` records the deletion). For the
    apps' restore services; rights and the retention are theirs to check. Returns the records,
    as they were in the trash."""
    at = timezone.now()
    records = _locked(queryset, trashed=True)
    ids = [record.pk for record in records]
    for start in range(0, len(ids), CHUNK):
        queryset.model.all_objects.filter(pk__in=ids[start : start + CHUNK]).update(
            deleted_at=None,
            deleted_by=None,
            updated_at=at,
            updated_by=actor,
            version=F("version") + 1,
        )
    deleters = get_user_model().objects.in_bulk({r.deleted_by_id for r in records} - {None})
    _audit_entries(
        records,
        actor=actor,
        at=at,
        changes=lambda record: {
            "deleted_at": [_deleted_at_text(record), "None"],
            "deleted_by": [_user_text(deleters.get(record.deleted_by_id)), "None"],
        },
    )
    return records


def audit_change(record: models.Model, *, actor, changes: dict[str, list[str]]) -> None:
    """Record in the audit log a change written with update(), which django-auditlog does not
    see (what goes with a move to or from the trash: a series' end). `changes` maps each field
    name to its text before and after, as django-auditlog writes them."""
    _audit_entries([record], actor=actor, at=timezone.now(), changes=lambda _record: changes)


def record_trash(*, obj: Tracked, actor) -> None:
    """Put one record in the trash, for the kinds whose app has no delete service of its own
    (the apps' services, e.g. `prospects_trash`, also take what goes with the record)."""
    trash_rows(type(obj).all_objects.filter(pk=obj.pk), actor=actor)


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
        # The app's service records its restores in the audit log (through `restore_rows`).
        restore(ids=[obj.pk], actor=actor)
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


@dataclass(frozen=True)
class TrashBatch:
    """Records put in the trash by one action (a "delete all", a bulk delete, a record with
    what went with it): they carry the very same `deleted_at`."""

    deleted_at: dt.datetime
    deleted_by: object  # the user, or None
    count: int


def trash_batches(*, user, kind: str = "") -> list[TrashBatch]:
    """The latest deletions of several records of a kind at once, newest first (managers
    only)."""
    if not is_manager(user):
        raise PermissionDenied(MANAGERS_ONLY)
    counts: dict[tuple, int] = defaultdict(int)
    for name in [kind] if kind else list(KINDS):
        groups = (
            kind_model(name)
            .all_objects.filter(deleted_at__gte=trash_limit())
            .values("deleted_at", "deleted_by")
            .annotate(count=Count("pk"))
            .filter(count__gt=1)
            .order_by("-deleted_at")[:BATCH_LIMIT]
        )
        for group in groups:
            counts[group["deleted_at"], group["deleted_by"]] += group["count"]
    latest = sorted(counts.items(), key=lambda item: item[0][0], reverse=True)[:BATCH_LIMIT]
    users = get_user_model().objects.in_bulk({by for (_at, by), _count in latest if by})
    return [
        TrashBatch(deleted_at=at, deleted_by=users.get(by), count=count)
        for (at, by), count in latest
    ]


@transaction.atomic
def batch_restore(*, deleted_at: dt.datetime, actor, kind: str = "") -> tuple[int, list[str]]:
    """Bring back every record of one deletion (of one kind, or of every kind), each through
    `record_restore`, a record's parents before it. Returns how many records came back and
    why the others were refused (managers only, within TRASH_RETENTION_DAYS)."""
    if not is_manager(actor):
        raise PermissionDenied(MANAGERS_ONLY)
    restored: set[tuple[str, int]] = set()
    refused: list[str] = []
    for name in _parents_first([kind] if kind else list(KINDS)):
        model = kind_model(name)
        for record in model.all_objects.filter(deleted_at=deleted_at).order_by("pk"):
            if (record._meta.label, record.pk) in restored:
                continue  # came back with a record restored before it
            try:
                together = record_restore(obj=record, actor=actor)
            except ValidationError as error:
                refused += error.messages
                continue
            restored |= {(r._meta.label, r.pk) for r in [record, *together]}
    return len(restored), refused


def trash_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete for good every registered kind's records deleted before TRASH_RETENTION_DAYS
    (run by the nightly job). Kinds go in dependency order, tasks and opportunities before the
    prospects, people and companies they belong to, each kind in its own transaction: one whose
    rows are still referenced (protected) is skipped and logged, and the next night retries.
    Safe to run again, or twice at once: one purge deletes at a time, and the other finds
    nothing left (without the lock, both would collect the same rows and the audit log would
    record each deletion twice). Returns the number of rows deleted by model label (what went
    with them included)."""
    limit = trash_limit(now)
    purged: dict[str, int] = {}
    for name in reversed(_parents_first(list(KINDS))):
        model = kind_model(name)
        try:
            with transaction.atomic():
                lock_name("core.trash.purge")
                count, _by_model = model.all_objects.filter(deleted_at__lt=limit).delete()
        except (ProtectedError, IntegrityError) as error:
            logger.warning("trash purge skipped %s: %s", model._meta.label, error)
            continue
        if count:
            purged[model._meta.label] = count
    return purged


# --------------------------------------------------------------------------- views


def _managers_only(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied(MANAGERS_ONLY)


def _page_kind(value: str) -> str:
    return value if value in KINDS else ""


def _rows_context(user, kind: str) -> dict:
    """What the rows partial shows: the deletions of several records, then every record."""
    return {
        "batches": trash_batches(user=user, kind=kind),
        "rows": trashed_records(user=user, kind=kind),
        "kind": kind,
        "limit": PAGE_LIMIT,
    }


@login_required
@require_GET
def trash(request: HtmxHttpRequest):
    _managers_only(request)
    kind = _page_kind(request.GET.get("kind", ""))
    kinds = [(name, kind_model(name)._meta.verbose_name_plural) for name in KINDS]
    template = (
        "core/trash.html#trash-rows"
        if request.htmx and not request.htmx.boosted
        else "core/trash.html"
    )
    context = _rows_context(request.user, kind)
    return render(
        request,
        template,
        {**context, "kinds": kinds, "days": settings.TRASH_RETENTION_DAYS},
    )


def _restore_one(request) -> tuple[str, str]:
    model = kind_model(request.POST.get("kind", ""))
    pk = id_param(request.POST, "pk")
    record = model.all_objects.filter(pk=pk).first() if pk else None
    if record is None:
        raise Http404
    try:
        together = record_restore(obj=record, actor=request.user)
    except ValidationError as error:
        return " ".join(error.messages), "error"
    params = {"record": str(record), "count": len(together)}
    return (RESTORED_WITH if together else RESTORED) % params, "success"


def _restore_batch(request, kind: str) -> tuple[str, str]:
    try:
        deleted_at = dt.datetime.fromisoformat(request.POST.get("batch", ""))
    except ValueError as exc:
        raise Http404 from exc
    if timezone.is_naive(deleted_at):
        raise Http404
    count, refused = batch_restore(deleted_at=deleted_at, actor=request.user, kind=kind)
    if not count and not refused:
        return str(NOT_IN_TRASH), "error"
    text = BATCH_RESTORED % {"count": count}
    if refused:
        reasons = " ".join(dict.fromkeys(refused))
        return f"{text} {BATCH_REFUSED % {'count': len(refused), 'reasons': reasons}}", "error"
    return text, "success"


@login_required
@require_POST
def trash_restore(request: HtmxHttpRequest):
    """Restore one record (`kind`, `pk`) or a whole deletion (`batch`: its time), then show
    the rows again (`filter`: the kind the page shows)."""
    _managers_only(request)
    kind = _page_kind(request.POST.get("filter", ""))
    if "batch" in request.POST:
        text, level = _restore_batch(request, kind)
    else:
        text, level = _restore_one(request)
    if request.htmx:
        response = render(request, "core/trash.html#trash-rows", _rows_context(request.user, kind))
        return with_message(response, text, level)
    getattr(messages, level)(request, text)
    return redirect(f"{reverse('trash')}?kind={kind}" if kind else reverse("trash"))
