"""API speed: a list of 100 prospects and a prospect creation, through the real API with a
rep's token, on PostgreSQL and fresh data.

    .venv/bin/python -m tests.bench.bench_api [--prospects 5000] [--runs 50]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_api), created and migrated when missing; its prospects are made anew at each run. Each
request goes through the whole stack (middleware, token authentication, throttling, FilterSet,
serializer, service) with DRF's test client; prints p50, p95, the query count and the budget.
Budgets (issue 16): list of 100 prospects p95 < 50 ms with the same number of queries as a list
of 10; a creation p95 < 30 ms. The rate limit is lifted for the run (it counts every request).
"""

import argparse
import os
import statistics
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_api"


def fill(count: int):
    """A rep, a category and `count` prospects of the rep's (half with the category)."""
    from django.db import connection

    from contacts.models import Category, Prospect
    from prospects.services import prospect_search_text
    from tests import factories as f

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pipeline_historyentry, pipeline_opportunity, contacts_prospect_categories, "
            "contacts_prospect, api_idempotentanswer, api_apitoken CASCADE"
        )
    from django.contrib.auth import get_user_model

    rep = get_user_model().objects.filter(username="alice").first() or f.RepFactory(
        username="alice"
    )
    category, _ = Category.objects.get_or_create(name="Salon")
    prospects = []
    for n in range(count):
        prospect = Prospect(
            owner=rep,
            last_name=f"Martin{n}",
            first_name="Claire",
            company_name=f"Société {n}",
            email=f"claire{n}@example.com",
            city="Lyon",
            postal_code="69001",
        )
        prospect.search_text = prospect_search_text(prospect)
        prospects.append(prospect)
    created = Prospect.objects.bulk_create(prospects, batch_size=1000)
    Prospect.categories.through.objects.bulk_create(
        [
            Prospect.categories.through(prospect_id=p.pk, category_id=category.pk)
            for p in created[::2]
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return rep


def measure(call, runs: int) -> tuple[float, float, int, float]:
    """p50 and p95 of the wall-clock time, the query count, and the median CPU time of this
    process (Django's side alone: what a busy machine changes least)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm up
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(queries.captured_queries), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)
    from django.conf import settings

    settings.API_RATE = "1000000/minute"
    rep = fill(args.prospects)

    from rest_framework.test import APIClient

    from api import services

    _token, secret = services.token_create(user=rep, name="Bench", read_only=False, actor=rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(query: str):
        def call():
            response = client.get(f"/api/v1/prospects/{query}")
            assert response.status_code == 200, response.status_code

        return call

    counter = iter(range(10**9))

    def create():
        n = next(counter)
        response = client.post(
            "/api/v1/prospects/",
            {"last_name": f"Nouveau{n}", "company_name": "Neuf SA", "email": f"n{n}@example.com"},
            format="json",
        )
        assert response.status_code == 201, response.content

    rows = [
        ("list, 10 rows", get("?page_size=10"), None),
        ("list, 100 rows", get("?page_size=100"), 50),
        ("list, 100 rows, search 'martin1'", get("?page_size=100&q=martin1"), 50),
        ("list, 100 rows, category filter", get("?page_size=100&category="), 50),
        ("create a prospect", create, 30),
    ]
    for label, call, budget in rows:
        p50, p95, count, cpu = measure(call, args.runs)
        verdict = (
            "" if budget is None else f"  budget {budget} ms: {'ok' if p95 < budget else 'OVER'}"
        )
        print(
            f"{label:34s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  cpu {cpu:5.1f} ms  "
            f"{count:2d} queries{verdict}"
        )


if __name__ == "__main__":
    main()
