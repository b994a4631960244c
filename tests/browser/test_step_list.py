"""The step list in Chromium: ticking boxes in place, a refusal, the filters."""

import pytest
from playwright.sync_api import expect

from pipeline.models import Process, StepProgress, Task
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


def _overflows(page) -> dict:
    """How far the page and the step list's table box scroll sideways (0: they do not)."""
    return page.evaluate(
        """() => {
          const wrap = document.querySelector('.step-list-wrap');
          return {
            page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            table: wrap.scrollWidth - wrap.clientWidth,
          };
        }"""
    )


@pytest.mark.parametrize("width", [1440, 1366])
def test_step_list_fits_the_screen_and_its_row_menu_creates_a_task(page, live_server, login, width):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    process = f.ProcessFactory(
        name="PROSTEP",
        mode=Process.Mode.STEP_BY_STEP,
        steps=[
            ("Send documentation", 3, 20),
            ("Phone call", 5, 50),
            ("Technical visit", 7, 60),
            ("Check subscription", 7, 80),
        ],
    )
    s1 = process.steps.order_by("position").first()
    long_company = f.CompanyFactory(
        owner=alice, name="Société Coopérative d'Intérêt Collectif des Boulangers du Rhône"
    )
    f.AddressFactory(company=long_company, line1="145 avenue du Maréchal de Lattre de Tassigny")
    mine = opportunity_services.opportunity_create(
        actor=alice,
        process=process,
        summary="Roof",
        prospect=f.ProspectFactory(
            owner=alice,
            last_name="Montmorency-Laval",
            first_name="Marie-Hélène",
            job_title="Directrice administrative et financière adjointe",
            company=long_company,
            address="145 avenue du Maréchal de Lattre de Tassigny",
            city="Villefranche-sur-Saône",
            notes="Rencontrée au salon de Lyon, rappeler après le conseil d'administration de juin",
        ),
        amount=1250000,
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "alice")
    page.goto(f"{live_server.url}/pipeline/{process.pk}/steps/")
    row = page.locator(f"tr[data-opportunity='{mine.pk}']")
    expect(row).to_contain_text("MONTMORENCY-LAVAL")

    # Every column on screen, nothing to scroll sideways, the cut texts whole on hover.
    assert _overflows(page) == {"page": 0, "table": 0}
    for column in (".col-ok", ".col-comment", ".col-menu"):
        box = row.locator(column).bounding_box()
        assert box and box["x"] + box["width"] <= width, column
    expect(row.locator(".col-comment [title]")).to_have_attribute(
        "title", "Rencontrée au salon de Lyon, rappeler après le conseil d'administration de juin"
    )

    # A right click on the row opens its menu, Escape closes it and gives the focus back.
    row.locator(".col-company").click(button="right")
    menu = row.locator("details[data-row-menu]")
    expect(menu).to_have_attribute("open", "")
    expect(row.locator("[role=menuitem]").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(row.locator("summary")).to_be_focused()

    # From the keyboard: open, go down to "New task", create it in the dialog.
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    panel_box = row.locator(".row-menu-panel").bounding_box()
    assert panel_box["x"] >= 0 and panel_box["x"] + panel_box["width"] <= width
    row.locator("[data-row-task]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#modal[open] #id_title")
    page.fill("#modal #id_title", "Call back about the roof")
    page.select_option("#modal #id_type", value=str(f.task_type("call").pk))
    page.click("#modal button[type=submit].btn-primary")
    page.wait_for_selector("#modal:not([open])", state="attached")
    task = Task.objects.get(title="Call back about the roof")
    assert task.opportunity_id == mine.pk

    # "Tick" in the menu completes the next step in place.
    row.locator("summary").click()
    row.locator("[data-row-tick]").click()
    expect(
        page.locator(f"tr[data-opportunity='{mine.pk}'] td[data-step='{s1.pk}'] input")
    ).to_be_checked()
    assert StepProgress.objects.filter(opportunity=mine, step=s1).exists()


def test_twelve_steps_fit_at_1440(page, live_server, login):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    process = f.ProcessFactory(
        name="Long", steps=[(f"Step number {i}", 3, i * 8) for i in range(1, 13)]
    )
    opportunity_services.opportunity_create(
        actor=alice, process=process, summary="Roof", prospect=f.ProspectFactory(owner=alice)
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "alice")
    page.goto(f"{live_server.url}/pipeline/{process.pk}/steps/")
    expect(page.locator("table.step-list-compact")).to_be_visible()
    assert _overflows(page) == {"page": 0, "table": 0}
