"""What the opportunity card writes: a new opportunity for a prospect, field edits and owner
changes (recorded in the history), and the probability, set by hand or following its step.
Changes of step or status still go through `opportunity_move`."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from contacts.models import Prospect
from core.access import can_change
from core.db import lock_row
from core.users import user_label
from core.versions import check_version
from pipeline.models import (
    HistoryEntry,
    Opportunity,
)


def modify_right_or_403(actor, opportunity: Opportunity) -> None:
    """The process's modify right (PROSTEP "Modif") on top of the object right."""
    from pipeline.rights import can_modify_process_opportunities

    if not can_modify_process_opportunities(actor, opportunity.process):
        raise PermissionDenied


@transaction.atomic
def opportunity_add(*, prospect_id: int, actor, process=None, step=None, **fields) -> Opportunity:
    """A new opportunity of a prospect, created by the process rules of `pipeline.services`
    (`opportunity_create`, which refuses a prospect the actor may not change)."""
    from pipeline.services.opportunities import opportunity_create

    prospect = Prospect.objects.get(pk=prospect_id)
    fields.setdefault("owner", prospect.owner or actor)
    return opportunity_create(actor=actor, process=process, step=step, prospect=prospect, **fields)


@transaction.atomic
def opportunity_update(
    *,
    opportunity_id: int,
    actor,
    data: dict[str, Any],
    expected_version: int | str | None,
    to_status: str | None = None,
    to_step=None,
    loss_reason=None,
) -> Opportunity:
    """Save the opportunity card. Field edits and owner changes (recorded) are made here;
    a change of status or step goes through `pipeline.services.opportunity_move` (loss reason
    required for lost, closing date, history, colours). A stale version raises ConcurrentEdit;
    without the object right or the process's modify right, PermissionDenied."""
    from pipeline.services.opportunities import opportunity_move

    current = lock_row(
        Opportunity.objects,
        opportunity_id,
        related=("updated_by", "owner", "prospect", "process"),
    )
    check_version(current, expected_version)
    if not can_change(actor, current):
        raise PermissionDenied
    modify_right_or_403(actor, current)
    old_owner = current.owner
    old_expected = current.expected_date
    has_lines = current.lines.exists()
    for name, value in data.items():
        if name not in OPPORTUNITY_EDITABLE or (name == "amount" and has_lines):
            continue
        if name == "probability" and value is not None and int(value) != current.probability:
            current.probability_is_manual = True
        setattr(current, name, value)
    current.touch(actor)
    current.full_clean()
    current.save()
    if old_expected != current.expected_date:
        expected_change_entry(
            opportunity=current, old=old_expected, actor=actor, at=current.updated_at
        ).save()
    if old_owner != current.owner:
        owner_change_entry(
            opportunity=current,
            old=old_owner,
            new=current.owner,
            actor=actor,
            at=current.updated_at,
        ).save()
    status_changes = to_status is not None and to_status != current.status
    step_changes = to_step is not None and to_step.pk != current.step_id
    if (
        status_changes
        or step_changes
        or (
            to_status == Opportunity.Status.LOST
            and loss_reason
            and loss_reason != current.loss_reason
        )
    ):
        current = opportunity_move(
            opportunity_id=current.pk,
            actor=actor,
            to_step=to_step if step_changes else None,
            to_status=to_status if status_changes or to_status == Opportunity.Status.LOST else None,
            loss_reason=loss_reason,
        )
    return current


def probability_from_step(opportunity: Opportunity) -> int:
    """The probability the opportunity has when it is not set by hand: 100 won, 0 lost, else
    its step's (the rule `pipeline.services.opportunity_move` applies)."""
    if opportunity.status == Opportunity.Status.WON:
        return 100
    if opportunity.status == Opportunity.Status.LOST:
        return 0
    return opportunity.step.probability if opportunity.step_id else opportunity.probability


@transaction.atomic
def opportunity_probability_follow_step(
    *, opportunity_id: int, actor, expected_version: int | str | None = None
) -> Opportunity:
    """Undo a probability typed by hand: it follows the step again (and later moves). The
    change of value is recorded in the history."""
    opportunity = lock_row(
        Opportunity.objects, opportunity_id, related=("updated_by", "process", "step")
    )
    check_version(opportunity, expected_version)
    if not can_change(actor, opportunity):
        raise PermissionDenied
    modify_right_or_403(actor, opportunity)
    old = opportunity.probability
    if not opportunity.probability_is_manual and old == probability_from_step(opportunity):
        return opportunity  # it already follows the step
    opportunity.probability = probability_from_step(opportunity)
    opportunity.probability_is_manual = False
    opportunity.touch(actor)
    opportunity.save(
        update_fields=[
            "probability",
            "probability_is_manual",
            "updated_at",
            "updated_by",
            "version",
        ]
    )
    HistoryEntry.objects.create(
        prospect_id=opportunity.prospect_id,
        opportunity=opportunity,
        kind=HistoryEntry.Kind.PROBABILITY,
        from_value=f"{old} %",
        to_value=f"{opportunity.probability} %",
        actor=actor,
        at=opportunity.updated_at,
    )
    return opportunity


OPPORTUNITY_EDITABLE = (
    "summary",
    "probability",
    "amount",
    "expected_date",
    "interest",
    "rating",
    "project_notes",
    "competitor",
    "owner",
    "closing_date",
)


def expected_change_entry(*, opportunity, old, actor, at) -> HistoryEntry:
    """An expected-date change, dated both ways: the slippage report reads them."""
    new = opportunity.expected_date
    return HistoryEntry(
        prospect_id=opportunity.prospect_id,
        opportunity=opportunity,
        kind=HistoryEntry.Kind.EXPECTED,
        from_value=old.strftime("%d/%m/%Y") if old else "—",
        to_value=new.strftime("%d/%m/%Y") if new else "—",
        from_date=old,
        to_date=new,
        actor=actor,
        at=at,
    )


def owner_change_entry(*, prospect=None, opportunity=None, old, new, actor, at) -> HistoryEntry:
    return HistoryEntry(
        prospect=prospect or (opportunity.prospect if opportunity else None),
        opportunity=opportunity,
        kind=HistoryEntry.Kind.OWNER,
        from_value=user_label(old) or "—",
        to_value=user_label(new) or "—",
        actor=actor,
        at=at,
    )
