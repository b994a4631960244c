"""A rep drops an .eml, finds it unfiled in the inbox, files it on a prospect in one click and
reads it in the prospect's history (mail-capture)."""

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.mail.mails import eml

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_an_eml_then_file_it_on_a_prospect_from_the_inbox(
    page, live_server, login, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    prospect = f.ProspectFactory(
        mobile="",
        owner=alice,
        last_name="Lambert",
        first_name="Paul",
        company_name="Menuiserie Lambert",
        email="paul@menuiserie-lambert.fr",
    )
    file = tmp_path / "salon.eml"
    file.write_bytes(
        eml(
            sender="Salon Batimat <contact@batimat.example>",
            to=["alice@example.com"],
            subject="Rencontre au salon Batimat",
            text="Bonjour, suite à notre rencontre au salon...",
        )
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/mail/upload/")
    page.set_input_files("#mail-file", str(file))
    page.click("form.mail-upload button[type=submit]")
    page.wait_for_url(f"{live_server.url}/mail/")
    row = page.locator("#mail-inbox li[data-message]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rencontre au salon Batimat")

    row.locator("input[type=search]").fill("lambert")
    choice = row.locator(f'[data-file-on="prospect-{prospect.pk}"]')
    expect(choice).to_be_visible()
    choice.click()
    expect(page.locator("#mail-inbox li[data-message]")).to_have_count(0)

    page.goto(f"{live_server.url}{prospect.get_absolute_url()}?tab=history")
    history = page.locator("[data-history-panel]")
    expect(history).to_contain_text("Rencontre au salon Batimat")


def test_an_eml_chosen_on_a_card_is_filed_on_it(page, live_server, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    prospect = f.ProspectFactory(mobile="", owner=alice, last_name="Roux")
    file = tmp_path / "devis.eml"
    file.write_bytes(eml(sender="x@ailleurs.example", subject="Devis signé"))
    login(page, "alice")
    page.goto(f"{live_server.url}{prospect.get_absolute_url()}")
    # Choosing the file sends it (static/js/mail_drop.js), back to the card.
    page.set_input_files("form[data-mail-drop] input[type=file]", str(file))
    page.wait_for_load_state("networkidle")
    expect(page.locator("#messages")).to_contain_text("is filed")
    page.goto(f"{live_server.url}{prospect.get_absolute_url()}?tab=history")
    expect(page.locator("[data-history-panel]")).to_contain_text("Devis signé")
