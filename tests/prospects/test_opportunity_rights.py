"""A rep adds an opportunity only to a prospect, company or person they may change
(`core.access.can_change`): the rule lives in `pipeline.services.opportunities.opportunity_create`,
so the board's dialog, the prospect card, the admin and the demo all get it. Reps see the
team's records (REPS_SEE_ONLY_OWN=0, the default) but change their own and unassigned ones."""

import pytest
from django.urls import reverse

from pipeline.models import HistoryEntry, Opportunity
from pipeline.services import cards as card_services
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=2)


@pytest.fixture
def theirs(other_rep):
    return f.ProspectFactory(owner=other_rep, company_name="Bruno's Client SA")


@pytest.fixture
def mine(rep):
    return f.ProspectFactory(owner=rep, company_name="Alice's Client SA")


def _rows():
    return Opportunity.all_objects.count(), HistoryEntry.objects.count()


@pytest.mark.parametrize("record", ["prospect", "company", "person"])
def test_the_service_refuses_a_record_the_actor_may_not_change(rep, other_rep, process, record):
    fields = {
        "prospect": lambda: {"prospect": f.ProspectFactory(owner=other_rep)},
        "company": lambda: {"prospect": None, "company": f.CompanyFactory(owner=other_rep)},
        "person": lambda: {
            "prospect": None,
            "company": f.CompanyFactory(owner=rep),
            "person": f.PersonFactory(owner=other_rep),
        },
    }[record]()
    before = _rows()
    with pytest.raises(opportunity_services.MoveRefused) as refused:
        opportunity_services.opportunity_create(
            actor=rep, process=process, summary="Not mine", **fields
        )
    assert refused.value.message == str(opportunity_services.NOT_ALLOWED_RECORD)
    assert _rows() == before


def test_the_service_refuses_a_record_given_by_its_id(rep, theirs, process):
    with pytest.raises(opportunity_services.MoveRefused):
        opportunity_services.opportunity_create(
            actor=rep, process=process, summary="Not mine", prospect_id=theirs.pk
        )


def test_the_service_accepts_own_and_unassigned_records_and_managers_everywhere(
    rep, manager, mine, theirs, process
):
    unassigned = f.ProspectFactory(owner=None)
    for actor, prospect in ((rep, mine), (rep, unassigned), (manager, theirs)):
        created = opportunity_services.opportunity_create(
            actor=actor, process=process, summary="Fine", prospect=prospect
        )
        assert created.prospect == prospect


def test_the_prospect_card_service_refuses_it_too(rep, theirs, process):
    before = _rows()
    with pytest.raises(opportunity_services.MoveRefused):
        card_services.opportunity_add(
            prospect_id=theirs.pk, actor=rep, process=process, summary="Not mine"
        )
    assert _rows() == before


def test_the_board_dialog_offers_only_prospects_the_rep_may_change(
    rep_client, mine, theirs, process
):
    url = reverse("board_opportunity_create", args=[process.pk])
    dialog = rep_client.get(url, **HTMX).content.decode()
    assert f'<option value="{mine.pk}"' in dialog
    assert f'<option value="{theirs.pk}"' not in dialog


def test_a_forged_board_post_on_another_reps_prospect_is_refused_with_a_message(
    rep_client, theirs, process
):
    url = reverse("board_opportunity_create", args=[process.pk])
    before = _rows()
    response = rep_client.post(
        url,
        {
            "summary": "Forged",
            "prospect": theirs.pk,
            "step": process.steps.order_by("position").first().pk,
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html and 'name="prospect"' in html
    assert "jalon:close-modal" not in response.headers.get("HX-Trigger", "")
    assert _rows() == before


def test_the_prospect_card_refuses_another_reps_prospect(rep_client, theirs, process):
    before = _rows()
    url = reverse("prospect_opportunity_create", args=[theirs.pk])
    response = rep_client.post(url, {"summary": "Forged", "process": process.pk})
    assert response.status_code == 403
    assert _rows() == before
