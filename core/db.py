"""Abstract models shared by the apps (who/when tracking, optimistic versions, the trash) and
the bulk insert that imports use."""

import operator
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, models
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import change_reach, owner_field, owner_of, view_reach


class TrashQuerySet(models.QuerySet):
    """Reads of tracked records, scoped to what a user may see or change (the rule is
    `core.access.view_reach` / `change_reach`; `shows` is the object form of `visible_to`)."""

    def visible_to(self, user):
        return view_reach(user).filter(self, user, owner_field(self.model))

    def changeable_by(self, user):
        return change_reach(user).filter(self, user, owner_field(self.model))

    def shows(self, user, obj) -> bool:
        """Whether `visible_to(user)` admits `obj`, without a query (`core.access.can_view`);
        a queryset that adds a rule to `visible_to` adds it here too."""
        return view_reach(user).admits(user, owner_of(obj))

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


def lock_row(queryset: models.QuerySet, pk, *, related: tuple[str, ...] = ()):
    """The row `pk` of `queryset` (or of a manager), locked until the transaction
    ends, then read with its `related` rows (`select_related` names). Raises DoesNotExist.

    Two queries, never `select_for_update().select_related(...)`: a locking read that waited
    for another writer is re-evaluated by PostgreSQL on the locked row only (EvalPlanQual); the
    joined rows are not re-read, so when the other writer changed a foreign key (the card's
    step, its `updated_by`) the outer join comes back NULL and the caller sees `step` None while
    `step_id` is set. Read once the lock is held (READ COMMITTED: each query sees what is
    committed when it starts), the row and its relations agree, and the row stays as read until
    the transaction ends."""
    queryset = queryset.all()
    queryset.select_for_update(of=("self",)).filter(pk=pk).values_list("pk", flat=True).get()
    return queryset.select_related(*related).get(pk=pk) if related else queryset.get(pk=pk)


def lock_name(name: str) -> None:
    """Hold the lock called `name` until the current transaction ends: writers that take the
    same name run one after the other (two nightly jobs replacing the same day's snapshot).
    For work that has no row to lock; call it inside `transaction.atomic()`. A PostgreSQL
    advisory lock; SQLite lets one transaction write at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def bulk_insert(model, rows: list[dict], *, batch_size: int = 1000) -> list[int]:
    """Insert new rows (dicts of column attnames; the model's defaults fill the rest) and
    return their ids. On PostgreSQL through COPY, ids drawn from the table's sequence first:
    several times faster than INSERT, and no model instances are built. Elsewhere bulk_create."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=batch_size)
        return [obj.pk for obj in objects]
    from psycopg.types.json import Jsonb  # PostgreSQL only: psycopg is there

    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, JSONField)}
    names = [f.attname for f in fields]
    # One C call a row (a tuple even for a single column).
    values_of = operator.itemgetter(*names) if len(names) > 1 else lambda v: (v[names[0]],)
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in ["id", *(f.column for f in fields)])
        copying = cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN")
        # A refused row (a foreign key pointing nowhere) raises Django's IntegrityError, as an
        # INSERT would.
        with connection.wrap_database_errors, copying as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = {**defaults, **row}
                for name in json_fields:
                    # COPY's text format sends every value as text: an empty object as such.
                    values[name] = "{}" if values[name] == {} else Jsonb(values[name])
                copy.write_row((pk, *values_of(values)))
    return ids


def save_audited(
    instance: models.Model, before: models.Model, update_fields: list[str] | None = None
) -> None:
    """`instance.save()` with its audit-log entry diffed against `before` (a copy of the row as
    the caller read it under its lock) instead of django-auditlog reading the row again first:
    the same entry (fields, exclusions, actor), one query less on a locked write."""
    from auditlog.context import disable_auditlog
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry

    with disable_auditlog():
        instance.save(update_fields=update_fields)
    changes = model_instance_diff(
        before,
        instance,
        fields_to_check=update_fields,
        use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
    )
    if changes:
        LogEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=changes)


@contextmanager
def foreign_keys_checked_at_once(tables) -> Iterator[None]:
    """Inside a transaction that bulk-writes `tables`: on PostgreSQL, their deferred foreign keys
    are checked at the end of each statement (SET CONSTRAINTS ... IMMEDIATE) rather than all at
    once at the commit. The same checks, but spread over the writes, so that work done between
    two writes (an import reading its next batch) overlaps them, and the commit no longer holds
    them all queued. Deferred again at the end; a rolled-back transaction takes the setting with
    it. Elsewhere, nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(conname) FROM pg_constraint WHERE contype = 'f' AND condeferred"
            " AND conrelid = ANY(%s::regclass[])",
            [list(tables)],
        )
        names = ", ".join(name for (name,) in cursor.fetchall())
        if names:
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")  # names quoted by quote_ident
    yield
    if connection.needs_rollback or not names:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")
