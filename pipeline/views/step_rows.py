"""The step list's rows (PROSTEP's table): what a row shows, and its HTML written once in Python
(`row_html`), for the page and for a tick's answer alike."""

from dataclasses import dataclass, field

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _

from contacts.models import Company
from core.access import can_change
from core.numbers import whole_amount
from core.rows import url_format
from core.templatetags.core_tags import icon
from core.users import user_label
from pipeline.clocks import days_since
from pipeline.models import Opportunity, Step


@dataclass
class StepCell:
    step_id: str
    done: bool


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
    # The row's <tr>, written by `row_html`.
    html: str = ""


# A row's HTML, written by `row_html` from these fixed pieces in one `format_html` per row (as
# `pipeline.views.board_cards.card_html` writes the Kanban's cards): as a template, its 12 check
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


def row_ui(request, process_id: int, steps: list[Step]) -> dict:
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


def row_html(row: "StepRow", ui: dict) -> str:
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
        parts.append(_ROW_AMOUNT)
        values["amount"] = whole_amount(opportunity.amount, ui["thousands"])
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
            "tick_url": f"{values['base_url']}{step_id}/",
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


def step_row(
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
    `row_ui`."""
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
    cells = [StepCell(step_id=str(step.pk), done=step.pk in done) for step in steps]
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
    row.html = row_html(row, ui)
    return row
