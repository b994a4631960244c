"""The column chooser of the prospect, company and person lists (core/columns.py): each user's
choice is kept, and the columns left out are not rendered at all."""

import pytest
from django.urls import reverse

from core.columns import LISTS, list_columns
from core.models import ListColumns
from tests import factories as f
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def headers(html: str) -> list[str]:
    """The `data-column` names of the list's header, in order."""
    import re

    return re.findall(r'<th[^>]* data-column="(\w+)"', html)


def choose(client, list_name: str, columns: list[str], **extra):
    return client.post(
        reverse("list_columns_choose", args=[list_name]),
        {"columns": columns, "next": f"/{list_name}/"},
        **extra,
    )


@pytest.fixture
def prospect(rep, default_process):
    prospect = f.ProspectFactory(owner=rep, city="Saint-Rémy-de-Provence", company_name="Lambert")
    f.OpportunityFactory(prospect=prospect, owner=rep)
    return prospect


def test_the_prospect_list_shows_its_default_columns_first(rep_client, prospect):
    html = rep_client.get("/prospects/").content.decode()
    assert headers(html) == [
        "name",
        "company",
        "project",
        "status",
        "step",
        "next_action",
        "amount",
        "probability",
        "expected",
        "owner",
        "city",
    ]
    assert "Saint-Rémy-de-Provence" in html


def test_a_chosen_column_set_is_kept_and_hidden_columns_are_not_rendered(rep_client, rep, prospect):
    response = choose(
        rep_client, "prospects", ["company", "amount", "created"], HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    html = rep_client.get("/prospects/").content.decode()
    assert headers(html) == ["name", "company", "amount", "created"]
    assert "Saint-Rémy-de-Provence" not in html  # the town is not sent at all
    assert "Lambert" in html
    # The chooser shows the choice back.
    assert 'value="created" checked' in html
    assert 'value="city" checked' not in html


def test_the_name_cannot_be_hidden_and_unknown_columns_are_dropped(rep_client, rep):
    choose(rep_client, "prospects", ["city", "password"])
    saved = ListColumns.objects.get(user=rep, list_name="prospects")
    assert saved.columns == ["name", "city"]
    assert [column.name for column in list_columns(user=rep, list_name="prospects")] == [
        "name",
        "city",
    ]


def test_a_page_post_goes_back_to_the_list_it_came_from(rep_client):
    response = rep_client.post(
        reverse("list_columns_choose", args=["companies"]),
        {"columns": ["city"], "next": "/companies/?q=dup"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/companies/?q=dup"
    response = rep_client.post(
        reverse("list_columns_choose", args=["companies"]),
        {"columns": ["city"], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("dashboard")


def test_each_user_has_their_own_columns(client, rep, other_rep, prospect):
    choose(sign_in(client, rep), "prospects", ["amount"])
    client.logout()
    html = sign_in(client, other_rep).get("/prospects/").content.decode()
    assert "city" in headers(html)


def test_an_unknown_list_a_get_and_a_visitor_are_refused(client, rep):
    assert client.post(reverse("list_columns_choose", args=["prospects"])).status_code == 302
    assert not ListColumns.objects.exists()
    sign_in(client, rep)
    assert choose(client, "passwords", ["x"]).status_code == 404
    assert client.get(reverse("list_columns_choose", args=["prospects"])).status_code == 405


def test_company_and_person_lists_follow_the_choice(rep_client, rep):
    company = f.CompanyFactory(name="Lambert et Fils", owner=rep, siren="732829320")
    f.AddressFactory(company=company, city="Rouen", postal_code="76000")
    person = f.PersonFactory(last_name="Martin", job_title="Acheteur", department="Achats")
    f.AffiliationFactory(person=person, company=company)
    html = rep_client.get("/companies/").content.decode()
    assert headers(html) == ["name", "kind", "postal_code", "city", "phone", "owner"]
    assert "732829320" not in html
    choose(rep_client, "companies", ["siren", "city"])
    html = rep_client.get("/companies/").content.decode()
    assert headers(html) == ["name", "city", "siren"]
    assert "732829320" in html and "76000" not in html

    html = rep_client.get("/people/").content.decode()
    assert "department" not in headers(html)
    choose(rep_client, "people", ["department", "email"])
    html = rep_client.get("/people/").content.decode()
    assert headers(html) == ["name", "department", "email"]
    assert "Achats" in html


def test_every_registered_list_names_its_columns_once():
    assert set(LISTS) >= {"prospects", "companies", "people"}
    for columns in LISTS.values():
        names = [column.name for column in columns]
        assert len(names) == len(set(names))
        assert any(column.required for column in columns)


def test_the_chosen_columns_cost_one_query(rep_client, prospect, django_assert_max_num_queries):
    choose(rep_client, "prospects", ["company"])
    with django_assert_max_num_queries(20) as counted:
        rep_client.get("/prospects/")
    assert sum("core_listcolumns" in q["sql"] for q in counted.captured_queries) == 1
