"""Single sign-on by OpenID Connect, against a local provider (tests/accounts/oidc_provider.py):
an existing user is matched by e-mail, a stranger is refused and no account is made."""

from urllib.parse import urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import User
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with FakeProvider() as fake:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": "sso",
                        "name": "Microsoft",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": fake.url},
                    }
                ],
            }
        }
        yield fake


def sso_login(client):
    """The browser's round trip: Jalon → the provider → back to Jalon with a code."""
    response = client.get(reverse("openid_connect_login"))
    assert response.status_code == 302, response.content[:500]
    authorize = response["Location"]
    assert authorize.startswith("http://127.0.0.1:")
    back = requests.get(authorize, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlparse(back.headers["Location"])
    assert callback.path == reverse("openid_connect_callback")
    return client.get(f"{callback.path}?{callback.query}")


def test_the_button_shows_only_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert b"Sign in with" not in client.get(reverse("login")).content
    assert client.get(reverse("openid_connect_login")).status_code == 404


def test_the_login_page_offers_the_provider(client, provider):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Microsoft" in page
    assert f'href="{reverse("openid_connect_login")}"' in page


def test_a_known_e_mail_logs_in(client, provider, rep):
    rep.email = "Alice@Example.fr"
    rep.save()
    response = sso_login(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("dashboard")).wsgi_request.user == rep
    assert SocialAccount.objects.get(user=rep).uid == "entra-1"
    # With PKCE, and the client's secret sent to the token endpoint only.
    assert provider.token_requests[-1]["code_verifier"]
    # Next time, the connected account is recognised by its subject.
    client.logout()
    assert sso_login(client)["Location"] == "/"


def test_an_unknown_e_mail_is_refused_and_no_account_made(client, provider, rep):
    provider.identity = {"sub": "x-9", "email": "stranger@example.fr", "email_verified": True}
    users = User.objects.count()
    response = sso_login(client)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = client.get(reverse("login")).content.decode()
    assert "No Jalon account uses the e-mail address stranger@example.fr" in page
    assert client.get(reverse("dashboard")).status_code == 302
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()


def test_an_unverified_e_mail_is_refused(client, provider, rep, settings):
    rep.email = "alice@example.fr"
    rep.save()
    provider.identity = {"sub": "e-2", "email": "alice@example.fr"}  # as Entra ID sends it
    settings.SSO_TRUST_EMAIL = False
    assert sso_login(client)["Location"] == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302
    settings.SSO_TRUST_EMAIL = True
    assert sso_login(client)["Location"] == "/"


def test_an_inactive_user_is_refused(client, provider, rep):
    rep.email = "alice@example.fr"
    rep.is_active = False
    rep.save()
    sso_login(client)
    assert client.get(reverse("dashboard")).status_code == 302
