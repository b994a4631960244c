"""Prospect list speed: the first page with 100,000 prospects, on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_prospect_list [--prospects 100000] [--runs 40]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_prospect_list), created and migrated when missing, filled once through the import
service (the prospect count is checked). Measures the whole page through the test client
(middleware, view, queries, template) for the plain first page, a search, a filter and a sort,
prints p50/p95 and the query counts for 10 and 100 rows per page.
Targets (issue 4): first page p95 < 100 ms; the same number of queries for 10 rows as for 100.
"""

import argparse
import os
import statistics
import tempfile
import time

from tests.bench._setup import setup
from tests.bench.bench_import import ensure_database, write_file

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_prospect_list"


def fill(count: int) -> None:
    from django.db import connection

    from contacts.models import Channel, Prospect
    from prospects.imports import prospects_import
    from tests import factories as f

    if Prospect.objects.count() == count:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pipeline_historyentry, pipeline_opportunity, contacts_prospect_categories, contacts_prospect CASCADE"
        )
    f.RepFactory(username="alice")
    Channel.objects.get_or_create(name="Trade show")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "prospects.csv")
        write_file(path, count, "csv")
        started = time.perf_counter()
        prospects_import(path=path, actor=None)
        print(f"filled {count} prospects in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)
    fill(args.prospects)

    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="alice"))
    pages = [
        ("first page (25 rows, default)", "/prospects/"),
        ("10 rows", "/prospects/?per_page=10"),
        ("100 rows", "/prospects/?per_page=100"),
        ("search 'martin1'", "/prospects/?q=martin1"),
        ("filter owner=me + status=open", "/prospects/?owner=me&status=open"),
        ("filter next action red", "/prospects/?colour=red"),
        ("sort by company, page 200", "/prospects/?sort=company&page=200"),
        ("sort by next action", "/prospects/?sort=next_action"),
    ]
    for label, page_url in pages:
        p50, p95, count = measure(client, page_url, args.runs)
        print(f"{label:32s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {count} queries")


if __name__ == "__main__":
    main()
