"""Kanban speed: 2,000 open opportunities in one process, on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_board [--opportunities 2000] [--runs 30]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_kanban), created and migrated when missing, filled once. Measures the server time
(the whole Django stack through the test client: middleware, view, queries, template) and the
query count of the board page and of a move. Targets (issue 7): board < 300 ms, move < 50 ms,
query counts that do not grow with the number of cards.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_kanban"


def fill(count: int):
    """One process with `count` open opportunities spread over 5 steps, half with a task."""
    from django.utils import timezone

    from contacts.models import Prospect
    from pipeline.clocks import opportunities_refresh, tasks_refresh
    from pipeline.models import Opportunity, Process, Task
    from tests import factories as f

    process = Process.objects.filter(name="Bench board").first()
    if process and process.opportunities.count() == count:
        return process
    if process:
        Opportunity.all_objects.filter(process=process).delete()
        process.delete()
    rng = random.Random(7)
    process = f.ProcessFactory(name="Bench board", steps=5)
    steps = list(process.steps.order_by("position"))
    reps = [f.RepFactory(username=f"benchrep{i}") for i in range(10)]
    now = timezone.now()
    prospects = Prospect.objects.bulk_create(
        [
            Prospect(
                company_name=f"Company {i}",
                last_name=f"Name{i}",
                first_name="Jean",
                owner=reps[i % len(reps)],
            )
            for i in range(count)
        ]
    )
    opportunities = Opportunity.objects.bulk_create(
        [
            Opportunity(
                prospect=prospect,
                process=process,
                step=(step := steps[i % len(steps)]),
                summary=f"Project {i}",
                amount=rng.randint(1, 100) * 1000,
                probability=step.probability,
                owner=prospect.owner,
                position=i // len(steps),
                step_changed_at=now - dt.timedelta(days=rng.randint(0, 20)),
                expected_date=(now + dt.timedelta(days=rng.randint(0, 90))).date(),
            )
            for i, prospect in enumerate(prospects)
        ]
    )
    todo = f.task_type("todo")
    Task.objects.bulk_create(
        [
            Task(
                title=f"Call back {i}",
                type=todo,
                opportunity=opportunity,
                start=now + dt.timedelta(hours=rng.randint(-72, 240)),
                assignee=opportunity.owner,
                important=(i % 7 == 0),
            )
            for i, opportunity in enumerate(opportunities)
            if i % 2 == 0
        ]
    )
    opportunities_refresh([o.pk for o in opportunities])
    tasks_refresh()
    return process


def measure(call, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
    return times, queries


def report(name: str, times, queries, target_ms: float) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{name:<34} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries {min(queries)}–{max(queries)}   target < {target_ms:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from pipeline.models import Opportunity
    from pipeline.selectors import PAGE_SIZE
    from tests import factories as f

    setup_test_environment()
    started = time.perf_counter()
    process = fill(args.opportunities)
    print(
        f"data ready in {time.perf_counter() - started:.1f} s: "
        f"{process.opportunities.filter(status='open').count()} open opportunities, "
        f"{process.steps.count()} steps"
    )
    manager = f.ManagerFactory(username="benchmanager")
    client = Client()
    client.force_login(manager)
    url = reverse("pipeline_board", args=[process.pk])
    steps = list(process.steps.order_by("position"))

    def board():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    board()  # warm-up: templates compiled, session cached
    times, queries = measure(board, args.runs)
    report(f"board ({args.opportunities} open, {PAGE_SIZE}/column)", times, queries, 300)

    def filtered():
        client.get(url, {"q": "Company 1"})

    times, queries = measure(filtered, args.runs)
    report("board filtered by search", times, queries, 300)

    more_url = reverse("board_column", args=[process.pk, steps[0].pk])
    times, queries = measure(
        lambda: client.get(more_url, {"offset": PAGE_SIZE}, HTTP_HX_REQUEST="true"), args.runs
    )
    report(f"load more (next {PAGE_SIZE} of a column)", times, queries, 300)

    candidates = list(
        Opportunity.objects.filter(process=process, step=steps[0]).order_by("position", "id")[
            : args.runs + 1
        ]
    )
    moves = iter(candidates)
    move_url = reverse("board_move", args=[process.pk])

    def move():
        opportunity = next(moves)
        response = client.post(
            move_url,
            {
                "opportunity": opportunity.pk,
                "column": steps[1].pk,
                "from": steps[0].pk,
                "version": opportunity.version,
            },
            HTTP_HX_REQUEST="true",
        )
        assert "board:moved" in response.headers.get("HX-Trigger", ""), response.headers

    move()
    times, queries = measure(move, args.runs)
    report("move to the next column", times, queries, 50)
    # The same move through the service alone: what the board's view adds is the rest.
    from pipeline.services import opportunities as opportunity_services

    direct_ids = list(
        Opportunity.objects.filter(process=process, step=steps[0])
        .order_by("position", "id")
        .values_list("pk", flat=True)[: args.runs]
    )
    direct = iter(direct_ids)
    times, queries = measure(
        lambda: opportunity_services.opportunity_move(
            opportunity_id=next(direct), actor=manager, to_step=steps[1]
        ),
        args.runs,
    )
    report("  of which opportunity_move alone", times, queries, 50)
    print(
        f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs (figures grow with it)"
    )
    # Put the moved cards back so that the next run starts from the same data.
    moved = [c.pk for c in candidates] + direct_ids
    Opportunity.objects.filter(pk__in=moved).update(step=steps[0])
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
