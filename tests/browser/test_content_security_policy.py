"""The strict Content-Security-Policy in Chromium: the main pages, used as a rep and a manager,
raise no policy violation and no script error, and keep their behaviours (tabs, row selection,
confirmations, filters, drag and drop, ticks) without inline scripts, styles or eval.

Screenshots of a few pages go to the test output folder (`--output`), to look at.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts import services as contact_services
from pipeline.models import Process, StepProgress
from pipeline.services import opportunities as opportunity_services
from tests import factories as f
from tests.browser.test_board import column, drag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every page before its own scripts: each violation is reported to the test through an
# exposed function (which outlives navigations, unlike the page's globals).
WATCH = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportProblem("CSP " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
}, true);
"""


@pytest.fixture
def watched(browser, live_server):
    """`context, problems`: a browser context whose CSP violations and page errors are collected."""
    problems = []
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.expose_function("reportProblem", lambda text: problems.append(text))
    context.add_init_script(WATCH)

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console on {page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    context.on("page", watch)
    yield context, problems
    context.close()


@pytest.fixture
def records(live_server):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    manager = f.ManagerFactory(
        username="manager", first_name="Marie", last_name="Martin", is_superuser=True
    )
    process = f.ProcessFactory(name="Sales", steps=3, mode=Process.Mode.STEP_BY_STEP)
    steps = list(process.steps.order_by("position"))
    vip = f.CategoryFactory(name="VIP", colour="#c0262d")
    company = contact_services.company_create(
        actor=alice,
        data={"name": "Acme Industries"},
        categories=[vip],
        address={"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris"},
    )
    person = f.PersonFactory(owner=alice, first_name="Marcel", last_name="Dupont")
    f.AffiliationFactory(person=person, company=company, is_default=True)
    prospect = f.ProspectFactory(owner=alice, last_name="Hisson", company_name="Euro Transports")
    prospect.categories.add(vip)
    f.ProspectFactory(owner=alice, last_name="Rigollaud", company_name="SOFAR")
    opportunity = opportunity_services.opportunity_create(
        actor=alice, process=process, summary="Roof insulation", prospect=prospect
    )
    f.TaskFactory(
        assignee=alice,
        created_by=alice,
        prospect=prospect,
        opportunity=opportunity,
        title="Call Hisson",
        start=timezone.now() + dt.timedelta(hours=1),
    )
    trashed = contact_services.company_create(actor=alice, data={"name": "Gone SARL"})
    contact_services.company_trash(company=trashed, actor=manager)
    return {
        "alice": alice,
        "process": process,
        "steps": steps,
        "company": company,
        "person": person,
        "prospect": prospect,
        "opportunity": opportunity,
    }


def visit(page, url):
    """Open a page under the strict policy and let its htmx requests (panels loading) finish."""
    response = page.goto(url)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, f"{url}: {policy!r}"
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy, url
    page.wait_for_load_state("networkidle")


def test_the_pages_of_a_rep_raise_no_policy_violation(
    watched, live_server, login, records, output_path
):
    context, problems = watched
    page = context.new_page()
    base = live_server.url
    login(page, "alice")

    visit(page, f"{base}/")
    save(output_path, "dashboard", page.screenshot(full_page=True))

    # Prospects: a category badge takes its colour, a row click opens the panel, the header box
    # selects every row, and a bulk delete asks first.
    visit(page, f"{base}/prospects/")
    badge = page.locator(".category-badge").first
    expect(badge).to_have_css("color", "rgb(192, 38, 45)")
    rows = page.locator("#prospect-rows tbody tr[data-prospect]")
    rows.filter(has_text="HISSON").locator("td").nth(2).click()
    expect(page.locator("#prospect-panel")).to_contain_text("Roof insulation")
    expect(rows.filter(has_text="HISSON")).to_have_class(re.compile(r"\bselected\b"))
    page.locator("#prospect-rows thead input[type=checkbox]").check()
    expect(page.locator("#prospect-rows input[name=ids]:checked")).to_have_count(2)
    page.select_option("#bulk-form select[name=action]", "delete")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#bulk-form .bulk-bar button[type=submit]").click()
    expect(rows).to_have_count(2)
    save(output_path, "prospects", page.screenshot(full_page=True))

    # The prospect card: its tabs.
    visit(page, f"{base}/prospects/{records['prospect'].pk}/")
    tab = page.locator("nav.tabs a[data-tab=details]")
    tab.click()
    expect(tab).to_have_class(re.compile(r"\bactive\b"))
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("nav.tabs a[data-tab=project]")).not_to_have_class(
        re.compile(r"\bactive\b")
    )

    visit(page, f"{base}{records['opportunity'].get_absolute_url()}")
    save(output_path, "opportunity", page.screenshot(full_page=True))

    # The board: a drag and drop, saved.
    first, second, _third = records["steps"]
    visit(page, f"{base}/pipeline/{records['process'].pk}/board/")
    drag(page, records["opportunity"], second.pk)
    expect(
        column(page, second.pk).locator(f'[data-opportunity="{records["opportunity"].pk}"]')
    ).to_be_visible()
    expect(column(page, second.pk).locator("[data-count]")).to_have_text("1")
    save(output_path, "board", page.screenshot(full_page=True))

    # The step list: a tick, saved in place.
    visit(page, f"{base}/pipeline/{records['process'].pk}/steps/")
    row = page.locator(f"tr[data-opportunity='{records['opportunity'].pk}']")
    box = row.locator(f"td[data-step='{first.pk}'] input")
    if not box.is_checked():
        box.click()
        expect(box).to_be_checked()
    assert StepProgress.objects.filter(opportunity=records["opportunity"], step=first).exists()

    visit(page, f"{base}/tasks/")
    expect(page.locator("body")).to_contain_text("Call Hisson")
    visit(page, f"{base}/tasks/calendar/")
    page.select_option("#calendar-who", "all")
    page.wait_for_url(re.compile(r"who=all"))
    visit(page, f"{base}/tasks/feed/")
    address = page.locator("#feed-address")
    address.focus()
    selected = address.evaluate(
        "input => input.value.slice(input.selectionStart, input.selectionEnd)"
    )
    assert selected and selected == address.input_value()

    # Companies: the quick search sends no empty parameter; the card's tabs and its badge.
    visit(page, f"{base}/companies/")
    page.locator("#id_q").press_sequentially("acme", delay=30)
    expect(page).to_have_url(re.compile(r"/companies/\?q=acme$"))
    visit(page, f"{base}/companies/{records['company'].pk}/")
    expect(page.locator(".category-badge").first).to_have_css("color", "rgb(192, 38, 45)")
    tab = page.locator("nav.tabs a[data-tab=addresses]")
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("nav.tabs a[data-tab=identity]")).to_have_attribute(
        "aria-selected", "false"
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(".page-header form button.btn-danger").click()
    expect(page.locator("h1")).to_contain_text("Acme Industries")
    save(output_path, "company", page.screenshot(full_page=True))

    visit(page, f"{base}/people/")
    page.locator("#id_q").press_sequentially("dup", delay=30)
    expect(page).to_have_url(re.compile(r"/people/\?q=dup$"))
    visit(page, f"{base}/forecast/")
    save(output_path, "forecast", page.screenshot(full_page=True))
    visit(page, f"{base}/prospects/import/")

    # The person card: moving to the trash asks first; the message that follows closes.
    visit(page, f"{base}/people/{records['person'].pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".page-header form button.btn-danger").click()
    page.wait_for_url(f"{base}/people/")
    message = page.locator("#messages .message").first
    expect(message).to_contain_text("moved to the trash")
    message.locator(".message-close").click()
    expect(page.locator("#messages .message")).to_have_count(0)

    assert not problems, "\n".join(problems)


def test_the_pages_of_a_manager_raise_no_policy_violation(
    watched, live_server, login, records, output_path
):
    context, problems = watched
    page = context.new_page()
    base = live_server.url
    visit(page, f"{base}/accounts/login/")
    save(output_path, "login", page.screenshot(full_page=True))
    login(page, "manager")
    visit(page, f"{base}/")
    visit(page, f"{base}/trash/")
    save(output_path, "trash", page.screenshot(full_page=True))
    # The admin runs under the same policy: every list and add page, and change pages with
    # their widgets (autocomplete, filter_horizontal, the steps' drag handles).
    visit(page, f"{base}/admin/")
    links = page.locator("#content-main a[href^='/admin/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert any(link.endswith("/add/") for link in links), links
    for link in sorted(set(links)):
        visit(page, f"{base}{link}")
    visit(page, f"{base}/admin/pipeline/process/{records['process'].pk}/change/")
    # django-admin-sortable2's drag handles on the step rows.
    expect(page.locator("#steps-group tr.has_original td.original p").first).to_be_visible()
    visit(page, f"{base}/admin/contacts/company/{records['company'].pk}/change/")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    save(output_path, "admin-company", page.screenshot(full_page=True))
    visit(page, f"{base}/pipeline/{records['process'].pk}/board/")
    visit(page, f"{base}/tasks/calendar/")
    visit(page, f"{base}/forecast/")
    page.locator(".user-menu summary").click()
    page.locator(".user-menu form.lang-switch button[data-lang=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert not problems, "\n".join(problems)


def save(output_path, name, image):
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.png").write_bytes(image)
