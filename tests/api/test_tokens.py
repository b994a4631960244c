"""Personal API tokens: made on the account page or by `manage.py api_token`, stored hashed,
shown once, revoked by their user only."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from contacts.choices import Origin
from prospects.services import prospect_create

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_hashed_with_a_recognisable_prefix(rep):
    token, secret = services.token_create(user=rep, name="Sync", read_only=False, actor=rep)
    assert secret.startswith("jalon_") and len(secret) >= 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.prefix, token.key_hash)
    assert secret.startswith(token.prefix)
    assert services.token_find(secret) == token


def test_nobody_makes_a_token_for_someone_else(rep, other_rep):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.token_create(user=rep, name="Theirs", read_only=False, actor=other_rep)


def test_the_page_creates_a_token_and_shows_it_once(rep, rep_client):
    response = rep_client.post(reverse("api_tokens"), {"name": "Invoicing", "scope": "write"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=rep)
    html = response.content.decode()
    secret = html.split('class="token-value" type="text" readonly value="')[1].split('"')[0]
    assert services.token_find(secret) == token
    assert not token.read_only
    again = rep_client.get(reverse("api_tokens")).content.decode()
    assert secret not in again
    assert token.prefix in again and "Invoicing" in again and "Never" in again
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/companies/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert (
        token.last_used_at.strftime("%d/%m/%Y")
        in rep_client.get(reverse("api_tokens")).content.decode()
    )


def test_the_page_makes_read_only_tokens(rep, rep_client):
    rep_client.post(reverse("api_tokens"), {"name": "Dashboards", "scope": "read"})
    assert ApiToken.objects.get(user=rep).read_only


def test_a_token_needs_a_name(rep, rep_client):
    response = rep_client.post(reverse("api_tokens"), {"name": " ", "scope": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_the_users_own_tokens(rep, other_rep, rep_client):
    services.token_create(user=other_rep, name="Bruno's robot", read_only=True, actor=other_rep)
    assert "Bruno&#x27;s robot" not in rep_client.get(reverse("api_tokens")).content.decode()
    assert "Bruno's robot" not in rep_client.get(reverse("api_tokens")).content.decode()


def test_revoking_stops_the_token(rep, rep_client):
    token, secret = services.token_create(user=rep, name="Old", read_only=False, actor=rep)
    response = rep_client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/companies/").status_code == 401


def test_nobody_revokes_another_users_token(rep, other_rep, rep_client):
    token, _secret = services.token_create(
        user=other_rep, name="Theirs", read_only=False, actor=other_rep
    )
    assert rep_client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_prints_a_working_token(rep):
    out = io.StringIO()
    call_command("api_token", "alice", "--name", "Cron", "--read-only", stdout=out)
    secret = out.getvalue().strip()
    token = services.token_find(secret)
    assert token.user == rep and token.name == "Cron" and token.read_only
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/companies/").status_code == 200
    assert client.post("/api/v1/companies/", {"name": "X"}, format="json").status_code == 403


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=io.StringIO())


def test_prospect_create_keeps_the_origin_it_is_given(rep):
    """The service the API calls (prospects.services) records where a prospect came from; the
    pages' forms send no origin, so theirs stays "manual"."""
    prospect = prospect_create(actor=rep, data={"last_name": "Api"}, origin=Origin.API)
    assert prospect.origin == Origin.API
    assert prospect_create(actor=rep, data={"last_name": "Page"}).origin == Origin.MANUAL
