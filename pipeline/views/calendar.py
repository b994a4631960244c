"""The calendar (day and month, colleagues' private tasks shown as busy time) and the personal
iCalendar feed with its regenerable token."""

import calendar
import datetime as dt
from collections import defaultdict
from itertools import groupby

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.htmx import HtmxHttpRequest, with_message
from core.params import parse_int
from core.users import active_users
from pipeline.clocks import colour_for
from pipeline.feeds import calendar_feed_for, feed_build, feed_fingerprint, feed_regenerate
from pipeline.models import CalendarFeed, Task
from pipeline.services import activities
from pipeline.views.tasks import day_bounds, requested_day

MONTH_CELL_TASKS = 4  # tasks a day of the month view shows; "n more" links to the day


def _calendar_people(request):
    """Whose tasks the calendar shows: mine (default), one colleague's, or the whole team's."""
    value = request.GET.get("who", "")
    users = list(active_users())
    if value == "all":
        return value, users, None
    who = parse_int(value, min_value=1)
    if who is not None and any(u.pk == who for u in users):
        return value, users, who
    return "", users, request.user.pk


@login_required
@require_GET
def task_calendar(request: HtmxHttpRequest):
    """Month and day views. Another user's private tasks show as busy time only."""
    day = requested_day(request.GET, "date") or timezone.localdate()
    view = "day" if request.GET.get("view") == "day" else "month"
    who, users, assignee_id = _calendar_people(request)
    if view == "month":
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month)
        first, last = weeks[0][0], weeks[-1][-1]
    else:
        weeks, first, last = [], day, day
    if last > timezone.localdate() + dt.timedelta(days=activities.HORIZON_DAYS - 31):
        activities.series_extend(through=last)
    start, _unused = day_bounds(first)
    _unused, end = day_bounds(last)
    tasks = Task.objects.busy_for(request.user).filter(start__gte=start, start__lt=end)
    if assignee_id is not None:
        tasks = tasks.filter(assignee_id=assignee_id)
    tasks = tasks.order_by("start", "id")
    more: dict[dt.date, int] = {}
    if view == "month":
        # A month cell shows its first tasks and counts the others: the whole team's month is
        # read as (id, start) pairs, then only the tasks shown are read in full (issue 20).
        ids_by_day: dict[dt.date, list[int]] = defaultdict(list)
        zone = timezone.get_current_timezone()
        for pk, when in tasks.values_list("pk", "start"):
            ids_by_day[when.astimezone(zone).date()].append(pk)
        shown = [pk for ids in ids_by_day.values() for pk in ids[:MONTH_CELL_TASKS]]
        more = {d: len(ids) - MONTH_CELL_TASKS for d, ids in ids_by_day.items()}
        tasks = Task.objects.filter(pk__in=shown).order_by("start", "id")
    tasks = list(tasks.select_related("type", "assignee"))
    today, zone = timezone.localdate(), timezone.get_current_timezone()
    for task in tasks:
        task.busy_only = not Task.objects.reads_private(request.user, task)
        task.local_day = task.start.astimezone(zone).date()
        task.clock = "done" if task.done else colour_for(task.start, today)
    by_day = {key: list(group) for key, group in groupby(tasks, key=lambda t: t.local_day)}
    if view == "month":
        month_weeks = [
            [(d, by_day.get(d, []), d.month == day.month, max(more.get(d, 0), 0)) for d in week]
            for week in weeks
        ]
        previous = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        month_weeks = []
        previous, following = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    return render(
        request,
        "pipeline/task_calendar.html",
        {
            "view": view,
            "day": day,
            "today": today,
            "weeks": month_weeks,
            "day_tasks": by_day.get(day, []),
            "previous": previous,
            "following": following,
            "who": who,
            "users": users,
            "new_task_url": reverse("task_create"),
        },
    )


@login_not_required
@require_GET
def task_feed(request, token: str):
    """The user's tasks for calendar apps; the secret token in the URL is the only key."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    base_url = request.build_absolute_uri("/").rstrip("/")
    # Calendar apps poll: an unchanged feed is answered 304 from one aggregate query.
    etag, changed = feed_fingerprint(user=feed.user, extra=base_url)
    etag = f'"{etag}"'
    unchanged = get_conditional_response(request, etag=etag, last_modified=int(changed.timestamp()))
    if unchanged is not None:
        unchanged["ETag"] = etag
        unchanged["Last-Modified"] = http_date(changed.timestamp())
        return unchanged
    ics = feed_build(user=feed.user, domain=request.get_host().split(":")[0], base_url=base_url)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="jalon.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed.timestamp())
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request: HtmxHttpRequest):
    """Where the user sees the feed's address and regenerates it (the old one stops working)."""
    if request.method == "POST":
        feed = feed_regenerate(user=request.user)
        response = redirect("calendar_feed")
        if request.htmx:
            response = render(
                request,
                "pipeline/task_feed.html#feed-url",
                {"feed": feed, "feed_url": _feed_url(request, feed)},
            )
        return with_message(
            response, _("New address created: the old one no longer works."), "success"
        )
    feed = calendar_feed_for(user=request.user)
    return render(
        request, "pipeline/task_feed.html", {"feed": feed, "feed_url": _feed_url(request, feed)}
    )


def _feed_url(request, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("task_feed", args=[feed.token]))
