"""Look-ups in the national register from the new-company form and the prospect's "add to
contacts": suggestions as the user types (htmx), a pick fills the form (static/js/
register_lookup.js). A register that does not answer shows a message; the form stays usable."""

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.register import RegisterUnavailable, register_search
from core.htmx import HtmxHttpRequest


def pick_values(company, establishment) -> dict:
    """What a pick writes into the form, by field name (the address fields by their names in
    the address form, without its prefix)."""
    values = {
        "name": company.legal_name or company.name,
        "siren": company.siren,
        "naf_code": company.naf_code,
        "naf_label": company.naf_label,
        "legal_form": company.legal_form,
        "register_state": "C" if company.closed else "A",
        "register_siren": company.siren,
        "register_siret": establishment.siret if establishment else "",
    }
    if establishment is not None:
        values |= {
            "line1": establishment.line1,
            "line2": establishment.line2,
            "postal_code": establishment.postal_code,
            "city": establishment.city,
            "siret": establishment.siret,
        }
    return values


@login_required
@require_GET
def company_lookup(request: HtmxHttpRequest):
    """`?q=` a name, a SIREN or a SIRET: the register's companies, each with its head office and
    the establishments that matched, as buttons that fill the form."""
    query = request.GET.get("q", "").strip()[:200]
    rows, error = [], ""
    if query:
        try:
            companies = register_search(query)
        except ValueError as exc:
            error = str(exc)
            companies = []
        except RegisterUnavailable as exc:
            error = str(exc.message)
            companies = []
        for company in companies:
            places = [company.head_office] if company.head_office else []
            places += [
                e for e in company.establishments if e.siret not in {p.siret for p in places}
            ]
            picks = [
                (place, json.dumps(pick_values(company, place), ensure_ascii=False))
                for place in places
            ] or [(None, json.dumps(pick_values(company, None), ensure_ascii=False))]
            rows.append((company, picks))
    return render(
        request,
        "contacts/_register_results.html",
        {"rows": rows, "error": error, "query": query},
    )
