"""Writes that follow a process's rules: create, move, complete steps, automation, stages.

Contract used by the prospect card, the step list and the Kanban:

    opportunity_create(*, actor, process=None, step=None, **fields) -> Opportunity
    opportunity_move(*, opportunity_id, actor, to_step=None, to_status=None, loss_reason=None,
                     expected_version=None, position=None, rule=None) -> Opportunity
        raises MoveRefused(message) when a rule refuses (mode, rights, missing loss reason,
        stale version); the message is shown to the user as is. `expected_version` may be
        the raw form value: anything that is not the current version is refused as stale.
    step_complete(*, opportunity_id, step_id, actor, expected_version=None) -> Opportunity
    step_uncomplete(*, opportunity_id, step_id, actor, expected_version=None) -> Opportunity
    automation_run(*, opportunity, event, actor, task_type=None) -> Opportunity
    opportunity_trash(*, opportunity_id, actor, expected_version=None) -> Opportunity
        raises MoveRefused(NOT_ALLOWED_DELETE) without the process's delete right.
    on_document_attached(*, document, target, actor)   (hook of contacts.services.document_attach)
        the hook runs the process's "a document is attached" rules.

Stages (steps as Kanban columns), managers only; raise StepRefused(message):

    step_create(*, process_id, actor, label, duration_days=0, probability=0, position=None) -> Step
    step_set_folded(*, step_id, actor, folded) -> Step
    step_update(*, step_id, actor, label=None, duration_days=None, probability=None,
                folded=None) -> Step
    step_delete(*, step_id, actor) -> None

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
Free mode: boxes are independent and moves do not touch them.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, TextField, Value, When
from django.db.models.functions import Concat
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.access import can_change
from pipeline.clocks import opportunities_refresh
from pipeline.models import AutomationRule, Process, Step, StepProgress
from pipeline.rights import (
    can_delete_process_opportunities,
    can_manage_stages,
    can_modify_process_opportunities,
)
from prospects.models import HistoryEntry, LossReason, Opportunity, Prospect

# Messages shown to users as they are (format the ones with fields through str(...).format).
LOSS_REASON_REQUIRED = _("A loss reason is required to mark an opportunity as lost.")
NOT_ALLOWED = _("You may not change the opportunities of this process.")
NOT_ALLOWED_OBJECT = _("You may not change this opportunity.")
NOT_ALLOWED_DELETE = _("You may not delete the opportunities of this process.")
STALE_VERSION = _("This opportunity was changed by {user} at {time}; it is now in {place}.")
STEP_ORDER = _("“{step}” can only be completed once “{previous}” is (step-by-step process).")
STEP_NOT_IN_PROCESS = _("This step does not belong to the opportunity's process.")
STEP_NOT_EMPTY = _(
    "The step “{step}” cannot be deleted: {count} opportunities are in it, inactive or "
    "trashed ones included. Move them to another step first."
)
STEP_LAST = _("A process needs at least one step.")
STEP_LABEL_REQUIRED = _("A step needs a label.")
STAGES_NOT_ALLOWED = _("Only managers may change the steps of a process.")
NO_STEPS = _("This process has no steps yet.")

FINAL_STATUSES = (Opportunity.Status.WON, Opportunity.Status.LOST)


class Refused(Exception):
    """A rule refused the change; `message` is shown to the user as is."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class MoveRefused(Refused):
    pass


class StepRefused(Refused):
    pass


# --------------------------------------------------------------------------- helpers


def _actor_name(actor) -> str:
    if actor is None:
        return gettext("system")
    return actor.get_full_name() or actor.get_username()


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
    return (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("process", "step", "updated_by")
        .get(pk=opportunity_id)
    )


def _check_version(opportunity: Opportunity, expected_version: int | str | None) -> None:
    """`expected_version` is the version the client saw, as sent (a form's string) or an int;
    None or "" skips the check. A value that is not a number cannot be the current version:
    it is refused as stale rather than failing."""
    if expected_version is None or expected_version == "":
        return
    try:
        if int(expected_version) == opportunity.version:
            return
    except (TypeError, ValueError):
        pass
    when = timezone.localtime(opportunity.updated_at)
    raise MoveRefused(
        str(STALE_VERSION).format(
            user=_actor_name(opportunity.updated_by),
            time=formats.date_format(when, "d/m/Y H:i"),
            place=_place(opportunity),
        )
    )


def _check_rights(actor, opportunity: Opportunity) -> None:
    if not can_modify_process_opportunities(actor, opportunity.process):
        raise MoveRefused(NOT_ALLOWED)
    if not can_change(actor, opportunity):
        raise MoveRefused(NOT_ALLOWED_OBJECT)


def _history(
    opportunity, kind, *, actor, at, from_value="", to_value="", rule=None
) -> HistoryEntry:
    return HistoryEntry(
        opportunity=opportunity,
        prospect_id=opportunity.prospect_id,
        kind=kind,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
        actor=actor,
        rule=rule,
        at=at,
    )


def _log_line(opportunity: Opportunity, *, actor, at: dt.datetime, text: str, rule=None) -> None:
    """PROSTEP "log step changes": a dated line with the author's name, appended to the
    prospect's comment in one UPDATE (the first line, shown by the step list, stays)."""
    if not opportunity.process.log_step_changes or not opportunity.prospect_id:
        return
    day = timezone.localtime(at).strftime("%d/%m/%Y")
    line = f"{day} {_actor_name(actor)}: {text}"
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
    column = Opportunity.objects.filter(process_id=opportunity.process_id, status=status)
    if status == Opportunity.Status.OPEN:
        column = column.filter(step_id=step_id)
    return column.exclude(pk=opportunity.pk)


def _end_of_column(opportunity: Opportunity, status: str, step_id: int | None) -> int:
    last = _column(opportunity, status, step_id).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _save(opportunity: Opportunity, actor, entries: list[HistoryEntry]) -> Opportunity:
    opportunity.touch(actor)
    opportunity.save()
    if entries:
        HistoryEntry.objects.bulk_create(entries)
    opportunities_refresh([opportunity.pk])
    opportunity.refresh_from_db()
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


# --------------------------------------------------------------------------- opportunities


@transaction.atomic
def opportunity_create(
    *, actor, process: Process | None = None, step: Step | None = None, **fields
) -> Opportunity:
    """Create an opportunity in `process` (the default process when omitted) at `step` (its
    first step when omitted). The probability is the step's unless one is given that differs
    from it (then it counts as set by hand). In step-by-step mode the steps before `step` are
    completed. The owner defaults to the actor. Refused without the process's modify right."""
    process = process or Process.objects.get(is_default=True)
    steps = _steps(process.pk)
    if step is None:
        step = steps[0] if steps else None
    elif step.process_id != process.pk:
        raise MoveRefused(STEP_NOT_IN_PROCESS)
    if not can_modify_process_opportunities(actor, process):
        raise MoveRefused(NOT_ALLOWED)
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
        )
    ]
    if process.mode == Process.Mode.STEP_BY_STEP and step is not None:
        earlier = [s for s in steps if (s.position, s.pk) < (step.position, step.pk)]
        entries += _complete(opportunity, earlier, actor=actor, at=now)
    HistoryEntry.objects.bulk_create(entries)
    opportunities_refresh([opportunity.pk])
    opportunity.refresh_from_db()
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
    rule: AutomationRule | None = None,
) -> Opportunity:
    """Move an opportunity to a step (a Kanban column) and/or a status (Won, Lost, open).

    Rules: the row is locked and the version the client saw is checked (`STALE_VERSION`);
    the actor needs the process's modify right and the object right (moves made by an
    automation rule skip the rights: the rule is the managers' configuration); lost needs a
    loss reason; won/lost set the closing date to today and reopening clears it; dropping a
    won/lost card on a step reopens it (a rule's move keeps the status); the probability
    follows the new step unless set by hand (won = 100 %, lost = 0 %, same exception); every
    change is recorded in the history (with the rule, when a rule did it) and, with
    "log step changes", appended to the prospect's comment; step-by-step progress follows the
    module docstring. `position` is the order in the target column (others shift in one
    UPDATE); without it a card changing column goes to the end. A status change then runs
    the `status_changed` automation rules, except for moves made by a rule (no loops).
    """
    opportunity = _lock(opportunity_id)
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
            steps = _steps(opportunity.process_id)
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
        _column(opportunity, new_status, opportunity.step_id).filter(position__gte=position).update(
            position=F("position") + 1
        )
        opportunity.position = position
    elif column_changed:
        opportunity.position = _end_of_column(opportunity, new_status, opportunity.step_id)
    elif not entries and opportunity.loss_reason_id == old_reason_id:
        return opportunity  # nothing to change

    for text in log:
        _log_line(opportunity, actor=actor, at=now, text=text, rule=rule)
    opportunity = _save(opportunity, actor, entries)
    if new_status != old_status and rule is None:
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
    opportunity.deleted_at = timezone.now()
    opportunity.deleted_by = actor
    opportunity.touch(actor)
    opportunity.save()
    return opportunity


# --------------------------------------------------------------------------- step progress


def _progress_target(opportunity_id, step_id, actor, expected_version):
    opportunity = _lock(opportunity_id)
    _check_version(opportunity, expected_version)
    _check_rights(actor, opportunity)
    steps = _steps(opportunity.process_id)
    step = next((s for s in steps if s.pk == int(step_id)), None)
    if step is None:
        raise MoveRefused(STEP_NOT_IN_PROCESS)
    return opportunity, steps, step


@transaction.atomic
def step_complete(
    *, opportunity_id: int, step_id: int, actor, expected_version: int | str | None = None
) -> Opportunity:
    """Tick a step's box. Step-by-step mode: refused (`STEP_ORDER`) unless every earlier step
    is completed; the opportunity then moves to the first step not completed. Free mode: the
    box alone changes. Recorded in the history and, with "log step changes", in the comment."""
    opportunity, steps, step = _progress_target(opportunity_id, step_id, actor, expected_version)
    done = _done_ids(opportunity)
    if step.pk in done:
        return opportunity
    step_by_step = opportunity.process.mode == Process.Mode.STEP_BY_STEP
    if step_by_step:
        missing = [
            s for s in steps if (s.position, s.pk) < (step.position, step.pk) and s.pk not in done
        ]
        if missing:
            raise MoveRefused(str(STEP_ORDER).format(step=step.label, previous=missing[0].label))
    now = timezone.now()
    entries = _complete(opportunity, [step], actor=actor, at=now)
    if step_by_step:
        entries += _set_step(
            opportunity, _first_not_done(steps, done | {step.pk}), actor=actor, at=now
        )
    opportunity.step_changed_at = now
    _log_line(opportunity, actor=actor, at=now, text=gettext("{step} done").format(step=step.label))
    return _save(opportunity, actor, entries)


@transaction.atomic
def step_uncomplete(
    *, opportunity_id: int, step_id: int, actor, expected_version: int | str | None = None
) -> Opportunity:
    """Untick a step's box. Step-by-step mode: the later steps are un-completed too and the
    opportunity moves back to the first step not completed. Free mode: the box alone."""
    opportunity, steps, step = _progress_target(opportunity_id, step_id, actor, expected_version)
    done = _done_ids(opportunity)
    if step.pk not in done:
        return opportunity
    step_by_step = opportunity.process.mode == Process.Mode.STEP_BY_STEP
    if step_by_step:
        undo = [s for s in steps if (s.position, s.pk) >= (step.position, step.pk) and s.pk in done]
    else:
        undo = [step]
    now = timezone.now()
    entries = _uncomplete(opportunity, undo, actor=actor, at=now)
    if step_by_step:
        remaining = done - {s.pk for s in undo}
        entries += _set_step(opportunity, _first_not_done(steps, remaining), actor=actor, at=now)
    opportunity.step_changed_at = now
    labels = ", ".join(s.label for s in undo)
    _log_line(opportunity, actor=actor, at=now, text=gettext("{step} undone").format(step=labels))
    return _save(opportunity, actor, entries)


# --------------------------------------------------------------------------- automation


@transaction.atomic
def automation_run(*, opportunity: Opportunity, event: str, actor, task_type=None) -> Opportunity:
    """Apply the process's active automation rules for `event` on `opportunity`.

    The first matching rule (in creation order) moves the opportunity to its step through
    `opportunity_move(..., rule=rule)`, so the move is recorded as done by the rule; a move made
    by a rule triggers no rule (no loops). Rules only move forward (PROSTEP's anti-downgrade):
    a rule whose step is the current one or an earlier one does nothing. `task_done` rules with
    a task type match only that type; `status_changed` rules with a status match only that
    status. Rules other than `status_changed` apply to open opportunities only.
    """
    # The caller's copy may be stale (loaded before an earlier move): decide on the stored row.
    opportunity = Opportunity.objects.select_related("step").get(pk=opportunity.pk)
    if (
        opportunity.status != Opportunity.Status.OPEN
        and event != AutomationRule.Event.STATUS_CHANGED
    ):
        return opportunity
    rules = (
        AutomationRule.objects.filter(process_id=opportunity.process_id, event=event, active=True)
        .select_related("target_step")
        .order_by("id")
    )
    current = opportunity.step
    task_type_id = getattr(task_type, "pk", task_type)
    for rule in rules:
        if (
            event == AutomationRule.Event.TASK_DONE
            and rule.task_type_id
            and rule.task_type_id != task_type_id
        ):
            continue
        if (
            event == AutomationRule.Event.STATUS_CHANGED
            and rule.status
            and rule.status != opportunity.status
        ):
            continue
        target = rule.target_step
        if current is not None and (target.position, target.pk) <= (current.position, current.pk):
            continue
        return opportunity_move(
            opportunity_id=opportunity.pk, actor=actor, to_step=target, rule=rule
        )
    return opportunity


@transaction.atomic
def on_document_attached(*, document, target, actor) -> None:
    """Registered in contacts.services.DOCUMENT_ATTACHED_HOOKS: a document attached to an
    opportunity (through the one `document_attach` service) applies the process's
    "a document is attached" automation rules."""
    if isinstance(target, Opportunity):
        automation_run(opportunity=target, event=AutomationRule.Event.DOCUMENT_ADDED, actor=actor)


# --------------------------------------------------------------------------- stages


def _check_stage_rights(actor, process) -> None:
    if not can_manage_stages(actor, process):
        raise StepRefused(STAGES_NOT_ALLOWED)


def _lock_step(step_id: int) -> Step:
    return Step.objects.select_for_update(of=("self",)).select_related("process").get(pk=step_id)


def _clean_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise StepRefused(STEP_LABEL_REQUIRED)
    return label[:80]


@transaction.atomic
def step_create(
    *,
    process_id: int,
    actor,
    label: str,
    duration_days: int = 0,
    probability: int = 0,
    position: int | None = None,
) -> Step:
    """Add a column (OpenFire "add a new column"): at the end, or at `position` (the later
    steps shift in one UPDATE). Step-by-step opportunities keep their boxes: a new step is
    simply not completed yet."""
    process = Process.objects.select_for_update().get(pk=process_id)
    _check_stage_rights(actor, process)
    label = _clean_label(label)
    if position is None:
        last = Step.objects.filter(process=process).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    else:
        Step.objects.filter(process=process, position__gte=position).update(
            position=F("position") + 1
        )
    step = Step(
        process=process,
        label=label,
        position=position,
        duration_days=duration_days or 0,
        probability=probability or 0,
    )
    try:
        step.full_clean()
    except ValidationError as exc:
        raise StepRefused(" ".join(exc.messages)) from exc
    step.save()
    return step


@transaction.atomic
def step_update(
    *,
    step_id: int,
    actor,
    label: str | None = None,
    duration_days: int | None = None,
    probability: int | None = None,
    folded: bool | None = None,
) -> Step:
    """Edit a column (OpenFire "edit the column"): label, duration, probability, folded. A new
    probability is applied to the open opportunities of the step not set by hand."""
    step = _lock_step(step_id)
    _check_stage_rights(actor, step.process)
    if label is not None:
        step.label = _clean_label(label)
    if duration_days is not None:
        step.duration_days = duration_days
    probability_changed = probability is not None and int(probability) != step.probability
    if probability is not None:
        step.probability = int(probability)
    if folded is not None:
        step.folded = bool(folded)
    try:
        step.full_clean()
    except ValidationError as exc:
        raise StepRefused(" ".join(exc.messages)) from exc
    step.save()
    if probability_changed:
        Opportunity.objects.filter(
            step=step, status=Opportunity.Status.OPEN, probability_is_manual=False
        ).update(probability=step.probability)
    if duration_days is not None:
        ids = list(Opportunity.objects.filter(step=step).values_list("pk", flat=True))
        opportunities_refresh(ids)
    return step


def step_set_folded(*, step_id: int, actor, folded: bool) -> Step:
    return step_update(step_id=step_id, actor=actor, folded=folded)


@transaction.atomic
def step_delete(*, step_id: int, actor) -> None:
    """Remove a column. Refused (`STEP_NOT_EMPTY`) while any opportunity sits in it, inactive,
    won, lost and trashed ones included (OpenFire: "check that no inactive opportunity is in
    that step"); refused for the last step of a process. Its check boxes and the automation
    rules leading to it go with it."""
    step = _lock_step(step_id)
    _check_stage_rights(actor, step.process)
    count = Opportunity.all_objects.filter(step=step).count()
    if count:
        raise StepRefused(str(STEP_NOT_EMPTY).format(step=step.label, count=count))
    if not Step.objects.filter(process_id=step.process_id).exclude(pk=step.pk).exists():
        raise StepRefused(STEP_LAST)
    step.delete()
