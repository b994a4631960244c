"""The process's "quote" automation rules (OpenFire: a quote generated moves the stage): issuing,
sending, and the client's answer on the public page move the opportunity to the rule's step."""

import pytest
from django.urls import reverse

from pipeline.models import AutomationRule, HistoryEntry, Opportunity
from quotes import lifecycle
from quotes.services import quote_issue
from tests.quotes.lifecycle_setup import draft_for, sent_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Accepted PDFs and logos are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


def rule(opportunity: Opportunity, event: str, position: int) -> AutomationRule:
    """A rule of the opportunity's process moving it to the step at `position` on `event`."""
    step = opportunity.process.steps.order_by("position")[position]
    return AutomationRule.objects.create(process=opportunity.process, event=event, target_step=step)


def step_of(opportunity: Opportunity):
    return Opportunity.objects.get(pk=opportunity.pk).step


def test_the_client_accepting_on_the_public_page_moves_the_opportunity(client, rep):
    quote = sent_for(rep)
    accepted = rule(quote.opportunity, AutomationRule.Event.QUOTE_ACCEPTED, 3)

    response = client.post(
        reverse("quote_public_accept", args=[quote.token]),
        {"name": "Jeanne Martin", "agree": "on"},
    )

    assert response.status_code == 302
    assert step_of(quote.opportunity) == accepted.target_step
    move = HistoryEntry.objects.get(opportunity=quote.opportunity, kind=HistoryEntry.Kind.STEP)
    assert move.rule == accepted and move.actor is None
    assert move.to_value == accepted.target_step.label


def test_the_client_refusing_moves_by_the_refused_rule_only(client, rep):
    quote = sent_for(rep)
    rule(quote.opportunity, AutomationRule.Event.QUOTE_ACCEPTED, 3)
    refused = rule(quote.opportunity, AutomationRule.Event.QUOTE_REFUSED, 2)

    client.post(reverse("quote_public_refuse", args=[quote.token]), {"reason": "Too dear"})

    assert step_of(quote.opportunity) == refused.target_step


def test_issuing_a_quote_moves_the_opportunity(rep):
    draft = draft_for(rep)
    issued = rule(draft.opportunity, AutomationRule.Event.QUOTE_ISSUED, 2)
    before = step_of(draft.opportunity)

    quote_issue(quote_id=draft.pk, actor=rep)

    assert before != issued.target_step
    assert step_of(draft.opportunity) == issued.target_step


def test_sending_a_quote_moves_the_opportunity(rep):
    quote = sent_for(rep)
    sent = rule(quote.opportunity, AutomationRule.Event.QUOTE_SENT, 2)

    lifecycle.quote_send(quote_id=quote.pk, actor=rep, to_email="jeanne@martin.fr")

    assert step_of(quote.opportunity) == sent.target_step


def test_rules_never_move_back(client, rep):
    quote = sent_for(rep)
    opportunity = quote.opportunity
    later = opportunity.process.steps.order_by("position").last()
    Opportunity.objects.filter(pk=opportunity.pk).update(step=later)
    rule(opportunity, AutomationRule.Event.QUOTE_ACCEPTED, 1)

    client.post(
        reverse("quote_public_accept", args=[quote.token]),
        {"name": "Jeanne Martin", "agree": "on"},
    )

    assert step_of(opportunity) == later
