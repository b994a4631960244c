"""The company card's "representatives by product family" panel (loaded by htmx in the
card's Management tab): the list, and for those who may change the company, the add form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from catalogue.models import ProductFamily
from catalogue.reps import FamilyRep, family_rep_add, family_rep_remove
from contacts.models import Company
from core.access import can_change, get_changeable_or_403, get_visible_or_404
from core.htmx import HtmxHttpRequest
from core.users import active_users, user_label


class FamilyRepForm(forms.Form):
    family = forms.ModelChoiceField(
        label=gettext_lazy("Product family"), queryset=ProductFamily.objects.all()
    )
    user = forms.ModelChoiceField(label=gettext_lazy("Representative"), queryset=None)
    role = forms.CharField(label=gettext_lazy("Role"), max_length=80, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_users()
        self.fields["user"].label_from_instance = user_label


def _management_tab(company) -> str:
    return f"{company.get_absolute_url()}?tab=management"


@login_required
@require_http_methods(["GET", "POST"])
def company_family_reps(request: HtmxHttpRequest, pk: int):
    """GET: the panel; POST: add a representative for a family (who may change the company)."""
    if request.method == "POST":
        company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    else:
        company = get_visible_or_404(Company.objects.all(), request.user, pk=pk)
    form = FamilyRepForm(request.POST or None, auto_id="family-rep-%s")
    if request.method == "POST":
        if form.is_valid():
            try:
                family_rep_add(company=company, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Representative added."))
        else:
            messages.error(request, _("Choose a product family and a representative."))
        return redirect(_management_tab(company))
    reps = FamilyRep.objects.filter(company=company).select_related("family", "user")
    return render(
        request,
        "catalogue/_family_reps.html",
        {
            "company": company,
            "reps": reps,
            "form": form,
            "can_edit": can_change(request.user, company),
            "has_families": ProductFamily.objects.exists(),
        },
    )


@login_required
@require_POST
def family_rep_delete(request: HtmxHttpRequest, pk: int):
    rep = get_object_or_404(FamilyRep, pk=pk)
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=rep.company_id)
    family_rep_remove(rep=rep, actor=request.user)
    messages.success(request, _("Representative removed."))
    return redirect(_management_tab(company))
