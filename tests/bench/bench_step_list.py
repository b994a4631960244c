"""Step list speed with a team's data, on PostgreSQL (issue 20).

    .venv/bin/python -m tests.bench.bench_step_list [--prospects 8400] [--runs 30] [--profile]

Each run starts from a fresh database (BENCH_DATABASE_URL, default postgresql://postgres@
127.0.0.1:5432/jalon_processes, dropped and recreated from its migrated template) filled with
a team's data (tests.bench._team: 8 reps, three processes, opportunities and tasks on most
prospects). The measured process is the one with the most open opportunities, set to
step-by-step with "log step changes" (the heavier tick: the step moves, the comment gets a line)
and each opportunity's earlier steps ticked. Everything goes through the real views with a
rep's session (the manager's for a second row): the step list's first page, and "tick the next
step" of an opportunity not ticked before (the htmx POST the check box sends, answered with the
row). Prints the load average, p50, p95, the query count (SQL statements, BEGIN and COMMIT left
out) and the budget of issue 20; `--profile` adds a cProfile of the ticks.
Budgets: tick p95 < 30 ms, at most 12 queries; the page at most 12 queries.
"""

import argparse
import os
import sys
import time

from tests.bench._setup import setup
from tests.bench._team import fill_team, fresh_database, report_header, report_row, signed_in
from tests.bench.bench_board import biggest_process, percentiles, statements, time_gets

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_processes"
TICK_BUDGET_MS = 30


def prepare(process) -> None:
    """Step-by-step with a comment line per change; each opportunity's steps before its
    current one ticked, as a team working in that mode leaves them."""
    from django.utils import timezone

    from pipeline.models import Opportunity, Process, StepProgress

    process.mode = Process.Mode.STEP_BY_STEP
    process.log_step_changes = True
    process.save()
    steps = list(process.steps.order_by("position", "id"))
    position = {s.pk: i for i, s in enumerate(steps)}
    now = timezone.now()
    rows = [
        StepProgress(opportunity_id=pk, step=step, done_at=now)
        for pk, step_id in Opportunity.objects.filter(process=process).values_list("pk", "step")
        for step in steps[: position.get(step_id, 0)]
    ]
    StepProgress.objects.bulk_create(rows, batch_size=5000)


def next_ticks(process, user, runs: int) -> list[tuple]:
    """(opportunity, its next step) for `runs` + 1 open opportunities the user may change."""
    from pipeline.models import Opportunity

    steps = list(process.steps.order_by("position", "id"))
    following = {a.pk: b for a, b in zip(steps, steps[1:], strict=False)}
    cards = (
        Opportunity.objects.changeable_by(user)
        .filter(process=process, status=Opportunity.Status.OPEN, step__in=list(following))
        .order_by("?")[: runs + 1]
    )
    # The current step is the first not done: ticking it is "tick the next step".
    return [(card, card.step) for card in cards]


def time_ticks(client, process, user, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    timings, queries = [], 0
    for n, (card, step) in enumerate(next_ticks(process, user, runs)):
        url = reverse("pipeline_step_toggle", args=[process.pk, card.pk, step.pk])
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(
                url, {"done": "1", "version": card.version}, headers={"HX-Request": "true"}
            )
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200 and "HX-Trigger" not in response.headers, (
            response.status_code,
            response.headers.get("HX-Trigger"),
        )
        if n:  # the first one is the warm-up
            timings.append(elapsed)
        queries = statements(captured)
    return (*percentiles(timings), queries)


def profile_ticks(client, process, user, runs: int = 20) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    time_ticks(client, process, user, runs)
    profiler.disable()
    print(f"\ncProfile of {runs} ticks, by cumulative time")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=8400)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    fresh_database(url)
    setup(url)

    from django.db import connection
    from django.urls import reverse

    users = fill_team(prospects=args.prospects)
    process = biggest_process()
    prepare(process)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"step list of “{process.name}”: {process.opportunities.count()} opportunities, "
        f"{process.open_count} open, {process.steps.count()} steps, step by step"
    )
    page_url = reverse("pipeline_steps", args=[process.pk])
    rep, manager = signed_in(users["rep"]), signed_in(users["manager"])

    report_header()
    met = [
        report_row("step list, first page, rep", *time_gets(rep, page_url, args.runs), None),
        report_row(
            "step list, first page, manager", *time_gets(manager, page_url, args.runs), None
        ),
        report_row(
            "tick the next step (row answered), rep",
            *time_ticks(rep, process, users["rep"], args.runs),
            TICK_BUDGET_MS,
        ),
        report_row(
            "tick the next step (row answered), manager",
            *time_ticks(manager, process, users["manager"], args.runs),
            TICK_BUDGET_MS,
        ),
    ]
    if args.profile:
        profile_ticks(rep, process, users["rep"])
    print("all within budget" if all(met) else "some budgets MISSED (see above)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
