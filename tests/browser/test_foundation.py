"""A rep signs in, sees the dashboard and switches the interface language."""

import pytest
from playwright.sync_api import expect

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_logs_in_sees_the_dashboard_and_switches_language(
    browser, live_server, login, output_path
):
    f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    login(page, "alice")
    expect(page.locator("h1")).to_contain_text("Alice")
    expect(page.locator("nav.sidebar")).to_contain_text("Prospects")
    # The browser asks for French: the interface starts in French.
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.locator(".user-menu summary").click()
    page.locator("button[data-lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.sidebar")).to_contain_text("Dashboard")
    page.screenshot(path=f"{output_path}/dashboard-en.png", full_page=True)

    page.locator(".user-menu summary").click()
    page.locator("button[data-lang=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("nav.sidebar")).to_contain_text("Tableau de bord")
    page.screenshot(path=f"{output_path}/dashboard-fr.png", full_page=True)
    context.close()
