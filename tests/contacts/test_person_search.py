"""The person list's quick search and filters (issue 20): each word in a name, the e-mail or the
name of one of the person's companies, each person listed once; on PostgreSQL the search reads
the trigram indexes of migration 0007. And the lists' rows and filter selects, prepared in the
view, read as before."""

import datetime as dt
import re

import pytest
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.utils import timezone

from contacts.filters import PersonFilter
from contacts.models import ContactType, Person
from contacts.selectors import person_search_ids
from core.columns import LISTS, list_columns_save
from core.forms import FormRenderer
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX_ROWS = {"HX-Request": "true", "HX-Target": "rows"}


@pytest.fixture
def people(rep):
    bakery = f.CompanyFactory(name="Boulangerie Martinez", owner=rep)
    garage = f.CompanyFactory(name="Garage Martin", owner=rep)
    found = {
        "by_last_name": f.PersonFactory(first_name="Jules", last_name="Martin", email=""),
        "by_first_name": f.PersonFactory(first_name="Martine", last_name="Roux", email=""),
        "by_email": f.PersonFactory(
            first_name="Léa", last_name="Petit", email="lea.martin@example.fr"
        ),
        "by_companies": f.PersonFactory(first_name="Paul", last_name="Blanc", email=""),
        "other": f.PersonFactory(first_name="Hugo", last_name="Durand", email="hugo@example.fr"),
    }
    # Two matching companies: the person is listed once all the same.
    f.AffiliationFactory(person=found["by_companies"], company=bakery, rank=1)
    f.AffiliationFactory(person=found["by_companies"], company=garage, rank=2)
    return found


def searched(client, query: str, **params) -> list[str]:
    html = client.get("/people/", {"q": query, **params}, headers=HTMX_ROWS).content.decode()
    return re.findall(r'data-person="(\d+)"', html)


def test_each_word_in_a_name_the_email_or_a_company_name(rep_client, people):
    ids = searched(rep_client, "MARTIN")
    assert sorted(ids) == sorted(str(people[k].pk) for k in people if k != "other")
    assert len(ids) == len(set(ids))  # two matching companies, one row
    assert searched(rep_client, "martin blanc") == [str(people["by_companies"].pk)]
    assert searched(rep_client, "martin durand") == []


def test_the_search_leaves_out_trashed_people_and_keeps_the_list_order(rep_client, people):
    people["by_email"].deleted_at = timezone.now()
    people["by_email"].save()
    names = [Person.objects.get(pk=pk).last_name for pk in searched(rep_client, "martin")]
    assert names == ["Blanc", "Martin", "Roux"]


def test_a_searched_list_counts_its_matches_and_pages_them(
    rep_client, people, monkeypatch, django_assert_max_num_queries
):
    """The matches are counted in the query reading the page; a page past the last answers
    the last one, as the paginator does."""
    monkeypatch.setattr("contacts.views.people.PAGE_SIZE", 3)
    # The session and the user (3), the columns, the page with its count, the companies.
    with django_assert_max_num_queries(6):
        first = rep_client.get("/people/", {"q": "martin"}, headers=HTMX_ROWS).content.decode()
    assert "4 people" in first and "Page 1 of 2" in first
    pages = [
        re.findall(r'data-person="(\d+)"', first),
        searched(rep_client, "martin", page="2"),
    ]
    assert [len(ids) for ids in pages] == [3, 1]
    assert sorted(pages[0] + pages[1]) == sorted(str(people[k].pk) for k in people if k != "other")
    for beyond in ("9", "0"):
        assert searched(rep_client, "martin", page=beyond) == pages[1]
    assert searched(rep_client, "martin", page="x") == pages[0]
    assert (
        "0 people" in rep_client.get("/people/", {"q": "zzz"}, headers=HTMX_ROWS).content.decode()
    )


def test_a_contact_type_lists_each_person_once(rep_client, rep):
    buyer = ContactType.objects.create(name="Acheteur test")
    person = f.PersonFactory(last_name="Garnier")
    for n in range(2):
        f.AffiliationFactory(person=person, company=f.CompanyFactory(), contact_type=buyer, rank=n)
    assert searched(rep_client, "garnier", contact_type=buyer.pk) == [str(person.pk)]
    assert searched(rep_client, "", contact_type=buyer.pk) == [str(person.pk)]


def test_the_global_search_finds_the_same_people(rep_client, people):
    html = rep_client.get("/search/", {"q": "martin"}).content.decode()
    for key in ("by_last_name", "by_first_name", "by_email", "by_companies"):
        assert people[key].get_absolute_url() in html
    assert people["other"].get_absolute_url() not in html


def test_the_search_is_served_by_the_trigram_indexes_on_postgresql(people):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's (SQLite scans its few rows)")
    found = PersonFilter.filter_q(
        PersonFilter.__new__(PersonFilter), Person.objects.all(), "q", "martin"
    )
    assert set(found) == {people[k] for k in people if k != "other"}
    sql, params = person_search_ids("martin").query.sql_with_params()
    with connection.cursor() as cursor:
        # A few rows: forbid the sequential scans to see which index the query can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on person_search_trgm" in plan, plan


@pytest.mark.parametrize(
    "field, value",
    [
        (forms.ChoiceField(choices=[("", "Any"), ("a&b", "<A & B>"), ("c", "C")]), "a&b"),
        (forms.ChoiceField(choices=[("", "Any"), ("a", "A")]), None),
        (forms.ChoiceField(choices=[(1, "One"), ("1", "Same value")]), "1"),
        (forms.ModelChoiceField(queryset=ContactType.objects.all(), empty_label="Any"), ""),
    ],
)
def test_a_filter_select_reads_as_django_writes_it(field, value):
    select = forms.Select(attrs={"class": "x"}, choices=field.choices)
    attrs = {"id": "id_f", "disabled": False, "required": True}
    fast = select.render("f", value, attrs, renderer=FormRenderer())
    assert fast == select.render("f", value, attrs, renderer=DjangoTemplates())


def test_the_company_rows_read_as_before(rep_client, rep):
    """The values the view prepares: owner, dates with their hover text, acronym, postal code
    and city under the name, kind badge, phone link; in French."""
    list_columns_save(user=rep, list_name="companies", names=[c.name for c in LISTS["companies"]])
    when = timezone.make_aware(dt.datetime(2026, 3, 4, 9, 30))
    company = f.CompanyFactory(
        name="Dupont & Fils",
        acronym="D&F",
        kind="customer",
        phone="+33299112233",
        owner=None,
        last_contact_at=when,
        last_contact_type="Appel",
    )
    f.AddressFactory(company=company, postal_code="35000", city="Rennes", is_default=True)
    rep_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = rep_client.get("/companies/", headers=HTMX_ROWS).content.decode()
    row = html[html.index(f'data-company="{company.pk}"') :]
    row = row[: row.index("</tr>")]
    for text in (
        f'href="/companies/{company.pk}/" title="Dupont &amp; Fils (D&amp;F)"',
        '<span class="muted small">(D&amp;F)</span>',
        '<span class="cut muted small name-sub">35000 Rennes</span>',
        '<span class="badge badge-green">Client</span>',
        'href="tel:+33299112233"',
        "02 99 11 22 33</a>",
        '<span title="4 mars 2026 09:30 · Appel">04/03/26</span>',
        '<span class="cut" title="—">—</span>',
    ):
        assert text in row, (text, row)


def test_the_person_rows_read_as_before(rep_client, rep):
    person = f.PersonFactory(
        first_name="Jules", last_name="Martin", mailing_opt_in=True, mobile="+33612345678"
    )
    first, second = f.CompanyFactory(name="B & Co"), f.CompanyFactory(name="A <SA>")
    f.AffiliationFactory(person=person, company=first, rank=1)
    f.AffiliationFactory(person=person, company=second, rank=2)
    rep_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = rep_client.get("/people/", headers=HTMX_ROWS).content.decode()
    for text in (
        f'<a class="cut" href="/people/{person.pk}/" title="Jules MARTIN">',
        f'<a href="/companies/{first.pk}/">B &amp; Co</a>, '
        f'<a href="/companies/{second.pk}/">A &lt;SA&gt;</a>',
        'href="tel:+33612345678"',
        '<span class="badge badge-green">oui</span>',
    ):
        assert text in html, text
