"""Under production settings (DEBUG=0), session and CSRF cookies are secure."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "SECURE_PROXY_SSL_HEADER",
]
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))"
)


def production_settings(**extra) -> dict:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SESSION_", "CSRF_", "SECURE_"))
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY="a-real-production-key-" + "x9Z" * 20,
        ALLOWED_HOSTS="crm.example.com",
        DJANGO_SETTINGS_MODULE="config.settings",
        **extra,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return production_settings()


def test_production_cookies_are_secure(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")


def test_production_forces_https(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


@pytest.mark.django_db
def test_login_under_production_values_sets_secure_cookies(client, rep, settings, production):
    for name in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
    ):
        setattr(settings, name, production[name])
    page = client.get(reverse("login"), secure=True)
    assert page.cookies["csrftoken"]["secure"]
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "jalon-demo"},
        secure=True,
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] in ("Lax", "Strict")
