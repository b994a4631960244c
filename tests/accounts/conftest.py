import pyotp
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def _fresh_cache():
    """TOTP codes once used and the rate limits live in the cache: none from another test."""
    cache.clear()
    yield
    cache.clear()


def totp_for(user) -> pyotp.TOTP:
    """Turn on an authenticator app for `user` (with recovery codes, as the set-up page does);
    returns the app, which computes the codes."""
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return pyotp.TOTP(secret)


def log_in(client, username: str, password: str = "jalon-demo", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)
