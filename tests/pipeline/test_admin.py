import pytest
from django.contrib import admin
from django.urls import reverse

from pipeline.models import Opportunity, Process, Step, Task
from pipeline.services.stages import STAGES_NOT_ALLOWED, STEP_LAST, STEP_NOT_EMPTY
from tests import factories as f
from tests.admin_forms import add_inline_row, admin_form_data, errors_of

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


# --------------------------------------------------------------------------- the column services


def _process_page(client, process):
    url = reverse("admin:pipeline_process_change", args=[process.pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, response, admin_form_data(response)


def _step_row(data, step) -> str:
    """The prefix of `step`'s row in the posted data ("steps-3")."""
    for key, value in data.items():
        if key.startswith("steps-") and key.endswith("-id") and value == str(step.pk):
            return key.removesuffix("-id")
    raise AssertionError(f"no row for {step}")


@pytest.fixture
def busy_process(db):
    """A process whose first step holds an open opportunity following its step, one set by
    hand and a won one."""
    process = f.ProcessFactory(name="Busy", steps=[("Call", 3, 10), ("Offer", 3, 50)])
    first = process.steps.order_by("position").first()
    follows = f.OpportunityFactory(process=process, step=first, summary="follows")
    by_hand = f.OpportunityFactory(
        process=process, step=first, probability=33, probability_is_manual=True, summary="hand"
    )
    won = f.OpportunityFactory(
        process=process, step=first, status=Opportunity.Status.WON, probability=100, summary="won"
    )
    return process, first, follows, by_hand, won


def test_a_step_probability_changed_in_the_admin_carries_like_the_board(
    manager_client, busy_process
):
    process, first, follows, by_hand, won = busy_process
    url, _response, data = _process_page(manager_client, process)
    data[f"{_step_row(data, first)}-probability"] = "40"

    response = manager_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    first.refresh_from_db()
    assert first.probability == 40
    probabilities = dict(
        Opportunity.objects.filter(process=process).values_list("summary", "probability")
    )
    # The board's column editor (`step_update`) does the same: open ones following their step.
    assert probabilities == {"follows": 40, "hand": 33, "won": 100}


def test_deleting_a_step_with_opportunities_is_refused_and_nothing_changes(
    manager_client, busy_process
):
    process, first, *_ = busy_process
    second = process.steps.order_by("position").last()
    url, _response, data = _process_page(manager_client, process)
    data["name"] = "Renamed"
    data[f"{_step_row(data, second)}-label"] = "Renamed too"
    data[f"{_step_row(data, first)}-DELETE"] = "on"
    steps_before = list(process.steps.values())

    response = manager_client.post(url, data)

    assert response.status_code == 200
    expected = str(STEP_NOT_EMPTY).format(step="Call", count=3)
    assert expected in errors_of(response)
    assert expected in response.content.decode()
    assert list(process.steps.values()) == steps_before
    assert Process.objects.get(pk=process.pk).name == "Busy"


def test_deleting_the_last_step_is_refused(manager_client):
    process = f.ProcessFactory(name="Single", steps=1)
    url, _response, data = _process_page(manager_client, process)
    data[f"{_step_row(data, process.steps.get())}-DELETE"] = "on"
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert str(STEP_LAST) in errors_of(response)
    assert process.steps.count() == 1


def test_an_empty_step_is_deleted_and_a_new_one_goes_at_the_end(manager_client):
    process = f.ProcessFactory(name="Tidy", steps=3)
    first, middle, last = process.steps.order_by("position")
    url, response, data = _process_page(manager_client, process)
    data[f"{_step_row(data, middle)}-DELETE"] = "on"
    add_inline_row(data, response, Step, {"label": "Signature", "probability": "90"})

    assert manager_client.post(url, data).status_code == 302

    assert list(process.steps.order_by("position", "id").values_list("label", flat=True)) == [
        first.label,
        last.label,
        "Signature",
    ]


def test_a_step_is_reordered_by_its_order_number(manager_client):
    process = f.ProcessFactory(name="Order", steps=3)
    first, middle, last = process.steps.order_by("position")
    url, _response, data = _process_page(manager_client, process)
    data[f"{_step_row(data, last)}-position"] = "0"
    data[f"{_step_row(data, first)}-position"] = "1"
    data[f"{_step_row(data, middle)}-position"] = "2"

    assert manager_client.post(url, data).status_code == 302

    assert list(process.steps.order_by("position").values_list("pk", flat=True)) == [
        last.pk,
        first.pk,
        middle.pk,
    ]


def test_staff_who_are_not_managers_may_not_change_the_steps(client, rep):
    """The column services are managers' (`can_manage_stages`), in the admin too."""
    from django.contrib.auth.models import Permission

    rep.is_staff = True
    rep.save()
    rep.user_permissions.add(  # the admin's permissions on processes and steps
        *Permission.objects.filter(
            content_type__app_label="pipeline", content_type__model__in=["process", "step"]
        )
    )
    process = f.ProcessFactory(name="Guarded", steps=2)
    client.force_login(rep)
    url, _response, data = _process_page(client, process)
    data[f"{_step_row(data, process.steps.first())}-probability"] = "99"

    response = client.post(url, data)

    assert response.status_code == 200
    assert str(STAGES_NOT_ALLOWED) in errors_of(response)
    assert not process.steps.filter(probability=99).exists()


def test_tasks_are_not_in_the_admin():
    """Their rules (done by, series, colours, the trash) are the task services': the admin
    offers no way around them, deletion included."""
    assert not admin.site.is_registered(Task)


def test_reordering_a_step_by_step_process_keeps_each_opportunity_in_its_step(
    manager_client, manager
):
    """The mode's invariant (the current step is the first not completed) holds after a
    reorder: the opportunity stays in its column, its boxes follow the new order, and its
    history says which boxes changed."""
    from pipeline.models import HistoryEntry, StepProgress
    from pipeline.services import opportunities as opportunity_services

    process = f.ProcessFactory(name="Labours", mode=Process.Mode.STEP_BY_STEP, steps=3)
    first, middle, last = process.steps.order_by("position")
    opportunity = opportunity_services.opportunity_create(
        actor=manager, process=process, step=middle, summary="Labours"
    )
    assert set(
        StepProgress.objects.filter(opportunity=opportunity).values_list("step", flat=True)
    ) == {first.pk}
    url, _response, data = _process_page(manager_client, process)
    # Dragged: middle, first, last. The opportunity in `middle` now has nothing before it.
    data[f"{_step_row(data, middle)}-position"] = "1"
    data[f"{_step_row(data, first)}-position"] = "2"
    data[f"{_step_row(data, last)}-position"] = "3"

    assert manager_client.post(url, data).status_code == 302

    opportunity.refresh_from_db()
    assert opportunity.step_id == middle.pk
    assert not StepProgress.objects.filter(opportunity=opportunity).exists()
    assert HistoryEntry.objects.filter(
        opportunity=opportunity, kind=HistoryEntry.Kind.STEP_UNDONE, from_value=first.label
    ).exists()


def test_reordering_a_free_process_leaves_the_boxes_alone(manager_client, manager):
    from pipeline.models import StepProgress
    from pipeline.services import opportunities as opportunity_services
    from pipeline.services import steps as step_services

    process = f.ProcessFactory(name="Free", mode=Process.Mode.FREE, steps=3)
    first, middle, last = process.steps.order_by("position")
    opportunity = opportunity_services.opportunity_create(
        actor=manager, process=process, step=first, summary="Free"
    )
    step_services.step_complete(opportunity_id=opportunity.pk, step_id=last.pk, actor=manager)
    url, _response, data = _process_page(manager_client, process)
    data[f"{_step_row(data, last)}-position"] = "1"
    data[f"{_step_row(data, first)}-position"] = "2"
    data[f"{_step_row(data, middle)}-position"] = "3"

    assert manager_client.post(url, data).status_code == 302

    assert set(
        StepProgress.objects.filter(opportunity=opportunity).values_list("step", flat=True)
    ) == {last.pk}


def test_a_task_types_icon_is_chosen_among_the_sprites_task_icons(admin_client_):
    """Managers pick a task type's icon from the sprite's (core.icons.TASK_ICONS), by what it
    looks like; a glyph or an unknown name is refused."""
    from core.icons import TASK_ICONS
    from pipeline.models import TaskType

    url = reverse("admin:pipeline_tasktype_add")
    page = admin_client_.get(url).content.decode()
    for name in TASK_ICONS:
        assert f'<option value="{name}"' in page
    data = {"name": "Site visit", "code": "visit", "is_contact": "on", "position": "5"}

    refused = admin_client_.post(url, {**data, "icon": "☎"})
    assert refused.status_code == 200
    assert not TaskType.objects.filter(code="visit").exists()

    assert admin_client_.post(url, {**data, "icon": "map-pin"}).status_code == 302
    assert TaskType.objects.get(code="visit").icon == "map-pin"
