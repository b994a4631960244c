"""The global search (search/): every kind found, grouped and counted, only what the user may
see, phone numbers and SIRENs, junk input, and a query count that does not grow with the rows."""

import pytest
from django.urls import reverse

from contacts.models import Person
from contacts.services import company_create, person_create
from prospects.services import prospect_create
from quotes.services import quote_create
from search import selectors
from tests import factories as f
from tests.conftest import sign_in
from tests.quotes.quote_setup import ready_opportunity

pytestmark = pytest.mark.django_db

URL = reverse("search")
HTMX = {"HTTP_HX_REQUEST": "true"}
MAX_QUERIES = 12


def make_world(owner, *, name="Vernier"):
    """One record of each kind matching `name`, owned by `owner`."""
    prospect = prospect_create(
        actor=owner,
        first_name="Paul",
        last_name=name,
        company_name=f"Boulangerie {name}",
        city="Rennes",
        postal_code="35000",
        phone="02 99 12 34 56",
        siren="732829320",
    )
    company = company_create(
        actor=owner,
        data={"name": f"Transports {name}", "siren": "404833048", "phone": "+33472112233"},
        address={"line1": "3 quai Rambaud", "postal_code": "69002", "city": "Lyon"},
    )
    person = person_create(
        actor=owner,
        data={"first_name": "Lucie", "last_name": name, "email": "lucie@example.fr"},
        company=company,
    )
    opportunity = f.OpportunityFactory(
        prospect=prospect, owner=owner, summary=f"Renouvellement du parc {name}"
    )
    garage = company_create(
        actor=owner,
        data={"name": f"Garage {name}", "siren": "552100554", "country": "FR"},
        address={"line1": "3 quai Rambaud", "postal_code": "69002", "city": "Lyon"},
    )
    quote_opportunity = ready_opportunity(owner, company=garage, seller=not _has_seller())
    quote = quote_create(opportunity_id=quote_opportunity.pk, actor=owner)
    # The quoted client's contact is the owner's too (the factory leaves it unassigned).
    Person.objects.filter(pk=quote_opportunity.person_id).update(owner=owner)
    return {
        "prospects": prospect,
        "companies": company,
        "people": person,
        "opportunities": opportunity,
        "quotes": quote,
    }


def _has_seller() -> bool:
    from quotes.models import Seller

    return Seller.objects.exists()


def found_urls(groups) -> dict[str, set[str]]:
    return {group.kind: {hit.url for hit in group.hits} for group in groups}


def test_every_kind_is_found_grouped_in_order(rep):
    world = make_world(rep)
    groups = selectors.global_search(user=rep, query="vernier", limit=5)
    assert [g.kind for g in groups] == [
        "prospects",
        "companies",
        "people",
        "opportunities",
        "quotes",
    ]
    urls = found_urls(groups)
    for kind, record in world.items():
        assert record.get_absolute_url() in urls[kind], kind
    quotes = next(g for g in groups if g.kind == "quotes")
    assert quotes.total == 1 and quotes.hits[0].detail.startswith("Garage Vernier")


def test_counts_are_of_every_match_and_the_hits_are_cut_to_the_limit(rep):
    for n in range(7):
        prospect_create(actor=rep, last_name=f"Marchal{n}", company_name="Atelier Marchal")
    groups = selectors.global_search(user=rep, query="marchal", limit=5)
    prospects = groups[0]
    assert (prospects.total, len(prospects.hits), prospects.more) == (7, 5, 2)
    assert prospects.see_all_url == "/prospects/?q=marchal"


def test_a_person_linked_to_two_matching_companies_counts_once(rep):
    person = person_create(actor=rep, data={"first_name": "Jean", "last_name": "Roux"})
    for name in ("Roux et fils", "Roux logistique"):
        company = company_create(actor=rep, data={"name": name})
        f.AffiliationFactory(person=person, company=company, is_default=False)
    people = selectors.global_search(user=rep, query="roux", limit=5, kinds=("people",))[0]
    assert people.total == 1 and len(people.hits) == 1


def test_a_phone_number_however_typed_finds_the_records(rep):
    world = make_world(rep)
    prospects = selectors.global_search(user=rep, query="02.99.12.34.56", limit=5)[0]
    assert [h.url for h in prospects.hits] == [world["prospects"].get_absolute_url()]
    companies = selectors.global_search(user=rep, query="04 72 11 22 33", limit=5)[1]
    assert [h.url for h in companies.hits] == [world["companies"].get_absolute_url()]


def test_a_siren_or_a_siret_finds_the_company_and_the_prospect(rep):
    world = make_world(rep)
    groups = selectors.global_search(user=rep, query="404 833 048", limit=5)
    assert found_urls(groups)["companies"] == {world["companies"].get_absolute_url()}
    groups = selectors.global_search(user=rep, query="73282932000074", limit=5)
    assert found_urls(groups)["prospects"] == {world["prospects"].get_absolute_url()}


@pytest.mark.parametrize("junk", ["", "   ", "a", "%", "_", "%%__", "'; --", "*" * 500, "\x00"])
def test_junk_finds_nothing_and_reads_nothing(rep, junk, django_assert_num_queries):
    make_world(rep)
    with django_assert_num_queries(0):
        assert selectors.global_search(user=rep, query=junk, limit=5) == []


def test_a_long_query_is_cut_and_answers(rep_client):
    response = rep_client.get(URL, {"q": "vernier " * 100})
    assert response.status_code == 200


def test_a_rep_who_sees_only_their_own_never_finds_another_reps_records(
    settings, rep, other_rep, manager
):
    settings.REPS_SEE_ONLY_OWN = True
    theirs = make_world(other_rep)
    mine = make_world(rep, name="Vernier-Dupuis")
    urls = found_urls(selectors.global_search(user=rep, query="vernier", limit=20))
    for kind in theirs:
        assert theirs[kind].get_absolute_url() not in urls[kind], kind
        assert mine[kind].get_absolute_url() in urls[kind], kind
    # The counts do not betray them either; the manager finds both worlds.
    reps = {g.kind: g.total for g in selectors.global_search(user=rep, query="vernier", limit=20)}
    managers = selectors.global_search(user=manager, query="vernier", limit=20)
    assert reps == {g.kind: len(found_urls([g])[g.kind]) // 2 for g in managers}
    assert reps == {
        "prospects": 1,
        "companies": 2,  # the prospect company and the quoted garage
        "people": 2,  # their contacts
        "opportunities": 2,  # the prospect's and the quoted one
        "quotes": 1,
    }


def test_the_team_sees_each_others_records_by_default(rep, other_rep):
    theirs = make_world(other_rep)
    urls = found_urls(selectors.global_search(user=rep, query="vernier", limit=5))
    for kind, record in theirs.items():
        assert record.get_absolute_url() in urls[kind], kind


def test_trashed_records_are_not_found(rep):
    from django.utils import timezone

    from contacts.models import Prospect

    world = make_world(rep)
    Prospect.objects.filter(pk=world["prospects"].pk).update(deleted_at=timezone.now())
    assert selectors.global_search(user=rep, query="vernier", limit=5)[0].total == 0


def test_the_dropdown_lists_options_grouped_with_their_counts(rep_client, rep):
    make_world(rep)
    response = rep_client.get(URL, {"q": "vernier"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    # One prospect and quote, two companies (a carrier and the quoted garage), their two
    # contacts, two opportunities (the prospect's, the garage's), and "see all results".
    assert html.count('role="option"') == 9
    for label in ("Prospects", "Companies", "People", "Opportunities", "Quotes"):
        assert label in html
    assert 'href="/search/?q=vernier"' in html


def test_the_dropdown_says_when_nothing_is_found_or_too_little_is_typed(rep_client):
    assert "Nothing found for" in rep_client.get(URL, {"q": "zzqx"}, **HTMX).content.decode()
    assert "at least two letters" in rep_client.get(URL, {"q": "z"}, **HTMX).content.decode()


def test_the_results_page_is_a_bookmarkable_page_of_groups(rep_client, rep):
    world = make_world(rep)
    response = rep_client.get(URL, {"q": "vernier"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    for kind, record in world.items():
        assert f'id="results-{kind}"' in html
        assert record.get_absolute_url() in html
    assert 'value="vernier"' in html


def test_see_all_of_a_kind_without_a_list_shows_that_kind_alone(rep_client, rep):
    for n in range(25):
        f.OpportunityFactory(owner=rep, summary=f"Maintenance annuelle {n}")
    response = rep_client.get(URL, {"q": "maintenance"})
    assert "/search/?q=maintenance&amp;kind=opportunities" in response.content.decode()
    response = rep_client.get(URL, {"q": "maintenance", "kind": "opportunities"})
    html = response.content.decode()
    assert html.count("Maintenance annuelle") == 25 and 'id="results-prospects"' not in html


@pytest.mark.parametrize("rows", [1, 8])
@pytest.mark.parametrize("role", ["rep", "manager"])
@pytest.mark.parametrize("htmx", [True, False])
def test_query_count_is_constant_in_the_rows(
    client, settings, rep, manager, role, rows, htmx, django_assert_max_num_queries
):
    settings.REPS_SEE_ONLY_OWN = role == "rep"
    user = rep if role == "rep" else manager
    for n in range(rows):
        make_world(rep, name=f"Vernier{n}")
    sign_in(client, user)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, {"q": "vernier"}, **(HTMX if htmx else {}))
    assert response.status_code == 200
    assert "Vernier0" in response.content.decode()


def test_signed_out_users_are_sent_to_the_login(client):
    response = client.get(URL, {"q": "vernier"})
    assert response.status_code == 302 and "login" in response["Location"]
