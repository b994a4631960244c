from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from contacts.models import Prospect
from core.forms import DATE_WIDGET, MoneyField
from core.htmx import HtmxHttpRequest, close_modal, with_message
from pipeline import selectors
from pipeline.models import Step
from pipeline.rights import can_modify_process_opportunities
from pipeline.selectors import process_or_404
from pipeline.services import opportunities as opportunity_services
from pipeline.views.board import (
    board_context,
    board_filters,
    leave_dialog,
    render_columns,
)


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
    amount = MoneyField(label=_("Amount"), required=False, min_value=0)
    expected_date = forms.DateField(label=_("Expected date"), required=False, widget=DATE_WIDGET)
    step = forms.ModelChoiceField(label=_("Column"), queryset=Step.objects.none(), empty_label=None)

    def __init__(self, *args, user, process, **kwargs):
        super().__init__(*args, **kwargs)
        # Only prospects the user may change: `opportunity_create` refuses the others.
        self.fields["prospect"].queryset = Prospect.objects.changeable_by(user).order_by(
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
    filters = board_filters(request.GET)
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
                opportunity = opportunity_services.opportunity_create(
                    actor=request.user,
                    process=process,
                    step=data["step"],
                    prospect=prospect,
                    summary=data["summary"],
                    amount=data["amount"] or 0,
                    expected_date=data["expected_date"],
                )
        except opportunity_services.MoveRefused as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            key = selectors.column_key_of(opportunity)
            response = HttpResponse(render_columns(request, process, steps, [key], filters))
            leave_dialog(response)
            close_modal(response)
            return with_message(response, _("Opportunity added."), "success")
    context = board_context(request, process, steps, filters) | {"form": form}
    return render(request, "pipeline/board.html#opportunity-dialog", context)
