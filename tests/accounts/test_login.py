"""Login by username or e-mail, with a second factor (TOTP, recovery codes), and django-axes'
throttling still in front of it."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.urls import reverse

from tests.accounts.conftest import log_in, totp_for

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def test_the_demo_login_works_as_printed(client, rep):
    response = log_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_login_by_e_mail_too(client, rep):
    rep.email = "alice@example.fr"
    rep.save()
    assert log_in(client, "Alice@Example.fr").status_code == 302
    assert signed_in(client)


def test_a_wrong_password_is_refused_on_the_login_page(client, rep):
    response = log_in(client, "alice", "wrong")
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert not signed_in(client)


def test_login_with_an_authenticator_app(client, rep):
    app = totp_for(rep)
    response = log_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    # Not signed in until the second factor is given.
    assert not signed_in(client)
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200 and b'autocomplete="one-time-code"' in page.content
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert not signed_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": app.now()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_a_totp_code_serves_once(client, rep):
    app = totp_for(rep)
    code = app.now()
    log_in(client, "alice")
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in(client)
    client.post(reverse("logout"))
    log_in(client, "alice")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert not signed_in(client)


def test_a_recovery_code_logs_in_once(client, rep):
    totp_for(rep)
    codes = RecoveryCodes(Authenticator.objects.get(user=rep, type="recovery_codes"))
    code = codes.get_unused_codes()[0]
    log_in(client, "alice")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert signed_in(client)
    client.post(reverse("logout"))
    assert not signed_in(client)
    log_in(client, "alice")
    second = client.post(reverse("mfa_authenticate"), {"code": code})
    assert (
        second.status_code == 200
        and b"message-error" in second.content
        or b"errorlist" in (second.content)
    )
    assert not signed_in(client)
    remaining = RecoveryCodes(Authenticator.objects.get(user=rep, type="recovery_codes"))
    assert code not in remaining.get_unused_codes()


def test_axes_still_locks_after_repeated_failures(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "alice", "wrong", REMOTE_ADDR="10.9.8.7").status_code == 200
    locked = log_in(client, "alice", "wrong", REMOTE_ADDR="10.9.8.7")
    assert locked.status_code in (403, 429)
    assert log_in(client, "alice", REMOTE_ADDR="10.9.8.7").status_code in (403, 429)
    assert not signed_in(client)


def test_axes_counts_logins_by_e_mail(client, rep):
    rep.email = "alice@example.fr"
    rep.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "alice@example.fr", "wrong", REMOTE_ADDR="10.9.8.6")
    assert log_in(client, "alice@example.fr", REMOTE_ADDR="10.9.8.6").status_code in (403, 429)


def test_the_admin_login_goes_through_jalon_s_login(client, manager):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_public_sign_up_is_closed(client):
    from allauth.account.adapter import get_adapter

    assert get_adapter().is_open_for_signup(None) is False
    assert client.get("/accounts/signup/").status_code in (302, 404)


def test_login_returns_to_the_page_asked_for_and_never_off_site(client, rep):
    response = client.get(reverse("prospect_list"))
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("login"))
    page = client.get(login_url)
    assert b'name="next" value="/prospects/"' in page.content
    response = client.post(
        reverse("login"), {"username": "alice", "password": "jalon-demo", "next": "/prospects/"}
    )
    assert response["Location"] == "/prospects/"
    client.post(reverse("logout"))
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "jalon-demo", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_whole_sales_team_signs_in_from_one_office_address_at_nine(client, rep):
    """Fifty reps behind the office's one public address sign in within the same minute: none is
    turned away (allauth counts every login per address, 30 a minute by default)."""
    from django.test import Client

    from tests import factories as f

    team = [f.RepFactory(username=f"rep{n}") for n in range(50)]
    for user in team:
        user.set_password("jalon-demo")
        user.save()
    refused = [
        user.username
        for user in team
        if log_in(Client(), user.username, REMOTE_ADDR="203.0.113.9").status_code != 302
    ]
    assert refused == []
