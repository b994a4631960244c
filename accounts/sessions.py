"""A user's sessions: where they are signed in (allauth.usersessions records each login with the
address and browser), when each was last used, and ending them."""

import re
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

# How often a session's last activity is written (not on every request).
TOUCH_SECONDS = 300
USER_AGENT_MAX = UserSession._meta.get_field("user_agent").max_length

BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
SYSTEMS = (
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
)


def device_label(user_agent: str) -> str:
    """ "Firefox on Windows", read from a User-Agent header; "" when nothing is recognised."""
    browser = next((name for name, pattern in BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)


@dataclass
class SessionRow:
    pk: int
    device: str
    user_agent: str
    ip: str
    created_at: object
    last_seen_at: object
    current: bool


def user_sessions(request: HttpRequest) -> list[SessionRow]:
    """The signed-in user's live sessions, the current one first, then the latest used."""
    key = request.session.session_key
    sessions = UserSession.objects.purge_and_list(request.user)
    rows = [
        SessionRow(
            pk=s.pk,
            device=device_label(s.user_agent),
            user_agent=s.user_agent,
            ip=s.ip,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            current=s.session_key == key,
        )
        for s in sessions
    ]
    return sorted(rows, key=lambda r: (not r.current, -r.last_seen_at.timestamp()))


@transaction.atomic
def session_end(*, user, pk: int) -> bool:
    """End one of `user`'s sessions (its browser is logged out at its next request)."""
    session = UserSession.objects.filter(user=user, pk=pk).first()
    if session is None:
        return False
    session.end()
    return True


@transaction.atomic
def sessions_end_others(*, user, current_key: str) -> int:
    """End every session of `user` but the current one."""
    others = list(UserSession.objects.filter(user=user).exclude(session_key=current_key))
    for session in others:
        session.end()
    return len(others)


def session_touch(request: HttpRequest) -> None:
    """Record the session's last activity, at most once every TOUCH_SECONDS."""
    key = request.session.session_key
    if key and cache.add(f"usersession-seen:{key}", 1, TOUCH_SECONDS):
        now = timezone.now()
        touched = UserSession.objects.filter(session_key=key).update(last_seen_at=now)
        if not touched:  # a session opened without allauth's login (the admin's, or older)
            UserSession.objects.create(
                session_key=key,
                user=request.user,
                ip=get_adapter().get_client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
                created_at=now,
                last_seen_at=now,
            )


class SessionActivity:
    """Middleware: the last activity of the signed-in user's session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            session_touch(request)
        return self.get_response(request)
