"""Step list speed: 10,000 opportunities in a 12-step step-by-step process, on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_step_list [--opportunities 10000] [--runs 30]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_processes), created and migrated when missing, filled once. Measures the server time (the
whole Django stack through the test client) and the query count of the step list page (first
page, sorted by NbJ, filtered, a far page) and of ticking a box in place. Targets (issue 5, "fast
with many rows"): page < 300 ms, tick < 50 ms, query counts that do not grow with the rows.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_processes"
PROCESS_NAME = "Bench step list"


def fill(count: int):
    """One step-by-step process of 12 steps; each opportunity has its earlier steps ticked."""
    from django.utils import timezone

    from contacts.models import Prospect
    from pipeline.clocks import opportunities_refresh
    from pipeline.models import Opportunity, Process, StepProgress
    from tests import factories as f

    process = Process.objects.filter(name=PROCESS_NAME).first()
    if process and process.opportunities.count() == count:
        return process
    if process:
        Opportunity.all_objects.filter(process=process).delete()
        process.delete()
    rng = random.Random(5)
    process = f.ProcessFactory(name=PROCESS_NAME, mode=Process.Mode.STEP_BY_STEP, steps=12)
    steps = list(process.steps.order_by("position"))
    reps = [f.RepFactory(username=f"benchsteprep{i}") for i in range(10)]
    now = timezone.now()
    prospects = Prospect.objects.bulk_create(
        [
            Prospect(
                company_name=f"Company {i}",
                last_name=f"Name{i}",
                first_name="Jean",
                job_title="Buyer",
                address=f"{i} rue de la Soif",
                postal_code="35000",
                city="Rennes",
                notes=f"Met at the fair {i}\nsecond line",
                owner=reps[i % len(reps)],
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    opportunities = Opportunity.objects.bulk_create(
        [
            Opportunity(
                prospect=prospect,
                process=process,
                step=(step := steps[rng.randrange(len(steps))]),
                summary=f"Project {i}",
                amount=rng.randint(1, 100) * 1000,
                probability=step.probability,
                owner=prospect.owner,
                position=i,
                status="won" if i % 17 == 0 else "open",
                step_changed_at=now - dt.timedelta(days=rng.randint(0, 20)),
            )
            for i, prospect in enumerate(prospects)
        ],
        batch_size=2000,
    )
    StepProgress.objects.bulk_create(
        [
            StepProgress(opportunity=o, step=s, done_at=now)
            for o in opportunities
            for s in steps
            if s.position < o.step.position
        ],
        batch_size=5000,
    )
    opportunities_refresh([o.pk for o in opportunities])
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
        f"{name:<40} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries {min(queries)}–{max(queries)}   target < {target_ms:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from pipeline.models import Opportunity, StepProgress
    from tests import factories as f

    setup_test_environment()
    started = time.perf_counter()
    process = fill(args.opportunities)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics after a bulk load
        cursor.execute("ANALYZE")
    print(
        f"data ready in {time.perf_counter() - started:.1f} s: {process.opportunities.count()} "
        f"opportunities, {process.steps.count()} steps, "
        f"{StepProgress.objects.filter(step__process=process).count()} ticked boxes"
    )
    manager = f.ManagerFactory(username="benchstepmanager")
    client = Client()
    client.force_login(manager)
    page_url = reverse("pipeline_steps", args=[process.pk])

    def get(params):
        def call():
            response = client.get(page_url, params)
            assert response.status_code == 200, response.status_code

        return call

    get({})()  # warm-up
    for name, params in [
        ("step list, first page (50 rows)", {}),
        ("sorted by NbJ", {"sort": "nbj"}),
        ("sorted by potential, descending", {"sort": "-amount"}),
        (
            "in progress only + one user",
            {
                "in_progress": "on",
                "owner": Opportunity.objects.filter(process=process)
                .values_list("owner", flat=True)
                .first(),
            },
        ),
        ("page 150", {"page": 150}),
    ]:
        times, queries = measure(get(params), args.runs)
        report(name, times, queries, 300)

    steps = list(process.steps.order_by("position"))
    candidates = iter(
        Opportunity.objects.filter(process=process, step=steps[0], status="open").order_by("pk")[
            : args.runs + 1
        ]
    )

    def tick():
        opportunity = next(candidates)
        response = client.post(
            reverse("pipeline_step_toggle", args=[process.pk, opportunity.pk, steps[0].pk]),
            {"done": "1", "version": opportunity.version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and "HX-Trigger" not in response.headers, (
            response.headers
        )

    tick()
    times, queries = measure(tick, min(args.runs, 25))
    report("tick a box in place (row answered)", times, queries, 50)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
