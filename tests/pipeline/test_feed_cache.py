"""Issue 20: the iCalendar feed written as text stays valid RFC 5545 (escaping, folding), and an
unchanged feed is answered 304 from its ETag or Last-Modified, any change of a task changing it."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from pipeline.feeds import calendar_feed_for, feed_build
from pipeline.models import Task
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour=9):
    return dt.datetime(2027, 3, day, hour, tzinfo=PARIS)


def make(actor, **fields):
    fields.setdefault("title", "Call back")
    fields.setdefault("type", f.task_type("call"))
    fields.setdefault("assignee", actor)
    fields.setdefault("start", at(2))
    return activities.task_create(actor=actor, **fields)


def test_text_values_are_escaped_and_lines_folded_at_75_octets(rep):
    title = "Appeler Mme Bérénice Lefèvre-Château; devis, relance \\ « très » urgent ✓ " * 2
    notes = "Line one, with a comma\nLine two; with a semicolon\r\nÉtage 3 \\ porte B"
    make(rep, title=title, notes=notes, location="Lyon, Part-Dieu", all_day=True)
    ics = feed_build(user=rep, domain="example.org", base_url="https://crm.example.org")
    lines = ics.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    lines[0].decode() and [line.decode() for line in lines]  # no character cut in two
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]) == notes.replace("\r\n", "\n")
    assert str(event["LOCATION"]) == "Lyon, Part-Dieu"
    assert event.decoded("DTSTART") == dt.date(2027, 3, 2)
    assert event.decoded("DTEND") == dt.date(2027, 3, 3)
    assert str(event["URL"]).startswith("https://crm.example.org/")


def test_done_task_and_times_in_the_local_zone(rep):
    task = make(rep, title="Visit", start=at(4, 14), end=at(4, 16))
    activities.task_set_done(task=task, done=True, actor=rep)
    event = icalendar.Calendar.from_ical(feed_build(user=rep)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "✓ Visit"
    assert event.decoded("DTSTART") == at(4, 14) and event.decoded("DTEND") == at(4, 16)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("LAST-MODIFIED").tzinfo is not None


def get(client, token, **headers):
    return client.get(reverse("task_feed", args=[token]), headers=headers)


def test_an_unchanged_feed_is_answered_304(client, rep, django_assert_max_num_queries):
    make(rep)
    token = calendar_feed_for(user=rep).token
    first = get(client, token)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    with django_assert_max_num_queries(2):  # the feed's token, the fingerprint
        again = get(client, token, if_none_match=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    since = get(client, token, if_modified_since=first["Last-Modified"])
    assert since.status_code == 304
    assert get(client, token, if_none_match='"something else"').status_code == 200


def test_every_change_of_a_task_changes_the_etag(client, rep, other_rep):
    task = make(rep)
    token = calendar_feed_for(user=rep).token
    seen = [get(client, token)["ETag"]]

    def changed():
        response = get(client, token, if_none_match=seen[-1])
        assert response.status_code == 200
        assert response["ETag"] != seen[-1]
        seen.append(response["ETag"])

    activities.task_update(task=task, actor=rep, title="Call back (moved)")
    changed()
    other = make(rep, title="Second")
    changed()
    activities.task_set_done(task=task, done=True, actor=rep)
    changed()
    activities.task_delete(task=other, actor=rep)
    changed()
    third = make(rep, title="Third")
    changed()
    activities.task_update(task=third, actor=rep, assignee=other_rep)
    changed()
    assert get(client, token, if_none_match=seen[-1]).status_code == 304


def lines_of(ics: bytes, uid_pk: int) -> dict[str, str]:
    """The unfolded content lines of the event of task `uid_pk`, by name (with parameters)."""
    text = ics.decode().replace("\r\n ", "")
    block = text.split(f"UID:task-{uid_pk}@jalon\r\n", 1)[1].split("END:VEVENT", 1)[0]
    return dict(line.split(":", 1) for line in block.split("\r\n") if line)


def test_times_written_as_the_local_days_and_wall_clock(rep):
    """The feed's times (written by the database on PostgreSQL, by Python elsewhere): all-day
    tasks as their local days (the end exclusive), timed ones in local time, 30 minutes long
    without an end even across the change to summer time, the last change in UTC, seconds cut."""
    paris_midnight_in_utc = dt.datetime(2027, 3, 2, 23, 30, tzinfo=dt.UTC)  # 3 March in Paris
    one_day = make(rep, start=paris_midnight_in_utc, all_day=True)
    three_days = make(rep, start=at(4, 0), end=at(6, 18), all_day=True)
    # 28 March 2027 at 2:00, clocks go to 3:00: 1:45 + 30 minutes is written 2:15.
    dst = make(rep, start=dt.datetime(2027, 3, 28, 1, 45, tzinfo=PARIS))
    timed = make(
        rep, start=at(9, 14), end=dt.datetime(2027, 3, 9, 15, 59, 59, 999999, tzinfo=PARIS)
    )
    stamp = dt.datetime(2027, 3, 1, 8, 7, 6, 999999, tzinfo=dt.UTC)
    Task.objects.filter(pk=timed.pk).update(updated_at=stamp)
    ics = feed_build(user=rep)

    assert lines_of(ics, one_day.pk)["DTSTART;VALUE=DATE"] == "20270303"
    assert lines_of(ics, one_day.pk)["DTEND;VALUE=DATE"] == "20270304"
    assert lines_of(ics, three_days.pk)["DTSTART;VALUE=DATE"] == "20270304"
    assert lines_of(ics, three_days.pk)["DTEND;VALUE=DATE"] == "20270307"
    assert lines_of(ics, dst.pk)["DTSTART;TZID=Europe/Paris"] == "20270328T014500"
    assert lines_of(ics, dst.pk)["DTEND;TZID=Europe/Paris"] == "20270328T021500"
    event = lines_of(ics, timed.pk)
    assert event["DTSTART;TZID=Europe/Paris"] == "20270309T140000"
    assert event["DTEND;TZID=Europe/Paris"] == "20270309T155959"
    assert event["LAST-MODIFIED"] == "20270301T080706Z"
