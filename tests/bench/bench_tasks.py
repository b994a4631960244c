"""Tasks speed with a team's data, on PostgreSQL (issue 20): agenda, calendar, iCalendar feed
and "mark done".

    .venv/bin/python -m tests.bench.bench_tasks [--prospects 8400] [--feed-events 2000]
                                                [--runs 20] [--profile]

Each run starts from a fresh database (BENCH_DATABASE_URL, default postgresql://postgres@
127.0.0.1:5432/jalon_tasks_bench, dropped and recreated from its migrated template) filled
with a team's data (tests.bench._team: 8 reps, opportunities and tasks on most prospects), plus
for the measured rep enough one-off tasks to give the feed `--feed-events` events (spread over
the year around today, some with notes, places and long titles) and five weekly series.
Everything goes through the real views with the rep's session (the manager's for the team
calendar and a second "mark done"); the feed is fetched as calendar apps do, then again with the
ETag it answered (304). Prints the load average, p50, p95, the query count (SQL statements,
BEGIN and COMMIT left out) and the budget of issue 20; `--profile` adds cProfiles of the feed
and of the team calendar.
Budgets: team month calendar and agenda p95 < 60 ms; feed (2,000 events) < 100 ms and 304 when
unchanged; mark done at most 12 queries; every page at most 12 queries.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time

from tests.bench._setup import setup
from tests.bench._team import (
    fill_team,
    fresh_database,
    profile,
    report_header,
    report_row,
    signed_in,
)
from tests.bench.bench_board import percentiles, statements, time_gets

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_tasks_bench"
CALENDAR_BUDGET_MS = 60
FEED_BUDGET_MS = 100


def feed_tasks(rep, events: int) -> None:
    """One-off tasks of the rep up to `events` in the feed's window, and five weekly series."""
    from django.utils import timezone

    from pipeline.clocks import tasks_refresh
    from pipeline.feeds import PAST_DAYS
    from pipeline.models import Task, TaskType
    from pipeline.services import activities

    rng = random.Random(7)
    now = timezone.now()
    types = list(TaskType.objects.all())
    since = now - dt.timedelta(days=PAST_DAYS)
    have = Task.objects.filter(assignee=rep, start__gte=since).count()
    Task.objects.bulk_create(
        [
            Task(
                title=f"Relancer le devis n° {i} — société Dupont & Fils, Saint-Étienne",
                type=rng.choice(types),
                assignee=rep,
                start=now + dt.timedelta(hours=rng.randint(-PAST_DAYS * 24 + 24, 180 * 24)),
                done=rng.random() < 0.4,
                priority=1 + i % 3,
                location="Lyon, Part-Dieu" if i % 3 == 0 else "",
                notes="Rappeler après 14 h ; apporter le catalogue,\nle tarif 2027"
                if i % 4
                else "",
                is_private=i % 17 == 0,
            )
            for i in range(max(0, events - have))
        ],
        batch_size=2000,
    )
    for i in range(5):
        activities.task_create(
            actor=rep,
            assignee=rep,
            title=f"Point hebdomadaire {i}",
            type=types[0],
            start=now + dt.timedelta(days=i, hours=1),
            frequency="weekly",
        )
    tasks_refresh()


def time_done(client, user, runs: int, *, others: bool = False) -> tuple[float, float, int]:
    """`runs` "mark done" clicks (the htmx POST) on open tasks of opportunities: the user's,
    or with `others` (a manager) the team's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from pipeline.models import Task

    tasks = Task.objects.filter(done=False, series__isnull=True, opportunity__isnull=False)
    tasks = (
        tasks.exclude(assignee=user).filter(is_private=False)
        if others
        else tasks.filter(assignee=user)
    )
    tasks = list(tasks.order_by("?")[: runs + 1])
    timings, queries = [], 0
    for n, task in enumerate(tasks):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(
                reverse("task_toggle", args=[task.pk]),
                {"done": "1"},
                headers={"HX-Request": "true"},
            )
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 204, response.status_code
        if n:
            timings.append(elapsed)
        queries = statements(captured)
    return (*percentiles(timings), queries)


def time_304(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    etag = client.get(url)["ETag"]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers={"If-None-Match": etag})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304, response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers={"If-None-Match": etag})
    return (*percentiles(timings), statements(captured))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=8400)
    parser.add_argument("--feed-events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    fresh_database(url)
    setup(url)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from pipeline.feeds import calendar_feed_for
    from pipeline.models import Task

    users = fill_team(prospects=args.prospects)
    rep_user = users["rep"]
    feed_tasks(rep_user, args.feed_events)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{Task.objects.count()} tasks, {Task.objects.filter(assignee=rep_user).count()} "
        f"for the measured rep"
    )
    rep, manager = signed_in(rep_user), signed_in(users["manager"])
    feed_url = reverse("task_feed", args=[calendar_feed_for(user=rep_user).token])
    anonymous = Client()
    events = anonymous.get(feed_url).content.count(b"BEGIN:VEVENT")

    report_header()
    calendar = reverse("task_calendar")
    met = [
        report_row("agenda /tasks/, rep", *time_gets(rep, reverse("task_list"), args.runs), 60),
        report_row("calendar month, rep", *time_gets(rep, calendar, args.runs), CALENDAR_BUDGET_MS),
        report_row(
            "calendar month, whole team, rep",
            *time_gets(rep, f"{calendar}?who=all", args.runs),
            CALENDAR_BUDGET_MS,
        ),
        report_row(
            "calendar month, whole team, manager",
            *time_gets(manager, f"{calendar}?who=all", args.runs),
            CALENDAR_BUDGET_MS,
        ),
        report_row(
            "calendar day, whole team, rep",
            *time_gets(rep, f"{calendar}?view=day&who=all", args.runs),
            CALENDAR_BUDGET_MS,
        ),
        report_row(
            f"iCalendar feed ({events} events)",
            *time_gets(anonymous, feed_url, max(5, args.runs // 2)),
            FEED_BUDGET_MS,
        ),
        report_row(
            "iCalendar feed unchanged (304)",
            *time_304(anonymous, feed_url, args.runs),
            FEED_BUDGET_MS,
        ),
        report_row("mark done (htmx), rep", *time_done(rep, rep_user, args.runs), None),
        report_row(
            "mark done (htmx), manager",
            *time_done(manager, users["manager"], args.runs, others=True),
            None,
        ),
    ]
    if args.profile:
        profile(anonymous, feed_url)
        profile(rep, f"{calendar}?who=all")
    print("all within budget" if all(met) else "some budgets MISSED (see above)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
