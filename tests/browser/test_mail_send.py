# ruff: noqa: F811 (the SMTP fixture is imported, then requested by name)
"""Writing an e-mail from a prospect card in a real browser: pick a manager's template, send it
through a real SMTP server (aiosmtpd), and find it in the prospect's History tab."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mail.models import EmailTemplate, Message
from tests import factories as f
from tests.mail.send_smtp import smtp_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_from_a_template_send_and_see_it_in_the_history(
    page, live_server, login, smtp_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    alice = f.RepFactory(
        username="alice",
        first_name="Alice",
        last_name="Durand",
        email_signature="Alice Durand — Jalon SAS",
    )
    prospect = f.ProspectFactory(
        owner=alice,
        civility="Mme",
        first_name="Claire",
        last_name="Petit",
        company_name="Boulangerie Petit",
        email="claire@petit.fr",
        mobile="",
    )
    f.OpportunityFactory(
        prospect=prospect, owner=alice, summary="Four à pain", amount=Decimal("12500")
    )
    EmailTemplate.objects.create(
        name="Follow-up",
        language="en",
        subject="Your project {{ project }}",
        body="Dear {{ civility }} {{ last_name }},\nabout {{ amount }}.\n{{ signature }}",
    )

    login(page, "alice")
    page.goto(f"{live_server.url}{prospect.get_absolute_url()}")
    page.locator("[data-write-email]").click()
    # The template picker works through htmx: wait for the page's scripts, as a person
    # waits for the page to finish loading before choosing.
    page.wait_for_url("**/mail/write/**")
    expect(page.locator("#id_to")).to_have_value("claire@petit.fr")

    page.select_option("#id_template", label="Follow-up (English)")
    expect(page.locator("#id_subject")).to_have_value("Your project Four à pain")
    expect(page.locator("#id_body")).to_have_value(
        "Dear Mrs Petit,\nabout 12,500 €.\nAlice Durand — Jalon SAS"
    )
    page.locator("[data-send]").click()

    page.wait_for_url(f"{live_server.url}{prospect.get_absolute_url()}?tab=history")
    row = page.locator('[data-history-panel] li[data-kind="email"]')
    expect(row).to_contain_text("Your project Four à pain")
    expect(row).to_contain_text("to claire@petit.fr")
    assert smtp_server.messages[0]["Subject"] == "Your project Four à pain"

    row.get_by_role("link", name="Your project Four à pain").click()
    expect(page.locator("h1")).to_contain_text("Your project Four à pain")
    expect(page.locator(".mail-body")).to_contain_text("Dear Mrs Petit,")
    assert Message.objects.get().owner == alice
