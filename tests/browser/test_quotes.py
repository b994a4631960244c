"""A quote in Chromium, in French: from an opportunity with lines, "New quote" opens the draft;
a line changed in its dialog and one added "1 250,50" update the totals without a reload; the
quote is issued (numbered, frozen, its public link shown) and its PDF downloaded."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from quotes.models import Quote
from tests import factories as f
from tests.quotes.quote_setup import ready_opportunity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR"}


def euros(text: str) -> str:
    return text.replace(" ", NBSP) + f"{NBSP}€"


def test_new_quote_edit_issue_and_download(page, live_server, login, tmp_path):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    opportunity = ready_opportunity(alice)
    login(page, "alice")
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    expect(page.locator("[data-opportunity-quotes]")).to_be_visible()  # loaded by htmx

    page.locator("[data-new-quote]").click()
    page.wait_for_url(lambda url: "/quotes/" in url)
    quote = Quote.objects.get(opportunity=opportunity)
    card = page.locator("#quote-card")
    expect(card).to_have_attribute("data-status", "draft")
    expect(page.locator("[data-total-excl]")).to_have_text(euros("3 214,71"))
    page.evaluate("window.__not_reloaded = true")

    # "Formation" 2,5 h → 3 h: 3 × 333,33 = 999,99 (was 833,33).
    page.locator("tr[data-line]", has_text="Formation").locator("[data-line-edit]").click()
    quantity = page.locator("#modal-body #id_quantity")
    expect(quantity).to_have_value("2,5")
    quantity.fill("3")
    page.locator("#modal-body button[type=submit]").click()
    expect(page.locator("#modal")).not_to_be_visible()
    expect(page.locator("[data-total-excl]")).to_have_text(euros("3 381,37"))

    # A line typed the French way: 1 × 1 250,50 at 20 %. A note being typed, not saved yet,
    # is still there once the card shows the new line.
    page.locator("[name=notes]").fill("Livraison sous 3 semaines.")
    add = page.locator("[data-line-add]")
    add.locator("[name=item]").fill("Installation")
    add.locator("[name=quantity]").fill("1")
    add.locator("[name=unit_price]").fill("1 250,50")
    add.locator("button[type=submit]").click()
    expect(page.locator("tr[data-line]")).to_have_count(4)
    expect(page.locator("[name=notes]")).to_have_value("Livraison sous 3 semaines.")
    expect(page.locator("[data-total-excl]")).to_have_text(euros("4 631,87"))
    # VAT: 20 % on 2 295,00 + 1 250,50 = 3 545,50 → 709,10; 10 % on 999,99 → 100,00;
    # 5,5 % on 86,38 → 4,75. Total VAT 813,85; incl. VAT 5 445,72.
    expect(page.locator("[data-total-vat]")).to_have_text(euros("813,85"))
    expect(page.locator("[data-total-incl]")).to_have_text(euros("5 445,72"))
    assert page.evaluate("window.__not_reloaded") is True

    page.screenshot(path=str(tmp_path / "quote-draft.png"), full_page=True)
    page.locator("[data-save-head]").click()
    with translation.override("fr"):
        expect(page.locator("#messages")).to_contain_text(gettext("Saved."))
    quote.refresh_from_db()
    assert quote.notes == "Livraison sous 3 semaines."

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-issue]").click()
    expect(card).to_have_attribute("data-status", "sent")
    number = f"D-{timezone.localdate().year}-0001"
    expect(page.locator("h1")).to_contain_text(number)
    quote.refresh_from_db()
    assert (quote.number, quote.total_incl_vat) == (number, Decimal("5445.72"))
    expect(page.locator("[data-public-url]")).to_have_value(f"{live_server.url}/q/{quote.token}/")
    expect(page.locator("[data-line-add]")).to_have_count(0)
    expect(page.locator("[data-revise]")).to_be_visible()

    with page.expect_download() as download_info:
        page.locator("[data-pdf-link]").click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert download.suggested_filename.endswith(".pdf")
    assert target.read_bytes().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "quote-sent.png"), full_page=True)
