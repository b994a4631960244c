"""The lines' product picker in Chromium, in French: typing part of a label (accents left out)
lists the active products; picking one fills the line with its label, unit, price and VAT
rate, the quantity is typed and the line is added; an inactive product is never listed."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.quotes.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR"}


def test_a_line_picked_from_the_catalogue(page, live_server, login):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    opportunity = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=alice, company_name="Euro Transports"),
        owner=alice,
        amount=Decimal("0"),
    )
    ProductFactory(
        code="FORM-SEC",
        label="Formation sécurité",
        unit="jour",
        unit_price=Decimal("1200.50"),
        vat_rate=Decimal("0.00"),
        vat_exemption="Exonération de TVA, art. 261-4-4° du CGI",
    )
    ProductFactory(code="FORM-OLD", label="Formation sécurité (ancienne)", active=False)
    login(page, "alice")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")

    page.fill("#line-add-product-q", "securite")
    choices = page.locator("#line-add-product-choices [data-product-pick]")
    expect(choices).to_have_count(1)
    expect(choices.first).to_contain_text("FORM-SEC")
    choices.first.click()

    form = page.locator(".line-form")
    expect(form.locator("[name=item]")).to_have_value("Formation sécurité")
    expect(form.locator("[name=unit]")).to_have_value("jour")
    expect(form.locator("[name=unit_price]")).to_have_value(f"1{NBSP}200,50")
    expect(form.locator("[name=vat_rate]")).to_have_value("0.00")
    expect(form.locator("[data-product-picked]")).to_contain_text("FORM-SEC")
    expect(form.locator("[name=quantity]")).to_be_focused()
    page.keyboard.type("2")
    form.locator("button[type=submit]").click()

    row = page.locator("tr[data-line]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-line-product]")).to_have_text("FORM-SEC")
    expect(page.locator("[data-amount]")).to_have_text(f"2{NBSP}401,00 €")
    line = opportunity.lines.get()
    assert line.product.code == "FORM-SEC" and line.vat_rate == 0 and line.quantity == 2
