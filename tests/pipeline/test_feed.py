import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from pipeline.feeds import calendar_feed_for, feed_build
from pipeline.models import CalendarFeed, Task
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def make(actor, **fields):
    fields.setdefault("title", "Call back")
    fields.setdefault("type", f.task_type("call"))
    fields.setdefault("assignee", actor)
    return activities.task_create(actor=actor, **fields)


def events(ics: bytes):
    calendar = icalendar.Calendar.from_ical(ics)
    return calendar, list(calendar.walk("VEVENT"))


def test_feed_is_valid_icalendar_with_recurrence(rep):
    make(rep, title="One-off", start=at(2027, 3, 2, 14), end=at(2027, 3, 2, 15), location="Lyon")
    head = make(
        rep, title="Team call", start=at(2027, 3, 1), frequency="weekly", weekdays="0,2,4", count=6
    )
    occurrences = list(Task.objects.filter(series=head).order_by("start"))
    activities.task_delete(task=occurrences[0], actor=rep)  # Wednesday 3 March
    activities.task_update(
        task=occurrences[2], actor=rep, title="Team call (moved)", start=at(2027, 3, 8, 11)
    )

    calendar, vevents = events(feed_build(user=rep))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert calendar.walk("VTIMEZONE"), "time zone definitions are included"
    one_off = next(e for e in vevents if e["SUMMARY"] == "One-off")
    assert one_off.decoded("DTSTART") == at(2027, 3, 2, 14) and str(one_off["LOCATION"]) == "Lyon"
    master = next(e for e in vevents if "RRULE" in e)
    rule = master["RRULE"]
    assert (
        rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO", "WE", "FR"] and rule["COUNT"] == [6]
    )
    assert master.decoded("DTSTART") == at(2027, 3, 1)
    exdates = [
        d.dt
        for ex in (
            [master["EXDATE"]] if not isinstance(master["EXDATE"], list) else master["EXDATE"]
        )
        for d in ex.dts
    ]
    assert at(2027, 3, 3) in exdates
    override = next(e for e in vevents if "RECURRENCE-ID" in e)
    assert override["UID"] == master["UID"]
    assert override.decoded("RECURRENCE-ID") == at(2027, 3, 8) and override.decoded(
        "DTSTART"
    ) == at(2027, 3, 8, 11)
    assert override["SUMMARY"] == "Team call (moved)"
    for event in vevents:
        assert event["UID"] and event["DTSTAMP"]


def test_feed_shows_only_the_users_tasks(rep, other_rep):
    make(rep, title="Mine", start=at(2027, 3, 2))
    make(other_rep, title="Theirs", start=at(2027, 3, 2))
    _calendar, vevents = events(feed_build(user=rep))
    assert [str(e["SUMMARY"]) for e in vevents] == ["Mine"]


def test_feed_url_needs_no_login_and_regeneration_revokes_the_old_token(client, rep):
    make(rep, title="Mine", start=at(2027, 3, 2))
    old = calendar_feed_for(user=rep).token
    response = client.get(reverse("task_feed", args=[old]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events(response.content)

    client.force_login(rep)
    page = client.get(reverse("calendar_feed")).content.decode()
    assert old in page
    response = client.post(reverse("calendar_feed"))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=rep).token
    assert new != old
    client.logout()
    assert client.get(reverse("task_feed", args=[old])).status_code == 404
    assert client.get(reverse("task_feed", args=[new])).status_code == 200


def test_regenerate_with_htmx_answers_the_new_address(rep_client, rep):
    old = calendar_feed_for(user=rep).token
    response = rep_client.post(reverse("calendar_feed"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="feed-url"' in page and old not in page
    assert CalendarFeed.objects.get(user=rep).token in page


def test_unknown_token_is_404(client):
    assert client.get(reverse("task_feed", args=["nope"])).status_code == 404
