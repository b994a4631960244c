"""A company's bank details (the card's "Bank details" tab): add, edit (managers: the form
shows the whole IBAN), make default, delete. Reps see IBANs masked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contacts import banking
from contacts.banking import BankAccount
from contacts.forms import BankAccountForm
from contacts.models import Company
from core.access import get_changeable_or_403
from core.htmx import HtmxHttpRequest
from core.roles import is_manager


def _bank_tab(company) -> str:
    return f"{company.get_absolute_url()}?tab=bank"


def _form_page(request, form, company, account=None):
    title = _("Edit bank details") if account else _("Add bank details")
    return render(
        request,
        "contacts/simple_form.html",
        {"form": form, "title": title, "back": _bank_tab(company), "heading": company.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def bank_account_create(request: HtmxHttpRequest, pk: int):
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            banking.bank_account_create(company=company, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Bank details added."))
            return redirect(_bank_tab(company))
    return _form_page(request, form, company)


def _changeable_account(request, pk) -> BankAccount:
    account = get_object_or_404(BankAccount.objects.select_related("company"), pk=pk)
    get_changeable_or_403(Company.objects.all(), request.user, pk=account.company_id)
    return account


@login_required
@require_http_methods(["GET", "POST"])
def bank_account_edit(request: HtmxHttpRequest, pk: int):
    """Managers only: the form shows the IBAN whole (reps delete and add again)."""
    account = _changeable_account(request, pk)
    if not is_manager(request.user):
        raise PermissionDenied(_("Only managers may see and edit a whole IBAN."))
    form = BankAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            banking.bank_account_update(account=account, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Bank details saved."))
            return redirect(_bank_tab(account.company))
    return _form_page(request, form, account.company, account)


@login_required
@require_POST
def bank_account_default(request: HtmxHttpRequest, pk: int):
    account = _changeable_account(request, pk)
    banking.bank_account_set_default(account=account, actor=request.user)
    messages.success(request, _("Default bank account changed."))
    return redirect(_bank_tab(account.company))


@login_required
@require_POST
def bank_account_delete(request: HtmxHttpRequest, pk: int):
    account = _changeable_account(request, pk)
    banking.bank_account_delete(account=account, actor=request.user)
    messages.success(request, _("Bank details deleted."))
    return redirect(_bank_tab(account.company))
