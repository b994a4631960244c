"""The two overdue clocks of DESIGN.md, one rule: green before the due day, orange on it,
red after it. Days are counted in the local time zone (Europe/Paris)."""

import datetime as dt

from django.db.models import (
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import IsNull, LessThan
from django.utils import timezone

from contacts.models import Prospect
from pipeline.models import Colour, Opportunity, Step, Task


def local_day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def colour_for(due: dt.date | dt.datetime | None, today: dt.date | None = None) -> str:
    if due is None:
        return Colour.NONE
    today = today or timezone.localdate()
    due_day = local_day(due)
    if due_day > today:
        return Colour.GREEN
    if due_day == today:
        return Colour.ORANGE
    return Colour.RED


def step_due(step_changed_at: dt.datetime | None, step_duration_days: int | None) -> dt.date | None:
    """Step clock: the day of the last step change plus the duration of the step now to do."""
    if step_changed_at is None or step_duration_days is None:
        return None
    return local_day(step_changed_at) + dt.timedelta(days=step_duration_days)


def days_since(value: dt.datetime | None, today: dt.date | None = None) -> int | None:
    """The step list's NbJ: whole days since the last step change."""
    if value is None:
        return None
    return ((today or timezone.localdate()) - local_day(value)).days


def _day_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def datetime_colour_case(field: str, today: dt.date):
    """SQL CASE giving the colour of a due date-time column, for bulk refreshes."""

    start, end = _day_bounds(today)
    return Case(
        When(**{f"{field}__isnull": True}, then=Value(Colour.NONE)),
        When(**{f"{field}__lt": start}, then=Value(Colour.RED)),
        When(**{f"{field}__lt": end}, then=Value(Colour.ORANGE)),
        default=Value(Colour.GREEN),
    )


def date_colour_case(field: str, today: dt.date):
    """SQL CASE giving the colour of a due date column, for bulk refreshes."""

    return Case(
        When(**{f"{field}__isnull": True}, then=Value(Colour.NONE)),
        When(**{f"{field}__lt": today}, then=Value(Colour.RED)),
        When(**{field: today}, then=Value(Colour.ORANGE)),
        default=Value(Colour.GREEN),
    )


def opportunities_refresh(opportunity_ids=None, *, today: dt.date | None = None) -> int:
    """Recompute the stored clocks of opportunities (all open ones when no ids are given):
    step due day and colour, next open action and its colour; closed ones lose their colours.
    Runs as a few SQL statements whatever the number of rows. Returns the number of open ones.

    The action clock is stored once for every reader, so it counts every open task, the
    private ones included: a colleague's private meeting is still the deal's next action, and
    its time is no secret (the calendar shows it as busy time). Its title is: pages show a
    task's title only through `Task.objects.visible_to` (the Kanban card: the time and colour,
    "Task of a colleague" instead of the title, no link; `pipeline.selectors._with_card_data`).
    The management dates of companies and prospects follow the same rule (date and type)."""

    today = today or timezone.localdate()
    queryset = Opportunity.all_objects.all()
    if opportunity_ids is not None:
        queryset = queryset.filter(pk__in=list(opportunity_ids))
    else:
        queryset = queryset.filter(status=Opportunity.Status.OPEN)
    first_open_task = (
        Task.objects.filter(opportunity=OuterRef("pk"), done=False)
        .order_by("start", "id")
        .values("start")[:1]
    )
    queryset.update(next_action_at=Subquery(first_open_task))
    # The step due day needs the step's duration: one UPDATE per distinct duration.

    durations = Step.objects.filter(opportunities__in=queryset).values_list(
        "duration_days", flat=True
    )
    for days in set(durations):
        _set_step_due(queryset.filter(step__duration_days=days), days)
    queryset.filter(step__isnull=True).update(step_due=None)
    open_ones = queryset.filter(status=Opportunity.Status.OPEN)
    open_ones.update(
        step_colour=date_colour_case("step_due", today),
        action_colour=datetime_colour_case("next_action_at", today),
    )
    # A won, lost or inactive opportunity is late for nothing: no colour.
    queryset.exclude(status=Opportunity.Status.OPEN).update(
        step_colour=Colour.NONE, action_colour=Colour.NONE
    )
    prospects_next_action_refresh(opportunities=queryset)
    return open_ones.count()


def prospects_next_action_refresh(*, opportunities=None, prospect_ids=None) -> None:
    """The prospects' stored next action (`Prospect.next_action_at`, which the prospect list
    sorts on): the earliest next action of their open opportunities outside the trash, None
    without one. For the prospects of `opportunities` (a queryset) or `prospect_ids`; one
    UPDATE. Every write that changes an opportunity's next action, status, prospect or place
    in the trash ends here: `opportunities_refresh` calls it, `opportunity_trash` too.

    Like the action clock it counts every open opportunity, those a rep configured to see only
    his own would not see included: it orders the list and is shown nowhere."""
    if opportunities is not None:
        prospects = Prospect.all_objects.filter(pk__in=opportunities.values("prospect_id"))
    else:
        prospects = Prospect.all_objects.filter(pk__in=list(prospect_ids or ()))
    earliest = (
        Opportunity.objects.filter(prospect=OuterRef("pk"), status=Opportunity.Status.OPEN)
        .order_by()
        .values("prospect")
        .annotate(first=Min("next_action_at"))
        .values("first")
    )
    prospects.update(next_action_at=Subquery(earliest))


def opportunities_action_refresh(opportunity_ids, *, today: dt.date | None = None) -> None:
    """The next action and its colour of these opportunities in one UPDATE (what a task write
    moves; their step clock is left alone), then their prospects' next action
    (`prospects_next_action_refresh`). `opportunities_refresh` for task writes."""
    today = today or timezone.localdate()
    start, end = _day_bounds(today)
    first = Subquery(
        Task.objects.filter(opportunity=OuterRef("pk"), done=False)
        .order_by("start", "id")
        .values("start")[:1]
    )
    queryset = Opportunity.all_objects.filter(pk__in=list(opportunity_ids))
    queryset.update(
        next_action_at=first,
        action_colour=Case(
            When(~Q(status=Opportunity.Status.OPEN), then=Value(Colour.NONE)),
            When(IsNull(first, True), then=Value(Colour.NONE)),
            When(LessThan(first, start), then=Value(Colour.RED)),
            When(LessThan(first, end), then=Value(Colour.ORANGE)),
            default=Value(Colour.GREEN),
        ),
    )
    prospects_next_action_refresh(opportunities=queryset)


def opportunity_clocks_set(opportunity: Opportunity, *, today: dt.date | None = None) -> None:
    """`opportunities_refresh` for one opportunity in memory, before its save: the step due day
    and the two colours from its step and its stored next action (for writes that change no
    task: a step box, a move). Its `step` must be loaded."""
    step = opportunity.step if opportunity.step_id else None
    opportunity.step_due = step_due(
        opportunity.step_changed_at, step.duration_days if step else None
    )
    if opportunity.status == Opportunity.Status.OPEN:
        opportunity.step_colour = colour_for(opportunity.step_due, today)
        opportunity.action_colour = colour_for(opportunity.next_action_at, today)
    else:
        opportunity.step_colour = opportunity.action_colour = Colour.NONE


def _set_step_due(queryset, days: int) -> None:
    """step_due = local day of step_changed_at + days, computed in SQL."""

    queryset.update(
        step_due=ExpressionWrapper(
            TruncDate("step_changed_at", tzinfo=timezone.get_current_timezone())
            + Value(dt.timedelta(days=days), output_field=DurationField()),
            output_field=DateField(),
        )
    )


def tasks_refresh(task_ids=None, *, today: dt.date | None = None) -> int:
    """Recompute the stored colour of tasks (all open ones when no ids are given)."""

    today = today or timezone.localdate()
    queryset = Task.all_objects.all()
    queryset = (
        queryset.filter(pk__in=list(task_ids))
        if task_ids is not None
        else queryset.filter(done=False)
    )
    queryset.filter(done=True).update(colour="")
    open_tasks = queryset.filter(done=False)
    open_tasks.update(colour=datetime_colour_case("start", today))
    return open_tasks.count()


def restored_refresh(records: list) -> None:
    """Stored overdue colours follow the tasks and opportunities brought back from the trash."""
    tasks = [r.pk for r in records if isinstance(r, Task)]
    opportunities = {r.pk for r in records if isinstance(r, Opportunity)}
    opportunities |= {r.opportunity_id for r in records if isinstance(r, Task) and r.opportunity_id}
    if tasks:
        tasks_refresh(tasks)
    if opportunities:
        opportunities_refresh(sorted(opportunities))
