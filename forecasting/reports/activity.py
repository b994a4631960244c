"""Activity: per rep, the tasks done in the period by type, the tasks overdue now, and the open
opportunities that have no next action; the chart follows the tasks done week by week.

Definitions (the notes under the table say them to the reader):
- a task counts for the rep it is assigned to; *done in the period*: marked done in it (its
  `done_at`); *overdue now*: still to do, due before today (the dashboard's and the agenda's
  red); only the tasks the user may read count (another rep's private task shows to no one
  else, in the report as in the agenda), a rep's own for a rep;
- the process, channel and category filters keep the tasks of the opportunities they select
  (a task about a prospect or a company alone then no longer counts); the rep filter keeps
  the tasks assigned to that rep;
- *no next action*: an open opportunity of the rep with no task left to do (the board's card
  shows no action clock), whoever the tasks are assigned to;
- the chart has one line per rep (the five most active and the others together when there
  are more), one point per week (Monday to Sunday) of the period.

The task counts drill to tasks, "no next action" to opportunities (`drill_kind`)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.params import parse_int
from core.roles import is_manager
from core.users import user_label
from forecasting.reports.base import (
    Cell,
    ChartData,
    Column,
    Report,
    ReportFilters,
    ReportResult,
    Series,
    register,
)
from pipeline.models import Opportunity, Task, TaskType

ALL = "all"
NOBODY = "none"
CHART_LINES = 5  # the most active reps drawn alone; the others as one line


def scoped_tasks(filters: ReportFilters, user) -> QuerySet:
    """The tasks the report counts for `user`: those the user may read, a rep's own, those of
    the rep filter, those of the opportunities the other filters select."""
    tasks = Task.objects.visible_to(user)
    if not is_manager(user):
        tasks = tasks.filter(assignee=user)
    if filters.owner is not None:
        tasks = tasks.filter(assignee=filters.owner)
    if filters.process is not None or filters.channel is not None or filters.category is not None:
        tasks = tasks.filter(opportunity__in=filters.opportunities(user).values("pk"))
    return tasks


def done_tasks(filters: ReportFilters, user) -> QuerySet:
    first, after = filters.period_bounds()
    return scoped_tasks(filters, user).filter(done=True, done_at__gte=first, done_at__lt=after)


def overdue_tasks(filters: ReportFilters, user) -> QuerySet:
    zone = timezone.get_current_timezone()
    today = dt.datetime.combine(timezone.localdate(), dt.time.min, tzinfo=zone)
    return scoped_tasks(filters, user).filter(done=False, start__lt=today)


def idle_opportunities(filters: ReportFilters, user) -> QuerySet:
    """Open opportunities without a task to do (any task of theirs, private ones included:
    only their existence is read, as the board's action clock does)."""
    to_do = Task.objects.filter(opportunity=OuterRef("pk"), done=False)
    return filters.opportunities(user).filter(status=Opportunity.Status.OPEN).filter(~Exists(to_do))


def weeks(filters: ReportFilters) -> list[dt.date]:
    """The Mondays of the weeks the period touches."""
    monday = filters.start - dt.timedelta(days=filters.start.weekday())
    count = (filters.end - monday).days // 7 + 1
    return [monday + dt.timedelta(weeks=i) for i in range(max(count, 0))]


def _who(key: str) -> Q | None:
    """The rep part of a key: a user id, "none" (unassigned) or "all"; None when junk."""
    if key == ALL:
        return Q()
    if key == NOBODY:
        return Q(assignee__isnull=True)
    user_id = parse_int(key, min_value=1)
    return None if user_id is None else Q(assignee_id=user_id)


@register
class ActivityReport(Report):
    slug = "activity"
    title = _("Activity")
    description = _(
        "Per rep: the tasks done in the period by type and week, the tasks overdue now and "
        "the open opportunities with no next action."
    )
    drills = "tasks"

    def drill_kind(self, key: str) -> str:
        return "opportunities" if key.startswith("idle:") else "tasks"

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        types = list(TaskType.objects.order_by("position", "name"))
        # One pass over the tasks done: per rep, type and week (at most reps × types × weeks
        # rows, added up below for the table and the chart).
        weekly = list(
            done_tasks(filters, user)
            .annotate(week=TruncWeek("done_at"))
            .values("assignee", "type", "week")
            .annotate(count=Count("pk"))
            .order_by()
        )
        done: dict = {}
        for row in weekly:
            key = (row["assignee"], row["type"])
            done[key] = done.get(key, 0) + row["count"]
        overdue = {
            row["assignee"]: row["count"]
            for row in overdue_tasks(filters, user)
            .values("assignee")
            .annotate(count=Count("pk"))
            .order_by()
        }
        idle = {
            row["owner"]: row["count"]
            for row in idle_opportunities(filters, user)
            .values("owner")
            .annotate(count=Count("pk"))
            .order_by()
        }
        people = {rep for rep, _type in done} | set(overdue) | set(idle)
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=people - {None})}
        order = sorted(
            people,
            key=lambda pk: (pk is None, user_label(users.get(pk)).lower() if pk else ""),
        )
        rows = [self._row(pk, users.get(pk), types, done, overdue, idle) for pk in order]
        if len(order) > 1:
            rows.append(self._total(types, done, overdue, idle))
        columns = [Column("rep", gettext("Rep"))]
        columns += [Column(f"type_{t.pk}", str(t.name), "int") for t in types]
        columns += [
            Column("done", gettext("Done in the period"), "int"),
            Column("overdue", gettext("Overdue now"), "int"),
            Column("idle", gettext("Open opportunities with no next action"), "int"),
        ]
        return ReportResult(
            columns=columns,
            rows=rows,
            chart=self._chart(filters, weekly, users),
            notes=gettext(
                "Tasks done from {start} to {end} by the rep they are assigned to; overdue: "
                "still to do, due before today; no next action: open opportunities without a "
                "task left to do. The chart counts the tasks done each week (Monday to Sunday)."
            ).format(
                start=date_format(filters.start, "SHORT_DATE_FORMAT"),
                end=date_format(filters.end, "SHORT_DATE_FORMAT"),
            ),
        )

    def _row(self, pk, person, types, done, overdue, idle) -> dict[str, Cell]:
        who = str(pk) if pk is not None else NOBODY
        label = user_label(person) if person is not None else gettext("Unassigned")
        row = {"rep": Cell(label)}
        for task_type in types:
            row[f"type_{task_type.pk}"] = Cell(
                done.get((pk, task_type.pk), 0), f"done:{who}:{task_type.pk}"
            )
        total = sum(count for (rep, _type), count in done.items() if rep == pk)
        row["done"] = Cell(total, f"done:{who}:{ALL}")
        row["overdue"] = Cell(overdue.get(pk, 0), f"overdue:{who}")
        row["idle"] = Cell(idle.get(pk, 0), f"idle:{who}")
        return row

    def _total(self, types, done, overdue, idle) -> dict[str, Cell]:
        row = {"rep": Cell(gettext("All reps"))}
        for task_type in types:
            count = sum(n for (_rep, type_id), n in done.items() if type_id == task_type.pk)
            row[f"type_{task_type.pk}"] = Cell(count, f"done:{ALL}:{task_type.pk}")
        row["done"] = Cell(sum(done.values()), f"done:{ALL}:{ALL}")
        row["overdue"] = Cell(sum(overdue.values()), f"overdue:{ALL}")
        row["idle"] = Cell(sum(idle.values()), f"idle:{ALL}")
        return row

    def _chart(self, filters: ReportFilters, weekly: list[dict], users: dict) -> ChartData:
        mondays = weeks(filters)
        index = {monday: i for i, monday in enumerate(mondays)}
        per_rep: dict = {}
        for row in weekly:
            week = row["week"]
            day = timezone.localtime(week).date() if isinstance(week, dt.datetime) else week
            if day in index:
                per_rep.setdefault(row["assignee"], [0] * len(mondays))[index[day]] += row["count"]
        ranked = sorted(per_rep, key=lambda pk: -sum(per_rep[pk]))
        shown = ranked if len(ranked) <= CHART_LINES + 1 else ranked[:CHART_LINES]
        series = [
            Series(user_label(users[pk]) if pk in users else gettext("Unassigned"), per_rep[pk])
            for pk in shown
        ]
        others = [pk for pk in ranked if pk not in shown]
        if others:
            series.append(
                Series(
                    gettext("Other reps"),
                    [sum(per_rep[pk][i] for pk in others) for i in range(len(mondays))],
                )
            )
        return ChartData(
            kind="lines",
            categories=[date_format(monday, "j N") for monday in mondays],
            series=series,
        )

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        kind, *parts = key.split(":")
        if kind == "done" and len(parts) == 2:
            who = _who(parts[0])
            if who is None:
                return Task.objects.none()
            tasks = done_tasks(filters, user).filter(who)
            if parts[1] != ALL:
                type_id = parse_int(parts[1], min_value=1)
                if type_id is None:
                    return Task.objects.none()
                tasks = tasks.filter(type_id=type_id)
            return tasks
        if kind == "overdue" and len(parts) == 1:
            who = _who(parts[0])
            return Task.objects.none() if who is None else overdue_tasks(filters, user).filter(who)
        if kind == "idle" and len(parts) == 1:
            if parts[0] == ALL:
                return idle_opportunities(filters, user)
            if parts[0] == NOBODY:
                return idle_opportunities(filters, user).filter(owner__isnull=True)
            owner_id = parse_int(parts[0], min_value=1)
            if owner_id is None:
                return Opportunity.objects.none()
            return idle_opportunities(filters, user).filter(owner_id=owner_id)
        return Opportunity.objects.none() if kind == "idle" else Task.objects.none()
