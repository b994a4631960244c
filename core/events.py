"""Business events: what happened to a record, told to whoever listens once it is committed.

The services say what happened (`emit("opportunity.won", opportunity, actor=user)`); the apps
above them listen (`register(listener)` in their `AppConfig.ready`: the webhooks of
`integrations`). This module records nothing: it hands each event to the listeners after the
transaction commits (`transaction.on_commit`), so a rolled-back change (a refused move, a
savepoint rolled back) tells no one, and a listener never sees a row that does not exist yet.

Event names are `<record>.<what happened>`; `NAMES` lists every one the services emit.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

NAMES = (
    "prospect.created",
    "prospect.updated",
    "opportunity.created",
    "opportunity.moved",
    "opportunity.won",
    "opportunity.lost",
    "task.done",
    "quote.accepted",
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """One event: `id` is unique (webhooks send it as the delivery's id), `at` is when the
    service emitted it, `data` what the service adds to the record (a move's former step)."""

    name: str
    instance: Any
    actor: Any = None
    data: dict = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    at: Any = field(default_factory=timezone.now)


Listener = Callable[[Event], None]
LISTENERS: list[Listener] = []


def register(listener: Listener) -> Listener:
    """Call `listener(event)` for every event committed from now on (usable as a decorator)."""
    if listener not in LISTENERS:
        LISTENERS.append(listener)
    return listener


def unregister(listener: Listener) -> None:
    if listener in LISTENERS:
        LISTENERS.remove(listener)


def _dispatch(event: Event) -> None:
    for listener in list(LISTENERS):
        try:
            listener(event)
        except Exception:
            # The change is committed: a listener's failure must not turn it into an error page.
            logger.exception("listener %r failed on %s", listener, event.name)


def emit(event_name: str, instance, *, actor=None, data: dict | None = None) -> Event:
    """Tell the listeners that `event_name` happened to `instance`, once the current
    transaction commits (at once outside a transaction)."""
    if event_name not in NAMES:
        raise ValueError(f"unknown event {event_name!r}")
    event = Event(name=event_name, instance=instance, actor=actor, data=dict(data or {}))
    transaction.on_commit(lambda: _dispatch(event))
    return event
