"""The opportunity card in Chromium, in French: an amount typed "25 000,50" is saved and read
back as such; the first line says beforehand that it replaces that amount, and once added the
amount field shows the sum of the lines at once, read-only, without a reload."""

from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from pipeline.models import Opportunity
from pipeline.services.lines import AMOUNT_IS_SUM
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """The card is checked in French, the interface's default language."""
    return {**browser_context_args, "locale": "fr-FR"}


def french(message) -> str:
    with translation.override("fr"):
        return str(message)


def test_a_french_amount_then_a_first_line_shown_at_once(page, live_server, login):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    opportunity = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=alice, company_name="Euro Transports"),
        owner=alice,
        summary="Maintenance des camions",
        amount=Decimal("10000"),
    )
    url = f"{live_server.url}{opportunity.get_absolute_url()}"
    login(page, "alice")
    page.goto(url)
    amount = page.locator("#id_amount")
    expect(amount).to_have_attribute("inputmode", "decimal")
    amount.fill("25 000,50")
    page.locator("form.card button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Enregistré")
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("25000.50")
    page.reload()
    expect(amount).to_have_value(f"25{NBSP}000,50")
    expect(page.locator("[data-amount]")).to_have_text(f"25{NBSP}000,50 €")

    # Said before it happens: the first line replaces the amount typed by hand.
    notice = page.locator("[data-lines-replace-amount]")
    expect(notice).to_contain_text(f"25{NBSP}000,50{NBSP}€")
    page.evaluate("window.__not_reloaded = true")
    page.fill("#id_item", "Révision")
    page.fill("#id_quantity", "1,5")
    page.fill("#id_unit_price", "8 100")
    page.locator(".line-form button[type=submit]").click()

    expect(page.locator("tr[data-line]")).to_have_count(1)
    expect(amount).to_have_value(f"12{NBSP}150")
    expect(amount).to_be_disabled()
    expect(page.locator("#opportunity-amount .help")).to_have_text(french(AMOUNT_IS_SUM))
    expect(page.locator("[data-amount]")).to_have_text(f"12{NBSP}150,00 €")
    expect(notice).to_have_count(0)
    assert page.evaluate("window.__not_reloaded") is True

    # Changed in its dialog: the amount follows at once.
    page.locator("tr[data-line] a.btn").first.click()
    page.fill("#modal-body #id_quantity", "2")
    page.locator("#modal-body button[type=submit]").click()
    expect(amount).to_have_value(f"16{NBSP}200")
    expect(page.locator("#modal")).not_to_be_visible()

    # Deleted: the amount is typed by hand again.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr[data-line] button.btn-danger").click()
    expect(page.locator("tr[data-line]")).to_have_count(0)
    expect(amount).to_be_enabled()
    expect(amount).to_have_value("0")
    assert page.evaluate("window.__not_reloaded") is True

    # The card's form carries the version the lines made: saving it next is not a conflict.
    page.fill("#id_summary", "Maintenance et révision des camions")
    amount.fill("18 000")
    page.locator("form.card button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Enregistré")
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    assert opportunity.summary == "Maintenance et révision des camions"
    assert opportunity.amount == Decimal("18000")
