"""Log a call from a card, in one step: the call made now becomes a done task of type "call",
and the next action, when the rep plans one, a task to do (manual 001's "Actions de
prospection": a rep on the road logs what was said and what comes next).

Contract:

    call_log(*, actor, target, outcome, comment="", next_type=None, next_start=None,
             next_title="") -> tuple[Task, Task | None]
        raises PermissionDenied when the actor may not change `target`.
    next_working_morning(now=None) -> datetime   (the planned next action's default)

Both tasks go through `activities.task_create` and `task_set_done`, so the colours, the
management dates (last and next contact), the automation rules and the `task.done` event follow
the same rules as a task ticked in the agenda.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Company, Person, Prospect
from core.access import can_change
from pipeline.models import Opportunity, Task, TaskType
from pipeline.services import activities

CALL_TYPE = "call"
MORNING = dt.time(9, 0)


class Outcome:
    """What came of the call: the done task's title says it."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    MESSAGE = "message"
    CALL_BACK = "call_back"
    WRONG_NUMBER = "wrong_number"

    CHOICES = [
        (REACHED, pgettext_lazy("call outcome", "Reached")),
        (MESSAGE, pgettext_lazy("call outcome", "Left a message")),
        (NO_ANSWER, pgettext_lazy("call outcome", "No answer")),
        (CALL_BACK, pgettext_lazy("call outcome", "Asked to call back")),
        (WRONG_NUMBER, pgettext_lazy("call outcome", "Wrong number")),
    ]


CALL_TITLE = _("Call: %(outcome)s")
NOT_ALLOWED = _("You may not add a task to this record.")

# The task field that links a task to each kind of record.
TARGET_FIELDS = (
    (Opportunity, "opportunity"),
    (Prospect, "prospect"),
    (Company, "company"),
    (Person, "person"),
)


def target_field(target) -> str:
    for model, field in TARGET_FIELDS:
        if isinstance(target, model):
            return field
    raise TypeError(f"a task cannot be linked to {type(target).__name__}")


def next_working_morning(now: dt.datetime | None = None) -> dt.datetime:
    """9:00 on the next working day (Monday to Friday) after `now`, local time."""
    day = timezone.localtime(now).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, MORNING))


def outcome_label(outcome: str) -> str:
    return str(dict(Outcome.CHOICES).get(outcome, outcome))


@transaction.atomic
def call_log(
    *,
    actor,
    target,
    outcome: str,
    comment: str = "",
    next_type: TaskType | None = None,
    next_start: dt.datetime | None = None,
    next_title: str = "",
) -> tuple[Task, Task | None]:
    """Record a call made now on `target` (a prospect, company, person or opportunity) as a
    done task of type "call", assigned to the actor; with `next_start`, plan the next action
    (of `next_type`, a call by default) on the same record. Refused on a record the actor may
    not change, as any task on it."""
    if not can_change(actor, target):
        raise PermissionDenied(NOT_ALLOWED)
    field = target_field(target)
    call_type = TaskType.objects.get(code=CALL_TYPE)
    now = timezone.now().replace(second=0, microsecond=0)
    call = activities.task_create(
        actor=actor,
        title=str(CALL_TITLE % {"outcome": outcome_label(outcome)}),
        type=call_type,
        start=now,
        assignee=actor,
        notes=comment.strip(),
        **{field: target},
    )
    call = activities.task_set_done(task=call, done=True, actor=actor)
    planned = None
    if next_start is not None:
        kind = next_type or call_type
        planned = activities.task_create(
            actor=actor,
            title=next_title.strip() or kind.name,
            type=kind,
            start=next_start,
            assignee=actor,
            **{field: target},
        )
    return call, planned
