from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, reswap, retarget

from core.access import can_change, get_changeable_or_403, get_visible_or_404
from core.conflicts import stale_response
from core.htmx import HtmxHttpRequest, close_modal, with_message
from core.numbers import format_decimal
from core.versions import ConcurrentEdit, parse_version
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
    lines = list(opportunity.lines.select_related("product"))
    context = {
        "opportunity": opportunity,
        "may_change": may_change,
        "form": form,
        "lines": lines,
        "lines_replace_amount": (
            line_services.LINES_REPLACE_AMOUNT
            % {"amount": format_decimal(opportunity.amount, decimal_places=2)}
            if not lines and opportunity.amount
            else ""
        ),
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


def _lines_response(request, opportunity, line_form=None, status=200, *, own_version=None):
    """The lines, and out of band the card's amount field (now the sum of the lines, read-only,
    or typed by hand again once the last line is gone). `own_version`: the version the card
    had just before this request's change, when the client saw that one; the card's form then
    gets the new version, as the only change since it was shown is the user's own."""
    opportunity.refresh_from_db()
    form = OpportunityForm(instance=opportunity)
    context = _opportunity_context(request, opportunity, form=form)
    if line_form is not None:
        context["line_form"] = line_form
    html = render_to_string(
        "prospects/opportunity_detail.html#opportunity-lines", context, request=request
    )
    context["oob"] = True
    html += render_to_string(
        "prospects/opportunity_detail.html#opportunity-amount", context, request=request
    )
    if own_version is not None:
        html += render_to_string(
            "prospects/opportunity_detail.html#opportunity-version", context, request=request
        )
    return HttpResponse(html, status=status)


def _moved_since_shown(opportunity: Opportunity) -> bool:
    """Whether the stored step, status or probability differ from `opportunity`'s (read
    before this request's change)."""
    stored = (
        Opportunity.objects.filter(pk=opportunity.pk)
        .values_list("step_id", "status", "probability")
        .first()
    )
    return stored != (opportunity.step_id, opportunity.status, opportunity.probability)


def _seen_version(request, opportunity_id: int) -> int | None:
    """The card's version before this request's change, when it is the one the client sent
    (read under the row's lock, inside the caller's transaction); None otherwise."""
    seen = parse_version(request.POST.get("version"))
    current = (
        Opportunity.objects.select_for_update()
        .filter(pk=opportunity_id)
        .values_list("version", flat=True)
        .first()
    )
    return current if seen is not None and seen == current else None


@login_required
@require_POST
def opportunity_line_add(request: HtmxHttpRequest, pk: int):
    opportunity = _changeable_opportunity(request, pk)
    form = LineForm(request.POST)
    own_version = None
    if form.is_valid():
        try:
            with transaction.atomic():
                own_version = _seen_version(request, opportunity.pk)
                line_services.opportunity_line_add(
                    opportunity_id=opportunity.pk, actor=request.user, data=form.cleaned_data
                )
        except ValidationError as error:
            own_version = None
            form.add_error(None, error)
    if not request.htmx:
        if form.errors:
            messages.error(
                request, _("The line was not added: %(errors)s") % {"errors": form.errors.as_text()}
            )
        return redirect(opportunity)
    if form.errors:
        return _lines_response(request, opportunity, form)
    if _moved_since_shown(opportunity):
        # A "line added" automation rule moved it: the card's step, status and probability are
        # stale, and saving them would undo the rule's move. The whole card is shown again.
        messages.success(request, _("Line added."))
        return HttpResponseClientRefresh()
    return with_message(
        _lines_response(request, opportunity, own_version=own_version), _("Line added."), "success"
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_line_edit(request: HtmxHttpRequest, pk: int):
    line = get_object_or_404(OpportunityLine, pk=pk)
    opportunity = _changeable_opportunity(request, line.opportunity_id)
    form = LineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                own_version = _seen_version(request, opportunity.pk)
                line_services.opportunity_line_update(
                    line_id=line.pk, actor=request.user, data=form.cleaned_data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return close_modal(_lines_response(request, opportunity, own_version=own_version))
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
    with transaction.atomic():
        own_version = _seen_version(request, opportunity.pk)
        line_services.opportunity_line_delete(line_id=line.pk, actor=request.user)
    if request.htmx:
        return with_message(
            _lines_response(request, opportunity, own_version=own_version),
            _("Line deleted."),
            "success",
        )
    return redirect(opportunity)
