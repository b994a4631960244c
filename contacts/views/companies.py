"""Companies (third parties): list, card, form, transformation into a customer, trash;
their addresses and representatives."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import selectors, services
from contacts.filters import CompanyFilter
from contacts.forms import (
    AddressForm,
    CompanyForm,
    CompanyRepForm,
    TransformForm,
)
from contacts.list_rows import company_rows, company_values
from contacts.models import (
    Address,
    Company,
    CompanyRep,
    PostalCode,
)
from contacts.views.shared import (
    COMPANY_TABS,
    PAGE_SIZE,
    query_without_page,
)
from core.access import (
    Reach,
    can_change,
    get_changeable_or_403,
    get_visible_or_404,
    view_reach,
)
from core.columns import columns_context
from core.conflicts import stale_response
from core.htmx import HtmxHttpRequest
from core.roles import is_manager
from core.sentences import sentence
from core.versions import ConcurrentEdit


@login_required
@require_GET
def company_list(request: HtmxHttpRequest):
    columns = columns_context(user=request.user, list_name="companies")
    shown = columns["shown"]
    visible = Company.objects.visible_to(request.user)
    filterset = CompanyFilter(request.GET or None, queryset=visible)
    query = request.GET.get("q", "")
    other_filters = any(value for key, value in request.GET.items() if key not in ("q", "page"))
    # The plain quick search needs no form: it is built (and validated) for other filters only.
    if other_filters and filterset.is_bound and filterset.is_valid():
        # Filters (the quick search among them) applied to the companies themselves.
        page = selectors.company_page(
            queryset=company_values(filterset.qs, shown),
            query="",
            page_number=request.GET.get("page"),
            per_page=PAGE_SIZE,
            scoped=True,
        )
    else:
        # The word index serves only users who see every company.
        scoped = view_reach(request.user) is not Reach.EVERYTHING
        page = selectors.company_page(
            queryset=company_values(visible, shown),
            query=query,
            page_number=request.GET.get("page"),
            per_page=PAGE_SIZE,
            scoped=scoped,
        )
    template = "contacts/company_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#rows"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "rows": company_rows(page.object_list, shown),
            "searched": bool(query),
            "query": query_without_page(request),
            **columns,
        },
    )


def _company_form_context(form, address_form=None, duplicates=None):
    return {"form": form, "address_form": address_form, "duplicates": duplicates or []}


def _split_errors(exc: ValidationError, form, address_form) -> None:
    """The service's errors on the fields of whichever form has them (the SIRET is the
    address's)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = address_form if name in address_form.fields and name not in form.fields else form
        target.add_error(name if name in target.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: HtmxHttpRequest):
    form = CompanyForm(request.POST or None, initial={"owner": request.user})
    address_form = AddressForm(
        request.POST or None, prefix="address", use_required_attribute=False, empty_permitted=True
    )
    del address_form.fields["is_default"]  # the first address is the default one
    duplicates = []
    if request.method == "POST" and form.is_valid() and address_form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.company_duplicates(
            name=data["name"],
            siren=data.get("siren", ""),
            email=data.get("email", ""),
            user=request.user,
        )
        if not duplicates or request.POST.get("confirm_duplicates"):
            address = (
                address_form.cleaned_data
                if address_form.has_changed() and address_form.cleaned_data.get("line1")
                else None
            )
            if address is not None:
                address = {k: v for k, v in address.items() if k != "is_default"}
            try:
                company = services.company_create(
                    actor=request.user,
                    data=data,
                    categories=data.get("categories") or (),
                    address=address,
                )
            except ValidationError as exc:
                _split_errors(exc, form, address_form)
            else:
                messages.success(request, _("Company %(name)s created.") % {"name": company.name})
                return redirect(company)
    return render(
        request, "contacts/company_form.html", _company_form_context(form, address_form, duplicates)
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HtmxHttpRequest, pk: int):
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    form = CompanyForm(
        request.POST or None, instance=company, initial={"categories": company.categories.all()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_update(
                company=company,
                actor=request.user,
                data=form.cleaned_data,
                version=form.cleaned_data.get("version"),
                categories=form.cleaned_data.get("categories"),
            )
        except ConcurrentEdit as exc:
            current = CompanyForm(
                instance=exc.current, initial={"categories": exc.current.categories.all()}
            )
            return stale_response(
                request,
                "contacts/company_form.html",
                _company_form_context(current) | {"company": exc.current},
                error=exc,
                typed=form,
                current=current,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Company saved."))
            return redirect(company)
    return render(
        request, "contacts/company_form.html", _company_form_context(form) | {"company": company}
    )


@login_required
@require_GET
def company_detail(request: HtmxHttpRequest, pk: int):
    company = get_visible_or_404(
        Company.objects.select_related("owner", "created_by", "updated_by").prefetch_related(
            "categories"
        ),
        request.user,
        pk=pk,
    )
    tab = request.GET.get("tab", "identity")
    if tab not in COMPANY_TABS:
        tab = "identity"
    notes = list(selectors.notes_for(company))
    documents = list(selectors.documents_for(company))
    context = {
        "company": company,
        "tab": tab,
        "tabs": COMPANY_TABS,
        "can_edit": can_change(request.user, company),
        "addresses": list(company.addresses.all()),
        "affiliations": list(company.affiliations.select_related("person", "contact_type")),
        "reps": list(company.reps.select_related("user")),
        "bank_accounts": list(company.bank_accounts.all()),
        "show_iban": is_manager(request.user),
        "notes": notes,
        "documents": documents,
    }
    template = "contacts/company_detail.html"
    if request.htmx and request.htmx.target == "tab-panel":
        template += "#tab-panel"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def company_transform(request: HtmxHttpRequest, pk: int):
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    suggestion = company.customer_code or f"C{company.pk:06d}"
    form = TransformForm(request.POST or None, initial={"customer_code": suggestion})
    missing = (
        services.company_customer_missing(company, suggestion) if request.method == "GET" else []
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.company_transform_to_customer(
                company=company,
                actor=request.user,
                customer_code=form.cleaned_data["customer_code"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, sentence(_("%(name)s is now a customer.") % {"name": company.name})
            )
            return redirect(company)
    return render(
        request,
        "contacts/company_transform.html",
        {"company": company, "form": form, "missing": missing},
    )


@login_required
@require_POST
def company_trash(request: HtmxHttpRequest, pk: int):
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    services.company_trash(company=company, actor=request.user)
    messages.success(request, _("Company %(name)s moved to the trash.") % {"name": company.name})
    return redirect("company_list")


def _address_tab(company):
    return f"{company.get_absolute_url()}?tab=addresses"


@login_required
@require_http_methods(["GET", "POST"])
def address_create(request: HtmxHttpRequest, pk: int):
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    form = AddressForm(request.POST or None, initial={"country": company.country})
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(company=company, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Address added."))
            return redirect(_address_tab(company))
    return render(request, "contacts/address_form.html", {"company": company, "form": form})


def _changeable_address(request, pk) -> Address:
    address = get_object_or_404(Address.objects.select_related("company"), pk=pk)
    get_changeable_or_403(Company.objects.all(), request.user, pk=address.company_id)
    return address


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HtmxHttpRequest, pk: int):
    address = _changeable_address(request, pk)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(address=address, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Address saved."))
            return redirect(_address_tab(address.company))
    return render(
        request,
        "contacts/address_form.html",
        {"company": address.company, "form": form, "address": address},
    )


@login_required
@require_POST
def address_default(request: HtmxHttpRequest, pk: int):
    address = _changeable_address(request, pk)
    services.address_set_default(address=address, actor=request.user)
    messages.success(request, _("Default address changed."))
    return redirect(_address_tab(address.company))


@login_required
@require_POST
def address_delete(request: HtmxHttpRequest, pk: int):
    address = _changeable_address(request, pk)
    services.address_delete(address=address, actor=request.user)
    messages.success(request, _("Address deleted."))
    return redirect(_address_tab(address.company))


@login_required
@require_GET
def postal_code_suggest(request: HtmxHttpRequest):
    """The towns of a postal code as a <datalist> the city field offers."""
    code = next(
        (v for k, v in request.GET.items() if k.endswith("postal_code") or k == "code"), ""
    ).strip()
    list_id = request.GET.get("list", "city-options")
    cities = []
    if code.isascii() and code.isdigit() and 2 <= len(code) <= 5:  # "²" is a digit too
        cities = list(
            PostalCode.objects.filter(code__startswith=code)
            .order_by("code", "city")
            .values_list("code", "city")[:30]
        )
    return render(
        request, "contacts/_postal_suggestions.html", {"cities": cities, "list_id": list_id}
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_rep_add(request: HtmxHttpRequest, pk: int):
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    form = CompanyRepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.company_rep_add(
            company=company,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
        messages.success(request, _("Representative added."))
        return redirect(f"{company.get_absolute_url()}?tab=management")
    return render(
        request,
        "contacts/simple_form.html",
        {
            "form": form,
            "title": _("Add a representative"),
            "back": f"{company.get_absolute_url()}?tab=management",
            "heading": company.name,
        },
    )


@login_required
@require_POST
def company_rep_remove(request: HtmxHttpRequest, pk: int):
    rep = get_object_or_404(CompanyRep, pk=pk)
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=rep.company_id)
    services.company_rep_remove(rep=rep, actor=request.user)
    messages.success(request, _("Representative removed."))
    return redirect(f"{company.get_absolute_url()}?tab=management")
