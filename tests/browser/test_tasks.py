import datetime as dt

import pytest
from django.utils import timezone

from pipeline.models import Task
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
    page.select_option("#modal #id_type", label="Call")
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
    page.wait_for_function(
        "!document.querySelector('#task-agenda').textContent.includes('Call the buyer')"
    )
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
