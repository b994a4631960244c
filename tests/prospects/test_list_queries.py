"""The prospect list answers in at most 12 queries for a rep and for a manager, whatever the
sort, the search and the number of rows shown (issue 20)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
SORTS = [
    "name",
    "-name",
    "company",
    "-company",
    "next_action",
    "-next_action",
    "amount",
    "-expected",
    "owner",
    "city",
    "-created",
]
HTMX_ROWS = {"HX-Request": "true", "HX-Target": "prospect-rows"}


def make_prospects(count: int, *, owners, start: int = 0) -> None:
    """Prospects named Dupont<n> (the search finds them all), each with categories and an
    opportunity with a next action; every third one has a second opportunity."""
    hot, cold = f.CategoryFactory(name="Hot"), f.CategoryFactory(name="Cold")
    now = timezone.now()
    for n in range(start, start + count):
        owner = owners[n % len(owners)]
        prospect = f.ProspectFactory(owner=owner, last_name=f"Dupont{n}", company_name=f"Co {n}")
        prospect.categories.add(hot, cold)
        f.OpportunityFactory(
            prospect=prospect, owner=owner, next_action_at=now + dt.timedelta(hours=n)
        )
        if n % 3 == 0:
            f.OpportunityFactory(prospect=prospect, owner=owner)


def queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured.captured_queries)


def urls() -> list[tuple[str, dict]]:
    pages = [f"/prospects/?sort={sort}&per_page=50" for sort in SORTS]
    pages += [
        "/prospects/?q=dupont&per_page=50",
        "/prospects/?q=dupont&sort=next_action&per_page=50",
    ]
    return [(url, {}) for url in pages] + [(url, HTMX_ROWS) for url in pages[:3]]


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_prospect_list_queries_do_not_grow_with_the_rows(
    client, who, rep, other_rep, manager, default_process
):
    user = {"rep": rep, "manager": manager}[who]
    sign_in(client, user)
    make_prospects(3, owners=[rep, other_rep])
    few = {(url, bool(headers)): queries(client, url, **headers) for url, headers in urls()}
    make_prospects(37, owners=[rep, other_rep, None], start=3)
    for url, headers in urls():
        count = queries(client, url, **headers)
        assert count <= MAX_QUERIES, (url, count)
        assert count == few[url, bool(headers)], (url, few[url, bool(headers)], count)  # 3, 40


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_a_page_of_many_counts_them_within_the_budget(
    client, who, rep, other_rep, manager, default_process
):
    sign_in(client, {"rep": rep, "manager": manager}[who])
    make_prospects(40, owners=[rep, other_rep])
    for url in ("/prospects/", "/prospects/?sort=next_action&page=2", "/prospects/?q=dupont"):
        assert queries(client, url) <= MAX_QUERIES, url
    html = client.get("/prospects/").content.decode()
    assert "40 prospects" in html and "1–25 of 40" in html


def test_a_short_first_page_shows_its_honest_count_without_counting(
    client, rep, default_process, django_assert_num_queries
):
    sign_in(client, rep)
    make_prospects(3, owners=[rep])
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/prospects/?q=dupont").content.decode()
    assert "3 prospects" in html and "1–3 of 3" in html
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_sorted_by_next_action_overdue_first_without_action_last(rep_client, rep, default_process):
    now = timezone.now()
    late = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep, last_name="LATE"),
        owner=rep,
        next_action_at=now - dt.timedelta(days=3),
    )
    soon = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep, last_name="SOON"),
        owner=rep,
        next_action_at=now + dt.timedelta(days=1),
    )
    f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep, last_name="NONE"), owner=rep)
    html = rep_client.get("/prospects/?sort=next_action").content.decode()
    assert html.index("LATE") < html.index("SOON") < html.index("NONE")
    html = rep_client.get("/prospects/?sort=-next_action").content.decode()
    assert html.index("SOON") < html.index("LATE") < html.index("NONE")
    assert late.prospect.pk != soon.prospect.pk


def test_past_the_count_cap_the_list_says_more_than_and_pages_on(
    client, rep, default_process, monkeypatch
):
    monkeypatch.setattr("prospects.selectors.COUNT_CAP", 30)
    sign_in(client, rep)
    make_prospects(40, owners=[rep])
    html = client.get("/prospects/?per_page=10").content.decode()
    assert "More than 30 prospects" in html and "1–10 of more than 30" in html
    assert "page=2" in html
    html = client.get("/prospects/?per_page=10&page=4").content.decode()
    assert "31–40 of 40" in html  # the last page: exact again
    html = client.get("/prospects/?per_page=10&page=99").content.decode()
    assert "31–40 of 40" in html  # past the end: the last page


@pytest.mark.parametrize("page", [str(2**63), "9" * 30, str(2**31)])
def test_a_page_number_far_past_any_list_shows_the_last_page(client, rep, default_process, page):
    """An OFFSET past a bigint is an error on PostgreSQL: such a page is the last one."""
    sign_in(client, rep)
    make_prospects(12, owners=[rep])
    response = client.get(f"/prospects/?per_page=10&page={page}")
    assert response.status_code == 200
    assert "11–12 of 12" in response.content.decode()
