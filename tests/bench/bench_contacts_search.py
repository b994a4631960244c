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

The person list is measured too, searched (its trigram indexes, migration 0007) and not; then
what the list indexes cost on writes: bulk inserts of people and of companies with and without
them (the indexes dropped inside a transaction rolled back, so the data is left as it was).
"""

import argparse
import os
import time
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
    parser.add_argument(
        "--write-rows", type=int, default=20_000, help="rows of the write-cost inserts"
    )
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
        ("person list searched 'martin' (htmx)", rep, "/people/?q=martin", None),
        ("person list searched 'jules bernard'", rep, "/people/?q=jules+bernard", None),
        ("person list searched 'zzzz'", rep, "/people/?q=zzzz", None),
    ):
        headers = HTMX if "htmx" in label else {}
        p50, p95, count = measure(client, page_url, runs, **headers)
        if not report_row(label, p50, p95, count, budget):
            missed.append((client, page_url, headers))
    write_cost(rows=args.write_rows)
    if args.profile:
        for client, page_url, headers in missed:
            profile(client, page_url, **headers)


# The indexes the contact lists added (contacts migration 0007), by table.
LIST_INDEXES = {
    "contacts_person": ["person_search_trgm", "person_name_order"],
    "contacts_company": ["company_name_trgm", "company_name_order"],
}


def write_cost(*, rows: int, rounds: int = 3) -> None:
    """ms to bulk insert `rows` people, then `rows` companies, with and without the list
    indexes, alternated `rounds` times; each insert rolled back."""
    from django.db import connection, transaction

    from contacts.models import Company, Person

    def people():
        return [
            Person(first_name=f"Prénom{i}", last_name=f"Martin{i}", email=f"p{i}@example.fr")
            for i in range(rows)
        ]

    def companies():
        return [Company(name=f"Dupont Bâtiment {i}") for i in range(rows)]

    print(f"\nwrite cost of the list indexes: bulk insert of {rows} rows, best of {rounds}")
    for table, (model, make) in {
        "contacts_person": (Person, people),
        "contacts_company": (Company, companies),
    }.items():
        best = {True: float("inf"), False: float("inf")}
        for _ in range(rounds):
            for indexed in (True, False):
                objects = make()
                with transaction.atomic():
                    if not indexed:
                        with connection.cursor() as cursor:
                            for name in LIST_INDEXES[table]:
                                cursor.execute(f"DROP INDEX {name}")
                    started = time.perf_counter()
                    model.objects.bulk_create(objects, batch_size=1000)
                    best[indexed] = min(best[indexed], time.perf_counter() - started)
                    transaction.set_rollback(True)
        print(
            f"  {table:18s} with {', '.join(LIST_INDEXES[table])}: {best[True] * 1000:.0f} ms, "
            f"without: {best[False] * 1000:.0f} ms ({best[True] / best[False] - 1:+.0%})"
        )


if __name__ == "__main__":
    main()
