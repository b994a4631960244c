"""The process admin in Chromium: steps reordered by dragging (django-admin-sortable2) under
the strict Content-Security-Policy, and a step-by-step process's boxes following the new order."""

import pytest
from playwright.sync_api import expect

from pipeline.models import Process, StepProgress
from pipeline.services import opportunities as opportunity_services
from tests import factories as f
from tests.browser.test_content_security_policy import watched  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reorders_steps_by_dragging_and_the_boxes_follow(watched, live_server):  # noqa: F811
    context, problems = watched
    # Superuser: the flush between transactional tests also empties the group permissions.
    manager = f.UserFactory(username="manager", is_staff=True, is_superuser=True)
    process = f.ProcessFactory(
        name="Hercules",
        mode=Process.Mode.STEP_BY_STEP,
        steps=[("Lion", 3, 10), ("Hydra", 3, 20), ("Hind", 3, 30)],
    )
    lion, hydra, hind = process.steps.order_by("position")
    # In Hydra: Lion is done, Hydra and Hind are not.
    opportunity = opportunity_services.opportunity_create(
        actor=manager, process=process, step=hydra, summary="Labours"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "jalon-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}/admin/pipeline/process/{process.pk}/change/")
    rows = page.locator("#steps-group tbody tr.has_original")
    expect(rows.nth(0).locator("input[name$='-label']")).to_have_value("Lion")
    rows.nth(2).locator("td.original p").drag_to(rows.nth(0).locator("td.original p"))
    expect(rows.nth(0).locator("input[name$='-label']")).to_have_value("Hind")
    page.locator("input[name=_save]").click()
    page.wait_for_url(lambda url: url.endswith("/admin/pipeline/process/"))

    assert list(process.steps.order_by("position").values_list("label", flat=True)) == [
        "Hind",
        "Lion",
        "Hydra",
    ]
    # Still in Hydra, whose earlier steps are now Hind and Lion: both are done.
    opportunity.refresh_from_db()
    assert opportunity.step_id == hydra.pk
    done = set(StepProgress.objects.filter(opportunity=opportunity).values_list("step", flat=True))
    assert done == {hind.pk, lion.pk}
    assert problems == []


def test_the_rep_whose_task_fired_a_rule_is_told_in_the_message_area(page, live_server, login):
    """A rule set up in the admin ("a call is done → Quote") fires when the rep ticks the call on
    their task list: the page says what the rule did, beside "Task done."."""
    from pipeline.models import AutomationRule

    process = f.ProcessFactory(name="Sales", steps=[("Lead", 3, 10), ("Quote", 3, 50)])
    lead, quote = process.steps.order_by("position")
    opportunity, task = _alice_to_visit_for(process, lead)
    AutomationRule.objects.create(
        process=process,
        event=AutomationRule.Event.TASK_DONE,
        task_type=task.type,
        target_step=quote,
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/tasks/")

    page.locator(f"#task-{task.pk} .task-check").click()

    messages = page.locator("#messages")
    expect(messages).to_contain_text("Task done.")
    expect(messages).to_contain_text(
        "Opportunity “Till for 3 shops” moved to the step “Quote”: a task “Visit” was done."
    )
    # Closed with its own button, named for screen readers.
    notice = messages.locator(".message", has_text="moved to the step")
    notice.get_by_role("button", name="Close").click()
    expect(notice).to_have_count(0)
    opportunity.refresh_from_db()
    assert opportunity.step == quote


def test_rules_fired_from_a_long_card_are_told_in_view_and_shown_on_it(page, live_server, login):
    """Rules set up in the admin fire from the opportunity card: "a line is added → Quote"
    (the card then shows the new step, and saving it keeps it), and "a visit is done → Order"
    from the task panel at the bottom of the card (the message shows in view there)."""
    from pipeline.models import AutomationRule

    process = f.ProcessFactory(
        name="Sales", steps=[("Lead", 3, 10), ("Quote", 3, 50), ("Order", 3, 90)]
    )
    lead, quote, order = process.steps.order_by("position")
    opportunity, task = _alice_to_visit_for(process, lead)
    AutomationRule.objects.create(
        process=process, event=AutomationRule.Event.LINE_ADDED, target_step=quote
    )
    AutomationRule.objects.create(
        process=process,
        event=AutomationRule.Event.TASK_DONE,
        task_type=task.type,
        target_step=order,
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "alice")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    form = page.locator("form.line-form")
    form.locator("input[name=item]").fill("Till")
    form.locator("input[name=unit_price]").fill("1500")
    form.locator("button[type=submit]").click()

    notice = page.locator("#messages .message", has_text="moved to the step “Quote”")
    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()
    expect(page.locator("#messages")).to_contain_text("Line added.")
    opportunity.refresh_from_db()
    assert opportunity.step == quote
    # The card shows the step the rule chose: saving it does not put the old step back.
    expect(page.locator("select[name=step]")).to_have_value(str(quote.pk))
    page.fill("input[name=summary]", "Till for 4 shops")
    page.locator("form:has(input[name=summary]) button[type=submit]").first.click()
    expect(page.locator("#messages")).to_contain_text("Saved.")
    opportunity.refresh_from_db()
    assert (opportunity.summary, opportunity.step) == ("Till for 4 shops", quote)

    # The visit ticked at the bottom of the card: the rule's message is in view.
    check = page.locator(f"#task-{task.pk} .task-check")
    check.scroll_into_view_if_needed()
    check.click()
    notice = page.locator("#messages .message", has_text="moved to the step “Order”")
    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()
    opportunity.refresh_from_db()
    assert opportunity.step == order


def _alice_to_visit_for(process, step):
    """Alice (a rep), her opportunity "Till for 3 shops" at `step` of `process`, and her visit
    to do about it today."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from core.roles import SALES_MANAGER, SALES_REP
    from pipeline.models import TaskType

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    visit = TaskType.objects.create(code="visit", name="Visit", icon="map-pin")
    opportunity = opportunity_services.opportunity_create(
        actor=alice,
        process=process,
        step=step,
        summary="Till for 3 shops",
        prospect=f.ProspectFactory(owner=alice),
    )
    task = f.TaskFactory(
        type=visit,
        title="Visit the shops",
        opportunity=opportunity,
        assignee=alice,
        created_by=alice,
        start=timezone.now(),
    )
    return opportunity, task
