import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from pipeline.models import Task
from prospects.models import Opportunity


@login_required
@require_GET
def dashboard(request):
    """The rep's day: overdue and today's tasks, upcoming ones, and their open pipeline."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    start_of_tomorrow = start_of_today + dt.timedelta(days=1)
    my_open_tasks = (
        Task.objects.filter(assignee=request.user, done=False)
        .select_related("type", "opportunity", "prospect")
        .order_by("start")
    )
    overdue = list(my_open_tasks.filter(start__lt=start_of_today)[:20])
    due_today = list(my_open_tasks.filter(start__gte=start_of_today, start__lt=start_of_tomorrow)[:20])
    upcoming = list(my_open_tasks.filter(start__gte=start_of_tomorrow)[:10])
    counts = my_open_tasks.aggregate(
        total=Count("id"),
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
        "overdue_count": my_open_tasks.filter(start__lt=start_of_today).count(),
        "today_count": my_open_tasks.filter(start__gte=start_of_today, start__lt=start_of_tomorrow).count(),
        "open_task_count": counts["total"],
        "pipeline": pipeline,
        "today": today,
    }
    return render(request, "dashboard.html", context)
