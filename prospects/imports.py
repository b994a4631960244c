"""The prospect import (Gestan "Importer"): one code path for the wizard (its jobs and tasks in
`prospects.import_jobs`), `manage.py import_prospects` and the Celery task. Rows are parsed by `prospects.importing`, checked,
then written all-or-nothing (or only the valid ones) in batches, with their opportunities in
the default process."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation

from contacts.choices import Origin
from contacts.models import Person, Prospect
from core.access import owner_field, view_reach
from core.db import bulk_insert, foreign_keys_checked_at_once
from pipeline.models import HistoryEntry, Opportunity
from prospects import importing, readers
from prospects.services import PROSPECT_EDITABLE

# Rows checked, looked up and written together: a chunk costs two duplicate look-ups and three
# COPYs whatever its size, so large chunks keep a 100,000-row import to a few dozen. At most
# four chunks are in memory at once (see `_ReadAhead`), whatever the size of the file.
BATCH_SIZE = 5000
PREVIEW_ROWS = 50
PREVIEW_REFUSED = 200


@dataclass
class ImportReport:
    """What an import did or would do: counts, a preview and the refused rows."""

    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""
    total: int = 0
    valid: int = 0
    refused: int = 0
    duplicates: int = 0
    created: int = 0
    opportunities: int = 0
    batches: int = 0
    written: bool = False
    preview: list[dict] = field(default_factory=list)
    refused_rows: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "total": self.total,
            "valid": self.valid,
            "refused": self.refused,
            "duplicates": self.duplicates,
            "created": self.created,
            "opportunities": self.opportunities,
            "written": self.written,
            "preview": self.preview,
            "refused_rows": self.refused_rows,
        }

    def lines(self) -> list[str]:
        """The text report printed by the command."""
        out = [
            f"rows: {self.total}  valid: {self.valid}  refused: {self.refused}  "
            f"created: {self.created}  opportunities: {self.opportunities}"
        ]
        out += [f"row {r['row']}: {r['reason']}" for r in self.refused_rows]
        if self.refused > len(self.refused_rows):
            out.append(f"... {self.refused - len(self.refused_rows)} more refused rows")
        return out


def extra_labels() -> dict[str, int]:
    from contacts.models import ExtraField
    from contacts.text import compact

    return {compact(label): pk for pk, label in ExtraField.objects.values_list("pk", "label")}


def prospects_import(
    *,
    path: str | Path,
    actor,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    owner=None,
    valid_only: bool = False,
    dry_run: bool = False,
    report_file=None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a prospect file (the wizard and `import_prospects` both call this).

    The file is streamed and written in batches. Each row is checked (e-mail, phone, dates,
    amount, probability, owner, channel, categories) and compared with the existing prospects
    and contacts (same e-mail, or same name and company) and with the earlier rows of the file.
    All-or-nothing by default: one refused row and nothing is written (the whole run is one
    transaction, rolled back); `valid_only` writes the valid rows. Refused rows go to
    `report_file` (CSV: row number, reason, original values). A row with a project, amount,
    probability or expected date also gets an opportunity in the default process.
    """
    source = readers.open_source(path, filename)
    report = ImportReport(
        headers=source.headers, encoding=source.encoding, delimiter=source.delimiter
    )
    report.mapping = (
        mapping if mapping is not None else importing.guess_mapping(source.headers, extra_labels())
    )
    lookups = importing.Lookups.load()
    writer = (
        importing.ReportWriter(report_file, source.headers) if report_file is not None else None
    )
    context = _WriteContext.load(actor=actor, owner=owner, filename=filename or Path(path).name)
    batches = _ReadAhead(_checked_batches(source, report.mapping, lookups))
    try:
        with transaction.atomic(), foreign_keys_checked_at_once(WRITTEN_TABLES):
            for batch in batches:
                report.total += len(batch)
                _flush(batch, report, context, writer, valid_only, dry_run)
                if progress and len(batch) >= BATCH_SIZE:
                    progress(report.total)
            if progress:
                progress(report.total)
            if dry_run or (report.refused and not valid_only):
                transaction.set_rollback(True)
                report.created = report.opportunities = 0
            else:
                report.written = report.created > 0
    finally:
        batches.close()
        source.close()
    return report


# The tables an import writes, whose foreign keys are checked batch by batch while it runs.
WRITTEN_TABLES = (
    Prospect._meta.db_table,
    Prospect.categories.through._meta.db_table,
    Opportunity._meta.db_table,
    HistoryEntry._meta.db_table,
)
# (Keeping the trigram index's entries in its pending list until after the commit saves the
# import about 1 s per 100,000 rows but costs the same again in the merge afterwards, while the
# quick search reads the unmerged list: not done.)


def _checked_batches(source, mapping: dict[str, str], lookups) -> Iterator[list[importing.Row]]:
    """The file's non-blank rows, checked, compared with the earlier rows of the file and given
    their search words, in batches of BATCH_SIZE (the last one shorter). No database access:
    see `_ReadAhead`."""
    seen_emails: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    batch: list[importing.Row] = []
    for number, raw in enumerate(source.rows, start=2):
        if not any(importing.text(v) for v in raw):
            continue
        row = importing.check_row(number, raw, mapping, lookups)
        _duplicate_in_file(row, seen_emails, seen_names)
        if row.ok:
            row.search_text = importing.search_words(row.values)
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


class _ReadAhead:
    """Iterate over `batches` produced by a thread one or two batches ahead: the file is read
    and checked while PostgreSQL looks up and writes the batch before (the import waits on the
    database with the GIL released), instead of one after the other. The thread does no
    database work, so the import keeps its one connection and transaction; it checks in the
    caller's language (the reasons of refused rows); its error is raised here, in order."""

    _END = object()

    def __init__(self, batches: Iterator[list[importing.Row]]):
        self._batches = batches
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._language = translation.get_language()
        self._thread = threading.Thread(target=self._produce, name="import-read-ahead", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        with translation.override(self._language):
            try:
                for batch in self._batches:
                    if not self._put(batch):
                        return
            except BaseException as error:  # raised again in the consumer, after earlier batches
                self._put(error)
                return
            self._put(self._END)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[list[importing.Row]]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop the thread (the consumer may leave early, on an error) before the file closes."""
        self._stop.set()
        self._thread.join()


def _duplicate_in_file(row: importing.Row, seen_emails: dict, seen_names: dict) -> None:
    email = row.values.get("email")
    key = importing.name_key(row.values)
    earlier = (seen_emails.get(email) if email else None) or (seen_names.get(key) if key else None)
    if earlier:
        row.duplicate = str(importing.DUPLICATE_IN_FILE).format(row=earlier)
        return
    if email:
        seen_emails[email] = row.number
    if key:
        seen_names[key] = row.number


def _seer(actor) -> Callable[[int | None], bool]:
    """Whether `actor` may see a prospect or a person from its owner's id: the object form of
    their `visible_to` (`core.access`), so the look-ups stay index scans rather than checking
    each match against every visible row. No actor (the command line, run by whoever holds the
    database) sees every row."""
    if actor is None:
        return lambda owner_id: True
    reach = view_reach(actor)
    return lambda owner_id: reach.admits(actor, owner_id)


def _duplicate_reason(message, hidden_message, pk: int, seen: bool) -> str:
    """A duplicate is refused either way; only a record the user may see is numbered."""
    return str(message).format(id=pk) if seen else str(hidden_message)


def _among(model, field: str, values: set[str]):
    """`field__in=values`; on PostgreSQL as `= ANY(array)`, one parameter: thousands of
    placeholders cost more to send and parse than the look-up itself."""
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{field}__in": values})
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    sql = f"{column} = ANY(%s)"  # quoted names of the model; the values are one parameter
    return RawSQL(sql, (sorted(values),), output_field=BooleanField())  # noqa: S611


def _duplicates_in_database(rows: list[importing.Row], actor=None) -> None:
    """Mark rows matching an existing prospect or person (e-mail, or name and company). The
    reason names the record only when `actor` may see it (REPS_SEE_ONLY_OWN)."""
    candidates = [r for r in rows if not r.duplicate]
    emails = {r.values["email"] for r in candidates if r.values.get("email")}
    last_names = {r.values["last_name"] for r in candidates if r.values.get("last_name")}
    by_email: dict[str, str] = {}
    by_name: dict[str, str] = {}
    person, prospect = (
        (importing.DUPLICATE_PERSON, importing.DUPLICATE_PERSON_HIDDEN),
        (importing.DUPLICATE_PROSPECT, importing.DUPLICATE_PROSPECT_HIDDEN),
    )
    seen = _seer(actor)
    if emails:
        people = Person.objects.filter(_among(Person, "email", emails)).order_by()
        for pk, email, owner_id in people.values_list("pk", "email", owner_field(Person)):
            by_email[email.lower()] = _duplicate_reason(*person, pk, seen(owner_id))
    variants = set()
    for name in last_names:
        variants |= {name, name.upper(), name.title()}
    if emails or variants:
        # One look-up for both keys of the prospects (e-mail, or name and company).
        existing = (
            Prospect.objects.filter(
                _among(Prospect, "email", emails) | _among(Prospect, "last_name", variants)
            )
            .order_by()
            .values_list(
                "pk", "email", "last_name", "first_name", "company_name", owner_field(Prospect)
            )
        )
        for pk, email, last, first, company, owner_id in existing:
            if email in emails:
                by_email[email.lower()] = _duplicate_reason(*prospect, pk, seen(owner_id))
            if last in variants:
                key = importing.name_key(
                    {"last_name": last, "first_name": first, "company_name": company}
                )
                by_name[key] = _duplicate_reason(*prospect, pk, seen(owner_id))
    for row in candidates:
        email = row.values.get("email")
        found = by_email.get(email) if email else None
        found = found or by_name.get(importing.name_key(row.values))
        if found:
            row.duplicate = found


@dataclass
class _WriteContext:
    actor: Any
    owner_id: int | None
    process: Any
    step: Any
    filename: str = ""  # the prospects' origin detail (privacy: where the data came from)

    @classmethod
    def load(cls, *, actor, owner, filename: str = "") -> _WriteContext:
        from pipeline.models import Process

        process = Process.objects.filter(is_default=True).first()
        step = process.steps.order_by("position", "id").first() if process else None
        return cls(
            actor=actor,
            owner_id=owner.pk if owner else None,
            process=process,
            step=step,
            filename=filename[:250],
        )


def _flush(
    batch, report: ImportReport, context: _WriteContext, writer, valid_only, dry_run
) -> None:
    if not batch:
        return
    _duplicates_in_database(batch, context.actor)
    valid = []
    for row in batch:
        if row.ok:
            report.valid += 1
            valid.append(row)
        else:
            report.refused += 1
            if row.duplicate:
                report.duplicates += 1
            if writer:
                writer.writerow(row)
            if len(report.refused_rows) < PREVIEW_REFUSED:
                report.refused_rows.append(
                    {
                        "row": row.number,
                        "reason": row.reason,
                        "values": [importing.text(v) for v in row.raw],
                    }
                )
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": row.number,
                    "ok": row.ok,
                    "reason": row.reason,
                    "values": [importing.text(v) for v in row.raw],
                }
            )
    if dry_run or (report.refused and not valid_only):
        return  # all-or-nothing: once a row is refused, nothing more is written
    _write(valid, report, context)


# The checked values a prospect's row takes as they are (owner and channel go by their ids).
_COPIED = frozenset(PROSPECT_EDITABLE) - {"owner", "channel"}


def _write(rows: list[importing.Row], report: ImportReport, context: _WriteContext) -> None:
    now = timezone.now()
    actor_id = context.actor.pk if context.actor else None
    stamp = {
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor_id,
        "updated_by_id": actor_id,
    }
    prospects = []
    for row in rows:
        values = row.values
        prospect = {k: v for k, v in values.items() if k in _COPIED}
        prospect.update(
            stamp,
            owner_id=values.get("owner_id", context.owner_id),
            channel_id=values.get("channel_id"),
            extra=values.get("extra", {}),
            origin=Origin.IMPORT,
            origin_detail=context.filename,
        )
        prospect["search_text"] = row.search_text or importing.search_words(values)
        prospects.append(prospect)
    ids = bulk_insert(Prospect, prospects, batch_size=BATCH_SIZE)
    through = Prospect.categories.through
    links = [
        through(prospect_id=pk, category_id=cid)
        for row, pk in zip(rows, ids, strict=True)
        for cid in set(row.values.get("category_ids", []))
    ]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    # The prospect's creation shows in its card header (created by/at); the opportunities get
    # their "created" history entry below.
    opportunities, owners = [], []
    if context.process is not None:
        from pipeline.clocks import colour_for, step_due

        step = context.step
        step_probability = step.probability if step else 0
        due = step_due(now, step.duration_days) if step else None
        colour = colour_for(due)
        for row, pk, prospect in zip(rows, ids, prospects, strict=True):
            if not row.has_opportunity:
                continue
            values = row.values
            probability = values.get("probability")
            name = " ".join(
                p for p in [values.get("first_name", ""), values.get("last_name", "").upper()] if p
            )
            opportunities.append(
                {
                    **stamp,
                    "prospect_id": pk,
                    "process_id": context.process.pk,
                    "step_id": step.pk if step else None,
                    "step_changed_at": now,
                    "summary": (values.get("project") or values.get("company_name") or name or "—")[
                        :200
                    ],
                    "amount": values.get("amount") or Decimal(0),
                    "expected_date": values.get("expected_date"),
                    "probability": step_probability if probability is None else probability,
                    "probability_is_manual": probability is not None
                    and probability != step_probability,
                    "owner_id": prospect["owner_id"],
                    "step_due": due,
                    "step_colour": colour,
                }
            )
            owners.append(pk)
        opportunity_ids = bulk_insert(Opportunity, opportunities, batch_size=BATCH_SIZE)
        bulk_insert(
            HistoryEntry,
            [
                {
                    "prospect_id": prospect_id,
                    "opportunity_id": opportunity_id,
                    "kind": HistoryEntry.Kind.CREATED,
                    "actor_id": actor_id,
                    "at": now,
                    "to_value": step.label if step else "",
                }
                for prospect_id, opportunity_id in zip(owners, opportunity_ids, strict=True)
            ],
        )
    report.created += len(prospects)
    report.opportunities += len(opportunities)
    report.batches += 1
    _refresh_statistics(report.batches)


def _refresh_statistics(batches: int) -> None:
    """A large import grows the table faster than autovacuum notices: without fresh statistics
    PostgreSQL keeps planning the duplicate look-ups as for a tiny table (scanning everything).
    ANALYZE the two columns they search after the first batches, then every 50 batches (the
    whole table's statistics, its expression and trigram indexes included, cost ten times as
    much; autovacuum refreshes them once the import is committed)."""
    if connection.vendor != "postgresql":
        return
    if batches in (1, 5, 20) or batches % 50 == 0:
        quote = connection.ops.quote_name
        columns = ", ".join(
            quote(Prospect._meta.get_field(name).column) for name in ("email", "last_name")
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(Prospect._meta.db_table)} ({columns})")
