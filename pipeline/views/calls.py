"""Quick actions on tasks from a card or a dialog: log a call (and plan the next action), and
the search-as-you-type look-up of the record a new task is about."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from core.access import can_change
from core.htmx import HtmxHttpRequest, with_message
from core.redirects import safe_next
from pipeline import links
from pipeline.forms import CallLogForm
from pipeline.services import calls

TASKS_CHANGED = "jalon:tasks-changed"


def call_log_context(target, form: CallLogForm | None = None, *, is_open: bool = False) -> dict:
    """What `pipeline/call_log.html#call-log` needs, for a card that includes it."""
    return {
        "call_form": form or CallLogForm(),
        "call_target": target,
        "call_target_value": f"{calls.target_field(target)}:{target.pk}",
        "call_open": is_open,
    }


def _logged_message(planned) -> str:
    if planned is None:
        return _("Call logged.")
    when = date_format(timezone.localtime(planned.start), "d/m/Y H:i")
    return _("Call logged; next action planned on %(when)s.") % {"when": when}


@login_required
@require_http_methods(["GET", "POST"])
def call_log(request: HtmxHttpRequest):
    """Log a call made now on a record (`target=prospect:12`) as a done task, and optionally
    plan the next action. GET shows the form alone (a page without JavaScript reaches it)."""
    data = request.GET if request.method == "GET" else request.POST
    target = links.link_target(user=request.user, value=data.get("target", ""))
    if target is None:
        raise Http404
    if not can_change(request.user, target):
        raise PermissionDenied
    template = "pipeline/call_log.html"
    if request.htmx:
        template += "#call-log"
    if request.method == "GET":
        return render(request, template, call_log_context(target, is_open=True))
    form = CallLogForm(request.POST)
    if not form.is_valid():
        context = call_log_context(target, form, is_open=True)
        # 200 for htmx (it swaps only successful answers), 422 for a plain form post.
        return render(request, template, context, status=200 if request.htmx else 422)
    data = form.cleaned_data
    plan = data["plan_next"]
    _call, planned = calls.call_log(
        actor=request.user,
        target=target,
        outcome=data["outcome"],
        comment=data["comment"],
        next_type=data["next_type"] if plan else None,
        next_start=data["next_start"] if plan else None,
        next_title=data["next_title"] if plan else "",
    )
    text = _logged_message(planned)
    if request.htmx:
        response = render(request, template, call_log_context(target))
        trigger_client_event(response, TASKS_CHANGED, {})
        return with_message(response, text, "success")
    messages.success(request, text)
    return redirect(safe_next(request, target.get_absolute_url()))


@login_required
@require_GET
def task_link_lookup(request: HtmxHttpRequest):
    """Records matching `?q=` that a task may be about, those the user may see, by kind."""
    groups = links.link_search(user=request.user, query=request.GET.get("q", ""))
    return render(
        request,
        "pipeline/_task_link_results.html",
        {"groups": groups, "q": request.GET.get("q", "")[: links.MAX_LENGTH]},
    )
