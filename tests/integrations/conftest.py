"""A real HTTP receiver on a free local port, and webhooks pointing at it."""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations.models import Webhook


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """The receiver's check, as the README shows it."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Jalon-Signature", ""))


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)
    # Status codes to answer, in turn (the last one repeats).
    statuses: list = field(default_factory=lambda: [200])
    headers: dict = field(default_factory=dict)


@pytest.fixture
def receiver(settings):
    """An http.server in a thread; WEBHOOK_ALLOW_PRIVATE on, since it listens on 127.0.0.1."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            status = state.statuses[min(len(state.requests), len(state.statuses)) - 1]
            self.send_response(status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"boom: receiver failed")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/jalon"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_for(manager):
    def make(url: str, events=("prospect.created",), **kw) -> Webhook:
        return Webhook.objects.create(
            name="CRM sync", url=url, events=list(events), owner=manager, **kw
        )

    return make
