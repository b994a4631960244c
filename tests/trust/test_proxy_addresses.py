"""Login throttling behind a reverse proxy: the client's address is the one the trusted proxies
forwarded (TRUSTED_PROXY_COUNT), never one a client wrote itself.

Through the real login view, axes middleware and authentication backend, with the test client.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from core.proxies import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.23"


def login(client, password, forwarded_for=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": "alice", "password": password}, **headers)


def lock_out_alice_from(client, forwarded_for):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", forwarded_for)
    assert login(client, "jalon-demo", forwarded_for).status_code in (403, 429)


def test_behind_one_proxy_a_lockout_from_one_client_spares_another(client, rep, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    lock_out_alice_from(client, CLIENT_A)
    # Alice at her own desk, through the same proxy, still signs in.
    assert login(client, "jalon-demo", CLIENT_B).status_code == 302


def test_behind_one_proxy_only_the_address_the_proxy_added_counts(client, rep, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    lock_out_alice_from(client, CLIENT_A)
    # What the client sent before the proxy's own entry is ignored: no way out by spoofing.
    assert login(client, "jalon-demo", f"{CLIENT_B}, {CLIENT_A}").status_code in (403, 429)


def test_without_a_proxy_forwarded_for_is_ignored(client, rep, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    lock_out_alice_from(client, CLIENT_A)
    assert login(client, "jalon-demo", CLIENT_B).status_code in (403, 429)
    assert login(client, "jalon-demo").status_code in (403, 429)


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, CLIENT_A, PROXY),
        (1, CLIENT_A, CLIENT_A),
        (1, f"{CLIENT_B}, {CLIENT_A}", CLIENT_A),
        (2, f"{CLIENT_B}, {CLIENT_A}, 10.0.0.1", CLIENT_A),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        # Not through all the proxies, or garbage: the connection's own address.
        (1, None, PROXY),
        (2, CLIENT_A, PROXY),
        (1, "not-an-address", PROXY),
        (1, f"{CLIENT_A}, ", PROXY),
    ],
)
def test_client_ip(rf, settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(rf.get("/", **headers)) == expected


@pytest.mark.parametrize(("count", "recorded"), [(0, PROXY), (1, CLIENT_A)])
def test_the_audit_trail_records_the_same_client_address(rep_client, settings, count, recorded):
    from auditlog.models import LogEntry

    from contacts.models import Company
    from tests.trust.forms import form_with

    settings.TRUSTED_PROXY_COUNT = count
    data = form_with(rep_client.get(reverse("company_create")).content.decode(), "name")
    data["name"] = "Brand New SA"
    rep_client.post(
        reverse("company_create"),
        data,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{CLIENT_B}, {CLIENT_A}",
    )
    company = Company.objects.get(name="Brand New SA")
    entry = LogEntry.objects.get_for_object(company).get(action=LogEntry.Action.CREATE)
    assert entry.remote_addr == recorded
