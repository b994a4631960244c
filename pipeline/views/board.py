"""The Kanban of a process (Gestan PROSPECTS' board, OpenFire's stages): columns, cards, moves
by drag and drop or by the keyboard menu, in-place dialogs, column settings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from core.access import can_change, change_reach
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.icons import task_icon
from core.params import id_param, int_param, parse_int
from core.redirects import safe_next
from core.rows import url_format
from core.templatetags.core_tags import icon
from core.users import user_label
from pipeline import selectors
from pipeline.models import LossReason, Opportunity, Process
from pipeline.rights import can_manage_stages, can_modify_process_opportunities
from pipeline.selectors import board_process_or_404, process_or_404
from pipeline.services import opportunities as opportunity_services

NOT_FOUND = _("This opportunity no longer exists or is no longer visible to you.")
UNKNOWN_COLUMN = _("This column no longer exists; the board was reloaded.")
MOVED_ELSEWHERE = _("Moved; the process's rules placed it in “{column}”.")
FILTER_PARAMS = ("q", "owner", "category")


def board_url(process: Process | None = None) -> str:
    """The Kanban of `process`, else of the default process (the process list without one)."""
    process = process or Process.objects.filter(is_default=True).only("pk").first()
    if process is None:
        return reverse("pipeline_list")
    return reverse("pipeline_board", args=[process.pk])


def board_filters(data: QueryDict) -> QueryDict:
    """The board's filters carried by a request (GET or POST), as a GET-like QueryDict."""
    kept = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        if data.get(name):
            kept[name] = data[name]
    return kept


def board_context(request, process: Process, steps, filters: QueryDict) -> dict:
    return {
        "process": process,
        "steps": steps,
        "query": filters.urlencode(),
        "can_manage_stages": can_manage_stages(request.user, process),
        "can_modify": can_modify_process_opportunities(request.user, process),
    }


# --------------------------------------------------------------------------- cards

# What every card says and links to is made once per request, not once per card: with the
# texts, links and numbers left to the template, 84 cards cost 763 {% translate %}, 332
# {% url %} and 2,659 localize calls, most of the board's time.
CARD_TEXTS = {
    "important": _("Important"),
    "colleague_task": _("Task of a colleague"),
    "colleague_task_help": _("A colleague’s task you may not read: only its time shows."),
    "no_action": _("No action planned"),
    "open_prospect": _("Open the prospect card"),
    "open_company": _("Open the company card"),
    "edit_task": _("Edit the displayed task"),
    "create_task": _("Create a task"),
    "move_to": _("Move to…"),
}


def card_ui(request) -> dict:
    """The texts, icons and URL patterns the cards share, made once per request."""
    cached = getattr(request, "_board_card_ui", None)
    if cached is not None:
        return cached
    texts = {key: str(text) for key, text in CARD_TEXTS.items()}
    ui = texts | {
        "flag": icon("flag", label=texts["important"]),
        "prospect_icon": icon("target", label=texts["open_prospect"]),
        "company_icon": icon("building-2", label=texts["open_company"]),
        "edit_icon": icon("pencil", label=texts["edit_task"]),
        "create_icon": icon("calendar-plus", label=texts["create_task"]),
        "move_icon": icon("arrow-left-right", label=texts["move_to"]),
        "opportunity_url": url_format("opportunity_detail"),
        "prospect_url": url_format("prospect_detail"),
        "company_url": url_format("company_detail"),
        "task_url": url_format("task_edit"),
        "task_create_url": reverse("task_create") + "?opportunity={}",
        # Whole euros grouped as `core.numbers.format_decimal` groups them ("20 000" in
        # French), its separator read once rather than per card.
        "thousands": formats.get_format("THOUSAND_SEPARATOR", use_l10n=True),
        "task_icons": {},
        "owners": {},
        "this_year": timezone.localdate().year,
    }
    # Escaped once here rather than on every card.
    ui |= {key: escape(text) for key, text in texts.items()}
    request._board_card_ui = ui
    return ui


def _initials(owner) -> str:
    if owner.first_name or owner.last_name:
        return (owner.first_name[:1] + owner.last_name[:1]).upper()
    return owner.username[:2].upper()


# A card's HTML, written by `card_html` from these fixed pieces: one `format_html` per card,
# its format string the pieces the card needs, every value escaped by `format_html`. The
# board draws up to 2,000 cards; as a template, each cost ~40 variables and 12 `if`s.
_CARD_OPEN = (
    '\n<article class="kanban-card" id="card-{key}" tabindex="0"\n'
    '         data-opportunity="{key}" data-version="{version}"'
)
_CARD_OPEN_IMPORTANT = _CARD_OPEN.replace('"kanban-card"', '"kanban-card important"')
_CARD_MOVABLE = " data-movable"
_CARD_TOP = (
    ' aria-label="{label}">\n'
    '  <div class="kc-top">\n'
    '    <a class="kc-summary" href="{url}" draggable="false">{summary}</a>\n'
)
_CARD_FLAG = '    <span class="kc-flag" title="{ui_important}">{ui_flag}</span>\n'
_CARD_WHO = {
    (True, True): '  <div class="kc-who small"><strong>{company}</strong> · {person}</div>\n',
    (True, False): '  <div class="kc-who small"><strong>{company}</strong></div>\n',
    (False, True): '  <div class="kc-who small">{person}</div>\n',
}
_CARD_TASK = '    <span class="kc-task">{task_icon} {task_title}</span>\n'
_CARD_COLLEAGUE_TASK = (
    '    <span class="kc-task"><span class="muted" title="{ui_colleague_task_help}">'
    "{ui_colleague_task}</span></span>\n"
)
_CARD_TIME = (
    '    <time class="badge colour-{colour_class}" datetime="{action_iso}" title="{action_full}"'
    ' data-colour="{colour}">{action_text}</time>\n'
    "  </div>\n"
)
_CARD_NO_ACTION = '  <div class="kc-action small muted">{ui_no_action}</div>\n'
_CARD_META = (
    '  <div class="kc-meta small">\n'
    '    <span class="kc-amount">{amount}</span>\n'
    '    <span class="kc-probability muted">{probability}</span>\n'
)
_CARD_OWNER = '    <span class="avatar kc-owner" title="{owner_name}">{owner_initials}</span>\n'
_CARD_PROSPECT = (
    '    <a class="icon-btn" href="{prospect_url}" title="{ui_open_prospect}" draggable="false">'
    "{ui_prospect_icon}</a>\n"
)
_CARD_COMPANY = (
    '    <a class="icon-btn" href="{company_url}" title="{ui_open_company}" draggable="false">'
    "{ui_company_icon}</a>\n"
)
_CARD_EDIT_TASK = (
    '    <button type="button" class="icon-btn" title="{ui_edit_task}"\n'
    '        hx-get="{task_url}" data-task-for="{key}" hx-target="#modal-body">{ui_edit_icon}</button>\n'
)
_CARD_CREATE_TASK = (
    '    <button type="button" class="icon-btn" title="{ui_create_task}"\n'
    '        hx-get="{task_create_url}" data-task-for="{key}" hx-target="#modal-body">'
    "{ui_create_icon}</button>\n"
)
_CARD_MOVE = (
    '    <button type="button" class="icon-btn kc-move" aria-haspopup="menu" aria-expanded="false"'
    ' data-move-menu title="{ui_move_to}">{ui_move_icon}</button>\n'
)


def card_html(card, ui: dict, reach, user) -> str:
    """One card's HTML (`_CARD_*`), for the board, "load more", a move's answer and a card's
    refresh alike. `ui`: `card_ui`; `reach`: the user's `change_reach`, read once."""
    company, person = card.display_company, card.display_person
    task = getattr(card, "next_task", None)
    amount = int(Decimal(card.amount or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    key = card.pk
    values = {
        "key": key,
        "version": card.version,
        "label": f"{card.summary}, {company}" if company else card.summary,
        "url": ui["opportunity_url"].format(key),
        "summary": card.summary,
        "amount": f"{amount:,}\u00a0€".replace(",", ui["thousands"]),
        "probability": f"{card.probability}\u00a0%",
    }
    parts = [_CARD_OPEN_IMPORTANT if card.is_important else _CARD_OPEN]
    if card.movable:
        parts.append(_CARD_MOVABLE)
    parts.append(_CARD_TOP)
    if card.is_important:
        parts.append(_CARD_FLAG)
        values |= {"ui_important": ui["important"], "ui_flag": ui["flag"]}
    parts.append("  </div>\n")
    if company or person:
        parts.append(_CARD_WHO[bool(company), bool(person)])
        values |= {"company": company, "person": person}
    if card.next_action_at:
        parts.append('  <div class="kc-action small">\n')
        if task:
            name = task_icon(task.get("icon") or "")
            task_icons = ui["task_icons"]
            if name not in task_icons:
                task_icons[name] = icon(name)
            parts.append(_CARD_TASK)
            values |= {"task_icon": task_icons[name], "task_title": task["title"]}
        else:
            parts.append(_CARD_COLLEAGUE_TASK)
            values |= {
                "ui_colleague_task_help": ui["colleague_task_help"],
                "ui_colleague_task": ui["colleague_task"],
            }
        at = timezone.localtime(card.next_action_at)
        parts.append(_CARD_TIME)
        values |= {
            "colour_class": card.action_colour or "none",
            "colour": card.action_colour,
            "action_iso": at.isoformat(),
            "action_full": at.strftime("%d/%m/%Y %H:%M"),
            # The year only when it is not this one: narrow columns keep the time on one line.
            "action_text": at.strftime("%d/%m %H:%M" if at.year == ui["this_year"] else "%d/%m/%Y"),
        }
    else:
        parts.append(_CARD_NO_ACTION)
        values["ui_no_action"] = ui["no_action"]
    parts.append(_CARD_META)
    if card.owner_id:
        owners = ui["owners"]
        if card.owner_id not in owners:
            # Escaped once per owner rather than on each of their cards.
            owners[card.owner_id] = (
                escape(_initials(card.owner)),
                escape(user_label(card.owner)),
            )
        initials, name = owners[card.owner_id]
        if initials:
            parts.append(_CARD_OWNER)
            values |= {"owner_initials": initials, "owner_name": name}
    parts.append('  </div>\n  <div class="kc-actions">\n')
    if card.prospect_id:
        parts.append(_CARD_PROSPECT)
        values |= {
            "prospect_url": ui["prospect_url"].format(card.prospect_id),
            "ui_open_prospect": ui["open_prospect"],
            "ui_prospect_icon": ui["prospect_icon"],
        }
    elif card.company_id:
        parts.append(_CARD_COMPANY)
        values |= {
            "company_url": ui["company_url"].format(card.company_id),
            "ui_open_company": ui["open_company"],
            "ui_company_icon": ui["company_icon"],
        }
    if reach.admits(user, card.owner_id):
        if task:
            parts.append(_CARD_EDIT_TASK)
            values |= {
                "task_url": ui["task_url"].format(task["id"]),
                "ui_edit_task": ui["edit_task"],
                "ui_edit_icon": ui["edit_icon"],
            }
        parts.append(_CARD_CREATE_TASK)
        values |= {
            "task_create_url": ui["task_create_url"].format(key),
            "ui_create_task": ui["create_task"],
            "ui_create_icon": ui["create_icon"],
        }
    if card.movable:
        parts.append(_CARD_MOVE)
        values |= {"ui_move_to": ui["move_to"], "ui_move_icon": ui["move_icon"]}
    parts.append("  </div>\n</article>\n")
    return format_html("".join(parts), **values)


def cards_html(request, cards) -> str:
    """The cards' HTML, one after the other (`card_html`): the one home of a card's markup."""
    ui = card_ui(request)
    user = request.user
    reach = change_reach(user)
    return format_html_join("", "{}", ((card_html(card, ui, reach, user),) for card in cards))


# --------------------------------------------------------------------------- board


@login_required
@require_GET
def pipeline_board(request: HtmxHttpRequest, process_id: int) -> HttpResponse:
    process, processes = board_process_or_404(request.user, process_id)
    steps = selectors.board_steps(process)
    filters = board_filters(request.GET)
    columns, board_filter = selectors.board_columns(
        process=process, user=request.user, filters=filters, steps=steps
    )
    for column in columns:
        column.cards_html = cards_html(request, column.cards)
    context = board_context(request, process, steps, filters) | {
        "columns": columns,
        "filter": board_filter,
        "processes": processes,
    }
    template = "pipeline/board.html"
    if request.htmx and not request.htmx.boosted and request.htmx.target == "board":
        template += "#board"
    return render(request, template, context)


@login_required
@require_GET
def board_column(request: HtmxHttpRequest, process_id: int, key: str) -> HttpResponse:
    """ "Load more": the next cards of one column, and the button for the page after."""
    process, steps = selectors.process_steps_or_404(request.user, process_id)
    if key not in {str(s.pk) for s in steps} | {selectors.WON, selectors.LOST}:
        raise PermissionDenied
    offset = int_param(request.GET, "offset", 0, clamp=True)
    filters = board_filters(request.GET)
    cards, more = selectors.column_page(
        process=process,
        user=request.user,
        key=key,
        filters=filters,
        offset=offset,
        first_step_id=steps[0].pk if steps else None,
    )
    context = board_context(request, process, steps, filters) | {
        "cards_html": cards_html(request, cards),
        "key": key,
        "more": more,
        "next_offset": offset + len(cards),
    }
    return render(request, "pipeline/_board_cards_page.html", context)


@login_required
@require_GET
def board_card(request: HtmxHttpRequest, process_id: int, opportunity_id: int) -> HttpResponse:
    """One card, re-rendered after a task dialog changed what it shows; a 404 for a card the
    user may not see (or not on this process's board), as for any record."""
    process = process_or_404(request.user, process_id)
    card = selectors.card_of(process=process, user=request.user, opportunity_id=opportunity_id)
    if card is None:
        raise Http404
    return HttpResponse(cards_html(request, [card]))


# --------------------------------------------------------------------------- moves


def render_columns(request, process, steps, keys, filters) -> str:
    """Whole columns, swapped out of band: after a refusal on stale data they show where the
    cards really are."""
    parts = []
    valid = {str(s.pk) for s in steps} | {selectors.WON, selectors.LOST}
    context = board_context(request, process, steps, filters)
    for key in dict.fromkeys(k for k in keys if k in valid):
        column = selectors.column_of(
            process=process, user=request.user, key=key, filters=filters, steps=steps
        )
        column.cards_html = cards_html(request, column.cards)
        parts.append(
            render_to_string(
                "pipeline/board.html#column", context | {"column": column, "oob": True}, request
            )
        )
    return "".join(parts)


def render_headers(request, process, steps, keys, filters) -> str:
    valid = {str(s.pk) for s in steps} | {selectors.WON, selectors.LOST}
    keys = [key for key in keys if key in valid]
    columns = selectors.headers_of(
        process=process, user=request.user, keys=keys, filters=filters, steps=steps
    )
    context = board_context(request, process, steps, filters)
    return "".join(
        render_to_string(
            "pipeline/board.html#column-header", context | {"column": column, "oob": True}, request
        )
        for column in columns
    )


def _refused(request, process, steps, *, opportunity_id, message, keys, filters) -> HttpResponse:
    """The card goes back where it was (board.js on `board:refused`) and the message shows;
    `keys` are columns to re-render because the data changed under the user."""
    response = HttpResponse(render_columns(request, process, steps, keys, filters) if keys else "")
    reswap(response, "none")
    trigger_client_event(response, "board:refused", {"opportunity": opportunity_id})
    if request.POST.get("via") == "dialog":
        close_modal(response)
    return with_message(response, message, "error")


class LossForm(forms.Form):
    loss_reason = forms.ModelChoiceField(
        label=_("Loss reason"), queryset=LossReason.objects.all(), empty_label=_("Choose…")
    )


@login_required
@require_POST
def board_move(request: HtmxHttpRequest, process_id: int) -> HttpResponse:
    """One drop (or a choice in the "Move to…" menu): calls the one move service, which
    applies every rule, and answers with the card and both columns' totals. The service
    reads the card once, locked, with the positions of its new neighbours (`prev`, `next`)."""
    process, steps = selectors.process_steps_or_404(request.user, process_id)
    filters = board_filters(request.GET)
    data = request.POST
    key = data.get("column", "")
    from_key = data.get("from", "")
    opportunity_id = id_param(data, "opportunity") or 0
    step = next((s for s in steps if str(s.pk) == key), None)
    if step is None and key not in (selectors.WON, selectors.LOST):
        return _refused(
            request,
            process,
            steps,
            opportunity_id=opportunity_id,
            message=UNKNOWN_COLUMN,
            keys=[from_key, *_current_keys(request, process, opportunity_id)],
            filters=filters,
        )

    loss_reason = None
    if key == selectors.LOST and data.get("via") == "dialog":
        form = LossForm(data)
        if not form.is_valid():
            opportunity = get_object_or_404(
                Opportunity.objects.visible_to(request.user).filter(process=process),
                pk=opportunity_id,
            )
            response = render(
                request,
                "pipeline/board.html#loss-dialog",
                {
                    "form": form,
                    "opportunity": opportunity,
                    "process": process,
                    "move": data,
                    "query": filters.urlencode(),
                },
            )
            return reswap(retarget(response, "#modal-body"), "innerHTML")
        loss_reason = form.cleaned_data["loss_reason"]

    try:
        moved = opportunity_services.opportunity_move(
            opportunity_id=opportunity_id,
            actor=request.user,
            to_step=step,
            to_status={
                selectors.WON: Opportunity.Status.WON,
                selectors.LOST: Opportunity.Status.LOST,
            }.get(key),
            loss_reason=loss_reason,
            expected_version=data.get("version", ""),
            after=parse_int(data.get("prev", ""), min_value=1),
            before=parse_int(data.get("next", ""), min_value=1),
            process=process,
            steps=steps,
        )
    except Opportunity.DoesNotExist:
        return _refused(
            request,
            process,
            steps,
            opportunity_id=opportunity_id,
            message=NOT_FOUND,
            keys=[from_key, key],
            filters=filters,
        )
    except opportunity_services.MoveRefused as refusal:
        # Stale: someone moved it meanwhile, so the columns involved are shown as they now are.
        current = refusal.conflict.current if refusal.conflict else None
        keys = [from_key, key, selectors.column_key_of(current)] if current else []
        return _refused(
            request,
            process,
            steps,
            opportunity_id=opportunity_id,
            message=refusal.message,
            keys=keys,
            filters=filters,
        )

    real_key = selectors.column_key_of(moved)
    if real_key != key:
        # An automation rule took it further: show every column involved as it now is.
        response = HttpResponse(
            render_columns(request, process, steps, [from_key, key, real_key], filters)
        )
        reswap(response, "none")
        trigger_client_event(response, "board:moved", {"opportunity": moved.pk})
        column_label = next(
            (s.label for s in steps if str(s.pk) == real_key), moved.get_status_display()
        )
        with_message(response, str(MOVED_ELSEWHERE).format(column=column_label), "info")
    else:
        card = selectors.card_of(process=process, user=request.user, opportunity_id=moved.pk)
        html = cards_html(request, [card])
        html += render_headers(request, process, steps, [from_key, key], filters)
        response = HttpResponse(html)
        trigger_client_event(response, "board:moved", {"opportunity": moved.pk})
    if data.get("via") == "dialog":
        close_modal(response)
    return response


def _current_keys(request, process: Process, opportunity_id: int) -> list[str]:
    """The column a card the user may see is in now (for a refusal's re-render)."""
    opportunity = (
        Opportunity.objects.visible_to(request.user)
        .filter(process=process, pk=opportunity_id)
        .only("status", "step_id")
        .first()
    )
    return [selectors.column_key_of(opportunity)] if opportunity else []


@login_required
@require_GET
def board_lost(request: HtmxHttpRequest, process_id: int, opportunity_id: int) -> HttpResponse:
    """The loss-reason dialog opened by a drop on Lost; its form posts to the move."""
    process = process_or_404(request.user, process_id)
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).filter(process=process), pk=opportunity_id
    )
    if not (
        can_modify_process_opportunities(request.user, process)
        and can_change(request.user, opportunity)
    ):
        raise PermissionDenied
    return render(
        request,
        "pipeline/board.html#loss-dialog",
        {
            "form": LossForm(),
            "opportunity": opportunity,
            "process": process,
            "move": request.GET,
            "query": board_filters(request.GET).urlencode(),
        },
    )


# --------------------------------------------------------------------------- dialogs


def leave_dialog(response: HttpResponse) -> HttpResponse:
    """A dialog's form succeeded: its out-of-band parts update the board and the dialog closes.
    The answer is aimed at the board, not at #modal-body, whose swap would open it again."""
    return reswap(retarget(response, "#board"), "none")


# --------------------------------------------------------------------------- columns


def board_oob(request, process: Process, filters: QueryDict) -> str:
    steps = selectors.board_steps(process)
    columns, board_filter = selectors.board_columns(
        process=process, user=request.user, filters=filters, steps=steps
    )
    for column in columns:
        column.cards_html = cards_html(request, column.cards)
    context = board_context(request, process, steps, filters) | {
        "columns": columns,
        "filter": board_filter,
        "oob": True,
    }
    return render_to_string("pipeline/board.html#board", context, request)


def filtered_board_url(process: Process, filters: QueryDict) -> str:
    url = reverse("pipeline_board", args=[process.pk])
    return f"{url}?{filters.urlencode()}" if filters else url


def back_to_board(request, process: Process) -> HttpResponse:
    """Where a POST sent without htmx goes back to: its `next` when it stays on this site,
    else the board with its filters."""
    return redirect(safe_next(request, filtered_board_url(process, board_filters(request.GET))))
