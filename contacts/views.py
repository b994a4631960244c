from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import selectors, services
from contacts.filters import CompanyFilter, PersonFilter
from contacts.forms import (
    AddressForm,
    AffiliationForm,
    CompanyForm,
    CompanyRepForm,
    DocumentForm,
    LinkCompanyForm,
    LinkPersonForm,
    NoteForm,
    PersonForm,
    TransformForm,
)
from contacts.models import (
    Address,
    Affiliation,
    Company,
    CompanyRep,
    Document,
    Note,
    Person,
    PostalCode,
)
from core.access import can_change, can_view, get_changeable_or_403, get_visible_or_404
from core.exports import csv_response
from core.htmx import HtmxHttpRequest, with_message
from core.redirects import safe_next
from core.roles import is_manager

PAGE_SIZE = 50
COMPANY_TABS = [
    "identity",
    "addresses",
    "contacts",
    "management",
    "tasks",
    "notes",
    "documents",
    "history",
]
PERSON_TABS = ["identity", "companies", "tasks", "notes", "documents", "history"]
# Records notes and documents may be attached to ("app_label.model").
ATTACHABLE = {"contacts.company", "contacts.person", "contacts.prospect", "pipeline.opportunity"}


def _redirect_back(request, fallback: str):
    return redirect(safe_next(request, fallback))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _changed_values(form, current) -> list[dict]:
    """Fields where what the user typed differs from what is stored now (concurrent edit)."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or not hasattr(current, name) or name not in form.cleaned_data:
            continue
        stored = getattr(current, name)
        if hasattr(stored, "all"):
            continue
        mine = form.cleaned_data[name]
        if str(mine or "") != str(stored or ""):
            display = getattr(current, f"get_{name}_display", None)
            rows.append(
                {"label": field.label, "mine": mine, "current": display() if display else stored}
            )
    return rows


# --- companies -----------------------------------------------------------------------------


@login_required
@require_GET
def company_list(request: HtmxHttpRequest):
    base = (
        Company.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "addresses",
                queryset=Address.objects.filter(is_default=True),
                to_attr="default_addresses",
            )
        )
    )
    filterset = CompanyFilter(request.GET or None, queryset=base)
    query = request.GET.get("q", "")
    other_filters = any(value for key, value in request.GET.items() if key not in ("q", "page"))
    if filterset.is_bound and filterset.is_valid() and other_filters:
        # Filters (the quick search among them) applied to the companies themselves.
        page = selectors.company_page(
            queryset=filterset.qs,
            query="",
            page_number=request.GET.get("page"),
            per_page=PAGE_SIZE,
            scoped=True,
        )
    else:
        scoped = not (is_manager(request.user) or not settings.REPS_SEE_ONLY_OWN)
        page = selectors.company_page(
            queryset=base,
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
        {"filter": filterset, "page": page, "query": _query_without_page(request)},
    )


def _company_form_context(form, address_form=None, duplicates=None, stale=None):
    return {
        "form": form,
        "address_form": address_form,
        "duplicates": duplicates or [],
        "stale": stale or [],
    }


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
                form.add_error(None, exc)
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
    stale = []
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_update(
                company=company,
                actor=request.user,
                data=form.cleaned_data,
                version=form.cleaned_data.get("version"),
                categories=form.cleaned_data.get("categories"),
            )
        except services.ConcurrentEdit as exc:
            stale = _changed_values(form, exc.current)
            form.add_error(None, str(exc.message))
            # Saving again deliberately overwrites what is shown as current.
            data = form.data.copy()
            data["version"] = exc.current.version
            form.data = data
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Company saved."))
            return redirect(company)
    return render(
        request,
        "contacts/company_form.html",
        _company_form_context(form, stale=stale) | {"company": company},
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
            messages.success(request, _("%(name)s is now a customer.") % {"name": company.name})
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


# --- addresses -----------------------------------------------------------------------------


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
    if code.isdigit() and 2 <= len(code) <= 5:
        cities = list(
            PostalCode.objects.filter(code__startswith=code)
            .order_by("code", "city")
            .values_list("code", "city")[:30]
        )
    return render(
        request, "contacts/_postal_suggestions.html", {"cities": cities, "list_id": list_id}
    )


# --- representatives -----------------------------------------------------------------------


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


# --- people --------------------------------------------------------------------------------


def _people(request):
    base = (
        Person.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("company", "contact_type"),
            )
        )
    )
    filterset = PersonFilter(request.GET or None, queryset=base)
    people = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return filterset, people.order_by("last_name", "first_name", "pk")


@login_required
@require_GET
def person_list(request: HtmxHttpRequest):
    filterset, people = _people(request)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "contacts/person_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#rows"
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "query": _query_without_page(request)},
    )


@login_required
@require_GET
def mailing_export(request: HtmxHttpRequest):
    """The filtered people who accept mailings and are active, as CSV for a mail merge."""
    _filterset, people = _people(request)
    people = people.filter(mailing_opt_in=True, active=True).prefetch_related(
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("company").prefetch_related(
                Prefetch(
                    "company__addresses",
                    queryset=Address.objects.filter(is_default=True),
                    to_attr="defaults",
                )
            ),
            to_attr="links",
        )
    )
    header = [
        _("Civility"),
        _("First name"),
        _("Last name"),
        _("Job title"),
        _("E-mail"),
        _("Company"),
        _("Address"),
        _("Postal code"),
        _("City"),
        _("Country"),
    ]
    return csv_response("mailing.csv", header, _mailing_rows(people))


def _mailing_rows(people):
    for person in people:
        link = next(
            (a for a in person.links if a.is_default), person.links[0] if person.links else None
        )
        company = link.company if link else None
        address = company.defaults[0] if company and company.defaults else None
        yield [
            person.civility,
            person.first_name,
            person.last_name,
            person.job_title,
            person.email,
            company.name if company else "",
            ", ".join(p for p in [address.line1, address.line2] if p) if address else "",
            address.postal_code if address else "",
            address.city if address else "",
            address.country.name if address else "",
        ]


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HtmxHttpRequest):
    company = None
    company_id = request.GET.get("company") or request.POST.get("company")
    if company_id:
        company = get_changeable_or_403(Company.objects.all(), request.user, pk=company_id)
    country = str(company.country) if company else "FR"
    form = PersonForm(request.POST or None, country=country, initial={"owner": request.user})
    link_form = AffiliationForm(request.POST or None, prefix="link") if company else None
    duplicates = []
    if request.method == "POST" and form.is_valid() and (link_form is None or link_form.is_valid()):
        data = form.cleaned_data
        duplicates = selectors.person_duplicates(
            first_name=data.get("first_name", ""),
            last_name=data["last_name"],
            email=data.get("email", ""),
            user=request.user,
        )
        if not duplicates or request.POST.get("confirm_duplicates"):
            try:
                person = services.person_create(
                    actor=request.user,
                    data=data,
                    company=company,
                    affiliation=link_form.cleaned_data if link_form else None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(name)s created.") % {"name": person.full_name})
                return redirect(
                    f"{company.get_absolute_url()}?tab=contacts"
                    if company
                    else person.get_absolute_url()
                )
    return render(
        request,
        "contacts/person_form.html",
        {
            "form": form,
            "link_form": link_form,
            "company": company,
            "duplicates": duplicates,
            "stale": [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HtmxHttpRequest, pk: int):
    person = get_changeable_or_403(Person.objects.all(), request.user, pk=pk)
    link = (
        person.affiliations.select_related("company").order_by("-is_default", "rank", "id").first()
    )
    # National numbers are read in the country of the person's (first) company.
    form = PersonForm(
        request.POST or None, instance=person, country=str(link.company.country) if link else "FR"
    )
    stale = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_update(
                person=person,
                actor=request.user,
                data=form.cleaned_data,
                version=form.cleaned_data.get("version"),
            )
        except services.ConcurrentEdit as exc:
            stale = _changed_values(form, exc.current)
            form.add_error(None, str(exc.message))
            data = form.data.copy()
            data["version"] = exc.current.version
            form.data = data
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "person": person, "stale": stale, "duplicates": []},
    )


@login_required
@require_GET
def person_detail(request: HtmxHttpRequest, pk: int):
    person = get_visible_or_404(
        Person.objects.select_related("owner", "created_by", "updated_by"), request.user, pk=pk
    )
    tab = request.GET.get("tab", "identity")
    if tab not in PERSON_TABS:
        tab = "identity"
    notes = list(selectors.notes_for(person))
    documents = list(selectors.documents_for(person))
    affiliations = list(person.affiliations.select_related("company", "contact_type"))
    context = {
        "person": person,
        "tab": tab,
        "tabs": PERSON_TABS,
        "can_edit": can_change(request.user, person),
        "affiliations": affiliations,
        "country": str(affiliations[0].company.country) if affiliations else "FR",
        "notes": notes,
        "documents": documents,
    }
    template = "contacts/person_detail.html"
    if request.htmx and request.htmx.target == "tab-panel":
        template += "#tab-panel"
    return render(request, template, context)


@login_required
@require_POST
def person_trash(request: HtmxHttpRequest, pk: int):
    person = get_changeable_or_403(Person.objects.all(), request.user, pk=pk)
    services.person_trash(person=person, actor=request.user)
    messages.success(request, _("%(name)s moved to the trash.") % {"name": person.full_name})
    return redirect("person_list")


# --- affiliations (a person's links to companies) ------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def company_person_link(request: HtmxHttpRequest, pk: int):
    """Link an existing person to this company (never a copy of the person)."""
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    people = Person.objects.visible_to(request.user).exclude(affiliations__company=company)
    form = LinkPersonForm(request.POST or None, people=people)
    back = f"{company.get_absolute_url()}?tab=contacts"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        try:
            services.affiliation_create(person=person, company=company, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s linked.") % {"name": person.full_name})
            return redirect(back)
    return render(
        request,
        "contacts/simple_form.html",
        {
            "form": form,
            "title": _("Link an existing person"),
            "heading": company.name,
            "back": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_company_link(request: HtmxHttpRequest, pk: int):
    person = get_changeable_or_403(Person.objects.all(), request.user, pk=pk)
    companies = Company.objects.changeable_by(request.user).exclude(affiliations__person=person)
    form = LinkCompanyForm(request.POST or None, companies=companies)
    back = f"{person.get_absolute_url()}?tab=companies"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        company = data.pop("company")
        try:
            services.affiliation_create(person=person, company=company, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Linked to %(name)s.") % {"name": company.name})
            return redirect(back)
    return render(
        request,
        "contacts/simple_form.html",
        {
            "form": form,
            "title": _("Link to a company"),
            "heading": person.full_name,
            "back": back,
        },
    )


def _changeable_affiliation(request, pk) -> Affiliation:
    affiliation = get_object_or_404(Affiliation.objects.select_related("company", "person"), pk=pk)
    get_changeable_or_403(Company.objects.all(), request.user, pk=affiliation.company_id)
    return affiliation


@login_required
@require_http_methods(["GET", "POST"])
def affiliation_edit(request: HtmxHttpRequest, pk: int):
    affiliation = _changeable_affiliation(request, pk)
    form = AffiliationForm(request.POST or None, instance=affiliation)
    back = f"{affiliation.company.get_absolute_url()}?tab=contacts"
    if request.method == "POST" and form.is_valid():
        services.affiliation_update(
            affiliation=affiliation, actor=request.user, data=form.cleaned_data
        )
        messages.success(request, _("Saved."))
        return _redirect_back(request, back)
    return render(
        request,
        "contacts/simple_form.html",
        {
            "form": form,
            "title": _("Contact role"),
            "heading": str(affiliation),
            "back": back,
        },
    )


@login_required
@require_POST
def affiliation_default(request: HtmxHttpRequest, pk: int):
    affiliation = _changeable_affiliation(request, pk)
    services.affiliation_set_default(affiliation=affiliation, actor=request.user)
    messages.success(request, _("Default contact changed."))
    return _redirect_back(request, f"{affiliation.company.get_absolute_url()}?tab=contacts")


@login_required
@require_POST
def affiliation_delete(request: HtmxHttpRequest, pk: int):
    affiliation = _changeable_affiliation(request, pk)
    services.affiliation_delete(affiliation=affiliation, actor=request.user)
    messages.success(request, _("Link removed (the person is kept)."))
    return _redirect_back(request, f"{affiliation.company.get_absolute_url()}?tab=contacts")


# --- notes and documents on any record ------------------------------------------------------


def _attachable_target(request, content_type_id: int, object_id: int, *, change: bool):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in ATTACHABLE:
        raise Http404
    model = content_type.model_class()
    queryset = model._default_manager.all()
    if change:
        return get_changeable_or_403(queryset, request.user, pk=object_id)
    return get_visible_or_404(queryset, request.user, pk=object_id)


def _target_url(target, tab: str) -> str:
    url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else reverse("dashboard")
    return f"{url}?tab={tab}"


@login_required
@require_POST
def note_create(request: HtmxHttpRequest, content_type_id: int, object_id: int):
    target = _attachable_target(request, content_type_id, object_id, change=True)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_create(target=target, actor=request.user, **form.cleaned_data)
        if request.htmx:
            response = render(
                request, "contacts/_notes.html", {"target": target, "note_form": NoteForm()}
            )
            return with_message(response, _("Note added."), "success")
        messages.success(request, _("Note added."))
        return _redirect_back(request, _target_url(target, "notes"))
    if request.htmx:
        return render(request, "contacts/_notes.html", {"target": target, "note_form": form})
    messages.error(
        request, _("The note was not saved: %(errors)s") % {"errors": form.errors.as_text()}
    )
    return _redirect_back(request, _target_url(target, "notes"))


@login_required
@require_POST
def note_delete(request: HtmxHttpRequest, pk: int):
    note = get_object_or_404(Note, pk=pk)
    target = _attachable_target(request, note.content_type_id, note.object_id, change=True)
    services.note_delete(note=note, actor=request.user)
    if request.htmx:
        response = render(
            request, "contacts/_notes.html", {"target": target, "note_form": NoteForm()}
        )
        return with_message(response, _("Note deleted."), "success")
    messages.success(request, _("Note deleted."))
    return _redirect_back(request, _target_url(target, "notes"))


@login_required
@require_POST
def document_upload(request: HtmxHttpRequest, content_type_id: int, object_id: int):
    target = _attachable_target(request, content_type_id, object_id, change=True)
    form = DocumentForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            services.document_attach(
                target=target, uploaded_file=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        response = render(
            request, "contacts/_documents.html", {"target": target, "upload_error": error}
        )
        return with_message(
            response, error or _("Document attached."), "error" if error else "success"
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Document attached."))
    return _redirect_back(request, _target_url(target, "documents"))


@login_required
@require_GET
def document_download(request: HtmxHttpRequest, pk: int):
    """Streams the file to users who may see the record it is attached to (else 404)."""
    document = get_object_or_404(Document.objects.select_related("content_type"), pk=pk)
    target = document.target
    if target is None or not can_view(request.user, target):
        raise Http404
    if getattr(target, "deleted_at", None):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type_header or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request: HtmxHttpRequest, pk: int):
    document = get_object_or_404(Document, pk=pk)
    target = document.target
    if target is None or not can_view(request.user, target):
        raise Http404
    if not can_change(request.user, target):
        raise PermissionDenied
    services.document_delete(document=document, actor=request.user)
    if request.htmx:
        response = render(request, "contacts/_documents.html", {"target": target})
        return with_message(response, _("Document deleted."), "success")
    messages.success(request, _("Document deleted."))
    return _redirect_back(request, _target_url(target, "documents"))
