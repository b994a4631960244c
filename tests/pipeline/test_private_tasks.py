"""A colleague's private task on a record the user sees: it may drive the stored action clock
(the card's time and colour, the company's next contact), but its title, its notes, its
importance and a link to it show nowhere (`TaskQuerySet.visible_to`)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Task
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db

SECRET = "Zq-secret lunch"
PUBLIC = "Call back about the quote"


@pytest.fixture
def records(rep, other_rep):
    """Alice's opportunity (on a prospect) and her company opportunity; Bruno planned a private
    task, important, before Alice's own public one on each."""
    process = f.ProcessFactory(steps=3)
    company = f.CompanyFactory(owner=rep)
    person = f.PersonFactory(owner=rep)
    on_prospect = f.OpportunityFactory(
        process=process, owner=rep, prospect=f.ProspectFactory(owner=rep)
    )
    on_company = f.OpportunityFactory(
        process=process, owner=rep, prospect=None, company=company, person=person
    )
    soon = timezone.now() + dt.timedelta(hours=2)
    tasks = []
    for opportunity in (on_prospect, on_company):
        tasks.append(
            activities.task_create(
                actor=other_rep,
                title=SECRET,
                notes=SECRET,
                type=f.task_type("meeting"),
                start=soon,
                assignee=other_rep,
                is_private=True,
                important=True,
                opportunity=opportunity,
            )
        )
        activities.task_create(
            actor=rep,
            title=PUBLIC,
            type=f.task_type("call"),
            start=soon + dt.timedelta(days=1),
            opportunity=opportunity,
        )
    return on_prospect, on_company, company, person, tasks


def _pages(records):
    on_prospect, on_company, company, person, _tasks = records
    process = on_prospect.process
    yield reverse("pipeline_board", args=[process.pk])
    yield reverse("board_card", args=[process.pk, on_prospect.pk])
    yield reverse("board_card", args=[process.pk, on_company.pk])
    yield reverse("board_column", args=[process.pk, str(on_prospect.step_id)])
    yield reverse("pipeline_steps", args=[process.pk])
    yield reverse("prospect_list")
    yield reverse("prospect_detail", args=[on_prospect.prospect_id])
    yield reverse("prospect_panel", args=[on_prospect.prospect_id])
    yield reverse("opportunity_detail", args=[on_prospect.pk])
    yield reverse("company_detail", args=[company.pk]) + "?tab=management"
    yield reverse("person_detail", args=[person.pk])
    for kind, pk in (
        ("opportunity", on_prospect.pk),
        ("prospect", on_prospect.prospect_id),
        ("company", company.pk),
        ("person", person.pk),
    ):
        yield reverse("task_panel") + f"?{kind}={pk}&todo=0"
        yield reverse("history_panel") + f"?{kind}={pk}"
    yield reverse("dashboard")
    yield reverse("task_list")
    yield reverse("task_calendar")


def test_a_colleagues_private_task_title_shows_nowhere(rep_client, records):
    leaks = []
    for url in _pages(records):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = rep_client.get(url, **headers)
            assert response.status_code == 200, url
            if SECRET in response.content.decode():
                leaks.append(url)
    assert leaks == [], leaks


def test_the_card_keeps_the_private_tasks_time_and_colour_without_title_flag_or_link(
    rep_client, records
):
    on_prospect, *_rest, tasks = records
    private = tasks[0]
    url = reverse("board_card", args=[on_prospect.process_id, on_prospect.pk])
    card = rep_client.get(url).content.decode()
    on_prospect.refresh_from_db()
    assert on_prospect.next_action_at == private.start
    assert f'datetime="{timezone.localtime(private.start).isoformat()}"' in card
    assert "Task of a colleague" in card
    assert PUBLIC not in card  # the time is the private task's: no other title beside it
    assert 'class="kc-flag"' not in card
    assert reverse("task_edit", args=[private.pk]) not in card


def test_the_card_of_the_private_tasks_author_shows_it(client, other_rep, records):
    on_prospect, *_rest = records
    client.force_login(other_rep)
    url = reverse("board_card", args=[on_prospect.process_id, on_prospect.pk])
    card = client.get(url).content.decode()
    assert SECRET in card and 'class="kc-flag"' in card


def test_the_card_shows_the_users_own_next_task_when_it_comes_first(rep_client, rep, records):
    on_prospect, *_rest, tasks = records
    activities.task_update(
        task=Task.objects.get(pk=tasks[0].pk),
        actor=rep,
        start=timezone.now() + dt.timedelta(days=5),
    )
    url = reverse("board_card", args=[on_prospect.process_id, on_prospect.pk])
    card = rep_client.get(url).content.decode()
    assert PUBLIC in card and "Task of a colleague" not in card
