"""Copy a person into another company (Prextra's "Copier dans", `contacts.copies`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contacts import selectors
from contacts.copies import person_copy_to_company
from contacts.models import Company, Person
from core.access import get_visible_or_404
from core.htmx import HtmxHttpRequest
from core.params import id_param
from core.sentences import sentence

COMPANY_CHOICES = 20
CHOOSE_COMPANY = gettext_lazy("Choose the company to copy the contact into.")


def _company_choices(user, person: Person, query: str) -> list[Company]:
    """The companies the user may change that the person is not in yet, matching `query` (the
    contact file's quick search: word-starts of the name, postal code or city)."""
    companies = Company.objects.changeable_by(user).exclude(affiliations__person=person)
    if query.strip():
        companies = selectors.company_search(companies, query)
    return list(companies.order_by("name", "id").only("id", "name")[:COMPANY_CHOICES])


@login_required
@require_http_methods(["GET", "POST"])
def person_copy(request: HtmxHttpRequest, pk: int):
    """GET: the form (with ?q= the companies found, as the user types: htmx asks for the list
    alone). POST company=<id>: the copy, then its card."""
    person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    query = request.GET.get("q", "")[:100]
    error = ""
    if request.method == "POST":
        company_id = id_param(request.POST, "company")
        company = (
            get_visible_or_404(Company.objects.all(), request.user, pk=company_id)
            if company_id
            else None
        )
        try:
            if company is None:
                raise ValidationError(CHOOSE_COMPANY)
            copy = person_copy_to_company(person=person, company=company, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                sentence(
                    _("%(person)s copied into %(company)s.")
                    % {"person": copy.full_name, "company": company.name}
                ),
            )
            return redirect(copy)
    context = {
        "person": person,
        "query": query,
        "companies": _company_choices(request.user, person, query),
        "error": error,
    }
    template = "contacts/person_copy.html"
    if request.htmx and request.htmx.target == "copy-choices":
        template += "#copy-choices"
    return render(request, template, context, status=400 if error else 200)
