"""Notices: what the server did on its own while answering a user (an automation rule moved an
opportunity), shown to that user in the message area.

A service deep in a write calls `notify(text, to=actor)`; once its transaction commits (a
rolled-back write says nothing), `NoticesMiddleware` shows the notices meant for the user the
request answers: with an htmx answer, as an `HX-Trigger: {"jalon:messages": {"items": [...]}}`
event that static/js/jalon.js adds to the message area (a separate event from the view's own
`jalon:message`, which it does not overwrite); otherwise (a redirect, a full page, an htmx
redirect) as django `messages` read by the next page. Outside a request (a Celery task, a
command) or for someone else (a customer on a public quote page), there is no one to tell: the
notice is dropped.
"""

import contextvars
import json
from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse

_NOTICES: contextvars.ContextVar[list[dict] | None] = contextvars.ContextVar(
    "jalon_notices", default=None
)

# htmx answers that leave the page: their events would be lost with it.
_LEAVING = ("HX-Redirect", "HX-Location", "HX-Refresh")


def notify(text: str, *, to, level: str = "info") -> None:
    """Tell `to` (the user whose action this is) `text`, once the current transaction commits,
    if they are the one the current request answers: a customer accepting a quote on its public
    page is not told what the seller's rules did."""
    notices = _NOTICES.get()
    if notices is None or to is None or not getattr(to, "pk", None):
        return
    notice = {"text": str(text), "level": level}
    transaction.on_commit(lambda: notices.append((to.pk, notice)))


class NoticesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        notices: list[tuple[int, dict]] = []
        token = _NOTICES.set(notices)
        try:
            response = self.get_response(request)
        finally:
            _NOTICES.reset(token)
        user_id = getattr(getattr(request, "user", None), "pk", None)
        mine = [notice for to, notice in notices if user_id is not None and to == user_id]
        if mine:
            show(request, response, mine)
        return response


def _events(response: HttpResponse) -> dict:
    """The events the view already triggers (a JSON object, or names separated by commas)."""
    raw = response.get("HX-Trigger", "")
    if raw.startswith("{"):
        return json.loads(raw)
    return {name.strip(): {} for name in raw.split(",") if name.strip()}


def show(request: HttpRequest, response: HttpResponse, notices: list[dict]) -> None:
    if getattr(request, "htmx", False) and not any(header in response for header in _LEAVING):
        events = _events(response)
        events.setdefault("jalon:messages", {"items": []})["items"].extend(notices)
        response["HX-Trigger"] = json.dumps(events)
        return
    for notice in notices:
        messages.add_message(request, getattr(messages, notice["level"].upper()), notice["text"])
