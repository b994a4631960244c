import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pipeline.models import Task, TaskType
from pipeline.services import activities
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded(live_server):
    # Transactional tests flush the tables between tests: recreate what migrations seed.
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP
    from pipeline.models import TaskType

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    for position, (code, name) in enumerate(
        [("todo", "To-do"), ("call", "Call"), ("email", "E-mail")]
    ):
        TaskType.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "is_contact": code != "todo"}
        )


def test_create_a_task_in_the_dialog_then_mark_it_done(page, live_server, login):
    rep = f.RepFactory(username="alice")
    prospect = f.ProspectFactory(owner=rep, last_name="Martin")
    login(page, "alice")
    page.goto(f"{live_server.url}/tasks/")
    page.click("a[hx-get='/tasks/new/']")
    page.wait_for_selector("#modal[open] #id_title")
    page.fill("#modal #id_title", "Call the buyer")
    # By value: the migrations name the task types in the site's language.
    call = TaskType.objects.get(code="call")
    page.select_option("#modal #id_type", value=str(call.pk))
    today = timezone.localdate()
    page.fill("#modal #id_start", f"{today:%Y-%m-%d}T18:00")
    page.click("#modal button[type=submit].btn-primary")
    page.wait_for_selector("#modal:not([open])", state="attached")
    row = page.locator("#task-agenda .agenda-today li.task-row", has_text="Call the buyer")
    try:
        row.wait_for(timeout=5000)
    except Exception:
        page.screenshot(path="/tmp/tasks-browser-fail.png")
        raise
    task = Task.objects.get(title="Call the buyer")
    assert task.assignee == rep and task.colour == "orange"
    row.locator("button.task-check").click()
    # (Not wait_for_function: its string is evaluated, which the page's CSP refuses.)
    expect(page.locator("#task-agenda")).not_to_contain_text("Call the buyer")
    task.refresh_from_db()
    assert task.done and task.done_by == rep
    assert prospect.pk


def test_task_panel_embedded_in_a_card(page, live_server, login):
    rep = f.RepFactory(username="alice")
    prospect = f.ProspectFactory(owner=rep)
    activities.task_create(
        actor=rep,
        title="Send the quote",
        type=f.task_type("email"),
        assignee=rep,
        prospect=prospect,
        start=timezone.now() + dt.timedelta(days=2),
        notes="First line\nMore details",
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/tasks/panel/?prospect={prospect.pk}")
    assert page.locator("text=Send the quote").is_visible()
    assert page.locator("text=More details").count() == 0


def test_a_stale_save_in_the_dialog_shows_the_conflict_and_the_current_values(
    page, live_server, login
):
    """The 409 answer is swapped into the open dialog (jalon.js), which then shows the
    current values and the conflict partial; nothing typed is lost from view."""
    rep = f.RepFactory(username="alice")
    manager = f.ManagerFactory(username="marie", first_name="Marie", last_name="Martin")
    task = activities.task_create(
        actor=rep,
        title="Call the buyer",
        type=f.task_type("call"),
        assignee=rep,
        start=timezone.now() + dt.timedelta(hours=3),
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/tasks/")
    page.click(f"a.task-title[hx-get='/tasks/{task.pk}/edit/']")
    page.wait_for_selector("#modal[open] #id_title")
    activities.task_update(task=task, actor=manager, title="Call the buyer's boss")
    page.fill("#modal #id_title", "Call the buyer again")
    page.click("#modal button[type=submit].btn-primary")
    page.wait_for_selector("#modal[open] [data-conflict]")
    conflict = page.locator("#modal [data-conflict]")
    assert "was changed by Marie Martin" in conflict.inner_text()
    assert conflict.locator("th[scope=row]").all_inner_texts() == ["What to do"]
    assert page.input_value("#modal #id_title") == "Call the buyer's boss"
    assert Task.objects.get(pk=task.pk).title == "Call the buyer's boss"


def test_a_task_from_the_dashboard_linked_to_a_person_shows_their_company_and_phone(
    page, live_server, login
):
    """Dashboard → New task, "About": typing finds the person, the saved task's row names the
    person and their company and offers their phone; the dialog stays usable to the end."""
    rep = f.RepFactory(username="alice")
    company = f.CompanyFactory(name="Transports Vernier", owner=rep)
    person = f.PersonFactory(first_name="Lucie", last_name="Vernier", owner=rep)
    person.phone = "+33299001122"
    person.save(update_fields=["phone"])
    f.AffiliationFactory(person=person, company=company, is_default=True)
    login(page, "alice")
    page.locator("#dashboard-tasks a[hx-get='/tasks/new/']").click()
    page.wait_for_selector("#modal[open] #id_title")
    page.fill("#modal #id_title", "Call Lucie back")
    page.select_option("#modal #id_type", value=str(TaskType.objects.get(code="call").pk))
    page.fill("#modal #id_start", f"{timezone.localdate():%Y-%m-%d}T18:00")
    page.locator("#modal #task-link-q").press_sequentially("vernier", delay=30)
    page.locator("#modal .task-link-hit", has_text="Lucie VERNIER").click()
    expect(page.locator("#modal [data-task-link-chosen]")).to_contain_text("Lucie VERNIER")
    page.click("#modal button[type=submit].btn-primary")
    expect(page.locator("#modal")).not_to_have_attribute("open", "")
    task = Task.objects.get(title="Call Lucie back")
    assert task.person == person
    row = page.locator("#dashboard-tasks li.task-row", has_text="Call Lucie back")
    expect(row).to_contain_text("Lucie VERNIER")
    expect(row).to_contain_text("Transports Vernier")
    expect(row.locator("a[href='tel:+33299001122']")).to_be_visible()
    # The dialog opens again from the dashboard (its body was not replaced by the form).
    page.locator("#dashboard-tasks a[hx-get='/tasks/new/']").click()
    page.wait_for_selector("#modal[open] #id_title")
    expect(page.locator("#modal-body")).to_have_count(1)
