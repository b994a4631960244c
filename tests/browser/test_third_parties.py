"""Third parties in Chromium: the national register looked up from the new-company form
against a local fake register (responses recorded from the real API), a closed company flagged,
a register that does not answer, a merge picked field by field."""

import pytest
from playwright.sync_api import expect

from contacts import services
from contacts.models import Company, RegisterState
from tests import factories as f
from tests.contacts.fake_register import fake_register  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice(live_server):
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    return f.RepFactory(username="alice", first_name="Alice", last_name="Durand")


def test_lookup_fills_the_new_company_form(page, live_server, login, alice, fake_register):  # noqa: F811
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/new/")
    page.fill("#register-q", "la poste")
    results = page.locator('[data-register-siren="356000000"]')
    expect(results).to_be_visible()
    # The Lyon establishment of LA POSTE, not its head office.
    results.locator("li", has_text="35600000000100").get_by_role("button").click()
    expect(page.locator("[data-register-filled]")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("LA POSTE")
    expect(page.locator("#id_siren")).to_have_value("356000000")
    expect(page.locator("#id_naf_code")).to_have_value("53.10Z")
    expect(page.locator("#id_legal_form")).to_have_value("SA nationale à conseil d'administration")
    expect(page.locator("#id_address-postal_code")).to_have_value("69003")
    expect(page.locator("#id_address-siret")).to_have_value("35600000000100")
    page.locator("form[data-register-form] button[type=submit]").click()
    page.wait_for_url(lambda url: "/companies/new/" not in url)
    company = Company.objects.get(siren="356000000")
    assert company.register_state == RegisterState.ACTIVE
    assert company.naf_label == "Transports et entreposage"
    address = company.default_address
    assert (address.siret, address.city) == ("35600000000100", "LYON")


def test_closed_company_is_flagged(page, live_server, login, alice, fake_register):  # noqa: F811
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/new/")
    page.fill("#register-q", "poste du village")
    closed = page.locator('[data-register-siren="812345676"]')
    expect(closed.locator("[data-register-closed]")).to_be_visible()
    closed.get_by_role("button").first.click()
    page.locator("form[data-register-form] button[type=submit]").click()
    page.wait_for_url(lambda url: "/companies/new/" not in url)
    expect(page.locator("h1 [data-register-closed]")).to_be_visible()


def test_register_down_leaves_the_form_usable(page, live_server, login, alice, settings):
    settings.SIRENE_API_URL = "http://127.0.0.1:9"  # nothing listens there
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/new/")
    page.fill("#register-q", "la poste")
    expect(page.locator("[data-register-error]")).to_contain_text("did not answer")
    page.fill("#id_name", "Saisie manuelle")
    page.locator("form[data-register-form] button[type=submit]").click()
    page.wait_for_url(lambda url: "/companies/new/" not in url)
    assert Company.objects.filter(name="Saisie manuelle").exists()


def test_merge_picked_field_by_field(page, live_server, login, alice):
    kept = services.company_create(actor=alice, data={"name": "Dupont", "siren": "356000000"})
    other = services.company_create(
        actor=alice, data={"name": "DUPONT SA", "siren": "356000000", "phone": "0188334455"}
    )
    services.person_create(actor=alice, data={"last_name": "Martin"}, company=other)
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/{kept.pk}/merge/")
    page.locator(f'[data-candidate="{other.pk}"] a.btn').click()
    page.locator('[data-merge-field="name"] input[value="other"]').check()
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(f"**/companies/{kept.pk}/")
    kept.refresh_from_db()
    assert (kept.name, kept.phone) == ("DUPONT SA", "+33188334455")
    assert kept.people.count() == 1
    assert Company.all_objects.get(pk=other.pk).deleted_at is not None
