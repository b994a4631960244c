"""The contact file in Chromium: search as you type, city suggestions, documents."""

import re

import pytest
from playwright.sync_api import expect

from contacts import services
from contacts.models import PostalCode
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice(live_server):
    # Transactional tests flush the tables between tests: recreate the groups migrations seed.
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    return f.RepFactory(username="alice", first_name="Alice", last_name="Durand")


def company_with_address(actor, name, postal_code, city):
    company = services.company_create(actor=actor, data={"name": name})
    services.address_create(
        company=company,
        actor=actor,
        data={"line1": "1 rue A", "postal_code": postal_code, "city": city},
    )
    return company


def test_quick_search_refreshes_as_you_type(page, live_server, login, alice):
    company_with_address(alice, "DUPONT SA", "35000", "Rennes")
    company_with_address(alice, "Dupuis", "75011", "Paris")
    company_with_address(alice, "École des Mines", "44300", "Nantes")
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/")
    rows = page.locator("#rows tbody tr[data-company]")
    expect(rows).to_have_count(3)
    page.locator("#id_q").press_sequentially("dup 35", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("DUPONT SA")
    expect(page).to_have_url(re.compile(r"/companies/\?q=dup(\+|%20)35$"))
    page.locator("#id_q").fill("ecole")
    page.locator("#id_q").dispatch_event("input")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("École des Mines")
    # The URL keeps the query: reloading shows the same results.
    page.reload()
    expect(page.locator("#id_q")).to_have_value("ecole")
    expect(rows).to_have_count(1)


def test_postal_code_suggests_the_city(page, live_server, login, alice):
    PostalCode.objects.bulk_create(
        [PostalCode(code="35000", city="Rennes"), PostalCode(code="35400", city="Saint-Malo")]
    )
    company = services.company_create(actor=alice, data={"name": "Neuve"})
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/{company.pk}/addresses/new/")
    page.locator("#id_postal_code").press_sequentially("35000", delay=40)
    expect(page.locator("#city-options option")).to_have_count(1)
    expect(page.locator("#city-options option").first).to_have_attribute("value", "Rennes")


def test_document_upload_and_download(page, live_server, login, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    company = services.company_create(actor=alice, data={"name": "Docs SA"})
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/{company.pk}/?tab=documents")
    page.set_input_files(
        f"#document-file-{company.pk}",  # the documents' upload (the card also takes e-mails)
        files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    page.get_by_role("button", name=re.compile("Upload|Envoyer|Téléverser", re.I)).click()
    link = page.locator("[data-document] a", has_text="offer.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "offer.pdf"
