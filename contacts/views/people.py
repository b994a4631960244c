"""People: list, card, form, mailing export, trash; their links to companies (affiliations)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import selectors, services
from contacts.filters import PersonFilter
from contacts.forms import (
    AffiliationForm,
    LinkCompanyForm,
    LinkPersonForm,
    PersonForm,
)
from contacts.list_rows import person_rows, person_values
from contacts.models import (
    Address,
    Affiliation,
    Company,
    Person,
)
from contacts.views.shared import (
    PAGE_SIZE,
    PERSON_TABS,
    query_without_page,
    redirect_back,
)
from core.access import (
    can_change,
    get_changeable_or_403,
    get_visible_or_404,
)
from core.columns import columns_context
from core.conflicts import stale_response
from core.exports import csv_response, export_counted
from core.htmx import HtmxHttpRequest
from core.params import parse_int
from core.sentences import sentence
from core.versions import ConcurrentEdit


def _people(request):
    base = Person.objects.visible_to(request.user)
    filterset = PersonFilter(request.GET or None, queryset=base)
    people = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return filterset, people.order_by("last_name", "first_name", "pk")


@login_required
@require_GET
def person_list(request: HtmxHttpRequest):
    columns = columns_context(user=request.user, list_name="people")
    filterset, people = _people(request)
    page = selectors.person_page(
        queryset=person_values(people, columns["shown"]),
        page_number=request.GET.get("page"),
        per_page=PAGE_SIZE,
        searched=bool(request.GET.get("q", "").strip()),
    )
    template = "contacts/person_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#rows"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "rows": person_rows(page.object_list, columns["shown"]),
            "query": query_without_page(request),
            **columns,
        },
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
    rows = export_counted(
        _mailing_rows(people), request=request, kind="mailing_export", filename="mailing.csv"
    )
    return csv_response("mailing.csv", header, rows)


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
    if raw_company := request.GET.get("company") or request.POST.get("company"):
        # An id that is not one names no company: 404, as for any record.
        company_id = parse_int(raw_company, min_value=1)
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
    country = str(link.company.country) if link else "FR"
    form = PersonForm(request.POST or None, instance=person, country=country)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_update(
                person=person,
                actor=request.user,
                data=form.cleaned_data,
                version=form.cleaned_data.get("version"),
            )
        except ConcurrentEdit as exc:
            current = PersonForm(instance=exc.current, country=country)
            return stale_response(
                request,
                "contacts/person_form.html",
                {"form": current, "person": exc.current, "duplicates": []},
                error=exc,
                typed=form,
                current=current,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return render(
        request, "contacts/person_form.html", {"form": form, "person": person, "duplicates": []}
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


def _affiliation_link(request: HtmxHttpRequest, *, anchor, form, tab: str, title: str, done: str):
    """Link `anchor` (a company or a person the user may change) to an existing record of the
    other kind picked in `form`: both directions make the same affiliation, never a copy."""
    back = f"{anchor.get_absolute_url()}?tab={tab}"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        other = "person" if isinstance(anchor, Company) else "company"
        linked = data.pop(other)
        ends = {anchor._meta.model_name: anchor, other: linked}
        try:
            services.affiliation_create(**ends, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, sentence(done % {"name": linked}))
            return redirect(back)
    return render(
        request,
        "contacts/simple_form.html",
        {"form": form, "title": title, "heading": str(anchor), "back": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_person_link(request: HtmxHttpRequest, pk: int):
    """Link an existing person to this company (never a copy of the person)."""
    company = get_changeable_or_403(Company.objects.all(), request.user, pk=pk)
    people = Person.objects.visible_to(request.user).exclude(affiliations__company=company)
    return _affiliation_link(
        request,
        anchor=company,
        form=LinkPersonForm(request.POST or None, people=people),
        tab="contacts",
        title=_("Link an existing person"),
        done=_("%(name)s linked."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_company_link(request: HtmxHttpRequest, pk: int):
    """Link this person to an existing company (one the user may change too)."""
    person = get_changeable_or_403(Person.objects.all(), request.user, pk=pk)
    companies = Company.objects.changeable_by(request.user).exclude(affiliations__person=person)
    return _affiliation_link(
        request,
        anchor=person,
        form=LinkCompanyForm(request.POST or None, companies=companies),
        tab="companies",
        title=_("Link to a company"),
        done=_("Linked to %(name)s."),
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
        return redirect_back(request, back)
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
    return redirect_back(request, f"{affiliation.company.get_absolute_url()}?tab=contacts")


@login_required
@require_POST
def affiliation_delete(request: HtmxHttpRequest, pk: int):
    affiliation = _changeable_affiliation(request, pk)
    services.affiliation_delete(affiliation=affiliation, actor=request.user)
    messages.success(request, _("Link removed (the person is kept)."))
    return redirect_back(request, f"{affiliation.company.get_absolute_url()}?tab=contacts")
