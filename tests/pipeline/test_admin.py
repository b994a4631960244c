import pytest
from django.urls import reverse

from pipeline.models import Process
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, db):
    user = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("count", [12, 20])
def test_process_change_page_with_many_steps(admin_client_, count):
    process = f.ProcessFactory(steps=count)
    response = admin_client_.get(reverse("admin:pipeline_process_change", args=[process.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Step {count}" in html
    assert html.index('Step 1"') < html.index(f'Step {count}"')


def _inline_data(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


@pytest.mark.parametrize("count", [12, 20])
def test_create_process_with_steps_in_admin(admin_client_, count):
    rows = [
        {
            "position": str(count - i),
            "label": f"Labour {i + 1}",
            "duration_days": "3",
            "probability": "10",
        }
        for i in range(count)
    ]
    data = {
        "name": "Hercules",
        "mode": "step",
        "log_step_changes": "on",
        "active": "on",
        "position": "0",
    }
    data.update(_inline_data("steps", rows))
    response = admin_client_.post(reverse("admin:pipeline_process_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    process = Process.objects.get(name="Hercules")
    labels = list(process.steps.order_by("position").values_list("label", flat=True))
    assert len(labels) == count
    assert labels[0] == f"Labour {count}"  # ordered by position, as typed


def test_process_admin_forbidden_to_reps(rep_client):
    response = rep_client.get(reverse("admin:pipeline_process_changelist"))
    assert response.status_code == 302


def test_rule_inline_offers_only_the_process_steps(admin_client_):
    process = f.ProcessFactory(steps=2)
    other = f.ProcessFactory(steps=1)
    foreign = other.steps.get()
    html = admin_client_.get(
        reverse("admin:pipeline_process_change", args=[process.pk])
    ).content.decode()
    rules_part = html[html.index('id="rules-group"') :]
    assert f'value="{foreign.pk}"' not in rules_part
    assert f'value="{process.steps.first().pk}"' in rules_part


def test_only_one_default_process(admin_client_, default_process):
    data = {
        "name": "Second default",
        "mode": "free",
        "active": "on",
        "is_default": "on",
        "position": "0",
    }
    data.update(
        _inline_data(
            "steps", [{"position": "0", "label": "A", "duration_days": "1", "probability": "10"}]
        )
    )
    response = admin_client_.post(reverse("admin:pipeline_process_add"), data)
    assert response.status_code == 200
    assert not Process.objects.filter(name="Second default").exists()


def test_admin_refuses_deleting_a_step_with_an_inactive_opportunity(admin_client_):
    from pipeline.models import Opportunity

    process = f.ProcessFactory(name="Busy", steps=2)
    first, second = process.steps.order_by("position")
    f.OpportunityFactory(process=process, step=second, status=Opportunity.Status.INACTIVE)
    data = {"name": "Busy", "mode": "free", "active": "on", "position": "0"}
    rows = [
        {
            "id": str(s.pk),
            "process": str(process.pk),
            "position": str(s.position),
            "label": s.label,
            "duration_days": "3",
            "probability": "10",
        }
        for s in (first, second)
    ]
    rows[1]["DELETE"] = "on"
    data.update(_inline_data("steps", rows))
    data["steps-INITIAL_FORMS"] = "2"
    data.update(
        {
            "rules-TOTAL_FORMS": "0",
            "rules-INITIAL_FORMS": "0",
            "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "1000",
        }
    )
    response = admin_client_.post(reverse("admin:pipeline_process_change", args=[process.pk]), data)
    assert response.status_code == 200
    assert process.steps.filter(pk=second.pk).exists()
