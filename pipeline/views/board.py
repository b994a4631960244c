"""The Kanban of a process (Gestan PROSPECTS' board, OpenFire's stages): columns, cards, moves
by drag and drop or by the keyboard menu, in-place dialogs, column settings."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from core.access import can_change
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.params import id_param, int_param, parse_int
from core.redirects import safe_next
from pipeline import selectors
from pipeline.models import LossReason, Opportunity, Process
from pipeline.rights import can_manage_stages, can_modify_process_opportunities
from pipeline.selectors import board_process_or_404, process_or_404
from pipeline.services import opportunities as opportunity_services
from pipeline.views.board_cards import cards_html

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
