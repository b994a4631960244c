"""Writes that follow a process's rules: create, move, complete steps, automation, stages.

Contract used by the prospect card, the step list and the Kanban (the functions live in this
module and its neighbours `steps`, `automation` and `stages`, which edits the steps themselves):

    opportunity_create(*, actor, process=None, step=None, **fields) -> Opportunity
        raises MoveRefused without the process's modify right, or on a prospect, company or
        person the actor may not change (NOT_ALLOWED_RECORD).
    opportunity_move(*, opportunity_id, actor, to_step=None, to_status=None, loss_reason=None,
                     expected_version=None, position=None, after=None, before=None, rule=None,
                     process=None, steps=None) -> Opportunity
        raises MoveRefused(message) when a rule refuses (mode, rights, missing loss reason,
        stale version: then `.conflict` is the `core.versions.ConcurrentEdit`); the message is
        shown to the user as is. `expected_version` may be the raw form value: anything that
        is not the current version is refused as stale. Raises Opportunity.DoesNotExist for
        an opportunity the actor may not see, or not of `process` when given.
    step_complete(*, opportunity_id, step_id, actor, expected_version=None) -> Opportunity
    step_uncomplete(*, opportunity_id, step_id, actor, expected_version=None) -> Opportunity
    automation_run(*, opportunity, event, actor, task_type=None) -> Opportunity
    opportunity_trash(*, opportunity_id, actor, expected_version=None) -> Opportunity
        raises MoveRefused(NOT_ALLOWED_DELETE) without the process's delete right.
    on_document_attached(*, document, target, actor)   (hook of contacts.attachments)
        the hook runs the process's "a document is attached" rules.

Vocabulary. `opportunity.step` is the step the opportunity is in now (its Kanban column, "the
step to do"); status won/lost puts it in the Won/Lost column and leaves `step` where it was.
`StepProgress` rows are the step list's check boxes. `step_changed_at` is the day of the last
step change or check-box change (the manual's "date dernière étape", NbJ and the step clock).

Step-by-step mode (PROSTEP "pas-à-pas": a step can only be completed once all earlier ones
are) keeps one invariant: the current step is the first step not completed (the last step when
all are). So:
- ticking a box out of order is refused (`STEP_ORDER`); un-ticking a box un-ticks the later ones;
- moving an opportunity on the Kanban to a later step completes the steps before it, and moving
  it back un-completes the step it lands in and the later ones, each change recorded in the
  history. Dragging a card is how a rep says "this is done", so it is not refused.
- reordering the steps (the process admin) keeps each opportunity in its step and sets its boxes
  as a move there would (`stages.process_boxes_realign`).
Free mode: boxes are independent and moves do not touch them.

Long because a move's rules (and the events it emits) read best as one function with its helpers.
"""

import copy
import datetime as dt

from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Max, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Person, Prospect
from core.access import can_change, can_view
from core.db import lock_row
from core.events import emit
from core.sentences import sentence
from core.trash import trash_rows
from core.users import user_label
from core.versions import ConcurrentEdit, check_version
from pipeline.clocks import (
    opportunities_refresh,
    opportunity_clocks_set,
    prospects_next_action_refresh,
)
from pipeline.models import (
    AutomationRule,
    HistoryEntry,
    LossReason,
    Opportunity,
    Process,
    Step,
    StepProgress,
)
from pipeline.rights import (
    can_delete_process_opportunities,
    can_modify_process_opportunities,
)

# Messages shown to users as they are (format the ones with fields through str(...).format).
LOSS_REASON_REQUIRED = _("A loss reason is required to mark an opportunity as lost.")
NOT_ALLOWED = _("You may not change the opportunities of this process.")
NOT_ALLOWED_OBJECT = _("You may not change this opportunity.")
NOT_ALLOWED_RECORD = _(
    "You may only add an opportunity to a prospect, company or person you may change."
)
NOT_ALLOWED_DELETE = _("You may not delete the opportunities of this process.")
NOW_IN = _("It is now in {place}.")
STEP_ORDER = _("“{step}” can only be completed once “{previous}” is (step-by-step process).")
STEP_NOT_IN_PROCESS = _("This step does not belong to the opportunity's process.")
NO_STEPS = _("This process has no steps yet.")

FINAL_STATUSES = (Opportunity.Status.WON, Opportunity.Status.LOST)


class Refused(Exception):
    """A rule refused the change; `message` is shown to the user as is."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class MoveRefused(Refused):
    """`conflict` is set when the refusal is a stale version (`core.versions`): the board
    then shows the columns involved as they now are."""

    def __init__(self, message, *, conflict: ConcurrentEdit | None = None):
        super().__init__(message)
        self.conflict = conflict


class StepRefused(Refused):
    pass


# --------------------------------------------------------------------------- helpers


def _place(opportunity: Opportunity) -> str:
    if opportunity.status in FINAL_STATUSES or opportunity.status == Opportunity.Status.INACTIVE:
        return str(opportunity.get_status_display())
    return opportunity.step.label if opportunity.step_id else "—"


def _steps(process_id: int) -> list[Step]:
    return list(Step.objects.filter(process_id=process_id).order_by("position", "id"))


def _done_ids(opportunity: Opportunity) -> set[int]:
    return set(
        StepProgress.objects.filter(opportunity=opportunity).values_list("step_id", flat=True)
    )


def _lock(opportunity_id: int) -> Opportunity:
    return lock_row(Opportunity.objects, opportunity_id, related=("process", "step", "updated_by"))


def _check_record_rights(actor, fields: dict) -> None:
    """The records a new opportunity belongs to (given as objects or ids) must be ones the
    actor may change (`core.access.can_change`: reps their own and unassigned ones)."""
    for name, model in (("prospect", Prospect), ("company", Company), ("person", Person)):
        record = fields.get(name)
        if record is None and fields.get(f"{name}_id") is not None:
            record = model.all_objects.filter(pk=fields[f"{name}_id"]).first()
        if record is not None and not can_change(actor, record):
            raise MoveRefused(NOT_ALLOWED_RECORD)


def _check_version(opportunity: Opportunity, expected_version: int | str | None) -> None:
    """`core.versions.check_version` for moves and step boxes: a stale version (junk
    included) is a MoveRefused, whose message (the one stale message) also says where the
    opportunity is now, so the board and the step list answer it like any refused move."""
    try:
        check_version(opportunity, expected_version)
    except ConcurrentEdit as conflict:
        where = sentence(str(NOW_IN).format(place=_place(opportunity)))
        raise MoveRefused(f"{conflict.message} {where}", conflict=conflict) from conflict


def _check_rights(actor, opportunity: Opportunity) -> None:
    if not can_modify_process_opportunities(actor, opportunity.process):
        raise MoveRefused(NOT_ALLOWED)
    if not can_change(actor, opportunity):
        raise MoveRefused(NOT_ALLOWED_OBJECT)


def _history(
    opportunity, kind, *, actor, at, from_value="", to_value="", rule=None, **steps
) -> HistoryEntry:
    """`steps`: from_step_id / to_step_id, the steps the reports compute on."""
    return HistoryEntry(
        opportunity=opportunity,
        prospect_id=opportunity.prospect_id,
        kind=kind,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
        actor=actor,
        rule=rule,
        at=at,
        **steps,
    )


def _log_line(
    opportunity: Opportunity, *, actor, at: dt.datetime, text: str, rule=None
) -> str | None:
    """PROSTEP "log step changes": a dated line with the author's name, appended to the
    prospect's comment in one UPDATE (the first line, shown by the step list, stays).
    Returns the line written (None when the process logs nothing)."""
    if not opportunity.process.log_step_changes or not opportunity.prospect_id:
        return None
    day = timezone.localtime(at).strftime("%d/%m/%Y")
    who = user_label(actor) or gettext("system")
    line = gettext("{day} {who}: {text}").format(day=day, who=who, text=text)
    if rule is not None:
        line += " " + gettext("(rule: {rule})").format(rule=rule)
    Prospect.all_objects.filter(pk=opportunity.prospect_id).update(
        notes=Case(
            When(notes="", then=Value(line)),
            default=Concat(F("notes"), Value("\n" + line), output_field=TextField()),
            output_field=TextField(),
        ),
        version=F("version") + 1,
    )
    return line


def _complete(opportunity, steps, *, actor, at, rule=None) -> list[HistoryEntry]:
    StepProgress.objects.bulk_create(
        [StepProgress(opportunity=opportunity, step=s, done_at=at, done_by=actor) for s in steps]
    )
    return [
        _history(
            opportunity,
            HistoryEntry.Kind.STEP_DONE,
            actor=actor,
            at=at,
            to_value=s.label,
            rule=rule,
        )
        for s in steps
    ]


def _uncomplete(opportunity, steps, *, actor, at, rule=None) -> list[HistoryEntry]:
    StepProgress.objects.filter(opportunity=opportunity, step__in=steps).delete()
    return [
        _history(
            opportunity,
            HistoryEntry.Kind.STEP_UNDONE,
            actor=actor,
            at=at,
            from_value=s.label,
            rule=rule,
        )
        for s in steps
    ]


def _set_step(opportunity, step: Step | None, *, actor, at, rule=None) -> list[HistoryEntry]:
    """Put the opportunity in `step`: the step clock restarts and the probability follows
    the step's unless a user set it by hand."""
    entries = []
    if step is not None and step.pk != opportunity.step_id:
        entries.append(
            _history(
                opportunity,
                HistoryEntry.Kind.STEP,
                actor=actor,
                at=at,
                from_value=opportunity.step.label if opportunity.step_id else "",
                to_value=step.label,
                rule=rule,
                from_step_id=opportunity.step_id,
                to_step_id=step.pk,
            )
        )
        opportunity.step = step
        opportunity.step_changed_at = at
        if not opportunity.probability_is_manual and opportunity.status == Opportunity.Status.OPEN:
            opportunity.probability = step.probability
    return entries


def _first_not_done(steps: list[Step], done: set[int]) -> Step | None:
    for step in steps:
        if step.pk not in done:
            return step
    return steps[-1] if steps else None


def _column(opportunity: Opportunity, status: str, step_id: int | None):
    # The same rows as `_column_sql` (the UPDATE of `_make_room`): change both together.
    column = Opportunity.objects.filter(process_id=opportunity.process_id, status=status)
    if status == Opportunity.Status.OPEN:
        column = column.filter(step_id=step_id)
    return column.exclude(pk=opportunity.pk)


def _column_sql(alias: str, step: str) -> str:
    """The WHERE of `_column` on the table under `alias`, as fixed SQL (the trash filter of
    `core.db.AliveManager` included); `step` is "=" (an open column), "null" (open cards
    without a step) or "" (Won, Lost). Its parameters: the process, the status, the step (for
    "=" only) and the moved card, which the column leaves out."""
    where = f"{alias}.deleted_at IS NULL AND {alias}.process_id = %s AND {alias}.status = %s"
    if step == "=":
        where += f" AND {alias}.step_id = %s"
    elif step == "null":
        where += f" AND {alias}.step_id IS NULL"
    return where + f" AND {alias}.id <> %s"


# The UPDATE of `_make_room`, one fixed statement per kind of column: built by the ORM it
# cost more to compose (four nested querysets) than to run.
_TABLE = Opportunity._meta.db_table
_MAKE_ROOM_SQL = {
    step: (
        f"UPDATE {_TABLE} SET position = position + 1"  # noqa: S608 - constants
        f" WHERE {_column_sql(_TABLE, step)}"
        f" AND {_TABLE}.position >= %s"
        f" AND EXISTS (SELECT 1 FROM {_TABLE} a WHERE {_column_sql('a', step)}"
        " AND a.position = %s)"
        f" AND {_TABLE}.position <= ("
        f"SELECT b.position FROM {_TABLE} b WHERE {_column_sql('b', step)}"
        f" AND b.position >= %s AND NOT EXISTS (SELECT 1 FROM {_TABLE} c"
        f" WHERE {_column_sql('c', step)} AND c.position = b.position + 1)"
        " ORDER BY b.position LIMIT 1)"
    )
    for step in ("=", "null", "")
}


def _make_room(opportunity: Opportunity, status: str, step_id: int | None, position: int) -> None:
    """Free `position` in the target column (`_column`), in one UPDATE: the cards from there
    up to the first free place move one down, the others keep theirs, so the column's order is
    the one a shift of every later card would give. A drop next to a free place (the column's
    gaps: cards that left it) writes no other row; shifting the whole rest of a long column
    wrote hundreds of rows, each with every index of the table, for one drop."""
    step = "" if status != Opportunity.Status.OPEN else "=" if step_id is not None else "null"
    column = [opportunity.process_id, status, *([step_id] if step == "=" else []), opportunity.pk]
    params = [*column, position] * 3 + column
    with connection.cursor() as cursor:
        cursor.execute(_MAKE_ROOM_SQL[step], params)


def _end_of_column(opportunity: Opportunity, status: str, step_id: int | None) -> int:
    last = _column(opportunity, status, step_id).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _save(
    opportunity: Opportunity, actor, entries: list[HistoryEntry], *, before: Opportunity
) -> Opportunity:
    """One UPDATE and one INSERT of the history: a move changes no task, so its clocks are
    computed here from its step and its stored next action, and the object is what was
    written (no re-read). The audit entry compares with `before`, the row as this move read
    it under its lock, which django-auditlog would otherwise read a second time."""
    opportunity.touch(actor)
    opportunity_clocks_set(opportunity)
    with disable_auditlog():
        opportunity.save()
    changes = model_instance_diff(
        before, opportunity, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
    )
    if changes:
        LogEntry.objects.log_create(opportunity, action=LogEntry.Action.UPDATE, changes=changes)
    if entries:
        HistoryEntry.objects.bulk_create(entries)
    if opportunity.prospect_id and before.status != opportunity.status:
        # Opened or closed: the prospect's next action (the list's sort) may change.
        prospects_next_action_refresh(prospect_ids=[opportunity.prospect_id])
    return opportunity


def _lock_for_move(
    opportunity_id: int, *, actor, process: Process | None, steps, after=None, before=None
) -> Opportunity:
    """The opportunity locked, read alone (no join: see `core.db.lock_row`), with the positions
    of the cards a drop landed between (`after`, `before`) read in the same query; its process
    and current step are the caller's when given (the board has them), else read."""
    neighbours = {
        name: Subquery(
            Opportunity.objects.filter(pk=pk, process_id=OuterRef("process_id")).values("position")[
                :1
            ]
        )
        for name, pk in (("after_position", after), ("before_position", before))
        if pk
    }
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .annotate(**neighbours)
        .get(pk=opportunity_id)
    )
    if process is not None and process.pk != opportunity.process_id:
        raise Opportunity.DoesNotExist
    opportunity.process = process or Process.objects.get(pk=opportunity.process_id)
    if steps is None:
        steps = _steps(opportunity.process_id)
    opportunity.process_steps = steps
    if opportunity.step_id:
        current = next((s for s in steps if s.pk == opportunity.step_id), None)
        if current is not None:
            opportunity.step = current
    return opportunity


def _loss_reason(value) -> LossReason | None:
    if value in (None, ""):
        return None
    if isinstance(value, LossReason):
        return value
    try:
        return LossReason.objects.get(pk=value)
    except (LossReason.DoesNotExist, ValueError, TypeError) as exc:
        raise MoveRefused(LOSS_REASON_REQUIRED) from exc


@transaction.atomic
def opportunity_create(
    *, actor, process: Process | None = None, step: Step | None = None, **fields
) -> Opportunity:
    """Create an opportunity in `process` (the default process when omitted) at `step` (its
    first step when omitted). The probability is the step's unless one is given that differs
    from it (then it counts as set by hand). In step-by-step mode the steps before `step` are
    completed. The owner defaults to the actor. Refused without the process's modify right,
    and on a prospect, company or person the actor may not change (NOT_ALLOWED_RECORD)."""
    process = process or Process.objects.get(is_default=True)
    steps = _steps(process.pk)
    if step is None:
        step = steps[0] if steps else None
    elif step.process_id != process.pk:
        raise MoveRefused(STEP_NOT_IN_PROCESS)
    if not can_modify_process_opportunities(actor, process):
        raise MoveRefused(NOT_ALLOWED)
    _check_record_rights(actor, fields)
    probability = fields.pop("probability", None)
    step_probability = step.probability if step else 0
    fields.setdefault(
        "probability_is_manual", probability is not None and int(probability) != step_probability
    )
    fields.setdefault("owner", actor)
    status = fields.setdefault("status", Opportunity.Status.OPEN)
    if status == Opportunity.Status.LOST and not fields.get("loss_reason"):
        raise MoveRefused(LOSS_REASON_REQUIRED)
    if status in FINAL_STATUSES:
        fields.setdefault("closing_date", timezone.localdate())
    now = timezone.now()
    opportunity = Opportunity(
        process=process,
        step=step,
        step_changed_at=fields.pop("step_changed_at", now),
        probability=step_probability if probability is None else int(probability),
        **fields,
    )
    if "position" not in fields:
        opportunity.position = _end_of_column(opportunity, status, step.pk if step else None)
    opportunity.touch(actor)
    opportunity.full_clean()
    opportunity.save()
    entries = [
        _history(
            opportunity,
            HistoryEntry.Kind.CREATED,
            actor=actor,
            at=now,
            to_value=step.label if step else "",
            to_step_id=step.pk if step else None,
        )
    ]
    if process.mode == Process.Mode.STEP_BY_STEP and step is not None:
        earlier = [s for s in steps if (s.position, s.pk) < (step.position, step.pk)]
        entries += _complete(opportunity, earlier, actor=actor, at=now)
    HistoryEntry.objects.bulk_create(entries)
    opportunities_refresh([opportunity.pk])
    opportunity.refresh_from_db()
    emit("opportunity.created", opportunity, actor=actor)
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    opportunity_id: int,
    actor,
    to_step: Step | None = None,
    to_status: str | None = None,
    loss_reason=None,
    expected_version: int | str | None = None,
    position: int | None = None,
    after: int | None = None,
    before: int | None = None,
    rule: AutomationRule | None = None,
    process: Process | None = None,
    steps: list[Step] | None = None,
) -> Opportunity:
    """Move an opportunity to a step (a Kanban column) and/or a status (Won, Lost, open).

    Rules: the row is locked and the version the client saw is checked (`_check_version`);
    the actor needs the process's modify right and the object right (moves made by an
    automation rule skip the rights: the rule is the managers' configuration); lost needs a
    loss reason; won/lost set the closing date to today and reopening clears it; dropping a
    won/lost card on a step reopens it (a rule's move keeps the status); the probability
    follows the new step unless set by hand (won = 100 %, lost = 0 %, same exception); every
    change is recorded in the history (with the rule, when a rule did it) and, with
    "log step changes", appended to the prospect's comment; step-by-step progress follows the
    module docstring. `position` is the order in the target column (others shift in one
    UPDATE), or the card lands just after the card `after` or in place of the card `before`
    (a drop between two cards); without them a card changing column goes to the end. A
    status change then runs the `status_changed` automation rules, except for moves made by a
    rule (no loops). `process` and `steps` (the process's steps in order): the caller's when
    it has them read, which saves their reading here.
    """
    opportunity = _lock_for_move(
        opportunity_id, actor=actor, process=process, steps=steps, after=after, before=before
    )
    if rule is None and not can_view(actor, opportunity):
        raise Opportunity.DoesNotExist
    before = copy.copy(opportunity)
    if position is None:
        if getattr(opportunity, "after_position", None) is not None:
            position = opportunity.after_position + 1
        elif getattr(opportunity, "before_position", None) is not None:
            position = opportunity.before_position
    _check_version(opportunity, expected_version)
    if rule is None:
        _check_rights(actor, opportunity)
    if to_step is not None and to_step.process_id != opportunity.process_id:
        raise MoveRefused(STEP_NOT_IN_PROCESS)

    old_status, old_step_id, old_reason_id = (
        opportunity.status,
        opportunity.step_id,
        opportunity.loss_reason_id,
    )
    new_status = to_status or old_status
    if to_status is None and to_step is not None and rule is None and old_status in FINAL_STATUSES:
        new_status = Opportunity.Status.OPEN
    if new_status == Opportunity.Status.LOST:
        reason = _loss_reason(loss_reason) or (
            opportunity.loss_reason if old_status == Opportunity.Status.LOST else None
        )
        if reason is None:
            raise MoveRefused(LOSS_REASON_REQUIRED)
        opportunity.loss_reason = reason
    else:
        opportunity.loss_reason = None

    now = timezone.now()
    entries: list[HistoryEntry] = []
    log: list[str] = []

    if to_step is not None and to_step.pk != old_step_id:
        if opportunity.process.mode == Process.Mode.STEP_BY_STEP:
            steps = opportunity.process_steps
            done = _done_ids(opportunity)
            key = (to_step.position, to_step.pk)
            to_do = [s for s in steps if (s.position, s.pk) < key and s.pk not in done]
            to_undo = [s for s in steps if (s.position, s.pk) >= key and s.pk in done]
            entries += _complete(opportunity, to_do, actor=actor, at=now, rule=rule)
            entries += _uncomplete(opportunity, to_undo, actor=actor, at=now, rule=rule)
        old_label = opportunity.step.label if opportunity.step_id else "—"
        entries += _set_step(opportunity, to_step, actor=actor, at=now, rule=rule)
        log.append(f"{old_label} → {to_step.label}")

    if new_status != old_status:
        entries.append(
            _history(
                opportunity,
                HistoryEntry.Kind.STATUS,
                actor=actor,
                at=now,
                rule=rule,
                from_value=Opportunity.Status(old_status).label,
                to_value=Opportunity.Status(new_status).label,
            )
        )
        log.append(
            f"{Opportunity.Status(old_status).label} → {Opportunity.Status(new_status).label}"
        )
        opportunity.status = new_status
        if new_status in FINAL_STATUSES:
            opportunity.closing_date = timezone.localdate()
        elif new_status == Opportunity.Status.OPEN:
            opportunity.closing_date = None
        if not opportunity.probability_is_manual:
            if new_status == Opportunity.Status.WON:
                opportunity.probability = 100
            elif new_status == Opportunity.Status.LOST:
                opportunity.probability = 0
            elif opportunity.step_id:
                opportunity.probability = opportunity.step.probability

    column_changed = new_status != old_status or (
        new_status == Opportunity.Status.OPEN and opportunity.step_id != old_step_id
    )
    if position is not None:
        position = max(0, int(position))
        _make_room(opportunity, new_status, opportunity.step_id, position)
        opportunity.position = position
    elif column_changed:
        opportunity.position = _end_of_column(opportunity, new_status, opportunity.step_id)
    elif not entries and opportunity.loss_reason_id == old_reason_id:
        return opportunity  # nothing to change

    for text in log:
        _log_line(opportunity, actor=actor, at=now, text=text, rule=rule)
    opportunity = _save(opportunity, actor, entries, before=before)
    # Events (core.events): won / lost on those status changes, moved on a step change or reopening.
    previous = {"from_status": old_status, "from_step": old_step_id}
    if new_status != old_status and new_status in FINAL_STATUSES:
        emit(f"opportunity.{new_status}", opportunity, actor=actor, data=previous)
    if opportunity.step_id != old_step_id or old_status != new_status == Opportunity.Status.OPEN:
        emit("opportunity.moved", opportunity, actor=actor, data=previous)
    if new_status != old_status and rule is None:
        # Rules move opportunities through this very function: imported here, not above.
        from pipeline.services.automation import automation_run

        opportunity = automation_run(
            opportunity=opportunity, event=AutomationRule.Event.STATUS_CHANGED, actor=actor
        )
    return opportunity


@transaction.atomic
def opportunity_trash(
    *, opportunity_id: int, actor, expected_version: int | str | None = None
) -> Opportunity:
    """Delete an opportunity into the trash (restorable). PROSTEP "Suppression": only the
    process's delete groups (none set: managers) may, on opportunities they may change."""
    opportunity = _lock(opportunity_id)
    _check_version(opportunity, expected_version)
    if not can_delete_process_opportunities(actor, opportunity.process) or not can_change(
        actor, opportunity
    ):
        raise MoveRefused(NOT_ALLOWED_DELETE)
    trash_rows(Opportunity.all_objects.filter(pk=opportunity.pk), actor=actor)
    if opportunity.prospect_id:
        prospects_next_action_refresh(prospect_ids=[opportunity.prospect_id])
    opportunity.refresh_from_db(
        fields=["deleted_at", "deleted_by", "updated_at", "updated_by", "version"]
    )
    return opportunity


# --------------------------------------------------------------------------- step progress


# --------------------------------------------------------------------------- automation


# --------------------------------------------------------------------------- stages
