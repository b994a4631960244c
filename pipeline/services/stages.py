"""Stages: the steps of a process edited as Kanban columns (rename, fold, add, delete),
managers only; a step is not deleted while any opportunity, inactive or trashed, is in it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import lock_row
from pipeline.clocks import opportunities_refresh
from pipeline.models import HistoryEntry, Opportunity, Process, Step, StepProgress
from pipeline.rights import can_manage_stages
from pipeline.services.opportunities import StepRefused, _complete, _uncomplete

STEP_NOT_EMPTY = _(
    "The step “{step}” cannot be deleted: {count} opportunities are in it, inactive or "
    "trashed ones included. Move them to another step first."
)


STEP_LAST = _("A process needs at least one step.")


STEP_LABEL_REQUIRED = _("A step needs a label.")


STAGES_NOT_ALLOWED = _("Only managers may change the steps of a process.")


def _check_stage_rights(actor, process) -> None:
    if not can_manage_stages(actor, process):
        raise StepRefused(STAGES_NOT_ALLOWED)


def _lock_step(step_id: int) -> Step:
    return lock_row(Step.objects, step_id, related=("process",))


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
    position: int | None = None,
) -> Step:
    """Edit a column (OpenFire "edit the column"): label, duration, probability, folded. A new
    probability is applied to the open opportunities of the step not set by hand. `position`
    is the order number as given (the process admin renumbers its rows)."""
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
    if position is not None:
        step.position = int(position)
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


@transaction.atomic
def process_boxes_realign(*, process_id: int, actor) -> int:
    """After the steps of a step-by-step process were reordered or one was inserted, keep the
    mode's invariant (the current step is the first step not completed): each opportunity stays
    in its step, the Kanban column its reps see, and its boxes follow the new order as a Kanban
    move would set them: the steps before it completed, it and the later ones not, each change
    in its history. Free processes have independent boxes: nothing to do. Returns the number of
    opportunities whose boxes changed."""
    process = Process.objects.select_for_update().get(pk=process_id)
    _check_stage_rights(actor, process)
    if process.mode != Process.Mode.STEP_BY_STEP:
        return 0
    steps = list(Step.objects.filter(process=process).order_by("position", "id"))
    rank = {step.pk: index for index, step in enumerate(steps)}
    done: dict[int, set[int]] = {}
    for opportunity_id, step_id in StepProgress.objects.filter(
        opportunity__process=process
    ).values_list("opportunity_id", "step_id"):
        done.setdefault(opportunity_id, set()).add(step_id)
    now = timezone.now()
    changed = 0
    opportunities = Opportunity.all_objects.filter(process=process, step__isnull=False)
    for opportunity in opportunities.order_by("pk"):
        boxes = done.get(opportunity.pk, set())
        current = rank[opportunity.step_id]
        last = len(steps) - 1
        # The last step may be ticked as well: all done leaves the opportunity there.
        wanted = {s.pk for s in steps[:current]}
        if current == last:
            wanted |= boxes & {steps[last].pk}
        to_tick = [s for s in steps if s.pk in wanted - boxes]
        to_untick = [s for s in steps if s.pk in boxes - wanted]
        if not to_tick and not to_untick:
            continue
        entries = _complete(opportunity, to_tick, actor=actor, at=now)
        entries += _uncomplete(opportunity, to_untick, actor=actor, at=now)
        HistoryEntry.objects.bulk_create(entries)
        # A step list opened before the change is stale: its next tick is refused as such.
        opportunity.touch(actor)
        opportunity.save()
        changed += 1
    return changed
