"""Repeated failed logins are throttled (django-axes)."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client, password):
    return client.post(
        reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR="10.1.2.3"
    )


def test_repeated_failures_lock_the_account_for_a_while(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "wrong")
        assert response.status_code == 200
        assert b"alert" in response.content
    locked = attempt(client, "wrong")
    assert locked.status_code in (403, 429)
    assert (
        "Too many failed attempts" in locked.content.decode() or "Trop" in locked.content.decode()
    )
    # Even the right password is refused while locked out.
    assert attempt(client, "jalon-demo").status_code in (403, 429)
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, "jalon-demo").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200
