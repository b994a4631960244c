"""Process pages: the list of processes and the step list (PROSTEP's table). The steps are
edited from the board's column headers (`pipeline.board`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Address
from core.access import can_change, get_visible_or_404
from core.htmx import HtmxHttpRequest, with_message
from core.roles import is_manager
from pipeline.forms import STEP_LIST_SORTS, StepListFilter
from pipeline.models import Opportunity, Process, Step, StepProgress
from pipeline.rights import (
    can_delete_process_opportunities,
    can_manage_stages,
    can_modify_process_opportunities,
    process_rights_load,
)
from pipeline.selectors import process_or_404
from pipeline.services import opportunities as opportunity_services
from pipeline.services import steps as step_services
from pipeline.views.board import board_url
from pipeline.views.step_rows import row_ui, step_row

STEP_LIST_PAGE_SIZE = 50
# key, label, right-aligned, title
STEP_LIST_COLUMNS = [
    ("id", gettext_lazy("ID"), False, ""),
    ("last_name", gettext_lazy("Last name"), False, ""),
    ("first_name", gettext_lazy("First name"), False, ""),
    ("job_title", gettext_lazy("Job title"), False, ""),
    ("company", gettext_lazy("Company"), False, ""),
    ("probability", gettext_lazy("P"), True, gettext_lazy("Probability")),
    ("owner", gettext_lazy("Owner"), False, ""),
    ("amount", gettext_lazy("Potential"), True, ""),
    ("nbj", gettext_lazy("NbJ"), True, gettext_lazy("Days since the last step change")),
]


@login_required
@require_GET
def pipeline_list(request: HtmxHttpRequest):
    processes = (
        Process.objects.all() if is_manager(request.user) else Process.objects.filter(active=True)
    )
    visible = Opportunity.objects.visible_to(request.user)
    open_ids = visible.filter(status=Opportunity.Status.OPEN).values("pk")
    processes = processes.prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("position", "id"))
    ).annotate(open_count=Count("opportunities", filter=Q(opportunities__in=open_ids)))
    items = [(process, board_url(process)) for process in processes]
    return render(
        request,
        "pipeline/process_list.html",
        {"items": items, "can_manage": is_manager(request.user)},
    )


# --------------------------------------------------------------------------- step list


def _step_list_queryset(user, process: Process):
    addresses = Prefetch("company__addresses", queryset=Address.objects.filter(is_default=True))
    progress = Prefetch(
        "step_progress", queryset=StepProgress.objects.only("id", "opportunity_id", "step_id")
    )
    return (
        Opportunity.objects.visible_to(user)
        .filter(process=process)
        .select_related("prospect", "prospect__company", "person", "company", "owner", "step")
        .prefetch_related(progress, addresses)
    )


def _tick_queryset():
    """The ticked opportunity with its process and what its row shows, in one read."""
    addresses = Prefetch("company__addresses", queryset=Address.objects.filter(is_default=True))
    return Opportunity.objects.select_related(
        "process", "prospect", "prospect__company", "person", "company", "owner"
    ).prefetch_related(addresses)


def _sort_key(value: str) -> str:
    return value if value.lstrip("-") in STEP_LIST_SORTS else "id"


def _ordering(sort: str) -> list[str]:
    fields = STEP_LIST_SORTS[sort.lstrip("-")]
    if not sort.startswith("-"):
        return list(fields)
    return [f[1:] if f.startswith("-") else f"-{f}" for f in fields]


@login_required
@require_GET
def pipeline_steps(request: HtmxHttpRequest, process_id: int):
    """PROSTEP's table: one row per opportunity, one check-box column per step."""
    process = process_or_404(request.user, process_id)
    steps = list(process.steps.order_by("position", "id"))
    may_modify = can_modify_process_opportunities(request.user, process)
    filterset = StepListFilter(
        request.GET or None,
        queryset=_step_list_queryset(request.user, process),
        process=process,
        step_count=len(steps),
    )
    sort = _sort_key(request.GET.get("sort", "id"))
    # Page over ids alone (the sort needs only its own joins), then load the page's rows with
    # everything the table shows: two cheap queries instead of joining every row to sort.
    ids = (
        filterset.qs.select_related(None)
        .prefetch_related(None)
        .order_by(*_ordering(sort))
        .values_list("pk", flat=True)
    )
    page = Paginator(ids, STEP_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page_ids = list(page.object_list)
    loaded = _step_list_queryset(request.user, process).in_bulk(page_ids)
    may_delete = can_delete_process_opportunities(request.user, process)
    ui = row_ui(request, process.pk, steps)
    rows = [
        step_row(
            loaded[pk],
            steps,
            user=request.user,
            may_modify=may_modify,
            ui=ui,
            may_delete=may_delete,
        )
        for pk in page_ids
    ]

    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    base = query.urlencode()
    # By key: the template groups some of them in one cell (name, first name and job title).
    columns = {}
    for key, label, num, title in STEP_LIST_COLUMNS:
        next_sort = f"-{key}" if sort == key else key
        columns[key] = {
            "label": label,
            "num": num,
            "title": title,
            "url": f"?{base + '&' if base else ''}sort={next_sort}",
            "dir": "asc" if sort == key else "desc" if sort == f"-{key}" else "",
        }
    context = {
        "process": process,
        "steps": steps,
        "rows": rows,
        "page": page,
        "filter": filterset,
        "sort": sort,
        "columns": columns,
        "may_modify": may_modify,
        "page_query": f"{base + '&' if base else ''}sort={sort}&",
        "board_url": board_url(process),
        "can_manage": can_manage_stages(request.user, process),
    }
    template = "pipeline/step_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#step-list-results"
    return render(request, template, context)


@login_required
@require_POST
def pipeline_step_toggle(
    request: HtmxHttpRequest, process_id: int, opportunity_id: int, step_id: int
):
    """Tick (done=1) or untick (done=0) a box in place; answers with the row.

    A few constant queries (issue 20): the opportunity is read once with its process and all its
    row shows, the process's rights in one more read (`process_rights_load`), and the service
    hands back the steps and boxes it read under its lock, so the row is drawn without a re-read."""
    opportunity = get_visible_or_404(
        _tick_queryset(), request.user, pk=opportunity_id, process_id=process_id
    )
    process = opportunity.process
    if not (process.active or is_manager(request.user)):
        raise Http404
    if not is_manager(request.user):
        process_rights_load(process)
    may_modify = can_modify_process_opportunities(request.user, process)
    if not (may_modify and can_change(request.user, opportunity)):
        raise PermissionDenied
    action = (
        step_services.step_complete
        if request.POST.get("done") == "1"
        else step_services.step_uncomplete
    )
    error = None
    try:
        written = action(
            opportunity_id=opportunity.pk,
            step_id=step_id,
            actor=request.user,
            expected_version=request.POST.get("version") or None,
            process=process,
        )
    except opportunity_services.MoveRefused as refusal:
        error = refusal.message
        written = None
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("pipeline_steps", args=[process.pk]))
    if written is None:  # refused: the row as it is now
        steps = list(process.steps.order_by("position", "id"))
        fresh = _step_list_queryset(request.user, process).get(pk=opportunity.pk)
        done = None
    else:
        steps, done, fresh = written.process_steps, written.done_step_ids, written
        for name in ("prospect", "person", "company", "owner"):
            setattr(fresh, name, getattr(opportunity, name))
        prospect = fresh.prospect
        if written.logged_line and prospect is not None:  # as the service's UPDATE wrote it
            line = written.logged_line
            prospect.notes = line if prospect.notes == "" else f"{prospect.notes}\n{line}"
    row = step_row(
        fresh,
        steps,
        user=request.user,
        may_modify=may_modify,
        ui=row_ui(request, process.pk, steps),
        may_delete=can_delete_process_opportunities(request.user, process),
        done=done,
    )
    response = HttpResponse(row.html)  # the row's <tr>, as the page draws it
    return with_message(response, error, "error") if error else response


@login_required
@require_POST
def pipeline_opportunity_delete(request: HtmxHttpRequest, process_id: int, opportunity_id: int):
    """Delete an opportunity of the step list into the trash (the process's delete right)."""
    process = process_or_404(request.user, process_id)
    opportunity = get_visible_or_404(
        Opportunity.objects.filter(process=process), request.user, pk=opportunity_id
    )
    if not (
        can_delete_process_opportunities(request.user, process)
        and can_change(request.user, opportunity)
    ):
        raise PermissionDenied
    try:
        opportunity_services.opportunity_trash(
            opportunity_id=opportunity.pk,
            actor=request.user,
            expected_version=request.POST.get("version") or None,
        )
    except opportunity_services.MoveRefused as refusal:
        if not request.htmx:
            messages.error(request, refusal.message)
            return redirect(reverse("pipeline_steps", args=[process.pk]))
        response = HttpResponse(status=200)
        response["HX-Reswap"] = "none"
        return with_message(response, refusal.message, "error")
    text = _("“%(summary)s” moved to the trash.") % {"summary": opportunity.summary}
    if not request.htmx:
        messages.success(request, text)
        return redirect(reverse("pipeline_steps", args=[process.pk]))
    return with_message(HttpResponse(""), text, "success")
