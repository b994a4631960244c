"""Process pages: the list of processes and the step list (PROSTEP's table). The steps are
edited from the board's column headers (`pipeline.board`)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Address, Company
from core.access import can_change, get_visible_or_404
from core.htmx import HtmxHttpRequest, with_message
from core.roles import is_manager
from core.rows import url_format
from core.templatetags.core_tags import icon
from core.users import user_label
from pipeline.clocks import days_since
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


@dataclass
class StepCell:
    step_id: str
    label: str
    done: bool
    url: str


@dataclass
class StepRow:
    """One line of the step list, computed once so the template stays plain."""

    opportunity: Opportunity
    last_name: str
    first_name: str
    job_title: str
    company: str
    address: str
    comment: str
    nbj: int | None
    finished: bool
    customer: bool
    editable: bool
    deletable: bool
    owner: str
    cells: list = field(default_factory=list)
    # The row's context menu (PROSTEP): the next box to tick, the contact file to add a person
    # to (the company linked to the opportunity or its prospect), whether tasks may be added.
    next_cell: StepCell | None = None
    contact_company_id: int | None = None
    changeable: bool = False
    prospect_changeable: bool = False
    # The row's <tr>, written by `_row_html`.
    html: str = ""


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


# A row's HTML, written by `_row_html` from these fixed pieces in one `format_html` per row (as
# `pipeline.views.board.card_html` writes the Kanban's cards): as a template, its 12 check
# boxes and its context menu cost ~150 variables, tags and `{% url %}`s per row.
_ROW_OPEN = (
    '<tr id="opportunity-row-{key}" data-opportunity="{key}" class="row-{status}">\n'
    '    <td class="col-id"><a href="{url}" title="{summary}">{key}</a></td>\n'
    '    <td class="col-person"><div class="clip2" title="{last_name} {first_name}">'
    "<strong>{last_name}</strong> {first_name}</div>"
)
_ROW_JOB = '<div class="clip sub" title="{job_title}">{job_title}</div>'
_ROW_COMPANY = (
    '</td>\n    <td class="col-company"><div class="clip2" title="{company}">{company}</div>'
)
_ROW_ADDRESS = '<div class="clip sub" title="{address}">{address}</div>'
_ROW_PROBABILITY = '</td>\n    <td class="num nowrap" title="{probability_title}">{probability} %'
_ROW_MANUAL = '<span class="muted">*</span>'
_ROW_OWNER = '</td>\n    <td class="col-owner">{owner}</td>\n    <td class="num nowrap">'
_ROW_AMOUNT = "{amount} €"
_ROW_NBJ = (
    '</td>\n    <td class="num"><span class="badge colour-{colour_class}" data-colour="{colour}">'
    "{nbj}</span></td>\n    "
)
# One per step column (`%d` its index among the request's values), ticked or not.
_CELL_EDITABLE = (
    '<td class="step-cell" data-step="{step_%d}">'
    '<input type="checkbox"%s aria-label="{label_%d}" hx-post="{base_url}{step_%d}/"'
    ' hx-vals=\'{{"done": "%s", "version": "{version}"}}\''
    ' hx-target="#opportunity-row-{key}" hx-swap="outerHTML"></td>'
)
_CELL_READ_ONLY = (
    '<td class="step-cell" data-step="{step_%d}">'
    '<input type="checkbox"%s disabled aria-label="{label_%d}"></td>'
)
_ROW_OK = (
    '\n    <td class="col-ok"><span class="ok-cell {ok_class}" title="{ok_label}">{ok_inner}</span>'
)
_ROW_STATUS = ' <span class="badge">{status_label}</span>'
_ROW_MENU = (
    '</td>\n    <td class="col-comment"><div class="clip2" title="{comment}">{comment}</div></td>\n'
    '    <td class="col-menu"><details class="row-menu" data-row-menu>\n'
    '  <summary class="icon-btn" title="{menu_title}">{ui_menu_icon}</summary>\n'
    '  <div class="row-menu-panel" role="menu" aria-label="{summary}">\n'
    '    <a role="menuitem" href="{url}">{ui_open_icon} {ui_open}</a>\n'
)
_MENU_PROSPECT = (
    '    <a role="menuitem" href="{prospect_url}">{ui_prospect_icon} {ui_open_prospect}</a>\n'
)
_MENU_COMPANY = (
    '    <a role="menuitem" href="{company_url}">{ui_company_icon} {ui_open_company}</a>\n'
)
_MENU_TASK = (
    '    <a role="menuitem" href="{task_url}&amp;next={steps_url}" hx-get="{task_url}"'
    ' hx-target="#modal-body" data-row-task>{ui_task_icon} {ui_new_task}</a>\n'
)
_MENU_CONTACT = (
    '    <a role="menuitem" href="{contact_url}" data-row-contact>'
    "{ui_contact_icon} {ui_new_contact}</a>\n"
)
_MENU_ADD_TO_CONTACTS = (
    '    <form method="post" action="{add_url}">{csrf_input}'
    '<button role="menuitem" type="submit" data-row-contact>{ui_contact_icon} {ui_add_contacts}'
    "</button></form>\n"
)
_MENU_TICK = (
    '    <form method="post" action="{tick_url}" hx-post="{tick_url}"'
    ' hx-target="#opportunity-row-{key}" hx-swap="outerHTML">{csrf_input}'
    '<input type="hidden" name="done" value="1"><input type="hidden" name="version"'
    ' value="{version}"><button role="menuitem" type="submit" data-row-tick="{tick_step}">'
    "{ui_tick_icon} {tick_label}</button></form>\n"
)
_MENU_DELETE = (
    '    <form method="post" action="{delete_url}" hx-post="{delete_url}"'
    ' hx-target="#opportunity-row-{key}" hx-swap="outerHTML" hx-confirm="{delete_confirm}">'
    '{csrf_input}<input type="hidden" name="version" value="{version}">'
    '<button class="danger" role="menuitem" type="submit">{ui_trash_icon} {ui_trash}'
    "</button></form>\n"
)
_ROW_CLOSE = "  </div>\n</details></td>\n  </tr>"


def _row_ui(request, process_id: int, steps: list[Step]) -> dict:
    """What every row of one request shares: texts, icons and URL patterns, the step columns'
    pieces and values, the CSRF field; made once per request."""
    steps_url = reverse("pipeline_steps", args=[process_id])
    delete_url = reverse("pipeline_opportunity_delete", args=[process_id, 987654321])
    token = get_token(request)
    ok = {}
    for customer, finished in ((True, True), (True, False), (False, True), (False, False)):
        label = (
            _("customer created")
            if customer
            else _("process finished")
            if finished
            else _("in progress")
        )
        inner = (
            icon("check", label=label)
            if finished
            else format_html('<span class="visually-hidden">{}</span>', label)
        )
        css = "ok-customer" if customer else "ok-done" if finished else "ok-open"
        ok[customer, finished] = {"ok_class": css, "ok_label": label, "ok_inner": inner}
    steps_values = {}
    for i, step in enumerate(steps):
        steps_values[f"step_{i}"] = str(step.pk)
        steps_values[f"label_{i}"] = step.label
    return {
        "steps_url": steps_url,
        "opportunity_url": url_format("opportunity_detail"),
        "prospect_url": url_format("prospect_detail"),
        "company_url": url_format("company_detail"),
        "task_url": reverse("task_create") + "?opportunity={}",
        "contact_url": reverse("person_create") + "?company={}",
        "add_url": url_format("prospect_add_to_contacts"),
        "delete_url": delete_url.replace("987654321", "{}"),
        # Whole euros grouped as `floatformat:"0g"` groups them ("20 000" in French).
        "thousands": formats.get_format("THOUSAND_SEPARATOR", use_l10n=True),
        "statuses": {value: str(label) for value, label in Opportunity.Status.choices},
        "probability_titles": (_("from the step"), _("set by hand")),
        "ok": ok,
        "tick_labels": {s.pk: _("Tick “%(step)s”") % {"step": s.label} for s in steps},
        "cells": [
            {
                (editable, done): (
                    _CELL_EDITABLE % (i, " checked" if done else "", i, i, "0" if done else "1")
                )
                if editable
                else _CELL_READ_ONLY % (i, " checked" if done else "", i)
                for editable in (True, False)
                for done in (True, False)
            }
            for i in range(len(steps))
        ],
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
        ),
        # Escaped once here rather than on every row.
        "values": {
            key: conditional_escape(value)
            for key, value in (
                steps_values
                | {
                    "steps_url": steps_url,
                    "ui_menu_icon": icon("ellipsis-vertical", label=_("Actions")),
                    "ui_open_icon": icon("folder-open"),
                    "ui_open": _("Open the opportunity"),
                    "ui_prospect_icon": icon("user"),
                    "ui_open_prospect": _("Open the prospect card"),
                    "ui_company_icon": icon("building-2"),
                    "ui_open_company": _("Open the company card"),
                    "ui_task_icon": icon("plus"),
                    "ui_new_task": _("New task"),
                    "ui_contact_icon": icon("user-plus"),
                    "ui_new_contact": _("New contact in the company"),
                    "ui_add_contacts": _("Add the prospect to the contacts"),
                    "ui_tick_icon": icon("check"),
                    "ui_trash_icon": icon("trash-2"),
                    "ui_trash": _("Move to the trash"),
                }
            ).items()
        },
    }


def _row_html(row: "StepRow", ui: dict) -> str:
    """The row's <tr>: its cells, its check boxes and its context menu (static/js/step_list.js
    opens the menu on a right click too, moves through it with the arrow keys, closes it with
    Escape). Every value escaped by `format_html`."""
    opportunity = row.opportunity
    key = opportunity.pk
    summary = opportunity.summary
    values = dict(ui["values"])
    values |= {
        "key": key,
        "status": opportunity.status,
        "url": ui["opportunity_url"].format(key),
        "summary": summary,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "company": row.company,
        "probability_title": ui["probability_titles"][opportunity.probability_is_manual],
        "probability": opportunity.probability,
        "owner": row.owner or "—",
        "colour_class": opportunity.step_colour or "none",
        "colour": opportunity.step_colour,
        "nbj": "—" if row.nbj is None else row.nbj,
        "comment": row.comment,
        "menu_title": _("Actions on “%(summary)s”") % {"summary": summary},
        "version": opportunity.version,
    }
    parts = [_ROW_OPEN]
    if row.job_title:
        parts.append(_ROW_JOB)
        values["job_title"] = row.job_title
    parts.append(_ROW_COMPANY)
    if row.address:
        parts.append(_ROW_ADDRESS)
        values["address"] = row.address
    parts.append(_ROW_PROBABILITY)
    if opportunity.probability_is_manual:
        parts.append(_ROW_MANUAL)
    parts.append(_ROW_OWNER)
    if opportunity.amount:
        amount = int(Decimal(opportunity.amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        parts.append(_ROW_AMOUNT)
        values["amount"] = f"{amount:,}".replace(",", ui["thousands"])
    parts.append(_ROW_NBJ)
    cells = ui["cells"]
    editable = row.editable
    parts.extend(cells[i][editable, cell.done] for i, cell in enumerate(row.cells))
    if editable:
        values["base_url"] = f"{ui['steps_url']}{key}/"
    parts.append(_ROW_OK)
    values |= ui["ok"][row.customer, row.finished]
    if opportunity.status != Opportunity.Status.OPEN:
        parts.append(_ROW_STATUS)
        values["status_label"] = ui["statuses"][opportunity.status]
    parts.append(_ROW_MENU)
    if opportunity.prospect_id:
        parts.append(_MENU_PROSPECT)
        values["prospect_url"] = ui["prospect_url"].format(opportunity.prospect_id)
    elif opportunity.company_id:
        parts.append(_MENU_COMPANY)
        values["company_url"] = ui["company_url"].format(opportunity.company_id)
    if row.changeable:
        parts.append(_MENU_TASK)
        values["task_url"] = ui["task_url"].format(key)
    if row.contact_company_id:
        parts.append(_MENU_CONTACT)
        values["contact_url"] = ui["contact_url"].format(row.contact_company_id)
    elif (
        opportunity.prospect_id and row.prospect_changeable and not opportunity.prospect.company_id
    ):
        parts.append(_MENU_ADD_TO_CONTACTS)
        values["add_url"] = ui["add_url"].format(opportunity.prospect_id)
        values["csrf_input"] = ui["csrf_input"]
    if row.editable and row.next_cell:
        parts.append(_MENU_TICK)
        step_id = row.next_cell.step_id
        values |= {
            "tick_url": row.next_cell.url,
            "tick_step": step_id,
            "tick_label": ui["tick_labels"][int(step_id)],
            "csrf_input": ui["csrf_input"],
        }
    if row.deletable:
        parts.append(_MENU_DELETE)
        values |= {
            "delete_url": ui["delete_url"].format(key),
            "delete_confirm": _("Move “%(summary)s” to the trash?") % {"summary": summary},
            "csrf_input": ui["csrf_input"],
        }
    parts.append(_ROW_CLOSE)
    return format_html("".join(parts), **values)


def _row(
    opportunity: Opportunity,
    steps: list[Step],
    *,
    user,
    may_modify: bool,
    ui: dict,
    may_delete: bool = False,
    done: set[int] | None = None,
) -> StepRow:
    """`done`: the ids of the ticked steps when known, else read from the prefetch; `ui`:
    `_row_ui`."""
    prospect, person, company = opportunity.prospect, opportunity.person, opportunity.company
    if done is None:
        done = {p.step_id for p in opportunity.step_progress.all()}
    if prospect is not None:
        names = (
            prospect.last_name.upper(),
            prospect.first_name,
            prospect.job_title,
            prospect.company_name,
        )
        address = ", ".join(
            p for p in [prospect.address, f"{prospect.postal_code} {prospect.city}".strip()] if p
        )
        comment = prospect.first_note_line
        linked = prospect.company
    else:
        names = (
            person.last_name.upper() if person else "",
            person.first_name if person else "",
            person.job_title if person else "",
            company.name if company else "",
        )
        default = company.default_address if company else None
        address = str(default) if default else ""
        comment = (opportunity.project_notes or "").strip().split("\n", 1)[0]
        linked = company
    all_done = bool(steps) and all(s.pk in done for s in steps)
    changeable = can_change(user, opportunity)
    # Plain strings: 12 steps × 50 rows of localized numbers and URL reversals add up.
    base_url = f"{ui['steps_url']}{opportunity.pk}/"
    cells = [
        StepCell(
            step_id=str(step.pk),
            label=step.label,
            done=step.pk in done,
            url=f"{base_url}{step.pk}/",
        )
        for step in steps
    ]
    row = StepRow(
        opportunity=opportunity,
        last_name=names[0],
        first_name=names[1],
        job_title=names[2],
        company=names[3],
        address=address,
        comment=comment,
        nbj=days_since(opportunity.step_changed_at),
        finished=opportunity.status == Opportunity.Status.WON or all_done,
        customer=linked is not None and linked.kind == Company.Kind.CUSTOMER,
        editable=may_modify and changeable,
        deletable=may_delete and changeable,
        owner=user_label(opportunity.owner),
        cells=cells,
        # The first box left empty: in step-by-step mode the only one the tick accepts.
        next_cell=next((c for c in cells if not c.done), None)
        if opportunity.status == Opportunity.Status.OPEN
        else None,
        contact_company_id=linked.pk if linked is not None and can_change(user, linked) else None,
        prospect_changeable=prospect is not None and can_change(user, prospect),
        changeable=changeable,
    )
    row.html = _row_html(row, ui)
    return row


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
    ui = _row_ui(request, process.pk, steps)
    rows = [
        _row(
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
    response = render(
        request,
        "pipeline/step_list.html#step-row",
        {
            "row": _row(
                fresh,
                steps,
                user=request.user,
                may_modify=may_modify,
                ui=_row_ui(request, process.pk, steps),
                may_delete=can_delete_process_opportunities(request.user, process),
                done=done,
            ),
            "process": process,
            "steps": steps,
        },
    )
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
