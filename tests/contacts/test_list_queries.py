"""The company and person lists, and the rows the company quick search swaps in, answer in at
most 12 queries for a rep and for a manager, the same for 3 rows as for 40 (issue 20)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.services import companies_reindex
from tests import factories as f
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
HTMX_ROWS = {"HX-Request": "true", "HX-Target": "rows"}
PAGES = [
    ("/companies/", {}),
    ("/companies/?q=dupont", {}),
    ("/companies/?q=dupont", HTMX_ROWS),
    ("/companies/?q=dupont+35", HTMX_ROWS),
    ("/companies/?q=dupont&kind=prospect", {}),
    ("/people/", {}),
    ("/people/?q=durand", {}),
    ("/people/?q=durand", HTMX_ROWS),
    # Two words: an id subquery each (the names, the e-mail, the companies' names).
    ("/people/?q=durand+dupont", HTMX_ROWS),
    ("/people/?q=durand&mailing=yes&active=yes", {}),
    ("/companies/?country=FR&active=yes", {}),
]


def make_companies(count: int, *, owners, start: int = 0) -> None:
    """Companies named Dupont <n> in 35000 with two people (Durand) each, their categories and
    their search words."""
    category = f.CategoryFactory(name="Key account")
    for n in range(start, start + count):
        owner = owners[n % len(owners)]
        company = f.CompanyFactory(name=f"Dupont {n}", owner=owner)
        company.categories.add(category)
        f.AddressFactory(company=company, postal_code="35000", city="Rennes", is_default=True)
        for rank in (1, 2):
            person = f.PersonFactory(last_name=f"Durand{n}", owner=owner)
            f.AffiliationFactory(person=person, company=company, rank=rank, is_default=rank == 1)
    companies_reindex()


def queries(client, url: str, headers: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_contact_lists_queries_do_not_grow_with_the_rows(client, who, rep, other_rep, manager):
    sign_in(client, {"rep": rep, "manager": manager}[who])
    make_companies(3, owners=[rep, other_rep])
    few = {(url, bool(h)): queries(client, url, h) for url, h in PAGES}
    make_companies(37, owners=[rep, other_rep, None], start=3)
    for url, headers in PAGES:
        count = queries(client, url, headers)
        assert count <= MAX_QUERIES, (url, headers, count)
        assert count == few[(url, bool(headers))], (url, headers, few, count)  # 3 rows, then 40


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_the_quick_search_rows_show_every_match_in_name_order(client, who, rep, manager):
    sign_in(client, {"rep": rep, "manager": manager}[who])
    make_companies(3, owners=[rep])
    html = client.get("/companies/?q=dup+35", headers=HTMX_ROWS).content.decode()
    assert html.index("Dupont 0") < html.index("Dupont 1") < html.index("Dupont 2")
    assert "<html" not in html
