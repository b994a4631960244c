"""A rep on the road, on a 390×844 phone (issue 19): open a prospect, call it (tel: link), log
the call and plan the next one from the card; link a new task to a record found as you type;
and no page scrolls sideways."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.services import company_reindex
from pipeline.models import Task, TaskType
from pipeline.services import activities
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """A phone, in French (the interface's default language)."""
    return {
        **browser_context_args,
        "viewport": PHONE,
        "locale": "fr-FR",
        "has_touch": True,
        "is_mobile": True,
    }


@pytest.fixture
def alice(live_server):
    rep = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    prospect = f.ProspectFactory(
        owner=rep,
        first_name="Alfred",
        last_name="Alves",
        company_name="Fontaine SARL",
        phone="01 50 10 70 30",
        mobile="",
    )
    company = f.CompanyFactory(owner=rep, name="Boulangerie Fontaine", phone="+33188334455")
    company_reindex(company=company)
    person = f.PersonFactory(owner=rep, first_name="Julie", last_name="Rey", mobile="+33612345678")
    start = timezone.now() + dt.timedelta(hours=2)
    call = TaskType.objects.get(code="call")
    for title, link in [("Rappeler Julie", {"person": person}), ("Devis", {"prospect": prospect})]:
        activities.task_create(actor=rep, title=title, type=call, start=start, **link)
    return {"rep": rep, "prospect": prospect, "company": company, "person": person}


def assert_no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width} px wide"


def test_call_a_prospect_log_the_call_and_plan_the_next_one(page, live_server, login, alice):
    prospect = alice["prospect"]
    login(page, "alice")
    page.goto(f"{live_server.url}{prospect.get_absolute_url()}")
    assert_no_sideways_scroll(page)
    tel = page.locator("[data-phones] a[href='tel:+33150107030']")
    expect(tel).to_be_visible()
    expect(tel).to_contain_text("01 50 10 70 30")
    # The secondary actions wait behind "More" on a phone; the quick ones are on the first screen.
    expect(page.locator("[data-toolbar-more] .toolbar-more-panel")).to_be_hidden()
    page.locator("[data-toolbar-more] > summary").click()
    expect(page.locator("[data-toolbar-more] .toolbar-more-panel")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.locator("[data-toolbar-more] > summary").click()

    page.locator("#call-log > summary").click()
    page.select_option("#call-outcome", value="message")
    page.fill("#call-comment", "Message laissé au standard")
    page.check("#call-plan_next")
    meeting = TaskType.objects.get(code="meeting")
    page.select_option("#call-next_type", value=str(meeting.pk))
    # The date offered is the next working morning; keep it.
    planned_value = page.input_value("#call-next_start")
    assert planned_value.endswith("T09:00")
    assert_no_sideways_scroll(page)
    page.locator("#call-log button[type=submit]").click()
    when = dt.datetime.strptime(planned_value, "%Y-%m-%dT%H:%M").strftime("%d/%m/%Y %H:%M")
    expect(page.locator("#messages")).to_contain_text(when)
    expect(page.locator("#call-log")).not_to_have_attribute("open", "")

    tasks = list(Task.objects.filter(prospect=prospect).exclude(title="Devis").order_by("done"))
    assert len(tasks) == 2
    planned, done = tasks
    assert done.done and done.type.code == "call" and done.notes == "Message laissé au standard"
    assert not planned.done and planned.type == meeting
    assert timezone.localtime(planned.start).strftime("%Y-%m-%dT%H:%M") == planned_value
    # Both show in the card's tasks tab, the planned one with the number to call.
    page.goto(f"{live_server.url}{prospect.get_absolute_url()}?tab=tasks")
    panel = page.locator(".task-panel")
    expect(panel.locator(f"#task-{planned.pk}")).to_be_visible()
    expect(panel.locator(f"#task-{planned.pk} a[href='tel:+33150107030']")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_link_a_new_task_to_a_company_found_as_you_type(page, live_server, login, alice):
    company = alice["company"]
    login(page, "alice")
    page.goto(f"{live_server.url}/tasks/")
    page.click("a[hx-get='/tasks/new/']")
    page.wait_for_selector("#modal[open] #id_title")
    page.fill("#modal #id_title", "Passer déposer le catalogue")
    page.locator("#task-link-q").press_sequentially("fontaine", delay=30)
    hit = page.locator(f"[data-link-value='company:{company.pk}']")
    expect(hit).to_be_visible()
    hit.click()
    expect(page.locator("[data-task-link-chosen]")).to_contain_text("Boulangerie Fontaine")
    page.click("#modal button[type=submit].btn-primary")
    page.wait_for_selector("#modal:not([open])", state="attached")
    task = Task.objects.get(title="Passer déposer le catalogue")
    assert task.company == company
    row = page.locator(f"#task-{task.pk}")
    expect(row.locator("a[href='tel:+33188334455']")).to_be_visible()
    expect(row).to_contain_text("Boulangerie Fontaine")


@pytest.mark.parametrize("path", ["/", "/tasks/", "/prospects/{prospect}/?tab=tasks"])
def test_no_page_scrolls_sideways_on_a_phone(page, live_server, login, alice, path):
    login(page, "alice")
    page.goto(live_server.url + path.format(prospect=alice["prospect"].pk))
    page.wait_for_load_state("networkidle")
    assert_no_sideways_scroll(page)
    # Each task row shows the number to call of the person it is about.
    if path == "/tasks/":
        expect(page.locator("a[href='tel:+33612345678']").first).to_be_visible()


@pytest.mark.parametrize("kind", ["company", "person"])
def test_log_a_call_from_a_company_or_person_card(page, live_server, login, alice, kind):
    """A rep calling from a company's or a person's card has the number to tap and "Log a
    call" at hand, as on a prospect's card; the call lands on that record's tasks."""
    record = alice["company"] if kind == "company" else alice["person"]
    number = "tel:+33188334455" if kind == "company" else "tel:+33612345678"
    login(page, "alice")
    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    expect(page.locator(f"[data-phones] a[href='{number}']")).to_be_visible()
    page.locator("#call-log").click()
    page.select_option("#call-outcome", value="reached")
    page.fill("#call-comment", "Intéressé, rappeler après l’inventaire")
    assert_no_sideways_scroll(page)
    page.locator("#call-log button[type=submit]").click()
    expect(page.locator("#messages")).to_contain_text("Appel enregistré")
    expect(page.locator("#call-log")).not_to_have_attribute("open", "")
    call = Task.objects.get(**{kind: record}, notes="Intéressé, rappeler après l’inventaire")
    assert call.done and call.type.code == "call"
    assert page.url.endswith(record.get_absolute_url())
