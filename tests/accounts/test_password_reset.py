"""Password reset by e-mail: the link works once."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_password_reset_by_e_mail_link_works_once(client, rep):
    rep.email = "alice@example.fr"
    rep.save()
    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.fr"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1))
    assert response.status_code == 302  # to the same page without the key in the address
    form_url = response["Location"]
    page = client.get(form_url)
    assert page.status_code == 200 and b"password1" in page.content
    response = client.post(
        form_url, {"password1": "Nouveau-mot-2026", "password2": "Nouveau-mot-2026"}
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("Nouveau-mot-2026")
    client.logout()
    # The link served once.
    again = client.get(link.group(1))
    assert again.status_code == 200 and again.context["token_fail"]
    assert (
        client.post(
            reverse("login"), {"username": "alice", "password": "Nouveau-mot-2026"}
        ).status_code
        == 302
    )


def test_an_unknown_address_gets_no_e_mail_and_learns_nothing(client, rep):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.fr"})
    assert response.status_code == 302
    assert mail.outbox == []
