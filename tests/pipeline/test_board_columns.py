import pytest
from django.urls import reverse

from pipeline import services
from prospects.models import Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=3)


def steps_of(process):
    return list(process.steps.order_by("position"))


def test_stage_page_managers_only(manager_client, process):
    response = manager_client.get(reverse("pipeline_stages", args=[process.pk]))
    assert response.status_code == 200
    for step in steps_of(process):
        assert f'data-step="{step.pk}"' in response.content.decode()


def test_stage_endpoints_forbidden_to_reps(rep_client, process):
    step = steps_of(process)[0]
    assert rep_client.get(reverse("pipeline_stages", args=[process.pk])).status_code == 403
    assert rep_client.post(reverse("pipeline_stages", args=[process.pk]), {"label": "X"}).status_code == 403
    for name in ("pipeline_stage_update", "pipeline_stage_fold", "pipeline_stage_delete"):
        assert rep_client.post(reverse(name, args=[process.pk, step.pk]), {"label": "X"}).status_code == 403
    step.refresh_from_db()
    assert step.label != "X"


def test_add_column(manager_client, process):
    response = manager_client.post(
        reverse("pipeline_stages", args=[process.pk]),
        {"label": "Signature", "duration_days": 4, "probability": 90}, **HTMX,
    )
    assert response.status_code == 200
    assert "Signature" in response.content.decode()
    assert steps_of(process)[-1].label == "Signature"


def test_rename_and_fold(manager_client, process):
    step = steps_of(process)[0]
    response = manager_client.post(
        reverse("pipeline_stage_update", args=[process.pk, step.pk]),
        {"label": "Qualified", "duration_days": 2, "probability": 15, "folded": "on"}, **HTMX,
    )
    assert response.status_code == 200
    assert f'id="stage-{step.pk}"' in response.content.decode()
    step.refresh_from_db()
    assert (step.label, step.folded, step.probability) == ("Qualified", True, 15)
    manager_client.post(reverse("pipeline_stage_fold", args=[process.pk, step.pk]), {"folded": "0"}, **HTMX)
    step.refresh_from_db()
    assert not step.folded


def test_delete_refused_with_inactive_opportunity(manager_client, manager, process):
    step = steps_of(process)[1]
    services.opportunity_create(
        actor=manager, process=process, step=step, summary="Sleeping", prospect=f.ProspectFactory(),
        status=Opportunity.Status.INACTIVE,
    )
    response = manager_client.post(reverse("pipeline_stage_delete", args=[process.pk, step.pk]), **HTMX)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "cannot be deleted" in response["HX-Trigger"]
    assert process.steps.filter(pk=step.pk).exists()


def test_delete_empty_step(manager_client, process):
    step = steps_of(process)[2]
    response = manager_client.post(reverse("pipeline_stage_delete", args=[process.pk, step.pk]), **HTMX)
    assert response.status_code == 200
    assert not process.steps.filter(pk=step.pk).exists()


def test_delete_without_htmx_redirects(manager_client, process):
    step = steps_of(process)[2]
    response = manager_client.post(reverse("pipeline_stage_delete", args=[process.pk, step.pk]))
    assert response.status_code == 302


def test_step_of_other_process_404(manager_client, process):
    other = f.ProcessFactory(steps=1)
    step = steps_of(other)[0]
    response = manager_client.post(reverse("pipeline_stage_delete", args=[process.pk, step.pk]), **HTMX)
    assert response.status_code == 404
