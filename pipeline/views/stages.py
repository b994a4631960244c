from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap

from core.htmx import HtmxHttpRequest, close_modal, with_message
from pipeline.forms import StepCreateForm, StepForm
from pipeline.models import Process, Step
from pipeline.rights import can_manage_stages
from pipeline.selectors import process_or_404
from pipeline.services import opportunities as opportunity_services
from pipeline.services import stages as stage_services
from pipeline.views.board import (
    back_to_board,
    board_filters,
    board_oob,
    filtered_board_url,
    leave_dialog,
)

FOLDED_VALUES = {"1": True, "0": False}


FOLDED_REQUIRED = "folded must be 1 or 0"


COLUMN_FOLDED = _("Column “{column}” folded.")


COLUMN_UNFOLDED = _("Column “{column}” unfolded.")


def _stage_manager(request, process: Process) -> None:
    if not can_manage_stages(request.user, process):
        raise PermissionDenied


def _column_of(process: Process, step_id: int) -> Step:
    return get_object_or_404(Step, pk=step_id, process=process)


def _step_dialog(
    request, process: Process, form, step: Step | None, filters: QueryDict
) -> HttpResponse:
    """The column form: in the dialog for htmx, as a page of its own otherwise."""
    context = {
        "form": form,
        "process": process,
        "step": step,
        "query": filters.urlencode(),
        "board_url": filtered_board_url(process, filters),
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
        return back_to_board(request, process)
    response = HttpResponse(board_oob(request, process, filters))
    if modal:
        leave_dialog(response)
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
    filters = board_filters(request.GET)
    form = StepCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stage_services.step_create(
                process_id=process.pk, actor=request.user, **form.cleaned_data
            )
        except opportunity_services.StepRefused as refusal:
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
    filters = board_filters(request.GET)
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            stage_services.step_update(step_id=step.pk, actor=request.user, **form.cleaned_data)
        except opportunity_services.StepRefused as refusal:
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
    stage_services.step_set_folded(step_id=step.pk, actor=request.user, folded=FOLDED_VALUES[value])
    text = str(COLUMN_FOLDED if FOLDED_VALUES[value] else COLUMN_UNFOLDED).format(column=step.label)
    # On the board the column itself shows the change: no toast.
    return _column_changed(request, process, board_filters(request.GET), text, toast=False)


@login_required
@require_POST
def board_step_delete(request: HtmxHttpRequest, process_id: int, step_id: int) -> HttpResponse:
    """Delete a column; refused while any opportunity is in it (inactive and trashed ones
    included): the board stays as it is and the message shows."""
    process = process_or_404(request.user, process_id)
    _stage_manager(request, process)
    step = _column_of(process, step_id)
    try:
        stage_services.step_delete(step_id=step.pk, actor=request.user)
    except opportunity_services.StepRefused as refusal:
        if not request.htmx:
            messages.error(request, refusal.message)
            return back_to_board(request, process)
        return with_message(reswap(HttpResponse(""), "none"), refusal.message, "error")
    return _column_changed(request, process, board_filters(request.GET), _("Column deleted."))
