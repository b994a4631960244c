"""The iCalendar (RFC 5545) feed of a user's tasks, written as text directly.

A recurring series is one VEVENT carrying the RRULE of its first task; its stored occurrences
that differ from the rule (moved, renamed, done) are VEVENTs with the same UID and a
RECURRENCE-ID; occurrences deleted or given to someone else are EXDATEs.

Building icalendar objects for 2,000 events took most of the feed's time (issue 20): the events
are written as text lines here (values escaped, lines folded at 75 octets as RFC 5545 says),
and only the time zone definition comes from the icalendar library, once per zone. On
PostgreSQL the one-off tasks' times come already written as RFC 5545 text (`_PG_TIMES`): reading
2,000 rows' dates as Python datetimes and converting each to the local zone cost more than the
rest of the feed. Calendar apps poll the feed: `feed_fingerprint` is its ETag, read in one
query, so an unchanged feed is answered 304 without being built.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from functools import lru_cache

import icalendar
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from core.users import user_label
from pipeline.models import CalendarFeed, Task
from pipeline.services.activities import parse_weekdays, task_rule

PRODID = "-//Jalon//Tasks//FR"
PAST_DAYS = 180
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ICAL_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
DONE_MARK = "✓ "
PRIORITIES = {1: 1, 2: 5, 3: 9}
# A task of the feed's window read as a plain row: whether it belongs to a series, then what
# its event shows (`_Writer.write`'s arguments, in this order), its times last, as RFC 5545
# text: start and end (a day, or a local time), last change (UTC).
EVENT_FIELDS = (
    "series_id",
    "frequency",
    "pk",
    "title",
    "done",
    "location",
    "notes",
    "priority",
    "is_private",
    "all_day",
    "type__name",
)
TIME_FIELDS = ("start", "end", "updated_at")
# `_times` and `_utc` in SQL: a timed task without an end lasts 30 minutes (wall-clock time, as
# Python adds to a local datetime); an all-day one ends the day after its last day.
_PG_TIMES = {
    "start_text": """
        to_char("pipeline_task"."start" AT TIME ZONE %s,
                CASE WHEN "pipeline_task"."all_day" THEN 'YYYYMMDD' ELSE 'YYYYMMDD"T"HH24MISS' END)
    """,
    "end_text": """
        CASE WHEN "pipeline_task"."all_day"
        THEN to_char((GREATEST(("pipeline_task"."end" AT TIME ZONE %s)::date,
                               ("pipeline_task"."start" AT TIME ZONE %s)::date) + 1)::timestamp,
                     'YYYYMMDD')
        ELSE to_char(COALESCE("pipeline_task"."end" AT TIME ZONE %s,
                              ("pipeline_task"."start" AT TIME ZONE %s) + interval '30 minutes'),
                     'YYYYMMDD"T"HH24MISS')
        END
    """,
    "updated_text": """
        to_char("pipeline_task"."updated_at" AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"')
    """,
}


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


def feed_fingerprint(*, user, extra: str = "") -> tuple[str, dt.datetime]:
    """The feed's ETag and last change, from one aggregate over the user's tasks (the trash
    included): any task of theirs created, edited, done, deleted, restored or given to someone
    else changes the count or the latest change. The day is part of it (the feed's window
    moves daily), and `extra` (the user's name, the address the feed is served from)."""
    found = Task.all_objects.filter(assignee=user).aggregate(
        count=Count("pk"),
        deleted=Count("deleted_at"),
        updated=Max("updated_at"),
        last_deleted=Max("deleted_at"),
    )
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    changed = max(d for d in (found["updated"], found["last_deleted"], midnight) if d is not None)
    key = "|".join(
        str(v)
        for v in (
            user.pk,
            found["count"],
            found["deleted"],
            found["updated"],
            found["last_deleted"],
            timezone.localdate(),
            user_label(user),
            extra,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32], changed


# --------------------------------------------------------------------------- RFC 5545 text


def _text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """A content line folded at 75 octets (never inside a UTF-8 character)."""
    if len(line) <= 18 or (len(line) <= 75 and line.isascii()):
        return line  # 18 characters are at most 72 octets
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # back to the first byte of the character
        parts.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _when(name: str, value: dt.date | dt.datetime, tzid: str) -> str:
    """DTSTART, DTEND, RECURRENCE-ID: a day, or a local time with its TZID."""
    if isinstance(value, dt.datetime):
        return f"{name};TZID={tzid}:{value:%Y%m%dT%H%M%S}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def _uid(task_id: int, domain: str) -> str:
    return f"task-{task_id}@{domain}"


def _times(start: dt.datetime, end: dt.datetime | None, all_day: bool, zone):
    """A task's DTSTART and DTEND: its days (the end exclusive), or its local times (30 minutes
    without an end)."""
    if all_day:
        first = start.astimezone(zone).date()
        last = end.astimezone(zone).date() if end else first
        return first, max(last, first) + dt.timedelta(days=1)
    start = start.astimezone(zone)
    return start, end.astimezone(zone) if end else start + dt.timedelta(minutes=30)


def _texts(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> tuple[str, str]:
    """DTSTART's and DTEND's values as `_when` writes them (without the name and parameter)."""
    if isinstance(start, dt.datetime):
        return f"{start:%Y%m%dT%H%M%S}", f"{end:%Y%m%dT%H%M%S}"
    return f"{start:%Y%m%d}", f"{end:%Y%m%d}"


def _one_off_rows(user, since: dt.datetime):
    """The user's tasks in the feed's window: `EVENT_FIELDS`, then start, end and last change
    as text. PostgreSQL writes the times (`_PG_TIMES`); elsewhere Python does."""
    mine = Task.objects.filter(assignee=user).filter(Q(start__gte=since) | Q(done=False))
    if connection.vendor == "postgresql":
        tzid = timezone.get_current_timezone_name()
        # Constant SQL; the zone's name is its only parameter.
        times = {
            name: RawSQL(sql, [tzid] * sql.count("%s"))  # noqa: S611
            for name, sql in _PG_TIMES.items()
        }
        yield from mine.annotate(**times).values_list(*EVENT_FIELDS, *times)
        return
    zone = timezone.get_current_timezone()
    fields = len(EVENT_FIELDS)
    all_day = EVENT_FIELDS.index("all_day")
    for row in mine.values_list(*EVENT_FIELDS, *TIME_FIELDS):
        start, end, updated_at = row[fields:]
        yield (*row[:fields], *_texts(*_times(start, end, row[all_day], zone)), _utc(updated_at))


class _Writer:
    """The VEVENTs as text lines; the constant parts computed once per feed. `event` takes a
    Task, `write` the values of a row of `_one_off_rows` (no model built: 2,000 of them cost)."""

    def __init__(self, *, domain: str, stamp: dt.datetime, base_url: str):
        self.domain = domain
        self.zone = timezone.get_current_timezone()
        self.tzid = timezone.get_current_timezone_name()
        self.when = f"TZID={self.tzid}"
        self.stamp = f"DTSTAMP:{_utc(stamp)}"
        # One reversal for every task's address (its id is the only part that changes).
        self.url = (base_url + reverse("task_detail", args=[0])[:-2]) if base_url else ""
        self.lines: list[str] = []
        self.categories: dict[str, str] = {}  # CATEGORIES line by task type: a handful

    def event(self, task: Task, *, uid: str, type_name: str, extra: tuple[str, ...] = ()) -> None:
        """The VEVENT of a task (a series' master or one of its occurrences)."""
        start_text, end_text = _texts(*_times(task.start, task.end, task.all_day, self.zone))
        self.write(
            task.pk,
            task.title,
            task.done,
            task.location,
            task.notes,
            task.priority,
            task.is_private,
            task.all_day,
            type_name,
            start_text,
            end_text,
            _utc(task.updated_at),
            uid=uid,
            extra=extra,
        )

    def write(
        self,
        pk: int,
        title: str,
        done: bool,
        location: str,
        notes: str,
        priority: int,
        is_private: bool,
        all_day: bool,
        type_name: str,
        start: str,
        end: str,
        updated: str,
        *,
        uid: str,
        extra: tuple[str, ...] = (),
    ) -> None:
        """A VEVENT from its values, the times already written (`_texts`, `_utc`)."""
        when = "VALUE=DATE" if all_day else self.when
        # Lines of a fixed shape are short; those carrying text or a list are folded.
        lines = self.lines
        lines += (
            "BEGIN:VEVENT",
            _fold(f"UID:{_text(uid)}"),
            self.stamp,
            f"DTSTART;{when}:{start}",
            f"DTEND;{when}:{end}",
            _fold(f"SUMMARY:{_text((DONE_MARK if done else '') + title)}"),
        )
        if location:
            lines.append(_fold(f"LOCATION:{_text(location)}"))
        if notes:
            lines.append(_fold(f"DESCRIPTION:{_text(notes)}"))
        categories = self.categories.get(type_name)
        if categories is None:
            categories = self.categories[type_name] = _fold(f"CATEGORIES:{_text(type_name)}")
        lines += (
            categories,
            f"PRIORITY:{PRIORITIES.get(priority, 0)}",
            f"CLASS:{'PRIVATE' if is_private else 'PUBLIC'}",
            f"LAST-MODIFIED:{updated}",
        )
        if self.url:
            lines.append(_fold(f"URL:{self.url}{pk}/"))
        lines += [_fold(line) for line in extra]
        lines.append("END:VEVENT")


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> str:
    """The VTIMEZONE of a zone, as the icalendar library writes it (built once)."""
    return icalendar.Timezone.from_tzid(tzid).to_ical().decode().strip("\r\n")


# --------------------------------------------------------------------------- series


def _rrule(head: Task) -> str:
    rule = [f"FREQ={ICAL_FREQ[head.frequency]}"]
    if head.interval and head.interval > 1:
        rule.append(f"INTERVAL={head.interval}")
    if head.frequency == Task.Frequency.WEEKLY and head.weekdays:
        rule.append("BYDAY=" + ",".join(ICAL_DAYS[day] for day in parse_weekdays(head.weekdays)))
    if head.until:
        # With a DTSTART in a time zone, RFC 5545 wants UNTIL in UTC.
        end_of_day = timezone.make_aware(dt.datetime.combine(head.until, dt.time(23, 59, 59)))
        rule.append(f"UNTIL={_utc(end_of_day)}")
    elif head.count:
        rule.append(f"COUNT={head.count}")
    return "RRULE:" + ";".join(rule)


def _dates(name: str, values: list) -> str:
    """EXDATE: days, or local times with their TZID, comma-separated."""
    if isinstance(values[0], dt.datetime):
        tzid = timezone.get_current_timezone_name()
        return f"{name};TZID={tzid}:" + ",".join(f"{v:%Y%m%dT%H%M%S}" for v in values)
    return f"{name};VALUE=DATE:" + ",".join(f"{v:%Y%m%d}" for v in values)


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


def _series_events(head: Task, rows: list[Task], user, writer: _Writer) -> None:
    uid = _uid(head.pk, writer.domain)
    master_source = Task(
        **{f.attname: getattr(head, f.attname) for f in Task._meta.concrete_fields}
    )
    master_source.type = head.type
    master_source.start = head.occurrence_start or head.start
    if head.end:
        master_source.end = master_source.start + (head.end - head.start)
    master_source.done = False
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
    extra = (_rrule(head), _dates("EXDATE", excluded)) if excluded else (_rrule(head),)
    writer.event(master_source, uid=uid, type_name=head.type.name, extra=extra)
    for occurrence_start, row in sorted(mine.items()):
        if _same_as_rule(row, head):
            continue
        recurrence_id = _local(occurrence_start)
        writer.event(
            row,
            uid=uid,
            type_name=row.type.name,
            extra=(
                _when(
                    "RECURRENCE-ID",
                    recurrence_id.date() if head.all_day else recurrence_id,
                    writer.tzid,
                ),
            ),
        )


def feed_build(*, user, domain: str = "jalon", base_url: str = "") -> bytes:
    """The user's tasks from PAST_DAYS ago on, recurring series included, as an .ics file."""
    since = timezone.now() - dt.timedelta(days=PAST_DAYS)
    writer = _Writer(domain=domain, stamp=timezone.now(), base_url=base_url)
    tzid = timezone.get_current_timezone_name()
    head_ids = set()
    for series_id, frequency, *values in _one_off_rows(user, since):
        pk = values[0]
        if frequency or series_id is not None:
            head_ids.add(series_id or pk)
        else:
            writer.write(*values, uid=_uid(pk, domain))
    rows_by_head = defaultdict(list)
    heads = {}
    if head_ids:
        series_rows = Task.all_objects.filter(Q(pk__in=head_ids) | Q(series_id__in=head_ids))
        for row in series_rows.select_related("type"):
            if row.series_id is None:
                heads[row.pk] = row
            rows_by_head[row.head_id].append(row)
    for head_id, head in sorted(heads.items()):
        if not head.frequency:
            # A series whose repetition was stopped: what is left are plain tasks.
            for row in rows_by_head[head_id]:
                if row.assignee_id == user.pk and row.deleted_at is None:
                    writer.event(row, uid=_uid(row.pk, domain), type_name=row.type.name)
            continue
        _series_events(head, rows_by_head[head_id], user, writer)
    head = [
        "BEGIN:VCALENDAR",
        f"PRODID:{_text(PRODID)}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(f'Jalon — {user_label(user)}')}",
        f"X-WR-TIMEZONE:{_text(tzid)}",
    ]
    lines = [*(_fold(line) for line in head), *writer.lines, _vtimezone(tzid), "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()
