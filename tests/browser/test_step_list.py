"""The step list in Chromium: ticking boxes in place, a refusal, the filters."""

import pytest
from playwright.sync_api import expect

from pipeline.models import Process, StepProgress
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def groups(live_server):
    # Transactional tests flush the tables between tests: recreate the groups migrations seed.
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)


def test_rep_ticks_steps_in_place_and_is_refused_out_of_order(page, live_server, login):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    bruno = f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")
    process = f.ProcessFactory(
        name="PROSTEP",
        mode=Process.Mode.STEP_BY_STEP,
        log_step_changes=True,
        steps=[("Send documentation", 3, 20), ("Phone call", 5, 50), ("Check subscription", 7, 80)],
    )
    s1, s2, s3 = process.steps.order_by("position")
    mine = opportunity_services.opportunity_create(
        actor=alice,
        process=process,
        summary="Roof",
        prospect=f.ProspectFactory(owner=alice, last_name="Héyé"),
    )
    opportunity_services.opportunity_create(
        actor=bruno,
        process=process,
        summary="Pool",
        prospect=f.ProspectFactory(owner=bruno, last_name="Cover"),
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/pipeline/{process.pk}/steps/")
    row = page.locator(f"tr[data-opportunity='{mine.pk}']")
    expect(row).to_contain_text("HÉYÉ")

    # Out of order: refused, the box stays empty, the reason is shown.
    row.locator(f"td[data-step='{s2.pk}'] input").click()
    expect(page.locator("#messages")).to_contain_text("Send documentation")
    expect(
        page.locator(f"tr[data-opportunity='{mine.pk}'] td[data-step='{s2.pk}'] input")
    ).not_to_be_checked()

    # In order: ticked in place, the probability follows the next step.
    page.locator(f"tr[data-opportunity='{mine.pk}'] td[data-step='{s1.pk}'] input").click()
    expect(
        page.locator(f"tr[data-opportunity='{mine.pk}'] td[data-step='{s1.pk}'] input")
    ).to_be_checked()
    expect(page.locator(f"tr[data-opportunity='{mine.pk}']")).to_contain_text("50 %")
    assert StepProgress.objects.filter(opportunity=mine, step=s1).exists()

    # Bruno's row has no active control for Alice.
    theirs = page.locator("tr[data-opportunity]").filter(has_text="COVER")
    expect(theirs.locator(f"td[data-step='{s1.pk}'] input")).to_be_disabled()

    # Filter by user: only Alice's row is left, and the URL keeps the filter.
    page.select_option("#id_owner", label="Alice Durand")
    expect(page.locator("tbody tr[data-opportunity]")).to_have_count(1)
    assert "owner=" in page.url


def test_manager_reorders_steps_by_dragging_in_admin(page, live_server, login):
    # Superuser: the flush between transactional tests also empties the group permissions.
    f.UserFactory(username="manager", is_staff=True, is_superuser=True)
    process = f.ProcessFactory(
        name="Hercules", steps=[("Lion", 3, 10), ("Hydra", 3, 20), ("Hind", 3, 30)]
    )
    login(page, "manager")
    page.goto(f"{live_server.url}/admin/pipeline/process/{process.pk}/change/")
    rows = page.locator("#steps-group tbody tr.form-row:not(.empty-form)")
    rows.nth(2).locator(".step-drag").drag_to(rows.nth(0).locator(".step-drag"))
    expect(rows.nth(0).locator("input[name$='-label']")).to_have_value("Hind")
    page.locator("input[name=_save]").click()
    page.wait_for_url(lambda url: url.endswith("/admin/pipeline/process/"))
    assert list(process.steps.order_by("position").values_list("label", flat=True)) == [
        "Hind",
        "Lion",
        "Hydra",
    ]
