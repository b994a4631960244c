"""Optimistic versions: a form or an htmx action carries the version of the record it showed,
and a write is refused when the record changed since (the second writer is told, never
silently overwritten). Every service checks through `check_version`, which raises
`ConcurrentEdit`; every view shows the refusal with its one message (`STALE_VERSION`), edit
forms through `core.conflicts.stale_response` (the one conflict screen, `core/_conflict.html`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.users import user_label

STALE_VERSION = _(
    "This record was changed by {user} at {time} after you opened it; your changes were not saved."
)
SOMEONE_ELSE = _("someone else")
# Longest version a client may send; longer digit strings are junk, refused as stale.
MAX_VERSION_DIGITS = 9


def parse_version(value) -> int | None:
    """The version a client sent: an int, or None when it sent nothing. Junk (not a small
    non-negative integer) is -1, which no record has, so it is refused as stale."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**MAX_VERSION_DIGITS else -1
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_VERSION_DIGITS:
        return int(text)
    return -1


class ConcurrentEdit(Exception):
    """The version a client saw is no longer the stored one; `current` is the record now and
    `message` says who changed it and when."""

    def __init__(self, current: models.Model):
        self.current = current
        who = user_label(getattr(current, "updated_by", None)) or str(SOMEONE_ELSE)
        at = getattr(current, "updated_at", None)
        when = timezone.localtime(at).strftime("%d/%m/%Y %H:%M") if at else "—"
        self.message = str(STALE_VERSION).format(user=who, time=when)
        super().__init__(self.message)


def check_version(current: models.Model, expected) -> None:
    """Raise ConcurrentEdit unless `expected` (the raw value a client sent; None or "": not
    checked) is `current`'s version. Call it on the row locked with `select_for_update`."""
    expected = parse_version(expected)
    if expected is not None and expected != current.version:
        raise ConcurrentEdit(current)
