"""Each business event is emitted once, after the commit, by the page action that causes it,
and reaches the webhooks listening to it (once each) and no other."""

import pytest
from django.urls import reverse

from core import events
from integrations.models import Delivery
from pipeline.models import Opportunity
from tests import factories as f
from tests.quotes.lifecycle_setup import sent_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def emitted():
    """The events told to listeners, as (name, record id)."""
    seen = []

    def listener(event):
        seen.append((event.name, event.instance.pk))

    events.register(listener)
    yield seen
    events.unregister(listener)


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=3)


@pytest.fixture
def own_opportunity(rep, process):
    return f.OpportunityFactory(
        process=process, owner=rep, prospect=f.ProspectFactory(owner=rep, search_text="")
    )


def move(client, opportunity, column, **extra):
    data = {
        "opportunity": opportunity.pk,
        "column": column,
        "from": str(opportunity.step_id),
        "version": opportunity.version,
        **extra,
    }
    return client.post(reverse("board_move", args=[opportunity.process_id]), data, **HTMX)


def test_nothing_is_told_before_the_commit(rep, emitted, django_capture_on_commit_callbacks):
    from prospects.services import prospect_create

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        prospect_create(actor=rep, data={"last_name": "Durand"})
        assert emitted == []
    assert len(callbacks) == 1


def test_creating_a_prospect_on_its_page(
    rep, rep_client, emitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            reverse("prospect_create"),
            {"last_name": "Durand", "owner": rep.pk, "lawful_basis": "legitimate_interest"},
        )
    assert response.status_code == 302
    from contacts.models import Prospect

    assert emitted == [("prospect.created", Prospect.objects.get().pk)]


def test_editing_a_prospect_on_its_card(
    rep, rep_client, emitted, django_capture_on_commit_callbacks
):
    prospect = f.ProspectFactory(owner=rep, last_name="Durand", search_text="")
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            reverse("prospect_detail", args=[prospect.pk]),
            {
                "last_name": "Durand-Lefèvre",
                "owner": rep.pk,
                "lawful_basis": "legitimate_interest",
                "version": prospect.version,
            },
        )
    assert response.status_code == 302
    assert emitted == [("prospect.updated", prospect.pk)]


def test_adding_an_opportunity_on_the_prospect_card(
    rep, rep_client, process, emitted, django_capture_on_commit_callbacks
):
    prospect = f.ProspectFactory(owner=rep, search_text="")
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            reverse("prospect_opportunity_create", args=[prospect.pk]),
            {"summary": "Audit", "process": process.pk},
        )
    assert response.status_code == 302
    assert emitted == [("opportunity.created", Opportunity.objects.get(prospect=prospect).pk)]


def test_moving_winning_and_losing_on_the_board(
    rep_client, own_opportunity, process, emitted, django_capture_on_commit_callbacks
):
    steps = list(process.steps.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        assert move(rep_client, own_opportunity, str(steps[1].pk)).status_code == 200
    assert emitted == [("opportunity.moved", own_opportunity.pk)]

    emitted.clear()
    own_opportunity.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        move(rep_client, own_opportunity, "won")
    assert emitted == [("opportunity.won", own_opportunity.pk)]

    emitted.clear()
    own_opportunity.refresh_from_db()
    reason = f.LossReasonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        move(rep_client, own_opportunity, "lost", via="dialog", loss_reason=reason.pk)
    assert emitted == [("opportunity.lost", own_opportunity.pk)]


def test_a_refused_move_tells_no_one(
    rep_client, own_opportunity, emitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(rep_client, own_opportunity, "lost")  # no loss reason: refused
    assert emitted == []


def test_ticking_a_task_done(
    rep, rep_client, own_opportunity, emitted, django_capture_on_commit_callbacks
):
    task = f.TaskFactory(assignee=rep, created_by=rep, opportunity=own_opportunity)
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(reverse("task_toggle", args=[task.pk]), {"done": "1"}, **HTMX)
    assert emitted == [("task.done", task.pk)]
    emitted.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(reverse("task_toggle", args=[task.pk]), {"done": "0"}, **HTMX)
    assert emitted == []


def test_the_client_accepting_a_quote(
    client, rep, emitted, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    quote = sent_for(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("quote_public_accept", args=[quote.token]),
            {"name": "Jeanne Martin", "agree": "on"},
        )
    assert response.status_code == 302
    assert emitted == [("quote.accepted", quote.pk)]


def test_every_event_fires_the_webhooks_listening_to_it_once(
    receiver,
    webhook_for,
    rep,
    rep_client,
    own_opportunity,
    process,
    django_capture_on_commit_callbacks,
):
    won_only = webhook_for(receiver.url + "?won", events=["opportunity.won"])
    moves = webhook_for(receiver.url + "?moves", events=["opportunity.moved", "opportunity.won"])
    webhook_for(receiver.url + "?prospects", events=["prospect.created", "prospect.updated"])

    steps = list(process.steps.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        move(rep_client, own_opportunity, str(steps[1].pk))
    own_opportunity.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        move(rep_client, own_opportunity, "won")

    got = sorted((r.path.split("?")[1], r.json["event"]) for r in receiver.requests)
    assert got == [
        ("moves", "opportunity.moved"),
        ("moves", "opportunity.won"),
        ("won", "opportunity.won"),
    ]
    won = [r.json for r in receiver.requests if r.json["event"] == "opportunity.won"]
    assert won[0]["id"] == won[1]["id"]  # one event, one id, whichever webhook
    assert won[0]["data"]["status"] == "won" and won[0]["data"]["id"] == own_opportunity.pk
    assert won[0]["data"]["previous"]["from_status"] == "open"
    assert Delivery.objects.filter(webhook=won_only).count() == 1
    assert Delivery.objects.filter(webhook=moves).count() == 2
