from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.access import can_change, get_changeable_or_403, get_visible_or_404
from core.conflicts import stale_response
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.versions import ConcurrentEdit
from pipeline.forms import (
    LineForm,
    OpportunityForm,
)
from pipeline.models import Opportunity, OpportunityLine
from pipeline.services import cards as card_services
from pipeline.services import lines as line_services
from pipeline.views.board import board_url


def _opportunity(request, pk: int) -> Opportunity:
    return get_visible_or_404(
        Opportunity.objects.select_related(
            "prospect",
            "process",
            "step",
            "owner",
            "loss_reason",
            "company",
            "person",
            "created_by",
            "updated_by",
        ),
        request.user,
        pk=pk,
    )


def _may_edit(user, opportunity: Opportunity) -> bool:
    """Its owner's right (`can_change`) and the process's modify right (PROSTEP "Modif")."""
    from pipeline.rights import can_modify_process_opportunities

    return can_change(user, opportunity) and can_modify_process_opportunities(
        user, opportunity.process
    )


def _changeable_opportunity(request, pk: int) -> Opportunity:
    opportunity = get_changeable_or_403(
        Opportunity.objects.select_related("process"), request.user, pk=pk
    )
    if not _may_edit(request.user, opportunity):
        raise PermissionDenied
    return opportunity


def _opportunity_context(request, opportunity, form=None, **extra) -> dict:
    may_change = _may_edit(request.user, opportunity)
    if form is not None and not may_change:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "opportunity": opportunity,
        "may_change": may_change,
        "form": form,
        "lines": opportunity.lines.all(),
        "line_form": LineForm(),
        "step_probability": card_services.probability_from_step(opportunity),
        "board_url": board_url(),
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_detail(request: HtmxHttpRequest, pk: int):
    """The opportunity card: project fields, status/step (through the process rules), lines."""
    from pipeline.services.opportunities import MoveRefused

    opportunity = _opportunity(request, pk)
    status = 200
    if request.method == "POST":
        if not _may_edit(request.user, opportunity):
            raise PermissionDenied
        if request.POST.get("action") == "follow_step":
            return _probability_follow_step(request, opportunity)
        form = OpportunityForm(request.POST, instance=opportunity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                card_services.opportunity_update(
                    opportunity_id=opportunity.pk,
                    actor=request.user,
                    data={k: data[k] for k in card_services.OPPORTUNITY_EDITABLE if k in data},
                    expected_version=data.get("version"),
                    to_status=data.get("status"),
                    to_step=data.get("step"),
                    loss_reason=data.get("loss_reason"),
                )
            except ConcurrentEdit as conflict:
                opportunity = _opportunity(request, pk)
                current = OpportunityForm(instance=opportunity)
                return stale_response(
                    request,
                    "prospects/opportunity_detail.html",
                    _opportunity_context(request, opportunity, form=current),
                    error=conflict,
                    typed=form,
                    current=current,
                )
            except MoveRefused as refused:
                form.add_error(None, refused.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(opportunity)
        status = 422
    else:
        form = OpportunityForm(instance=opportunity)
    return render(
        request,
        "prospects/opportunity_detail.html",
        _opportunity_context(request, opportunity, form=form),
        status=status,
    )


def _probability_follow_step(request, opportunity):
    """The card's "follow the step again" button: undoes a probability typed by hand."""
    try:
        card_services.opportunity_probability_follow_step(
            opportunity_id=opportunity.pk,
            actor=request.user,
            expected_version=request.POST.get("version") or None,
        )
    except ConcurrentEdit as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The probability follows the step again."))
    return redirect(opportunity)


def _lines_response(request, opportunity, line_form=None, status=200):
    opportunity.refresh_from_db()
    context = _opportunity_context(request, opportunity)
    if line_form is not None:
        context["line_form"] = line_form
    return render(
        request, "prospects/opportunity_detail.html#opportunity-lines", context, status=status
    )


@login_required
@require_POST
def opportunity_line_add(request: HtmxHttpRequest, pk: int):
    opportunity = _changeable_opportunity(request, pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            line_services.opportunity_line_add(
                opportunity_id=opportunity.pk, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
    if not request.htmx:
        if form.errors:
            messages.error(
                request, _("The line was not added: %(errors)s") % {"errors": form.errors.as_text()}
            )
        return redirect(opportunity)
    if form.errors:
        return _lines_response(request, opportunity, form)
    return with_message(_lines_response(request, opportunity), _("Line added."), "success")


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_line_edit(request: HtmxHttpRequest, pk: int):
    line = get_object_or_404(OpportunityLine, pk=pk)
    opportunity = _changeable_opportunity(request, line.opportunity_id)
    form = LineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        line_services.opportunity_line_update(
            line_id=line.pk, actor=request.user, data=form.cleaned_data
        )
        if request.htmx:
            return close_modal(_lines_response(request, opportunity))
        return redirect(opportunity)
    response = render(
        request,
        "prospects/line_form.html",
        {"form": form, "line": line, "opportunity": opportunity},
    )
    if request.htmx and request.method == "POST":
        response = reswap(retarget(response, "#modal-body"), "innerHTML")
    return response


@login_required
@require_POST
def opportunity_line_delete(request: HtmxHttpRequest, pk: int):
    line = get_object_or_404(OpportunityLine, pk=pk)
    opportunity = _changeable_opportunity(request, line.opportunity_id)
    line_services.opportunity_line_delete(line_id=line.pk, actor=request.user)
    if request.htmx:
        return with_message(_lines_response(request, opportunity), _("Line deleted."), "success")
    return redirect(opportunity)
