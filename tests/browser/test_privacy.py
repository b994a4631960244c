"""The privacy pages in Chromium: the retention list and "Keep", a person erased from her card
after typing her name, the register printed to PDF, the audit of exports filtered."""

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Person, Prospect
from core.models import ExportRecord
from privacy.models import RetentionHold
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set PRIVACY_SHOTS=<folder> to keep screenshots of the pages (English and French).
SHOTS = os.environ.get("PRIVACY_SHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def people(live_server):
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    rep = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    manager = f.ManagerFactory(username="manager", first_name="Marie", last_name="Martin")
    return rep, manager


def _aged_prospect(owner, last_name: str, days: int) -> Prospect:
    prospect = f.ProspectFactory(owner=owner, last_name=last_name, mobile="")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    Prospect.all_objects.filter(pk=prospect.pk).update(created_at=old, updated_at=old)
    return prospect


def test_retention_page_lists_and_keeps(page, live_server, login, people):
    rep, _manager = people
    kept = _aged_prospect(rep, "Ancien", 3 * 365 + 3)
    _aged_prospect(rep, "Oublié", 3 * 365 + 60)
    f.ProspectFactory(owner=rep, last_name="Récent", mobile="")
    login(page, "manager")
    page.goto(f"{live_server.url}/privacy/retention/")
    rows = page.locator("#retention-rows tbody tr[data-due]")
    expect(rows).to_have_count(2)
    expect(page.locator("#retention-rows")).not_to_contain_text("RÉCENT")
    expect(rows.filter(has_text="OUBLIÉ")).to_contain_text("tonight")
    _shot(page, "retention-en")
    rows.filter(has_text="ANCIEN").get_by_role("button", name="Keep").click()
    expect(page.locator("#messages")).to_contain_text("is kept for another")
    expect(rows).to_have_count(1)
    assert RetentionHold.objects.filter(prospect=kept).exists()


def test_erase_a_person_from_her_card(page, live_server, login, people):
    rep, _manager = people
    person = f.PersonFactory(owner=rep, first_name="Ondine", last_name="Varech")
    login(page, "manager")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    expect(page.get_by_role("link", name="Export their data")).to_be_visible()
    page.get_by_role("link", name="Erase…").click()
    expect(page.locator("h1")).to_have_text("Erase personal data")
    _shot(page, "erase-en")
    page.fill("#id_confirmation", "Varesh")
    page.get_by_role("button", name="Erase").click()
    expect(page.locator(".field-error, .errorlist").first).to_be_visible()
    page.fill("#id_confirmation", "varech")
    page.get_by_role("button", name="Erase").click()
    expect(page.locator("#messages")).to_contain_text("has been erased")
    expect(page.locator("h1")).not_to_contain_text("Varech")
    assert Person.all_objects.get(pk=person.pk).email == ""


def test_register_prints_and_exports_are_filtered(page, live_server, login, people, tmp_path):
    rep, manager = people
    ExportRecord.objects.create(
        user=rep, kind="prospect_export", filename="prospects.csv", rows=120
    )
    ExportRecord.objects.create(user=manager, kind="forecast_export", filename="f.csv", rows=12)
    login(page, "manager")
    page.goto(f"{live_server.url}/privacy/register/")
    expect(page.locator("[data-retention]")).to_contain_text("1095 days")
    _shot(page, "register-en")
    pdf = tmp_path / "register.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/register-print.png", full_page=True)
        (Path(SHOTS) / "register.pdf").write_bytes(pdf.read_bytes())
    page.emulate_media(media="screen")
    expect(page.locator(".sidebar")).to_be_visible()
    page.goto(f"{live_server.url}/privacy/exports/")
    rows = page.locator("#export-rows tbody tr[data-export]")
    expect(rows).to_have_count(2)
    page.select_option("#id_user", str(rep.pk))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Prospect list")
    _shot(page, "exports-en")


def test_pages_in_french(browser, live_server, people, settings):
    if not SHOTS:
        pytest.skip("screenshots only (PRIVACY_SHOTS)")
    if os.environ.get("PRIVACY_LOCALE"):  # a catalogue with the pending French merged in
        settings.LOCALE_PATHS = [os.environ["PRIVACY_LOCALE"], *settings.LOCALE_PATHS]
    rep, _manager = people
    _aged_prospect(rep, "Ancien", 3 * 365 + 3)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "jalon-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for name in ("retention", "register", "exports"):
        page.goto(f"{live_server.url}/privacy/{name}/")
        _shot(page, f"{name}-fr")
    person = f.PersonFactory(owner=rep, lawful_basis="consent", consent_proof="Formulaire signé")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    _shot(page, "person-card-fr")
    page.goto(f"{live_server.url}/privacy/erase/person/{person.pk}/")
    _shot(page, "erase-fr")
    prospect = Prospect.objects.get(last_name="Ancien")
    page.goto(f"{live_server.url}/prospects/{prospect.pk}/?tab=details")
    _shot(page, "prospect-details-fr")
    context.close()
