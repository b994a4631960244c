"""Settings come only from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.concurrency import postgresql_only

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST', ''),"
    "'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
    "'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE, 'langs': [c for c, _ in settings.LANGUAGES],"
    "'secure_cookies': settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE,"
    "'sessions': settings.SESSION_ENGINE,"
    "'fragments': settings.CACHES['template_fragments']['BACKEND']}))"
)


def read_settings(**env) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_eager_paris_french():
    values = read_settings()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["eager"] is True
    assert values["tz"] == "Europe/Paris"
    assert values["lang"] == "fr"
    assert values["langs"] == ["fr", "en"]


def test_database_url_selects_postgresql():
    values = read_settings(DATABASE_URL="postgresql://jalon:secret@db.example.com:5432/crm")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "crm"
    assert values["host"] == "db.example.com"


def test_broker_turns_off_eager_tasks():
    assert read_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")["eager"] is False


def test_production_values():
    values = read_settings(
        DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="crm.example.com,www.example.com"
    )
    assert values["debug"] is False
    assert values["hosts"] == ["crm.example.com", "www.example.com"]
    assert values["secure_cookies"] is True


def test_sessions_are_cached_only_in_a_cache_shared_by_every_process():
    """With the per-process memory cache, a session ended in one process would stay open in
    another's memory: sessions stay in the database alone."""
    assert read_settings()["sessions"] == "django.contrib.sessions.backends.db"
    shared = read_settings(CACHE_URL="redis://127.0.0.1:6379/2")
    assert shared["sessions"] == "django.contrib.sessions.backends.cached_db"


def test_layout_fragments_are_cached_in_production_only():
    """While developing (DEBUG), a template change shows at the next request."""
    assert read_settings(DEBUG="1")["fragments"].endswith("DummyCache")
    production = read_settings(DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="crm.example.com")
    assert production["fragments"].endswith("LocMemCache")


def test_check_deploy_is_clean_with_production_values():
    environment = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="a-real-production-key-" + "x9Z" * 20,
        ALLOWED_HOSTS="crm.example.com",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    # The browser tests allow async-unsafe calls in this process; production does not.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


PROXY_PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'count': settings.TRUSTED_PROXY_COUNT,"
    "'ssl_header': settings.SECURE_PROXY_SSL_HEADER,"
    "'client_ip': settings.AXES_CLIENT_IP_CALLABLE}))"
)


def read_proxy_settings(**env) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TRUSTED_PROXY_COUNT", "SECURE_PROXY_SSL_HEADER"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROXY_PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_a_proxy_no_forwarded_header_is_trusted():
    values = read_proxy_settings(DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="crm.example.com")
    assert values["count"] == 0
    assert values["ssl_header"] is None
    assert values["client_ip"] == "core.proxies.client_ip"


def test_behind_a_proxy_its_headers_are_trusted():
    values = read_proxy_settings(TRUSTED_PROXY_COUNT="1")
    assert values["count"] == 1
    assert values["ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    values = read_proxy_settings(
        TRUSTED_PROXY_COUNT="2", SECURE_PROXY_SSL_HEADER="X-Forwarded-Ssl: on"
    )
    assert values["count"] == 2
    assert values["ssl_header"] == ["HTTP_X_FORWARDED_SSL", "on"]


@pytest.mark.django_db
@postgresql_only
def test_postgresql_compiles_no_query_just_in_time():
    """The pages run short queries: JIT compiling one took longer than running it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
