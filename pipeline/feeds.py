"""The iCalendar (RFC 5545) feed of a user's tasks, written with the icalendar library.

A recurring series is one VEVENT carrying the RRULE of its first task; its stored occurrences
that differ from the rule (moved, renamed, done) are VEVENTs with the same UID and a
RECURRENCE-ID; occurrences deleted or given to someone else are EXDATEs.
"""

import datetime as dt
from collections import defaultdict

import icalendar
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.users import user_label
from pipeline.models import CalendarFeed, Task
from pipeline.services.activities import parse_weekdays, task_rule

PRODID = "-//Jalon//Tasks//FR"
PAST_DAYS = 180
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ICAL_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
DONE_MARK = "✓ "


def calendar_feed_for(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": CalendarFeed.new_token()}
    )
    return feed


@transaction.atomic
def feed_regenerate(*, user) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": CalendarFeed.new_token()}
    )
    return feed


def _uid(task_id: int, domain: str) -> str:
    return f"task-{task_id}@{domain}"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _set_times(event: icalendar.Event, task: Task) -> None:
    if task.all_day:
        first = _local(task.start).date()
        last = _local(task.end).date() if task.end else first
        event.add("dtstart", first)
        event.add("dtend", max(last, first) + dt.timedelta(days=1))
    else:
        event.add("dtstart", _local(task.start))
        event.add(
            "dtend", _local(task.end) if task.end else _local(task.start) + dt.timedelta(minutes=30)
        )


def _event(task: Task, *, uid: str, stamp: dt.datetime, base_url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    _set_times(event, task)
    event.add("summary", (DONE_MARK if task.done else "") + task.title)
    if task.location:
        event.add("location", task.location)
    if task.notes:
        event.add("description", task.notes)
    event.add("categories", [task.type.name])
    event.add("priority", {1: 1, 2: 5, 3: 9}.get(task.priority, 0))
    event.add("class", "PRIVATE" if task.is_private else "PUBLIC")
    event.add("last-modified", task.updated_at)
    if base_url:
        event.add("url", base_url + task.get_absolute_url())
    return event


def _rrule(head: Task) -> icalendar.vRecur:
    rule = {"FREQ": ICAL_FREQ[head.frequency]}
    if head.interval and head.interval > 1:
        rule["INTERVAL"] = head.interval
    if head.frequency == Task.Frequency.WEEKLY and head.weekdays:
        rule["BYDAY"] = [ICAL_DAYS[day] for day in parse_weekdays(head.weekdays)]
    if head.until:
        # With a DTSTART in a time zone, RFC 5545 wants UNTIL in UTC.
        end_of_day = timezone.make_aware(dt.datetime.combine(head.until, dt.time(23, 59, 59)))
        rule["UNTIL"] = end_of_day.astimezone(dt.UTC)
    elif head.count:
        rule["COUNT"] = head.count
    return icalendar.vRecur(rule)


def _same_as_rule(task: Task, head: Task) -> bool:
    if task.occurrence_start is None or task.start != task.occurrence_start:
        return False
    head_length = (head.end - head.start) if head.end else None
    length = (task.end - task.start) if task.end else None
    return (
        not task.done
        and all(
            getattr(task, name) == getattr(head, name)
            for name in (
                "title",
                "location",
                "notes",
                "type_id",
                "priority",
                "is_private",
                "all_day",
            )
        )
        and length == head_length
    )


def _series_events(
    head: Task, rows: list[Task], user, *, domain, stamp, base_url
) -> list[icalendar.Event]:
    uid = _uid(head.pk, domain)
    master_source = Task(
        **{f.attname: getattr(head, f.attname) for f in Task._meta.concrete_fields}
    )
    master_source.start = head.occurrence_start or head.start
    if head.end:
        master_source.end = master_source.start + (head.end - head.start)
    master_source.done = False
    master = _event(master_source, uid=uid, stamp=stamp, base_url=base_url)
    master.add("rrule", _rrule(head))
    mine = {
        row.occurrence_start: row
        for row in rows
        if row.assignee_id == user.pk
        and row.deleted_at is None
        and row.occurrence_start is not None
    }
    last = max((row.occurrence_start for row in rows if row.occurrence_start), default=None)
    rule = task_rule(head)
    excluded = []
    if last is not None and rule is not None:
        first = _local(head.occurrence_start or head.start).replace(tzinfo=None)
        for when in rule.between(first, _local(last).replace(tzinfo=None), inc=True):
            aware = timezone.make_aware(when)
            if aware not in mine:
                excluded.append(aware if not head.all_day else aware.date())
    if excluded:
        master.add("exdate", excluded)
    events = [master]
    for occurrence_start, row in sorted(mine.items()):
        if _same_as_rule(row, head):
            continue
        override = _event(row, uid=uid, stamp=stamp, base_url=base_url)
        recurrence_id = _local(occurrence_start)
        override.add("recurrence-id", recurrence_id.date() if head.all_day else recurrence_id)
        events.append(override)
    return events


def feed_build(*, user, domain: str = "jalon", base_url: str = "") -> bytes:
    """The user's tasks from PAST_DAYS ago on, recurring series included, as an .ics file."""
    since = timezone.now() - dt.timedelta(days=PAST_DAYS)
    stamp = timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Jalon — {user_label(user)}")
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    mine = (
        Task.objects.filter(assignee=user)
        .filter(Q(start__gte=since) | Q(done=False))
        .select_related("type")
    )
    head_ids = set()
    for task in mine:
        if task.is_recurring:
            head_ids.add(task.head_id)
        else:
            cal.add_component(
                _event(task, uid=_uid(task.pk, domain), stamp=stamp, base_url=base_url)
            )
    rows_by_head = defaultdict(list)
    heads = {}
    for row in Task.all_objects.filter(
        Q(pk__in=head_ids) | Q(series_id__in=head_ids)
    ).select_related("type"):
        if row.series_id is None:
            heads[row.pk] = row
        rows_by_head[row.head_id].append(row)
    for head_id, head in sorted(heads.items()):
        if not head.frequency:
            # A series whose repetition was stopped: what is left are plain tasks.
            for row in rows_by_head[head_id]:
                if row.assignee_id == user.pk and row.deleted_at is None:
                    cal.add_component(
                        _event(row, uid=_uid(row.pk, domain), stamp=stamp, base_url=base_url)
                    )
            continue
        for event in _series_events(
            head, rows_by_head[head_id], user, domain=domain, stamp=stamp, base_url=base_url
        ):
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
