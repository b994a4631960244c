"""The Kanban of a process (Gestan PROSPECTS' board, OpenFire's stages): columns, cards, moves
by drag and drop or by the keyboard menu, in-place dialogs, column settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from config.access import can_change
from config.htmx import HtmxHttpRequest, close_modal, with_message
from pipeline import board_selectors as selectors
from pipeline import services
from pipeline.forms import StepCreateForm, StepForm
from pipeline.models import Process, Step
from pipeline.rights import can_manage_stages, can_modify_process_opportunities
from pipeline.selectors import process_or_404
from prospects.models import LossReason, Opportunity, Prospect

NOT_FOUND = _("This opportunity no longer exists or is no longer visible to you.")
UNKNOWN_COLUMN = _("This column no longer exists; the board was reloaded.")
MOVED_ELSEWHERE = _("Moved; the process's rules placed it in “{column}”.")
FILTER_PARAMS = ("q", "owner", "category")
FOLDED_VALUES = {"1": True, "0": False}
FOLDED_REQUIRED = "folded must be 1 or 0"
COLUMN_FOLDED = _("Column “{column}” folded.")
COLUMN_UNFOLDED = _("Column “{column}” unfolded.")


def _filters(data: QueryDict) -> QueryDict:
    """The board's filters carried by a request (GET or POST), as a GET-like QueryDict."""
    kept = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        if data.get(name):
            kept[name] = data[name]
    return kept


def _base_context(request, process: Process, steps, filters: QueryDict) -> dict:
    return {
        "process": process,
        "steps": steps,
        "query": filters.urlencode(),
        "can_manage_stages": can_manage_stages(request.user, process),
        "can_modify": can_modify_process_opportunities(request.user, process),
    }


# --------------------------------------------------------------------------- board


@login_required
@require_GET
def pipeline_board(request: HtmxHttpRequest, process_id: int) -> HttpResponse:
    process = process_or_404(request.user, process_id)
    steps = selectors.board_steps(process)
    filters = _filters(request.GET)
    columns, board_filter = selectors.board_columns(
        process=process, user=request.user, filters=filters, steps=steps
    )
    context = _base_context(request, process, steps, filters) | {
        "columns": columns,
        "filter": board_filter,
        "processes": Process.objects.filter(active=True).only("pk", "name"),
    }
    template = "pipeline/board.html"
    if request.htmx and not request.htmx.boosted and request.htmx.target == "board":
        template += "#board"
    return render(request, template, context)


@login_required
@require_GET
def board_column(request: HtmxHttpRequest, process_id: int, key: str) -> HttpResponse:
    """ "Load more": the next cards of one column, and the button for the page after."""
    process = process_or_404(request.user, process_id)
    steps = selectors.board_steps(process)
    if key not in {str(s.pk) for s in steps} | {selectors.WON, selectors.LOST}:
        raise PermissionDenied
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    filters = _filters(request.GET)
    cards, more = selectors.column_page(
        process=process,
        user=request.user,
        key=key,
        filters=filters,
        offset=offset,
        first_step_id=steps[0].pk if steps else None,
    )
    context = _base_context(request, process, steps, filters) | {
        "cards": cards,
        "key": key,
        "more": more,
        "next_offset": offset + len(cards),
    }
    return render(request, "pipeline/_board_cards_page.html", context)


@login_required
@require_GET
def board_card(request: HtmxHttpRequest, process_id: int, opportunity_id: int) -> HttpResponse:
    """One card, re-rendered after a task dialog changed what it shows."""
    process = process_or_404(request.user, process_id)
    card = selectors.card_of(process=process, user=request.user, opportunity_id=opportunity_id)
    if card is None:
        return HttpResponse("")
    context = _base_context(request, process, [], _filters(request.GET)) | {"card": card}
    return render(request, "pipeline/board.html#card", context)


# --------------------------------------------------------------------------- moves


def _position(process: Process, prev_id: str, next_id: str) -> int | None:
    """Where the card lands: just after the card above it, or in place of the card below it
    (the service shifts the others); None at the end of the column."""
    ids = [int(v) for v in (prev_id, next_id) if v and v.isdigit()]
    if not ids:
        return None
    positions = dict(
        Opportunity.objects.filter(process=process, pk__in=ids).values_list("pk", "position")
    )
    if prev_id and prev_id.isdigit() and int(prev_id) in positions:
        return positions[int(prev_id)] + 1
    if next_id and next_id.isdigit() and int(next_id) in positions:
        return positions[int(next_id)]
    return None


def _render_columns(request, process, steps, keys, filters) -> str:
    """Whole columns, swapped out of band: after a refusal on stale data they show where the
    cards really are."""
    parts = []
    valid = {str(s.pk) for s in steps} | {selectors.WON, selectors.LOST}
    context = _base_context(request, process, steps, filters)
    for key in dict.fromkeys(k for k in keys if k in valid):
        column = selectors.column_of(
            process=process, user=request.user, key=key, filters=filters, steps=steps
        )
        parts.append(
            render_to_string(
                "pipeline/board.html#column", context | {"column": column, "oob": True}, request
            )
        )
    return "".join(parts)


def _render_headers(request, process, steps, keys, filters) -> str:
    columns = selectors.headers_of(
        process=process, user=request.user, keys=keys, filters=filters, steps=steps
    )
    context = _base_context(request, process, steps, filters)
    return "".join(
        render_to_string(
            "pipeline/board.html#column-header", context | {"column": column, "oob": True}, request
        )
        for column in columns
    )


def _refused(request, process, steps, *, opportunity_id, message, keys, filters) -> HttpResponse:
    """The card goes back where it was (board.js on `board:refused`) and the message shows;
    `keys` are columns to re-render because the data changed under the user."""
    response = HttpResponse(_render_columns(request, process, steps, keys, filters) if keys else "")
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
    applies every rule, and answers with the card and both columns' totals."""
    process = process_or_404(request.user, process_id)
    steps = selectors.board_steps(process)
    filters = _filters(request.GET)
    data = request.POST
    key = data.get("column", "")
    from_key = data.get("from", "")
    raw_id = data.get("opportunity", "")
    opportunity_id = int(raw_id) if raw_id.isdigit() else 0
    opportunity = (
        Opportunity.objects.visible_to(request.user)
        .filter(process=process, pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        return _refused(
            request,
            process,
            steps,
            opportunity_id=opportunity_id,
            message=NOT_FOUND,
            keys=[from_key, key],
            filters=filters,
        )
    original_key = selectors.column_key_of(opportunity)
    step = next((s for s in steps if str(s.pk) == key), None)
    if step is None and key not in (selectors.WON, selectors.LOST):
        return _refused(
            request,
            process,
            steps,
            opportunity_id=opportunity_id,
            message=UNKNOWN_COLUMN,
            keys=[from_key, original_key],
            filters=filters,
        )

    loss_reason = None
    if key == selectors.LOST and data.get("via") == "dialog":
        form = LossForm(data)
        if not form.is_valid():
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

    version = data.get("version", "")
    try:
        moved = services.opportunity_move(
            opportunity_id=opportunity.pk,
            actor=request.user,
            to_step=step,
            to_status={
                selectors.WON: Opportunity.Status.WON,
                selectors.LOST: Opportunity.Status.LOST,
            }.get(key),
            loss_reason=loss_reason,
            expected_version=version,
            position=_position(process, data.get("prev", ""), data.get("next", "")),
        )
    except services.MoveRefused as refusal:
        current = Opportunity.objects.filter(pk=opportunity.pk).first()
        stale = current is None or (version != "" and str(current.version) != version)
        keys = [from_key, key, selectors.column_key_of(current) if current else original_key]
        return _refused(
            request,
            process,
            steps,
            opportunity_id=opportunity.pk,
            message=refusal.message,
            keys=keys if stale else [],
            filters=filters,
        )

    real_key = selectors.column_key_of(moved)
    context = _base_context(request, process, steps, filters)
    if real_key != key:
        # An automation rule took it further: show every column involved as it now is.
        response = HttpResponse(
            _render_columns(request, process, steps, [original_key, key, real_key], filters)
        )
        reswap(response, "none")
        trigger_client_event(response, "board:moved", {"opportunity": moved.pk})
        column_label = next(
            (s.label for s in steps if str(s.pk) == real_key), moved.get_status_display()
        )
        with_message(response, str(MOVED_ELSEWHERE).format(column=column_label), "info")
    else:
        card = selectors.card_of(process=process, user=request.user, opportunity_id=moved.pk)
        html = render_to_string("pipeline/board.html#card", context | {"card": card}, request)
        html += _render_headers(request, process, steps, [original_key, key], filters)
        response = HttpResponse(html)
        trigger_client_event(response, "board:moved", {"opportunity": moved.pk})
    if data.get("via") == "dialog":
        close_modal(response)
    return response


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
            "query": _filters(request.GET).urlencode(),
        },
    )


# --------------------------------------------------------------------------- dialogs


def _leave_dialog(response: HttpResponse) -> HttpResponse:
    """A dialog's form succeeded: its out-of-band parts update the board and the dialog closes.
    The answer is aimed at the board, not at #modal-body, whose swap would open it again."""
    return reswap(retarget(response, "#board"), "none")


class OpportunityForm(forms.Form):
    summary = forms.CharField(label=_("Project summary"), max_length=200)
    prospect = forms.ModelChoiceField(
        label=_("Prospect"),
        queryset=Prospect.objects.none(),
        required=False,
        help_text=_("An existing prospect, or fill in a new one below."),
    )
    company_name = forms.CharField(label=_("New prospect: company"), max_length=200, required=False)
    last_name = forms.CharField(label=_("New prospect: last name"), max_length=100, required=False)
    first_name = forms.CharField(
        label=_("New prospect: first name"), max_length=100, required=False
    )
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    expected_date = forms.DateField(
        label=_("Expected date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    step = forms.ModelChoiceField(label=_("Column"), queryset=Step.objects.none(), empty_label=None)

    def __init__(self, *args, user, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prospect"].queryset = Prospect.objects.visible_to(user).order_by(
            "company_name", "last_name", "id"
        )
        self.fields["step"].queryset = process.steps.order_by("position", "id")

    def clean(self):
        data = super().clean()
        if not data.get("prospect") and not (data.get("company_name") or data.get("last_name")):
            raise forms.ValidationError(
                _("Choose a prospect or give the company or the last name of a new one.")
            )
        return data


def _new_prospect(*, actor, data) -> Prospect:
    from prospects import services as prospect_services

    return prospect_services.prospect_create(
        actor=actor,
        company_name=data["company_name"],
        last_name=data["last_name"],
        first_name=data["first_name"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def board_opportunity_create(request: HtmxHttpRequest, process_id: int) -> HttpResponse:
    """Gestan's "add an opportunity" button, in a chosen column, in a dialog."""
    process = process_or_404(request.user, process_id)
    if not can_modify_process_opportunities(request.user, process):
        raise PermissionDenied
    steps = selectors.board_steps(process)
    filters = _filters(request.GET)
    initial_step = next((s for s in steps if str(s.pk) == request.GET.get("column")), None)
    form = OpportunityForm(
        request.POST or None,
        user=request.user,
        process=process,
        initial={"step": initial_step or (steps[0] if steps else None)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The new prospect and its opportunity are created together or not at all.
            with transaction.atomic():
                prospect = data["prospect"] or _new_prospect(actor=request.user, data=data)
                opportunity = services.opportunity_create(
                    actor=request.user,
                    process=process,
                    step=data["step"],
                    prospect=prospect,
                    summary=data["summary"],
                    amount=data["amount"] or 0,
                    expected_date=data["expected_date"],
                )
        except services.MoveRefused as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            key = selectors.column_key_of(opportunity)
            response = HttpResponse(_render_columns(request, process, steps, [key], filters))
            _leave_dialog(response)
            close_modal(response)
            return with_message(response, _("Opportunity added."), "success")
    context = _base_context(request, process, steps, filters) | {"form": form}
    return render(request, "pipeline/board.html#opportunity-dialog", context)


# --------------------------------------------------------------------------- columns


def _board_oob(request, process: Process, filters: QueryDict) -> str:
    steps = selectors.board_steps(process)
    columns, board_filter = selectors.board_columns(
        process=process, user=request.user, filters=filters, steps=steps
    )
    context = _base_context(request, process, steps, filters) | {
        "columns": columns,
        "filter": board_filter,
        "oob": True,
    }
    return render_to_string("pipeline/board.html#board", context, request)


def _stage_manager(request, process: Process) -> None:
    if not can_manage_stages(request.user, process):
        raise PermissionDenied


def _column_of(process: Process, step_id: int) -> Step:
    return get_object_or_404(Step, pk=step_id, process=process)


def _board_url(process: Process, filters: QueryDict) -> str:
    url = reverse("pipeline_board", args=[process.pk])
    return f"{url}?{filters.urlencode()}" if filters else url


def _back(request, process: Process) -> HttpResponse:
    """Where a POST sent without htmx goes back to: its `next` when it stays on this site,
    else the board with its filters."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = _board_url(process, _filters(request.GET))
    return redirect(target)


def _step_dialog(
    request, process: Process, form, step: Step | None, filters: QueryDict
) -> HttpResponse:
    """The column form: in the dialog for htmx, as a page of its own otherwise."""
    context = {
        "form": form,
        "process": process,
        "step": step,
        "query": filters.urlencode(),
        "board_url": _board_url(process, filters),
    }
    if request.htmx:
        return render(request, "pipeline/board.html#step-dialog", context)
    return render(request, "pipeline/step_form.html", context)


def _column_changed(
    request, process: Process, filters: QueryDict, text, *, modal: bool = False, toast: bool = True
) -> HttpResponse:
    """A column was added, saved, folded or deleted: htmx gets the whole board out of band,
    a plain POST goes back with the message."""
    if not request.htmx:
        messages.success(request, text)
        return _back(request, process)
    response = HttpResponse(_board_oob(request, process, filters))
    if modal:
        _leave_dialog(response)
        close_modal(response)
    else:
        reswap(response, "none")
    return with_message(response, text, "success") if toast else response


@login_required
@require_http_methods(["GET", "POST"])
def board_step_create(request: HtmxHttpRequest, process_id: int) -> HttpResponse:
    """OpenFire's "add a new column"."""
    process = process_or_404(request.user, process_id)
    _stage_manager(request, process)
    filters = _filters(request.GET)
    form = StepCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_create(process_id=process.pk, actor=request.user, **form.cleaned_data)
        except services.StepRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _column_changed(request, process, filters, _("Column added."), modal=True)
    return _step_dialog(request, process, form, None, filters)


@login_required
@require_http_methods(["GET", "POST"])
def board_step_edit(request: HtmxHttpRequest, process_id: int, step_id: int) -> HttpResponse:
    """OpenFire's "edit the column": name, probability, duration, folded."""
    process = process_or_404(request.user, process_id)
    _stage_manager(request, process)
    step = _column_of(process, step_id)
    filters = _filters(request.GET)
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_update(step_id=step.pk, actor=request.user, **form.cleaned_data)
        except services.StepRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _column_changed(request, process, filters, _("Column saved."), modal=True)
    if form.is_bound:
        step.refresh_from_db()  # the form's validation wrote the posted values on it
    return _step_dialog(request, process, form, step, filters)


@login_required
@require_POST
def board_step_fold(request: HtmxHttpRequest, process_id: int, step_id: int) -> HttpResponse:
    """Fold (folded=1) or unfold (folded=0) a column. The client says which: a toggle of the
    value read before the row lock could undo a concurrent click."""
    process = process_or_404(request.user, process_id)
    _stage_manager(request, process)
    step = _column_of(process, step_id)
    value = request.POST.get("folded")
    if value not in FOLDED_VALUES:
        return HttpResponseBadRequest(FOLDED_REQUIRED)
    services.step_set_folded(step_id=step.pk, actor=request.user, folded=FOLDED_VALUES[value])
    text = str(COLUMN_FOLDED if FOLDED_VALUES[value] else COLUMN_UNFOLDED).format(column=step.label)
    # On the board the column itself shows the change: no toast.
    return _column_changed(request, process, _filters(request.GET), text, toast=False)


@login_required
@require_POST
def board_step_delete(request: HtmxHttpRequest, process_id: int, step_id: int) -> HttpResponse:
    """Delete a column; refused while any opportunity is in it (inactive and trashed ones
    included): the board stays as it is and the message shows."""
    process = process_or_404(request.user, process_id)
    _stage_manager(request, process)
    step = _column_of(process, step_id)
    try:
        services.step_delete(step_id=step.pk, actor=request.user)
    except services.StepRefused as refusal:
        if not request.htmx:
            messages.error(request, refusal.message)
            return _back(request, process)
        return with_message(reswap(HttpResponse(""), "none"), refusal.message, "error")
    return _column_changed(request, process, _filters(request.GET), _("Column deleted."))
