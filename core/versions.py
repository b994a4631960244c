"""Optimistic versions: a form or an htmx action carries the version of the record it showed,
and a write is refused when the record changed since (the second writer is told, never
silently overwritten). Every service checks through `check_version`; every view shows the
refusal through `stale_response` (the one conflict screen, `core/_conflict.html`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STALE_VERSION = _(
    "This record was changed by {user} at {time} while you were editing it. "
    "Its current values are shown below; your changes were not saved."
)


def parse_version(value) -> int | None:
    """The version a client sent: an int, or None when it sent nothing. Junk (not a small
    non-negative integer) is -1, which no record has, so it is refused as stale."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit() and len(text) < 10:
        return int(text)
    return -1


class ConcurrentEdit(Exception):
    """The version a form loaded is no longer the stored one; `current` is the record now."""

    def __init__(self, current: models.Model):
        self.current = current
        who = getattr(current, "updated_by", None)
        name = (who.get_full_name() or who.get_username()) if who else "—"
        at = getattr(current, "updated_at", None)
        when = timezone.localtime(at).strftime("%d/%m/%Y %H:%M") if at else "—"
        self.message = str(STALE_VERSION).format(user=name, time=when)
        super().__init__(self.message)


def check_version(current: models.Model, expected) -> None:
    """Raise ConcurrentEdit unless `expected` (None: not checked) is `current`'s version."""
    expected = parse_version(expected)
    if expected is not None and expected != current.version:
        raise ConcurrentEdit(current)
