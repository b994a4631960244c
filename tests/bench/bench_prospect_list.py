"""Prospect list speed with a team's 100,000 prospects, on PostgreSQL (issue 20).

    .venv/bin/python -m tests.bench.bench_prospect_list [--prospects 100000] [--runs 40] [--profile]
                                                        [--write-cost ROWS]

Each run starts from a fresh database (BENCH_DATABASE_URL, default postgresql://postgres@
127.0.0.1:5432/jalon_prospect_list, dropped and recreated from its migrated template) filled
with a team's data (tests.bench._team: 8 reps, three processes, opportunities and tasks on most
prospects, companies with people). Every page goes through the real view with a rep's session
(and the manager's for the first page): middleware, view, queries, template. Prints p50, p95,
the query count and the budget of issue 20 for each, the load average first; `--profile` adds
the cProfile of every page that missed its budget; `--write-cost 5000` times an import of
5,000 prospects and 100 task creations with and without this issue's indexes;
`--reuse-data` measures the last run's database again (for iterating only).
Budgets (p95): first page < 50 ms; sorted by next action, by company, searched < 80 ms each;
at most 12 queries on every page, the same for 10 rows as for 100.
"""

import argparse
import os
import time

from django.utils import timezone

from tests.bench._setup import setup
from tests.bench._team import (
    fill_team,
    fresh_database,
    measure,
    profile,
    report_header,
    report_row,
    signed_in,
    team_users,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_prospect_list"

PAGES = [
    # (label, url, budget in ms, who)
    ("first page (25 rows)", "/prospects/", 50, "rep"),
    ("first page, manager", "/prospects/", 50, "manager"),
    ("10 rows", "/prospects/?per_page=10", 50, "rep"),
    ("100 rows", "/prospects/?per_page=100", None, "rep"),
    ("sorted by next action", "/prospects/?sort=next_action", 80, "rep"),
    ("sorted by next action, descending", "/prospects/?sort=-next_action", 80, "rep"),
    ("sorted by company", "/prospects/?sort=company", 80, "rep"),
    ("sorted by company, page 200", "/prospects/?sort=company&page=200", 80, "rep"),
    ("searched 'martin'", "/prospects/?q=martin", 80, "rep"),
    ("searched 'dupont rennes'", "/prospects/?q=dupont+rennes", 80, "rep"),
    ("searched 'zzzz' (nothing)", "/prospects/?q=zzzz", 80, "rep"),
    ("searched by phone", "/prospects/?q=02+12+34", 80, "rep"),
    ("filter owner=me + status=open", "/prospects/?owner=me&status=open", None, "rep"),
    ("filter next action red", "/prospects/?colour=red", None, "rep"),
    ("rows only (htmx), next action", "/prospects/?sort=next_action", 80, "rep-htmx"),
]


OUR_INDEXES = (
    "prospect_company_order",
    "prospect_next_action_order",
    "prospect_next_action_desc",
    "prospect_search_trgm",
)


def write_cost(rows: int, users: dict) -> None:
    """What this issue's indexes and stored next action cost the writes: an import of `rows`
    prospects and 100 tasks created with the indexes dropped (in a transaction rolled back
    afterwards), then again with them."""
    import tempfile

    from django.db import connection, transaction

    from pipeline.models import Opportunity, TaskType
    from pipeline.services.activities import task_create
    from prospects.imports import prospects_import
    from tests.bench.bench_import import write_file

    rep = users["rep"]
    opportunities = list(Opportunity.objects.filter(owner=rep).order_by("pk")[:100])
    todo = TaskType.objects.first()

    def run(label: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "prospects.csv")
            write_file(path, rows, "csv", [])
            started = time.perf_counter()
            prospects_import(path=path, actor=None)
            imported = time.perf_counter() - started
        started = time.perf_counter()
        for opportunity in opportunities:
            task_create(
                actor=rep, title="Call", type=todo, start=timezone.now(), opportunity=opportunity
            )
        tasks = (time.perf_counter() - started) * 1000 / len(opportunities)
        print(
            f"{label:28s} import of {rows} rows {imported:5.1f} s ({rows / imported:6.0f} rows/s)"
            f"   task created {tasks:5.1f} ms each"
        )

    print("\ncost on writes")
    # Without first, rolled back: both runs start from the same rows.
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in OUR_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        run("without this issue's indexes")
        transaction.set_rollback(True)
    run("with them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--write-cost", type=int, default=0, metavar="ROWS")
    parser.add_argument(
        "--reuse-data", action="store_true", help="measure the last run's data again (iterating)"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.reuse_data:
        setup(url)
        users = team_users()
    else:
        fresh_database(url)
        setup(url)
        users = fill_team(prospects=args.prospects)
    clients = {"rep": signed_in(users["rep"]), "manager": signed_in(users["manager"])}
    htmx = {"HX-Request": "true", "HX-Target": "prospect-rows"}

    report_header()
    missed = []
    for label, page_url, budget, who in PAGES:
        client = clients[who.split("-")[0]]
        headers = htmx if who.endswith("htmx") else {}
        p50, p95, count = measure(client, page_url, args.runs, **headers)
        if not report_row(label, p50, p95, count, budget):
            missed.append((client, page_url, headers))
    if args.profile:
        for client, page_url, headers in missed:
            profile(client, page_url, **headers)
    if args.write_cost:
        write_cost(args.write_cost, users)


if __name__ == "__main__":
    main()
