"""Tasks: the agenda, the calendar, the task panel cards embed, the history tab, the feed."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
from core.conflicts import stale_response
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.params import date_param, id_param, int_param
from core.redirects import safe_next
from core.roles import is_manager
from core.versions import ConcurrentEdit
from pipeline import links
from pipeline.clocks import colour_for
from pipeline.forms import WEEKDAY_CHOICES, TaskFilter, TaskForm
from pipeline.history import history_for
from pipeline.links import TASK_ROW_RELATED
from pipeline.models import Opportunity, Task
from pipeline.services import activities, calls
from pipeline.templatetags.pipeline_tags import dress_task_rows, task_row_ui

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
# What an agenda row reads (`dress_task_rows`). Its own query joins the type, the opportunity
# and the prospects only: PostgreSQL takes longer to plan the join of every relation of
# TASK_ROW_RELATED than to run it. The companies and people come in one query each.
AGENDA_RELATED = ("type", "opportunity", "opportunity__prospect", "prospect")
_PROSPECT_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "mobile",
    "phone",
    "country",
    "owner",
)
AGENDA_FIELDS = (
    *("title", "type__name", "type__icon", "start", "all_day", "assignee", "priority"),
    *("important", "done", "done_at", "done_by", "location", "is_private", "notes", "colour"),
    *("frequency", "series", "opportunity", "prospect", "company", "person"),
    *("opportunity__summary", "opportunity__owner", "opportunity__company"),
    *("opportunity__person", "opportunity__prospect"),
    *(f"prospect__{name}" for name in _PROSPECT_FIELDS),
    *(f"opportunity__prospect__{name}" for name in _PROSPECT_FIELDS),
)


def _linked_object(request, data):
    """The record named by ?opportunity= | ?prospect= | ?company= | ?person=, if the user may
    see it (404 otherwise, as for any record, and for an id that is not one)."""
    for kind, model in LINK_MODELS.items():
        if data.get(kind):
            return kind, get_visible_or_404(model, request.user, pk=id_param(data, kind))
    return None, None


def _task_target(task: Task):
    for kind in LINK_MODELS:
        if getattr(task, f"{kind}_id"):
            return kind, getattr(task, kind)
    return None, None


def can_change_task(user, task: Task) -> bool:
    """Whoever may change the task as a record (managers, its assignee, anyone when it is
    unassigned), its author, and whoever may change the record it is about."""
    if not user.is_authenticated:
        return False
    if can_change(user, task) or task.created_by_id == user.pk:
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


# How far from today a day named in a URL may be (the calendar's month, a new task's day): further
# ahead, the calendar would create the occurrences of every recurring series up to it.
REACH_BACK = dt.timedelta(days=100 * 366)
REACH_AHEAD = dt.timedelta(days=10 * 366)


def requested_day(data, name: str) -> dt.date | None:
    """The day `data[name]` names (yyyy-mm-dd) within reach of today, else None."""
    today = timezone.localdate()
    return date_param(data, name, None, earliest=today - REACH_BACK, latest=today + REACH_AHEAD)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


# --- agenda ---------------------------------------------------------------------------------


def agenda_related_load(tasks: list[Task]) -> None:
    """Give the tasks of AGENDA_FIELDS, and their opportunities, their company and person: one
    query for the companies, one for the people, whatever the number of rows. Read as the
    row's own join would (trashed ones included)."""
    opportunities = [task.opportunity for task in tasks if task.opportunity_id]
    for name, model, fields in (
        ("company", Company, ("name", "phone", "country", "owner")),
        ("person", Person, ("first_name", "last_name", "mobile", "phone", "owner")),
    ):
        holders = [r for r in (*tasks, *opportunities) if getattr(r, f"{name}_id")]
        if not holders:
            continue
        ids = {getattr(r, f"{name}_id") for r in holders}
        found = model._base_manager.only(*fields).in_bulk(ids)
        for holder in holders:
            type(holder)._meta.get_field(name).set_cached_value(
                holder, found.get(getattr(holder, f"{name}_id"))
            )


@login_required
@require_GET
def task_list(request: HtmxHttpRequest):
    """My agenda: overdue (red), today (orange), upcoming (green) by the action clock."""
    user = request.user
    team = is_manager(user)
    activities.series_extend(lazy=True)
    base = Task.objects.visible_to(user).open()
    task_filter = TaskFilter(request.GET or None, queryset=base, user=user, team=team)
    # Distinct ids: the task dialog opened on this page has its own type and priority fields.
    task_filter.form.auto_id = "filter-%s"
    tasks = task_filter.qs if task_filter.is_bound else base.filter(assignee=user)
    show_assignee = team and request.GET.get("assignee") not in (None, "")
    today = timezone.localdate()
    start_today, start_tomorrow = day_bounds(today)
    horizon = start_tomorrow + dt.timedelta(days=UPCOMING_DAYS)
    counts = tasks.order_by().aggregate(
        overdue=Count("id", filter=Q(start__lt=start_today)),
        today=Count("id", filter=Q(start__gte=start_today, start__lt=start_tomorrow)),
        upcoming=Count("id", filter=Q(start__gte=start_tomorrow, start__lt=horizon)),
    )
    rows = tasks.select_related(*AGENDA_RELATED).only(*AGENDA_FIELDS)
    if show_assignee:
        rows = rows.select_related("assignee")
    overdue, due_today, upcoming = [], [], []
    if counts["overdue"]:
        # The most recent overdue ones, oldest first; the section's badge tells how many.
        overdue = list(rows.filter(start__lt=start_today).order_by("-start", "-id")[:AGENDA_ROWS])
        overdue.reverse()
    later = counts["today"] + min(counts["upcoming"], AGENDA_ROWS)
    if later:
        # Every task of today, then the first upcoming ones: one query, cut by their start.
        for task in rows.filter(start__gte=start_today, start__lt=horizon).order_by("start", "id")[
            :later
        ]:
            (due_today if task.start < start_tomorrow else upcoming).append(task)
        upcoming = upcoming[:AGENDA_ROWS]
    counts["today"] = len(due_today)
    agenda_related_load(overdue + due_today + upcoming)
    for colour, section in (("red", overdue), ("orange", due_today), ("green", upcoming)):
        dress_task_rows(request, section, colour=colour, show_assignee=show_assignee)
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
            "show_assignee": show_assignee,
            "task_ui": task_row_ui(request),
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


def _form_template(request) -> str:
    return "pipeline/task_form.html#task-form" if request.htmx else "pipeline/task_form.html"


def _form_context(request, form, *, task=None, target_kind=None, target=None) -> dict:
    return {
        "form": form,
        "task": task,
        "action": reverse("task_edit", args=[task.pk]) if task else reverse("task_create"),
        "target_kind": target_kind,
        "target": target,
        "next": safe_next(request, ""),
    }


def _form_response(request, form, *, task=None, target_kind=None, target=None, status=200):
    context = _form_context(request, form, task=task, target_kind=target_kind, target=target)
    return render(request, _form_template(request), context, status=status)


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
        day = requested_day(request.GET, "day")
        if day is not None:
            start = start.replace(year=day.year, month=day.month, day=day.day, hour=9)
        form = TaskForm(
            initial={"start": start, "assignee": request.user, "type": None}, user=request.user
        )
        return _form_response(request, form, target_kind=kind, target=target)
    form = TaskForm(request.POST, user=request.user)
    refused = False
    if kind is None and request.POST.get("link"):
        # Chosen in the dialog's look-up (pipeline.links): a record the user sees, else 404.
        target = links.link_target(user=request.user, value=request.POST["link"])
        kind = calls.target_field(target)
        refused = not can_change(request.user, target)
        if refused:
            kind = target = None
    if form.is_valid() and refused:
        form.add_error(None, calls.NOT_ALLOWED)
    elif form.is_valid():
        fields = form.service_fields()
        if kind:
            fields[kind] = target
        if kind == "person":
            # The person's company too, so that the row names it and the company's card lists it.
            fields["company"] = links.person_company(target, user=request.user)
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
        except ConcurrentEdit as conflict:
            # Someone saved in between: the form shows the current values (and version).
            task = _get_task(request, pk, change=True)
            current = _edit_form(task, request.user)
            return stale_response(
                request,
                _form_template(request),
                _form_context(request, current, task=task, target_kind=kind, target=target),
                error=conflict,
                typed=form,
                current=current,
            )
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
        .select_related(*TASK_ROW_RELATED, "done_by")
    )
    open_tasks = list(tasks.filter(done=False).order_by("start", "id")[:300])
    done_tasks = [] if todo_only else list(tasks.filter(done=True).order_by("-start", "-id")[:100])
    today = timezone.localdate()
    rows = _first_of_each_series(open_tasks) + done_tasks
    for task in rows:
        task.clock = "" if task.done else colour_for(task.start, today)
        dress_task_rows(
            request, [task], colour=task.clock, first_line=first_line, show_assignee=True
        )
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
            "task_ui": task_row_ui(request),
        },
    )


HISTORY_PAGE, HISTORY_MAX = 50, 1000


@login_required
@require_GET
def history_panel(request: HtmxHttpRequest):
    """The History tab of a card (manual 002): to do farthest first, then done newest first."""
    kind, target = _linked_object(request, request.GET)
    if target is None:
        raise Http404
    # "Show more" asks for the next rows: ?limit= grows by HISTORY_PAGE up to HISTORY_MAX.
    limit = int_param(
        request.GET,
        "limit",
        HISTORY_PAGE,
        min_value=HISTORY_PAGE,
        max_value=HISTORY_MAX,
        clamp=True,
    )
    history = history_for(user=request.user, limit=limit, **{kind: target})
    return render(
        request,
        "pipeline/_history.html",
        {
            "history": history,
            "kind": kind,
            "target": target,
            "more_url": f"{reverse('history_panel')}?{kind}={target.pk}&limit={limit + HISTORY_PAGE}"
            if history["more"] and limit < HISTORY_MAX
            else "",
        },
    )
