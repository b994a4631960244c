"""Tasks speed: agenda, calendar, dashboard, task panel, feed and writes, on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_tasks [--tasks 20000] [--runs 20]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_tasks_bench), created and migrated when missing, filled once: `--tasks` one-off tasks
spread over 10 reps and a year around today, plus 50 weekly series (materialised occurrences).
Measures the server time through the test client (middleware, view, queries, template) and the
query count. The issue sets no figure; the house targets are pages < 300 ms, writes < 50 ms.
"""

import argparse
import datetime as dt
import os
import random
import time

from tests.bench.bench_board import ensure_database, measure, report, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_tasks_bench"
REPS = 10


def fill(count: int):
    from django.utils import timezone

    from contacts.models import Prospect
    from pipeline.clocks import tasks_refresh
    from pipeline.models import Task
    from pipeline.services import activities
    from tests import factories as f

    reps = (
        [f.RepFactory(username=f"benchtasks{i}") for i in range(REPS)]
        if not Task.objects.filter(title__startswith="Bench task").exists()
        else None
    )
    if reps is None:
        from django.contrib.auth import get_user_model

        users = (
            get_user_model().objects.filter(username__startswith="benchtasks").order_by("username")
        )
        return list(users), Prospect.objects.filter(last_name="Bench").first()
    rng = random.Random(6)
    now = timezone.now()
    prospect = Prospect.objects.create(last_name="Bench", company_name="Bench SA", owner=reps[0])
    types = [f.task_type(code) for code in ("todo", "call", "meeting", "email")]
    Task.objects.bulk_create(
        [
            Task(
                title=f"Bench task {i}",
                type=types[i % 4],
                assignee=reps[i % REPS],
                start=now + dt.timedelta(hours=rng.randint(-180 * 24, 180 * 24)),
                done=rng.random() < 0.4,
                priority=1 + i % 3,
                important=(i % 11 == 0),
                prospect=prospect if i % 100 == 0 else None,
                is_private=(i % 17 == 0),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    for i in range(50):
        activities.task_create(
            actor=reps[i % REPS],
            assignee=reps[i % REPS],
            title=f"Bench weekly {i}",
            type=types[1],
            start=now + dt.timedelta(days=i % 7, hours=1),
            frequency="weekly",
            prospect=prospect if i < 5 else None,
        )
    tasks_refresh()
    return reps, prospect


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from pipeline.feeds import calendar_feed_for
    from pipeline.models import Task
    from pipeline.services import activities
    from tests import factories as f

    setup_test_environment()
    started = time.perf_counter()
    reps, prospect = fill(args.tasks)
    rep = reps[0]
    print(
        f"data ready in {time.perf_counter() - started:.1f} s: {Task.objects.count()} tasks "
        f"({Task.objects.filter(assignee=rep).count()} for the measured rep)"
    )
    client = Client()
    client.force_login(rep)

    def get(url, **headers):
        def call():
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)

        call()  # warm-up
        return call

    pages = [
        ("agenda /tasks/", reverse("task_list")),
        ("calendar month", reverse("task_calendar")),
        ("calendar month, whole team", reverse("task_calendar") + "?who=all"),
        ("calendar day", reverse("task_calendar") + "?view=day"),
        ("dashboard", reverse("dashboard")),
        ("task panel (prospect, all)", reverse("task_panel") + f"?prospect={prospect.pk}&todo=0"),
        ("history (prospect)", reverse("history_panel") + f"?prospect={prospect.pk}"),
    ]
    for name, url in pages:
        times, queries = measure(get(url), args.runs)
        report(name, times, queries, 300)

    token = calendar_feed_for(user=rep).token
    feed_url = reverse("task_feed", args=[token])
    times, queries = measure(get(feed_url), max(3, args.runs // 4))
    size = len(client.get(feed_url).content)
    report(f"iCalendar feed ({size // 1024} KiB)", times, queries, 1000)

    open_tasks = iter(
        list(Task.objects.filter(assignee=rep, done=False, series__isnull=True)[: args.runs + 1])
    )

    def toggle():
        task = next(open_tasks)
        response = client.post(
            reverse("task_toggle", args=[task.pk]), {"done": "1"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 204

    times, queries = measure(toggle, args.runs)
    report("mark done (htmx)", times, queries, 50)

    def create_series():
        activities.task_create(
            actor=rep,
            assignee=rep,
            title="Bench daily",
            type=f.task_type("call"),
            start=timezone.now() + dt.timedelta(days=1),
            frequency="daily",
        )

    times, queries = measure(create_series, 3)
    report(
        f"create open-ended daily series ({activities.HORIZON_DAYS}+ rows)", times, queries, 1000
    )
    Task.all_objects.filter(title="Bench daily").delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
