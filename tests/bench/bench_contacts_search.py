"""Company quick search and the contact lists with a team's file, on PostgreSQL (issue 20).

    .venv/bin/python -m tests.bench.bench_contacts_search [--prospects 100000] [--runs 100]
                                                          [--profile]

Each run starts from a fresh database (BENCH_DATABASE_URL, default postgresql://postgres@
127.0.0.1:5432/jalon_contacts, dropped and recreated from its migrated template) filled with a
team's data (tests.bench._team: 100,000 prospects with their opportunities and tasks, 20,000
companies with their addresses, search words and people). Every search goes through the real
company list with a rep's session: the rows htmx swaps while the user types (the `#rows`
partial) and the full page, for a mix of typed queries (one word, word starts, postal codes,
accents, nothing found). Prints p50, p95, the query count and the budget of issue 20, the
load average first; `--profile` adds the cProfile of what missed its budget.
Budgets (p95): htmx rows < 20 ms, full page < 60 ms; at most 12 queries on every page.
"""

import argparse
import os
from urllib.parse import quote

from tests.bench._setup import setup
from tests.bench._team import (
    fill_team,
    fresh_database,
    measure,
    profile,
    report_header,
    report_row,
    signed_in,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_contacts"

QUERIES = ["dup", "martin 35", "hotel", "bâtiment nan", "35000", "lef bre", "zzzz"]
HTMX = {"HX-Request": "true", "HX-Target": "rows"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    fresh_database(url)
    setup(url)
    users = fill_team(prospects=args.prospects)
    rep = signed_in(users["rep"])
    manager = signed_in(users["manager"])
    runs = max(5, args.runs // len(QUERIES))

    report_header()
    missed = []
    for kind, headers, budget in (("rows (htmx)", HTMX, 20), ("full page", {}, 60)):
        every, counts = [], []
        for query in QUERIES:
            page_url = f"/companies/?q={quote(query)}"
            p50, p95, count = measure(rep, page_url, runs, **headers)
            counts.append(count)
            every.append((p95, p50, page_url))
            report_row(f"  companies {kind} {query!r}", p50, p95, count, None)
        worst = max(every)
        p50s = sorted(p50 for _p95, p50, _url in every)
        if not report_row(
            f"company quick search, {kind} (worst)", p50s[len(p50s) // 2], worst[0],
            max(counts), budget,
        ):  # fmt: skip
            missed.append((rep, worst[2], headers))
    for label, client, page_url, budget in (
        ("company list, first page", rep, "/companies/", 60),
        ("company list, manager", manager, "/companies/", 60),
        ("company list, page 20", rep, "/companies/?page=20", None),
        ("person list, first page", rep, "/people/", None),
        ("person list, manager", manager, "/people/", None),
        ("person list searched 'martin'", rep, "/people/?q=martin", None),
    ):
        p50, p95, count = measure(client, page_url, runs)
        if not report_row(label, p50, p95, count, budget):
            missed.append((client, page_url, {}))
    if args.profile:
        for client, page_url, headers in missed:
            profile(client, page_url, **headers)


if __name__ == "__main__":
    main()
