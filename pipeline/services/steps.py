"""The step list's check boxes (PROSTEP): complete and un-complete a step, step by step or
freely as the process says; see `pipeline.services.opportunities` for the invariant."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pipeline.models import Opportunity, Process
from pipeline.services.opportunities import (
    STEP_NOT_IN_PROCESS,
    STEP_ORDER,
    MoveRefused,
    _check_rights,
    _check_version,
    _complete,
    _done_ids,
    _first_not_done,
    _lock,
    _log_line,
    _save,
    _set_step,
    _steps,
    _uncomplete,
)


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
