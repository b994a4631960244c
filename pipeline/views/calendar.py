"""The calendar (day and month, colleagues' private tasks shown as busy time) and the personal
iCalendar feed with its regenerable token."""

import calendar
import datetime as dt
from itertools import groupby

from django.contrib.auth.decorators import login_not_required, login_required
from django.db.models import Count, Window
from django.db.models.functions import RowNumber, TruncDate
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import get_conditional_response
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from core.htmx import HtmxHttpRequest, with_message
from core.icons import task_icon
from core.params import parse_int
from core.rows import url_format
from core.templatetags.core_tags import icon
from core.users import active_users, user_label
from pipeline.clocks import colour_for
from pipeline.feeds import calendar_feed_for, feed_build, feed_fingerprint, feed_regenerate
from pipeline.models import CalendarFeed, Task
from pipeline.services import activities
from pipeline.views.tasks import day_bounds, requested_day

MONTH_CELL_TASKS = 4  # tasks a day of the month view shows; "n more" links to the day
# What the calendar shows of a task (`calendar_items`), its type's icon and assignee included.
CALENDAR_FIELDS = (
    *("title", "start", "end", "all_day", "done", "is_private", "location", "frequency"),
    *("series", "assignee", "created_by", "type__icon"),
)


def calendar_items(request, tasks: list[Task], today: dt.date, zone) -> None:
    """Give each task its `local_day`, `clock`, `busy_only` (a colleague's private task: busy
    time only) and `view`, the texts and links the month or day view writes, made here once
    rather than by template filters and includes for each of up to 200 tasks."""
    reads_private = Task.objects.all().reads_private
    task_url = url_format("task_detail")
    all_day, done = _("All day"), _("done")
    recurring = _("Recurring")
    recurring_html = format_html(
        ' <span class="muted" title="{}">{}</span>', recurring, icon("repeat", label=recurring)
    )
    done_html = format_html(' <span class="badge badge-green">{}</span>', done)
    icons: dict[str, str] = {}
    people: dict[int, str] = {}
    for task in tasks:
        task.busy_only = not reads_private(request.user, task)
        start = task.start.astimezone(zone)
        task.local_day = start.date()
        task.clock = "done" if task.done else colour_for(task.start, today)
        time = start.strftime("%H:%M")
        who = ""
        if task.assignee_id:
            who = people.get(task.assignee_id)
            if who is None:
                who = people[task.assignee_id] = user_label(task.assignee)
        view = {
            "css": f"clock-{task.clock} is-busy" if task.busy_only else f"clock-{task.clock}",
            "busy": task.busy_only,
            "time": "" if task.all_day else time,
            "title": task.title,
            "url": task_url.format(task.pk),
            "tooltip": f"{task.title} — {who}" if who else task.title,
            "slot": all_day if task.all_day else time,
            "meta": who,
            "body": "",
        }
        if task.end and not task.all_day:
            view["slot"] = f"{time} – {task.end.astimezone(zone):%H:%M}"
        if not task.busy_only:
            name = task_icon(task.type.icon or "")
            if name not in icons:
                icons[name] = icon(name)
            view["body"] = format_html(
                '{} <a href="{}">{}</a>{}{}',
                icons[name],
                view["url"],
                task.title,
                done_html if task.done else "",
                recurring_html if task.is_recurring else "",
            )
            if task.location:
                view["meta"] = f"{who} · {task.location}"
        task.view = view


def month_cells(weeks: list, today: dt.date) -> list:
    """The month's weeks as the template writes them: each day's texts and links made once
    rather than by a dozen template filters per day."""
    return [
        [
            {
                "iso": date.isoformat(),
                "number": date.day,
                "css": ("" if in_month else "other-month") + (" is-today" if date == today else ""),
                "tasks": tasks,
                "more": more
                and ngettext("%(n)s more", "%(n)s more", more) % {"n": formats.localize(more)},
            }
            for date, tasks, in_month, more in week
        ]
        for week in weeks
    ]


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
    today, zone = timezone.localdate(), timezone.get_current_timezone()
    if view == "month":
        # A month cell shows its first tasks and counts the others: one narrow query ranks the
        # whole team's month by day and keeps each day's first tasks with the day's count,
        # then only the tasks shown are read in full (issue 20).
        local_day = TruncDate("start", tzinfo=zone)
        totals = dict(
            tasks.order_by()
            .annotate(
                day_rank=Window(RowNumber(), partition_by=[local_day], order_by=["start", "id"]),
                day_total=Window(Count("id"), partition_by=[local_day]),
            )
            .filter(day_rank__lte=MONTH_CELL_TASKS)
            .values_list("pk", "day_total")
        )
        tasks = Task.objects.filter(pk__in=list(totals))
    tasks = list(
        tasks.select_related("type", "assignee").only(*CALENDAR_FIELDS).order_by("start", "id")
    )
    calendar_items(request, tasks, today, zone)
    by_day = {key: list(group) for key, group in groupby(tasks, key=lambda t: t.local_day)}
    context = {
        "view": view,
        "day": day,
        "today": today,
        "weeks": [],
        "day_tasks": by_day.get(day, []),
        "who": who,
        "users": users,
        "new_task_url": reverse("task_create"),
        "busy": _("Busy"),
    }
    if view == "month":
        more = {d: totals[group[0].pk] - MONTH_CELL_TASKS for d, group in by_day.items()}
        context["weeks"] = [
            [(d, by_day.get(d, []), d.month == day.month, max(more.get(d, 0), 0)) for d in week]
            for week in weeks
        ]
        context["month"] = month_cells(context["weeks"], today)
        context["weekdays"] = [capfirst(formats.date_format(d, "l")) for d in weeks[0]]
        new_task = _("New task")
        context["new_task"] = new_task
        context["add_icon"] = icon("plus", label=new_task)
        context["previous"] = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        context["following"] = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        context["previous"] = day - dt.timedelta(days=1)
        context["following"] = day + dt.timedelta(days=1)
    return render(request, "pipeline/task_calendar.html", context)


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
