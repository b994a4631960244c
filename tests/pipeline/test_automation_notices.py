"""The user whose action fired an automation rule is told what the rule did (core.notices):
in the message area of the page they are on (htmx), or on the next page (a redirect)."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from pipeline.models import AutomationRule, Opportunity, Process, TaskType
from pipeline.services import opportunities as opportunity_services
from tests import factories as f
from tests.conftest import sign_in

# on_commit must run: the notices are sent once the write is committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setting(client):
    rep = f.RepFactory(username="alice")
    call = TaskType.objects.create(code="visit", name="Visit")
    process = f.ProcessFactory(mode=Process.Mode.FREE, steps=[("Lead", 3, 10), ("Quote", 3, 50)])
    lead, quote = process.steps.order_by("position")
    AutomationRule.objects.create(
        process=process, event=AutomationRule.Event.TASK_DONE, task_type=call, target_step=quote
    )
    opportunity = opportunity_services.opportunity_create(
        actor=rep,
        process=process,
        step=lead,
        summary="Till for 3 shops",
        prospect=f.ProspectFactory(owner=rep),
    )
    task = f.TaskFactory(type=call, opportunity=opportunity, assignee=rep, created_by=rep)
    sign_in(client, rep)
    return client, opportunity, quote, task


FIRED = "Opportunity “Till for 3 shops” moved to the step “Quote”: a task “Visit” was done."


def test_htmx_answer_carries_the_rule_notice_beside_the_views_own_message(setting):
    client, opportunity, quote, task = setting

    response = client.post(
        reverse("task_toggle", args=[task.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 204
    events = json.loads(response["HX-Trigger"])
    assert events["jalon:message"]["text"] == "Task done."
    assert events["jalon:messages"] == {"items": [{"text": FIRED, "level": "info"}]}
    assert Opportunity.objects.get(pk=opportunity.pk).step == quote


def test_after_a_redirect_the_notice_is_on_the_next_page(setting):
    client, opportunity, _quote, task = setting

    response = client.post(reverse("task_toggle", args=[task.pk]), {"done": "1"})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [FIRED]


def test_no_rule_fired_no_notice(setting):
    client, opportunity, _quote, task = setting
    AutomationRule.objects.update(active=False)

    response = client.post(
        reverse("task_toggle", args=[task.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )

    assert "jalon:messages" not in json.loads(response["HX-Trigger"])


def test_a_notice_is_shown_only_to_the_user_whose_action_it_was(rf):
    """A customer accepting a quote on its public page fires the seller's rules as the seller:
    the visitor is not told what the rules did."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import transaction
    from django.http import HttpResponse

    from core.notices import NoticesMiddleware, notify

    seller = f.RepFactory(username="seller")

    def view(request):
        with transaction.atomic():
            notify("Moved to Won.", to=seller)
        return HttpResponse(status=204)

    def answer(user):
        request = rf.post("/", HTTP_HX_REQUEST="true")
        request.user, request.htmx = user, True
        return NoticesMiddleware(view)(request)

    assert json.loads(answer(seller)["HX-Trigger"]) == {
        "jalon:messages": {"items": [{"text": "Moved to Won.", "level": "info"}]}
    }
    assert "HX-Trigger" not in answer(AnonymousUser())
    assert "HX-Trigger" not in answer(f.RepFactory(username="someone"))
