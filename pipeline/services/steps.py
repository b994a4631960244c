"""The step list's check boxes (PROSTEP): complete and un-complete a step, step by step or
freely as the process says; see `pipeline.services.opportunities` for the invariant."""

import copy

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from core.db import save_audited
from pipeline.clocks import opportunity_clocks_set
from pipeline.models import HistoryEntry, Opportunity, Process, Step, StepProgress
from pipeline.services.opportunities import (
    STEP_NOT_IN_PROCESS,
    STEP_ORDER,
    MoveRefused,
    _check_rights,
    _check_version,
    _complete,
    _first_not_done,
    _log_line,
    _set_step,
    _uncomplete,
)


def _progress_target(opportunity_id, step_id, actor, expected_version, process=None):
    """The opportunity locked and checked, with its process's steps and the ids of those done.

    Three reads in all: the row alone, locked (no join, so `core.db.lock_row`'s re-read is not
    needed), the process unless the caller passes it (the step list has it, with its rights), and
    the steps with a "done" flag each. The steps, the done ids and the comment line written are
    left on the opportunity (`process_steps`, `done_step_ids`, `logged_line`) for the caller
    that shows the row again."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity_id)
    opportunity.locked_copy = copy.copy(opportunity)  # what the audit log diffs against
    if process is None or process.pk != opportunity.process_id:
        process = Process.objects.get(pk=opportunity.process_id)
    opportunity.process = process
    steps = list(
        Step.objects.filter(process_id=process.pk)
        .annotate(
            ticked=Exists(
                StepProgress.objects.filter(opportunity_id=opportunity.pk, step_id=OuterRef("pk"))
            )
        )
        .order_by("position", "id")
    )
    current = next((s for s in steps if s.pk == opportunity.step_id), None)
    if current is not None:
        opportunity.step = current
    opportunity.process_steps = steps
    opportunity.done_step_ids = {s.pk for s in steps if s.ticked}
    opportunity.logged_line = None
    _check_version(opportunity, expected_version)
    _check_rights(actor, opportunity)
    step = next((s for s in steps if s.pk == int(step_id)), None)
    if step is None:
        raise MoveRefused(STEP_NOT_IN_PROCESS)
    return opportunity, steps, step


def _save_ticked(opportunity: Opportunity, actor, entries: list[HistoryEntry], done: set[int]):
    """Write the opportunity (its clocks computed here: a box changes no task, so the next action
    stays) and its history; no re-read, the object is what was written."""
    opportunity.touch(actor)
    opportunity_clocks_set(opportunity)
    save_audited(opportunity, opportunity.locked_copy)
    HistoryEntry.objects.bulk_create(entries)
    opportunity.done_step_ids = done
    return opportunity


@transaction.atomic
def step_complete(
    *,
    opportunity_id: int,
    step_id: int,
    actor,
    expected_version: int | str | None = None,
    process: Process | None = None,
) -> Opportunity:
    """Tick a step's box. Step-by-step mode: refused (`STEP_ORDER`) unless every earlier step
    is completed; the opportunity then moves to the first step not completed. Free mode: the
    box alone changes. Recorded in the history and, with "log step changes", in the comment.
    `process`: the opportunity's process when the caller has it loaded (saves a read)."""
    opportunity, steps, step = _progress_target(
        opportunity_id, step_id, actor, expected_version, process
    )
    done = opportunity.done_step_ids
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
    opportunity.logged_line = _log_line(
        opportunity, actor=actor, at=now, text=gettext("{step} done").format(step=step.label)
    )
    return _save_ticked(opportunity, actor, entries, done | {step.pk})


@transaction.atomic
def step_uncomplete(
    *,
    opportunity_id: int,
    step_id: int,
    actor,
    expected_version: int | str | None = None,
    process: Process | None = None,
) -> Opportunity:
    """Untick a step's box. Step-by-step mode: the later steps are un-completed too and the
    opportunity moves back to the first step not completed. Free mode: the box alone."""
    opportunity, steps, step = _progress_target(
        opportunity_id, step_id, actor, expected_version, process
    )
    done = opportunity.done_step_ids
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
    opportunity.logged_line = _log_line(
        opportunity, actor=actor, at=now, text=gettext("{step} undone").format(step=labels)
    )
    return _save_ticked(opportunity, actor, entries, done - {s.pk for s in undo})
