"""Tasks: the agenda, the calendar, the task panel cards embed, the history tab, the feed."""

import calendar
import datetime as dt
from itertools import groupby

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from contacts.models import Company, Person, Prospect
from core.access import can_change, get_visible_or_404
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.redirects import safe_next
from core.roles import is_manager
from pipeline.clocks import colour_for
from pipeline.feeds import calendar_feed_for, feed_build, feed_regenerate
from pipeline.forms import WEEKDAY_CHOICES, TaskFilter, TaskForm
from pipeline.history import history_for
from pipeline.models import CalendarFeed, Opportunity, Task
from pipeline.services import activities

TASKS_CHANGED = "jalon:tasks-changed"
LINK_MODELS = {
    "opportunity": Opportunity,
    "prospect": Prospect,
    "company": Company,
    "person": Person,
}
# What a card's task panel lists: the record's own tasks and those of its opportunities.
PANEL_SCOPES = {
    "opportunity": lambda obj: Q(opportunity=obj),
    "prospect": lambda obj: Q(prospect=obj) | Q(opportunity__prospect=obj),
    "company": lambda obj: Q(company=obj) | Q(opportunity__company=obj),
    "person": lambda obj: Q(person=obj) | Q(opportunity__person=obj),
}
TASK_RELATED = ("type", "assignee", "opportunity", "prospect", "company", "person")
UPCOMING_DAYS = 30
AGENDA_ROWS = 60


def _linked_object(request, data):
    """The record named by ?opportunity= | ?prospect= | ?company= | ?person=, if the user may
    see it (404 otherwise, as for any record)."""
    for kind, model in LINK_MODELS.items():
        value = data.get(kind)
        if value:
            if not str(value).isdigit():
                raise Http404
            return kind, get_visible_or_404(model, request.user, pk=int(value))
    return None, None


def _task_target(task: Task):
    for kind in LINK_MODELS:
        if getattr(task, f"{kind}_id"):
            return kind, getattr(task, kind)
    return None, None


def can_change_task(user, task: Task) -> bool:
    """Managers, the assignee, the author, and whoever may change the record it is about."""
    if not user.is_authenticated:
        return False
    if is_manager(user) or task.assignee_id in (None, user.pk) or task.created_by_id == user.pk:
        return True
    _kind, target = _task_target(task)
    return target is not None and can_change(user, target)


def _get_task(request, pk: int, *, change: bool = False) -> Task:
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related(*TASK_RELATED), pk=pk
    )
    if change and not can_change_task(request.user, task):
        raise PermissionDenied
    return task


def _tasks_changed(response: HttpResponse, message: str) -> HttpResponse:
    trigger_client_event(response, TASKS_CHANGED, {})
    return with_message(response, message, "success")


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


# --- agenda ---------------------------------------------------------------------------------


@login_required
@require_GET
def task_list(request: HtmxHttpRequest):
    """My agenda: overdue (red), today (orange), upcoming (green) by the action clock."""
    user = request.user
    team = is_manager(user)
    activities.series_extend(lazy=True)
    base = Task.objects.visible_to(user).open().select_related(*TASK_RELATED)
    task_filter = TaskFilter(request.GET or None, queryset=base, user=user, team=team)
    # Distinct ids: the task dialog opened on this page has its own type and priority fields.
    task_filter.form.auto_id = "filter-%s"
    tasks = task_filter.qs if task_filter.is_bound else base.filter(assignee=user)
    today = timezone.localdate()
    start_today, start_tomorrow = _bounds(today)
    horizon = start_tomorrow + dt.timedelta(days=UPCOMING_DAYS)
    # The most recent overdue ones, oldest first; the section's badge tells how many there are.
    overdue = list(tasks.filter(start__lt=start_today).order_by("-start", "-id")[:AGENDA_ROWS])[
        ::-1
    ]
    due_today = list(
        tasks.filter(start__gte=start_today, start__lt=start_tomorrow).order_by("start", "id")
    )
    upcoming = list(
        tasks.filter(start__gte=start_tomorrow, start__lt=horizon).order_by("start", "id")[
            :AGENDA_ROWS
        ]
    )
    counts = tasks.order_by().aggregate(
        overdue=Count("id", filter=Q(start__lt=start_today)),
        upcoming=Count("id", filter=Q(start__gte=start_tomorrow, start__lt=horizon)),
    )
    counts["today"] = len(due_today)
    sections = [
        ("overdue", _("Overdue"), "red", overdue, counts["overdue"]),
        ("today", _("Today"), "orange", due_today, counts["today"]),
        (
            "upcoming",
            _("Next %(days)s days") % {"days": UPCOMING_DAYS},
            "green",
            upcoming,
            counts["upcoming"],
        ),
    ]
    template = "pipeline/task_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#task-agenda"
    return render(
        request,
        template,
        {
            "filter": task_filter,
            "sections": sections,
            "team": team,
            "show_assignee": team and request.GET.get("assignee") not in (None, ""),
        },
    )


# --- detail, create, edit, done, delete --------------------------------------------------------


@login_required
@require_GET
def task_detail(request: HtmxHttpRequest, pk: int):
    task = _get_task(request, pk)
    head = task.series if task.series_id else task
    days = dict(WEEKDAY_CHOICES)
    weekdays = [days[d] for d in (head.weekdays or "").split(",") if d in days]
    return render(
        request,
        "pipeline/task_detail.html",
        {
            "task": task,
            "can_change": can_change_task(request.user, task),
            "target": _task_target(task)[1],
            "weekdays": weekdays,
        },
    )


def _form_response(request, form, *, task=None, target_kind=None, target=None, status=200):
    template = "pipeline/task_form.html"
    if request.htmx:
        template += "#task-form"
    action = reverse("task_edit", args=[task.pk]) if task else reverse("task_create")
    return render(
        request,
        template,
        {
            "form": form,
            "task": task,
            "action": action,
            "target_kind": target_kind,
            "target": target,
            "next": safe_next(request, ""),
        },
        status=status,
    )


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HtmxHttpRequest):
    """New task, about the record given in the query string (or the user's own)."""
    kind, target = _linked_object(request, request.GET if request.method == "GET" else request.POST)
    if target is not None and not can_change(request.user, target):
        raise PermissionDenied
    if request.method == "GET":
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(
            hours=1
        )
        try:
            day = dt.date.fromisoformat(request.GET.get("day", ""))
        except ValueError:
            day = None
        if day is not None:
            start = start.replace(year=day.year, month=day.month, day=day.day, hour=9)
        form = TaskForm(
            initial={"start": start, "assignee": request.user, "type": None}, user=request.user
        )
        return _form_response(request, form, target_kind=kind, target=target)
    form = TaskForm(request.POST, user=request.user)
    if form.is_valid():
        fields = form.service_fields()
        if kind:
            fields[kind] = target
        try:
            task = activities.task_create(actor=request.user, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if request.htmx:
                return _tasks_changed(close_modal(HttpResponse(status=204)), _("Task created."))
            return redirect(
                safe_next(request, target.get_absolute_url() if target else task.get_absolute_url())
            )
    return _form_response(request, form, target_kind=kind, target=target)


def _edit_form(task: Task, user) -> TaskForm:
    """The edit form of a task; an occurrence shows its series' rule."""
    form = TaskForm(instance=task, user=user)
    head = task.series if task.series_id else task
    if task.series_id:
        for name in activities.RULE_FIELDS:
            form.initial[name] = getattr(head, name)
        form.initial["weekdays"] = [d for d in head.weekdays.split(",") if d]
        if head.count:
            form.initial["count"] = max(head.count - activities.occurrences_before(task), 1)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HtmxHttpRequest, pk: int):
    """Edit a task; for an occurrence of a series, "this one" or "this and the following"."""
    task = _get_task(request, pk, change=True)
    kind, target = _task_target(task)
    if request.method == "GET":
        form = _edit_form(task, request.user)
        return _form_response(request, form, task=task, target_kind=kind, target=target)
    form = TaskForm(request.POST, instance=task, user=request.user)
    if form.is_valid():
        try:
            activities.task_update(
                task=task,
                actor=request.user,
                scope=form.cleaned_data.get("scope") or activities.SCOPE_THIS,
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except activities.TaskConflict as conflict:
            # Someone saved in between: show the current values (and version), not the stale ones.
            task = _get_task(request, pk, change=True)
            form = _edit_form(task, request.user)
            form.errors[NON_FIELD_ERRORS] = form.error_class([str(conflict)])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if request.htmx:
                return _tasks_changed(close_modal(HttpResponse(status=204)), _("Task saved."))
            return redirect(safe_next(request, task.get_absolute_url()))
    # 200, not 422: htmx only swaps successful answers into the dialog.
    return _form_response(request, form, task=task, target_kind=kind, target=target)


@login_required
@require_POST
def task_toggle(request: HtmxHttpRequest, pk: int):
    """One click: done or to do again (`done=1|0`; without it, the opposite of now)."""
    task = _get_task(request, pk, change=True)
    done = request.POST.get("done")
    done = (not task.done) if done is None else done in ("1", "true", "on")
    activities.task_set_done(task=task, done=done, actor=request.user)
    if request.htmx:
        return _tasks_changed(
            HttpResponse(status=204), _("Task done.") if done else _("Task to do again.")
        )
    return redirect(safe_next(request, task.get_absolute_url()))


@login_required
@require_POST
def task_delete(request: HtmxHttpRequest, pk: int):
    task = _get_task(request, pk, change=True)
    scope = request.POST.get("scope") or activities.SCOPE_THIS
    _kind, target = _task_target(task)
    activities.task_delete(task=task, actor=request.user, scope=scope)
    if request.htmx:
        return _tasks_changed(close_modal(HttpResponse(status=204)), _("Task moved to the trash."))
    return redirect(
        safe_next(request, target.get_absolute_url() if target else reverse("task_list"))
    )


# --- panels embedded in cards ------------------------------------------------------------------


def _first_of_each_series(tasks):
    """Open occurrences of a series after its next one are left to the agenda."""
    seen, kept = set(), []
    for task in tasks:
        if task.is_recurring and not task.done:
            if task.head_id in seen:
                continue
            seen.add(task.head_id)
        kept.append(task)
    return kept


@login_required
@require_GET
def task_panel(request: HtmxHttpRequest):
    """The task list of an opportunity, prospect, company or person card (manual 001's
    "Actions de prospection"), with its "to do only" and "first line only" switches."""
    kind, target = _linked_object(request, request.GET)
    if target is None:
        raise Http404
    todo_only = request.GET.get("todo", "1") == "1"
    first_line = request.GET.get("first_line", "1") == "1"
    tasks = (
        Task.objects.visible_to(request.user)
        .filter(PANEL_SCOPES[kind](target))
        .select_related(*TASK_RELATED)
    )
    open_tasks = list(tasks.filter(done=False).order_by("start", "id")[:300])
    done_tasks = [] if todo_only else list(tasks.filter(done=True).order_by("-start", "-id")[:100])
    today = timezone.localdate()
    rows = _first_of_each_series(open_tasks) + done_tasks
    for task in rows:
        task.clock = "" if task.done else colour_for(task.start, today)
    query = f"{kind}={target.pk}"
    return render(
        request,
        "pipeline/_task_panel.html",
        {
            "tasks": rows,
            "kind": kind,
            "target": target,
            "query": query,
            "todo_only": todo_only,
            "first_line": first_line,
            "can_add": can_change(request.user, target),
            "panel_url": reverse("task_panel"),
        },
    )


@login_required
@require_GET
def history_panel(request: HtmxHttpRequest):
    """The History tab of a card (manual 002): to do farthest first, then done newest first."""
    kind, target = _linked_object(request, request.GET)
    if target is None:
        raise Http404
    history = history_for(user=request.user, **{kind: target})
    return render(
        request, "pipeline/_history.html", {"history": history, "kind": kind, "target": target}
    )


# --- calendar --------------------------------------------------------------------------------


def _calendar_people(request):
    """Whose tasks the calendar shows: mine (default), one colleague's, or the whole team's."""
    value = request.GET.get("who", "")
    users = list(get_user_model().objects.filter(is_active=True).order_by("first_name", "username"))
    if value == "all":
        return value, users, None
    if value.isdigit() and any(u.pk == int(value) for u in users):
        return value, users, int(value)
    return "", users, request.user.pk


@login_required
@require_GET
def task_calendar(request: HtmxHttpRequest):
    """Month and day views. Another user's private tasks show as busy time only."""
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    view = "day" if request.GET.get("view") == "day" else "month"
    who, users, assignee_id = _calendar_people(request)
    if view == "month":
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month)
        first, last = weeks[0][0], weeks[-1][-1]
    else:
        weeks, first, last = [], day, day
    if last > timezone.localdate() + dt.timedelta(days=activities.HORIZON_DAYS - 31):
        activities.series_extend(through=last)
    start, _unused = _bounds(first)
    _unused, end = _bounds(last)
    tasks = Task.objects.busy_for(request.user).filter(start__gte=start, start__lt=end)
    if assignee_id is not None:
        tasks = tasks.filter(assignee_id=assignee_id)
    tasks = list(tasks.select_related("type", "assignee").order_by("start", "id"))
    today = timezone.localdate()
    for task in tasks:
        task.busy_only = task.is_private and request.user.pk not in (
            task.assignee_id,
            task.created_by_id,
        )
        task.local_day = timezone.localtime(task.start).date()
        task.clock = "done" if task.done else colour_for(task.start, today)
    by_day = {key: list(group) for key, group in groupby(tasks, key=lambda t: t.local_day)}
    if view == "month":
        month_weeks = [
            [(d, by_day.get(d, []), d.month == day.month) for d in week] for week in weeks
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
        },
    )


# --- iCalendar feed --------------------------------------------------------------------------


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
    ics = feed_build(
        user=feed.user,
        domain=request.get_host().split(":")[0],
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="jalon.ics"'
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
