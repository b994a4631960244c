import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from forecasting.selectors import my_forecast
from pipeline.links import TASK_ROW_RELATED
from pipeline.models import Opportunity, Task

UPCOMING_DAYS = 7


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
    my_open_tasks = (
        Task.objects.filter(assignee=request.user, done=False)
        .select_related(*TASK_ROW_RELATED)
        .order_by("start", "id")
    )
    overdue = list(my_open_tasks.filter(start__lt=start_of_today)[:20])
    due_today = list(
        my_open_tasks.filter(start__gte=start_of_today, start__lt=start_of_tomorrow)[:20]
    )
    upcoming = list(my_open_tasks.filter(start__gte=start_of_tomorrow, start__lt=end_of_week)[:10])
    counts = my_open_tasks.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(start__lt=start_of_today)),
        today=Count("id", filter=Q(start__gte=start_of_today, start__lt=start_of_tomorrow)),
        upcoming=Count("id", filter=Q(start__gte=start_of_tomorrow, start__lt=end_of_week)),
    )
    if request.htmx:
        return render(
            request,
            "forecasting/dashboard.html#dashboard-tasks",
            {
                "overdue": overdue,
                "due_today": due_today,
                "upcoming": upcoming,
                "counts": counts,
                "upcoming_days": UPCOMING_DAYS,
                "today": today,
            },
        )
    pipeline = (
        Opportunity.objects.open()
        .filter(owner=request.user)
        .values("process__name", "step__label", "step__position")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("process__name", "step__position")
    )
    context = {
        "overdue": overdue,
        "due_today": due_today,
        "upcoming": upcoming,
        "counts": counts,
        "overdue_count": counts["overdue"],
        "today_count": counts["today"],
        "open_task_count": counts["total"],
        "upcoming_days": UPCOMING_DAYS,
        "pipeline": pipeline,
        "today": today,
        "my_forecast": my_forecast(user=request.user, today=today),
    }
    return render(request, "forecasting/dashboard.html", context)
