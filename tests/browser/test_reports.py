"""The reports in Chromium, in French: the time in step page with its SVG chart and legend, a
filter swapping the results, and a number of the table leading to exactly its opportunities.

REPORT_SCREENSHOTS=/some/dir keeps screenshots of the pages to look at."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pipeline.models import HistoryEntry, Process
from tests import factories as f
from tests.browser.test_content_security_policy import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """These pages are checked in French, the interface's default language."""
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture(autouse=True)
def groups(live_server):
    # Transactional tests flush the tables between tests: recreate the groups migrations seed.
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def problems(page):
    """The Content-Security-Policy violations and script errors of the page, collected."""
    found = []
    page.expose_function("reportProblem", lambda text: found.append(text))
    page.add_init_script(WATCH)
    page.on("pageerror", lambda error: found.append(f"page error on {page.url}: {error}"))
    return found


def shoot(page, name: str) -> None:
    folder = os.environ.get("REPORT_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def history(owner, steps, days: list[float], *, summary: str):
    """An opportunity created in the first step `days[0]` days ago and moved on to the next
    step after each of the following numbers of days; open in the last step it reached."""
    now = timezone.now()
    entered = now - dt.timedelta(days=days[0])
    times = [entered]
    for stay in days[1:]:
        times.append(times[-1] + dt.timedelta(days=stay))
    opportunity = f.OpportunityFactory(
        owner=owner,
        prospect=f.ProspectFactory(owner=owner),
        summary=summary,
        step=steps[len(times) - 1],
        step_changed_at=times[-1],
        created_at=entered,
    )
    HistoryEntry.objects.create(
        opportunity=opportunity, kind="created", to_step=steps[0], at=times[0]
    )
    for index, when in enumerate(times[1:], start=1):
        HistoryEntry.objects.create(
            opportunity=opportunity,
            kind="step",
            from_step=steps[index - 1],
            to_step=steps[index],
            at=when,
        )
    return opportunity


def test_time_in_step_chart_and_a_number_leading_to_its_opportunities(
    page, live_server, login, problems
):
    f.ManagerFactory(username="marie", first_name="Marie", last_name="Martin")
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    bruno = f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")
    steps = list(Process.objects.get(is_default=True).steps.order_by("position"))
    # Left the first step after 1.5, 3 and 6 days; one stays in the second step for 20 days.
    history(alice, steps, [30, 1.5, 4], summary="Toiture Durand")
    history(bruno, steps, [25, 3, 2], summary="Fenêtres Lefèvre")
    history(alice, steps, [26, 6], summary="Véranda Martin")
    history(bruno, steps, [5], summary="Isolation Petit")

    login(page, "marie")
    page.goto(f"{live_server.url}/reports/")
    shoot(page, "reports-list")
    page.click("a[data-report='time-in-step']")
    page.wait_for_url("**/reports/time-in-step/")

    chart = page.locator("#report-results svg[role=img]")
    expect(chart).to_be_visible()
    assert chart.get_attribute("aria-label")
    assert chart.locator("rect.bar").count() >= 4  # median and p90 of the first two steps
    legend = chart.locator(".legend").text_content()
    assert "Médiane" in legend or "Median" in legend
    assert chart.locator("line.reference").count() == len(steps)
    shoot(page, "time-in-step")

    link = page.locator(f"a[data-drill='left:{steps[0].pk}']")
    assert link.inner_text().strip() == "3"
    link.click()
    page.wait_for_url("**/reports/time-in-step/list/?*")
    rows = page.locator("tr[data-opportunity]")
    expect(rows).to_have_count(3)
    assert {rows.nth(i).locator("td").first.inner_text() for i in range(3)} == {
        "Toiture Durand",
        "Fenêtres Lefèvre",
        "Véranda Martin",
    }
    shoot(page, "time-in-step-list")

    page.go_back()
    page.select_option("#id_owner", label="Bruno Lefèvre")
    page.wait_for_url("**/reports/time-in-step/?*owner=*")
    expect(page.locator(f"a[data-drill='left:{steps[0].pk}']")).to_have_text("1")
    assert "owner=" in page.locator("#report-export").get_attribute("href")
    shoot(page, "time-in-step-bruno")
    assert not problems


def test_activity_draws_one_line_per_rep(page, live_server, login, problems):
    f.ManagerFactory(username="marie")
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    for days_ago in (1, 8, 9, 20):
        f.TaskFactory(
            assignee=alice,
            done=True,
            done_at=timezone.now() - dt.timedelta(days=days_ago),
            type=f.task_type("call"),
        )
    login(page, "marie")
    page.goto(f"{live_server.url}/reports/activity/")
    chart = page.locator("#report-results svg[role=img]")
    expect(chart).to_be_visible()
    assert chart.locator("polyline").count() == 1
    assert "Alice Durand" in chart.locator(".legend").text_content()
    shoot(page, "activity")
    assert not problems
