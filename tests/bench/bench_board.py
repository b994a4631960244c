"""Kanban speed with a team's data, on PostgreSQL (issue 20).

    .venv/bin/python -m tests.bench.bench_board [--prospects 8400] [--runs 30] [--profile]

Each run starts from a fresh database (BENCH_DATABASE_URL, default postgresql://postgres@
127.0.0.1:5432/jalon_kanban, dropped and recreated from its migrated template) filled with a
team's data (tests.bench._team: 8 reps, three processes, opportunities and tasks on most
prospects, a quarter of them closed); the default 8,400 prospects give the measured board
about 2,000 open opportunities. Everything goes through the real views with a rep's session
(the manager's for a second board): middleware, view, queries, template; each move is a real
drop (the card lands between two cards of the next column, as board.js posts it) of a card
not moved before. Prints the load average, then p50, p95, the query count and the budget of
issue 20 for each (queries: the SQL statements, BEGIN and COMMIT left out, what runs once a
move commits included); `--profile` adds where the board's time goes (template, SQL, the rest).
Budgets: board p95 < 60 ms, move p95 < 30 ms, at most 12 queries each.
"""

import argparse
import os
import sys
import time

from tests.bench._setup import setup
from tests.bench._team import fill_team, fresh_database, report_header, report_row, signed_in

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_kanban"
BOARD_BUDGET_MS = 60
MOVE_BUDGET_MS = 30


def biggest_process():
    """The process whose board holds the most open opportunities: the one measured."""
    from django.db.models import Count, Q

    from pipeline.models import Opportunity, Process

    return (
        Process.objects.annotate(
            open_count=Count(
                "opportunities", filter=Q(opportunities__status=Opportunity.Status.OPEN)
            )
        )
        .order_by("-open_count")
        .first()
    )


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return ordered[len(ordered) // 2], ordered[max(0, round(len(ordered) * 0.95) - 1)]


def statements(captured) -> int:
    """The SQL statements run, without the transaction's own BEGIN and COMMIT, which Django
    also logs (a move is one transaction)."""
    return sum(
        not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))
        for q in captured.captured_queries
    )


def time_gets(client, url: str, runs: int, **headers) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # warm-up: templates compiled, session written
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=headers)
    return (*percentiles(timings), statements(captured))


def time_moves(client, process, user, runs: int) -> tuple[float, float, int]:
    """`runs` drops of the user's cards from the first column into the second, each between
    two cards there, timed through the real view; the query count of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from pipeline.models import Opportunity

    first, second = list(process.steps.order_by("position", "id"))[:2]
    cards = list(
        Opportunity.objects.changeable_by(user)
        .filter(process=process, step=first, status=Opportunity.Status.OPEN)
        .order_by("position", "id")[: runs + 1]
    )
    url = reverse("board_move", args=[process.pk])
    timings, queries = [], 0
    for n, card in enumerate(cards):
        around = list(
            Opportunity.objects.filter(process=process, step=second, status=Opportunity.Status.OPEN)
            .order_by("position", "id")
            .values_list("pk", flat=True)[5:7]
        )
        data = {
            "opportunity": card.pk,
            "column": second.pk,
            "from": first.pk,
            "version": card.version,
            "prev": around[0] if around else "",
            "next": around[1] if len(around) > 1 else "",
        }
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(url, data, headers={"HX-Request": "true"})
            elapsed = (time.perf_counter() - started) * 1000
        assert "board:moved" in response.headers.get("HX-Trigger", ""), response.content[:300]
        if n:  # the first one is the warm-up
            timings.append(elapsed)
        queries = statements(captured)
    return (*percentiles(timings), queries)


def profile_split(client, url: str, runs: int = 10) -> None:
    """cProfile of `runs` GETs of the board: the share of template rendering, of SQL (the
    database driver's execute, waiting included) and of the rest (middleware, view, Python)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt

    def cumulative(path_part: str, name: str) -> float:
        return max(
            (
                row[3]
                for (filename, _line, function), row in stats.stats.items()
                if path_part in filename and function == name
            ),
            default=0.0,
        )

    template = cumulative("django/template/base.py", "render")
    sql = cumulative("django/db/backends/utils.py", "_execute_with_wrappers")
    print(
        f"\nprofile of {runs} boards: {total * 1000 / runs:.1f} ms each under cProfile; "
        f"templates {100 * template / total:.0f} %, SQL {100 * sql / total:.0f} %, "
        f"the rest {100 * (total - template - sql) / total:.0f} %"
    )
    stats.sort_stats("tottime").print_stats(12)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=8400)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    fresh_database(url)
    setup(url)

    from django.urls import reverse

    from pipeline.selectors import PAGE_SIZE

    # No `setup_test_environment()`: it instruments every template render to copy its
    # context for the test client, which would charge the board for work production skips.
    users = fill_team(prospects=args.prospects)
    process = biggest_process()
    print(
        f"board of “{process.name}”: {process.open_count} open opportunities, "
        f"{process.steps.count()} steps, {PAGE_SIZE} cards per column"
    )
    board_url = reverse("pipeline_board", args=[process.pk])
    rep, manager = signed_in(users["rep"]), signed_in(users["manager"])

    report_header()
    met = [
        report_row("board, rep", *time_gets(rep, board_url, args.runs), BOARD_BUDGET_MS),
        report_row("board, manager", *time_gets(manager, board_url, args.runs), BOARD_BUDGET_MS),
        report_row(
            "board filtered by search, rep",
            *time_gets(rep, f"{board_url}?q=martin", args.runs),
            BOARD_BUDGET_MS,
        ),
        report_row(
            f"load more (next {PAGE_SIZE} of a column), rep",
            *time_gets(
                rep,
                reverse("board_column", args=[process.pk, process.steps.order_by("position")[0].pk])
                + f"?offset={PAGE_SIZE}",
                args.runs,
                **{"HX-Request": "true"},
            ),
            BOARD_BUDGET_MS,
        ),
        report_row(
            "move (a drop between two cards), rep",
            *time_moves(rep, process, users["rep"], args.runs),
            MOVE_BUDGET_MS,
        ),
        report_row(
            "move (a drop between two cards), manager",
            *time_moves(manager, process, users["manager"], args.runs),
            MOVE_BUDGET_MS,
        ),
    ]
    if args.profile:
        profile_split(rep, board_url)
    print("all within budget" if all(met) else "some budgets MISSED (see above)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
