"""A local stand-in for the national register's API (recherche-entreprises.api.gouv.fr): a real
HTTP server on a free port, answering `/search` with responses recorded from the real API
(`tests/contacts/register/*.json`). Tests point `SIRENE_API_URL` at it (`fake_register`)."""

import contextlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.cache import cache

RECORDED = Path(__file__).parent / "register"
SLOW_SECONDS = 4  # more than contacts.register.REGISTER_TIMEOUT


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def answer_for(q: str) -> tuple[int, str]:
    """The recorded file answering `q`: what the real API answered for such a query."""
    text = q.lower()
    if text.startswith("356000000") and len(text) == 14:
        return 200, "search_siret.json"
    if text.startswith("356000000"):
        return 200, "search_siren.json"
    if "poste" in text:
        return 200, "search_name.json"
    if "busy" in text:
        return 429, "error_429.json"
    if "crash" in text:
        return 500, "error_500.json"
    return 200, "not_found.json"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query)
        q = params.get("q", [""])[0]
        self.server.queries.append(q)
        if url.path != "/search":
            status, name = 404, "not_found.json"
        else:
            status, name = answer_for(q)
        if "slow" in q.lower():
            time.sleep(SLOW_SECONDS)
        body = (RECORDED / name).read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # unless the client gave up (timeout)

    def log_message(self, *args):
        pass


def start_fake_register() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.queries = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def fake_register(settings):
    """The fake register running; `SIRENE_API_URL` points at it, the cache starts empty.
    Yields the server: `server.queries` lists the `q` it received."""
    server = start_fake_register()
    settings.SIRENE_API_URL = f"http://127.0.0.1:{server.server_port}"
    cache.clear()
    yield server
    server.shutdown()
    server.server_close()
    cache.clear()
