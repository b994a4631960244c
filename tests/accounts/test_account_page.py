"""The account page: who I am, my signature, my security."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import totp_for

pytestmark = pytest.mark.django_db


def test_account_page_shows_the_user_and_links(rep_client, rep):
    rep.email = "alice@example.fr"
    rep.save()
    page = rep_client.get(reverse("account"))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "Alice Durand",
        "alice@example.fr",
        reverse("password_change"),
        reverse("mfa_index"),
        reverse("account_sessions"),
        reverse("api_tokens"),
    ):
        assert expected in text
    assert "Off" in text


def test_second_factor_status(rep_client, rep):
    totp_for(rep)
    text = rep_client.get(reverse("account")).content.decode()
    assert "authenticator app" in text and "badge-green" in text


def test_signature_is_saved(rep_client, rep):
    response = rep_client.post(reverse("account"), {"email_signature": "Alice Durand\nJalon"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.email_signature == "Alice Durand\nJalon"


def test_user_menu_links_to_the_account(rep_client):
    assert f'href="{reverse("account")}"' in rep_client.get(reverse("dashboard")).content.decode()
