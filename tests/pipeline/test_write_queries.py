"""Issue 20: ticking a step box and marking a task done cost a few queries, the same whatever
the rows around them, for a rep and for a manager (the session and the user included)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pipeline.models import HistoryEntry, Process, StepProgress, Task
from pipeline.services import activities
from pipeline.services import opportunities as opportunity_services
from tests import factories as f
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

BUDGET = 12
HTMX = {"HTTP_HX_REQUEST": "true"}


def counted(call):
    """Queries `call` runs, leaving out the SAVEPOINTs of the test's own transaction (in
    production the service's transaction is the outer one: BEGIN/COMMIT are not queries)."""
    with CaptureQueriesContext(connection) as captured:
        response = call()
    sqls = [q["sql"] for q in captured.captured_queries]
    return response, [s for s in sqls if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def a_process():
    return f.ProcessFactory(
        mode=Process.Mode.STEP_BY_STEP,
        log_step_changes=True,
        steps=[("Documentation", 3, 20), ("Call", 5, 50), ("Quote", 7, 80)],
    )


def opportunities(actor, process, count):
    return [
        opportunity_services.opportunity_create(
            actor=actor,
            process=process,
            prospect=f.ProspectFactory(owner=actor, notes="Met at the fair"),
            summary=f"Roof {i}",
        )
        for i in range(count)
    ]


def tick_queries(client, user, process, count):
    opportunity, *_others = opportunities(user, process, count)
    step = process.steps.order_by("position").first()
    url = reverse("pipeline_step_toggle", args=[process.pk, opportunity.pk, step.pk])
    response, queries = counted(
        lambda: client.post(url, {"done": "1", "version": opportunity.version}, **HTMX)
    )
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    assert StepProgress.objects.filter(opportunity=opportunity, step=step).exists()
    assert HistoryEntry.objects.filter(opportunity=opportunity, kind="step_done").exists()
    assert f'data-step="{step.pk}"' in response.content.decode()
    return queries


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_step_tick_costs_a_few_queries_whatever_the_rows(client, role, request):
    user = request.getfixturevalue(role)
    sign_in(client, user)
    few = tick_queries(client, user, a_process(), 1)
    many = tick_queries(client, user, a_process(), 25)
    assert len(few) <= BUDGET, "\n".join(few)
    assert len(many) == len(few), "\n".join(many)


def test_step_tick_on_a_process_with_modify_groups(client, rep):
    process = a_process()
    process.modify_groups.add(*rep.groups.all())
    sign_in(client, rep)
    assert len(tick_queries(client, rep, process, 3)) <= BUDGET


def test_step_tick_refused_for_a_rep_outside_the_modify_groups(client, rep, manager):
    from django.contrib.auth.models import Group

    process = a_process()
    opportunity = opportunities(rep, process, 1)[0]
    process.modify_groups.add(Group.objects.create(name="Installers"))
    step = process.steps.order_by("position").first()
    sign_in(client, rep)
    url = reverse("pipeline_step_toggle", args=[process.pk, opportunity.pk, step.pk])
    assert client.post(url, {"done": "1"}, **HTMX).status_code == 403
    assert not StepProgress.objects.filter(opportunity=opportunity, step=step).exists()


def test_step_tick_row_shows_the_new_state_and_the_first_log_line(client, rep):
    process = a_process()
    opportunity = opportunity_services.opportunity_create(
        actor=rep, process=process, prospect=f.ProspectFactory(owner=rep, notes=""), summary="R"
    )
    first, second, _third = process.steps.order_by("position")
    sign_in(client, rep)
    url = reverse("pipeline_step_toggle", args=[process.pk, opportunity.pk, first.pk])
    response = client.post(url, {"done": "1", "version": opportunity.version}, **HTMX)
    html = response.content.decode()
    boxes = re.findall(r'<input type="checkbox"([^>]*)>', html)
    assert ["checked" in attrs for attrs in boxes] == [True, False, False]
    comment = re.search(r'<td class="col-comment"><div [^>]*>([^<]*)</div>', html)[1]
    assert comment.endswith("Documentation done")
    assert '"version": "2"' in html  # the next tick sends the row's new version
    opportunity.refresh_from_db()
    assert opportunity.step_id == second.pk and opportunity.step_colour == "green"


def done_queries(client, user, count, *, contact=True):
    prospect = f.ProspectFactory(owner=user)
    company = f.CompanyFactory(owner=user)
    opportunity = f.OpportunityFactory(prospect=prospect, company=company, owner=user)
    kind = f.task_type("call" if contact else "todo")
    tasks = [
        activities.task_create(
            actor=user,
            title=f"Call {i}",
            type=kind,
            start=timezone.now() + timezone.timedelta(days=i),
            opportunity=opportunity,
        )
        for i in range(count)
    ]
    url = reverse("task_toggle", args=[tasks[0].pk])
    response, queries = counted(lambda: client.post(url, {"done": "1"}, **HTMX))
    assert response.status_code == 204
    assert Task.objects.get(pk=tasks[0].pk).done
    opportunity.refresh_from_db()
    expected = tasks[1].start if count > 1 else None
    assert opportunity.next_action_at == expected
    return queries


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_task_done_costs_a_few_queries_whatever_the_rows(client, role, request):
    user = request.getfixturevalue(role)
    sign_in(client, user)
    few = done_queries(client, user, 2)
    many = done_queries(client, user, 30)
    assert len(few) <= BUDGET, "\n".join(few)
    assert len(many) == len(few), "\n".join(many)
    assert len(done_queries(client, user, 2, contact=False)) < len(few)
