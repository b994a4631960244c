"""The user's sessions: listed with the browser, address and last activity, and ended."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.sessions import device_label
from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    "agent, label",
    [
        (FIREFOX_WINDOWS, "Firefox · Windows"),
        (SAFARI_IPHONE, "Safari · iPhone"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36",
            "Chrome · Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge · Windows",
        ),
        ("curl/8.0", ""),
    ],
)
def test_device_label(agent, label):
    assert device_label(agent) == label


@pytest.fixture(
    params=["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"],
    ids=["db", "cached_db"],
)
def session_engine(request, settings):
    """Both session engines Jalon runs on (cached_db when CACHE_URL names a shared cache): an
    ended session is logged out with either, its cached copy included."""
    settings.SESSION_ENGINE = request.param
    return request.param


def two_browsers(rep):
    office = Client(HTTP_USER_AGENT=FIREFOX_WINDOWS, REMOTE_ADDR="192.0.2.1")
    phone = Client(HTTP_USER_AGENT=SAFARI_IPHONE, REMOTE_ADDR="192.0.2.2")
    assert log_in(office, "alice").status_code == 302
    assert log_in(phone, "alice").status_code == 302
    return office, phone


def test_sessions_are_listed_with_browser_address_and_activity(rep, other_rep):
    office, phone = two_browsers(rep)
    Client(HTTP_USER_AGENT="Opera/9.8", REMOTE_ADDR="192.0.2.3").force_login(other_rep)
    page = office.get(reverse("account_sessions"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Firefox · Windows" in text and "192.0.2.1" in text
    assert "Safari · iPhone" in text and "192.0.2.2" in text
    assert "This browser" in text
    assert "192.0.2.3" not in text  # another user's
    assert [s.current for s in page.context["sessions"]] == [True, False]


def test_ending_a_session_logs_that_browser_out(rep, session_engine):
    office, phone = two_browsers(rep)
    sessions = office.get(reverse("account_sessions")).context["sessions"]
    other = next(s for s in sessions if not s.current)
    response = office.post(reverse("account_session_end", args=[other.pk]))
    assert response.status_code == 302
    assert phone.get(reverse("dashboard")).status_code == 302
    assert office.get(reverse("dashboard")).status_code == 200
    assert len(office.get(reverse("account_sessions")).context["sessions"]) == 1


def test_ending_all_other_sessions(rep, session_engine):
    office, phone = two_browsers(rep)
    third = Client(HTTP_USER_AGENT=FIREFOX_WINDOWS, REMOTE_ADDR="192.0.2.9")
    log_in(third, "alice")
    assert office.post(reverse("account_sessions_end_others")).status_code == 302
    assert phone.get(reverse("dashboard")).status_code == 302
    assert third.get(reverse("dashboard")).status_code == 302
    assert office.get(reverse("dashboard")).status_code == 200


def test_another_user_s_session_cannot_be_ended(rep, other_rep, session_engine):
    office, _phone = two_browsers(rep)
    theirs = Client(HTTP_USER_AGENT=SAFARI_IPHONE)
    log_in(theirs, "bruno")
    from allauth.usersessions.models import UserSession

    session = UserSession.objects.get(user=other_rep)
    assert office.post(reverse("account_session_end", args=[session.pk])).status_code == 404
    assert theirs.get(reverse("dashboard")).status_code == 200
