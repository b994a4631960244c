import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from forecasting.selectors import my_forecast
from pipeline.models import Opportunity, Task
from pipeline.templatetags.pipeline_tags import dress_task_rows, task_row_ui
from pipeline.views.tasks import AGENDA_FIELDS, AGENDA_RELATED, agenda_related_load

UPCOMING_DAYS = 7
# The rows each list shows at most, oldest first; the counts above tell how many there are.
OVERDUE_ROWS = DUE_TODAY_ROWS = 20
UPCOMING_ROWS = 10


def my_task_rows(request, start_of_today, start_of_tomorrow, end_of_week) -> tuple[list, ...]:
    """The user's open tasks overdue, due today and in the coming days, the first ones of each,
    dressed as the agenda's rows (`dress_task_rows`): one query numbers each list's tasks and
    keeps their first ones, then one for their companies and one for their people."""
    section = Case(
        When(start__lt=start_of_today, then=Value(0)),
        When(start__lt=start_of_tomorrow, then=Value(1)),
        default=Value(2),
    )
    tasks = (
        Task.objects.filter(assignee=request.user, done=False, start__lt=end_of_week)
        .select_related(*AGENDA_RELATED)
        .only(*AGENDA_FIELDS)
        .annotate(
            section=section,
            place=Window(RowNumber(), partition_by=section, order_by=[F("start"), F("id")]),
        )
        .filter(place__lte=max(OVERDUE_ROWS, DUE_TODAY_ROWS, UPCOMING_ROWS))
        .order_by("start", "id")
    )
    overdue, due_today, upcoming = [], [], []
    for task in tasks:
        (overdue, due_today, upcoming)[task.section].append(task)
    overdue, due_today = overdue[:OVERDUE_ROWS], due_today[:DUE_TODAY_ROWS]
    upcoming = upcoming[:UPCOMING_ROWS]
    agenda_related_load(overdue + due_today + upcoming)
    for colour, rows in (("red", overdue), ("orange", due_today), ("green", upcoming)):
        dress_task_rows(request, rows, colour=colour)
    return overdue, due_today, upcoming


@login_required
@require_GET
def dashboard(request):
    """The rep's day: overdue, today's and coming tasks with their counts, note reminders, and
    their open pipeline. The task part refreshes itself when a task changes (htmx)."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    start_of_tomorrow = start_of_today + dt.timedelta(days=1)
    end_of_week = start_of_tomorrow + dt.timedelta(days=UPCOMING_DAYS)
    counts = Task.objects.filter(assignee=request.user, done=False).aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(start__lt=start_of_today)),
        today=Count("id", filter=Q(start__gte=start_of_today, start__lt=start_of_tomorrow)),
        upcoming=Count("id", filter=Q(start__gte=start_of_tomorrow, start__lt=end_of_week)),
    )
    overdue = due_today = upcoming = []
    if counts["overdue"] or counts["today"] or counts["upcoming"]:
        overdue, due_today, upcoming = my_task_rows(
            request, start_of_today, start_of_tomorrow, end_of_week
        )
    context = {
        "overdue": overdue,
        "due_today": due_today,
        "upcoming": upcoming,
        "task_ui": task_row_ui(request),
        "counts": counts,
        "upcoming_days": UPCOMING_DAYS,
        "today": today,
    }
    if request.htmx:
        return render(request, "forecasting/dashboard.html#dashboard-tasks", context)
    pipeline = (
        Opportunity.objects.open()
        .filter(owner=request.user)
        .values("process__name", "step__label", "step__position")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("process__name", "step__position")
    )
    context |= {
        "overdue_count": counts["overdue"],
        "today_count": counts["today"],
        "open_task_count": counts["total"],
        "pipeline": pipeline,
        "my_forecast": my_forecast(user=request.user, today=today),
    }
    return render(request, "forecasting/dashboard.html", context)
