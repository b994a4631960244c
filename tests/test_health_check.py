"""The web container's health check, against gunicorn running Jalon with production settings.

docker-compose.yml's own health check command (read through the real Compose binary) is run
against a real gunicorn started with DEBUG=0: it must pass over plain HTTP, while every other
URL still redirects to HTTPS and a Host outside ALLOWED_HOSTS is still refused.
"""

import http.client
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "crm.example.com"


def compose_binary() -> Path:
    import compose

    return pathlib.Path(compose.__file__).parent / "docker-compose"


def compose_config() -> dict:
    out = subprocess.run(
        [str(compose_binary()), "-f", "docker-compose.yml", "config", "--format", "json"],
        cwd=ROOT,
        env=dict(os.environ, SECRET_KEY="ci", ALLOWED_HOSTS=HOST, POSTGRES_PASSWORD="ci"),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_environment(tmp_path: Path) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SESSION_", "CSRF_", "SECURE_", "CELERY_", "DJANGO_", "TRUSTED_"))
        and k not in {"DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "STATIC_ROOT"}
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY="a-real-production-key-" + "x9Z" * 20,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp_path / 'health.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return environment


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn serving Jalon with production settings, as the web service does."""
    tmp_path = tmp_path_factory.mktemp("production")
    environment = production_environment(tmp_path)
    # As in the image (Dockerfile): static files collected, so that error pages can render.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        # gunicorn listens before its worker has loaded Django: the first request waits for
        # that (seconds on a busy machine), as Compose's start period allows. Answered once,
        # the server is up; the checks below then time what a running server answers.
        while True:
            try:
                get(port, "/health/", HOST)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline + 30:
                    raise RuntimeError("gunicorn did not answer") from None
                time.sleep(0.5)
        yield {"port": port, "environment": environment}
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, path: str, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def health_check_command(port: int) -> list[str]:
    """The web service's health check as Compose runs it in the container, pointed at `port`."""
    test = compose_config()["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python", test
    return [sys.executable] + [
        arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("/app/", f"{ROOT}/")
        for arg in test[2:]
    ]


def test_the_compose_health_check_passes_under_production_settings(server):
    command = health_check_command(server["port"])
    result = subprocess.run(
        command, cwd=ROOT, env=server["environment"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_health_url_answers_ok_over_plain_http(server):
    response = get(server["port"], "/health/", HOST)
    assert response.status == 200
    assert response.body == b"ok"


def test_other_urls_still_redirect_to_https(server):
    for path in ("/", "/accounts/login/", "/admin/", "/health/extra/"):
        response = get(server["port"], path, HOST)
        assert response.status == 301, path
        assert response.getheader("Location") == f"https://{HOST}{path}", path


def test_an_unknown_host_is_still_refused(server):
    for path in ("/health/", "/accounts/login/"):
        assert get(server["port"], path, "evil.example.org").status == 400, path
        assert get(server["port"], path, f"127.0.0.1:{server['port']}").status == 400, path


def test_the_health_check_fails_when_the_site_does_not_answer():
    command = health_check_command(free_port())
    environment = dict(os.environ, ALLOWED_HOSTS=HOST)
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, timeout=30)
    assert result.returncode != 0
