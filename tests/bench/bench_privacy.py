"""Privacy costs on PostgreSQL with 100,000 prospects: the retention query (which prospects have
had no contact for RETENTION_DAYS: one query for the whole file) and one erasure (the generic
scrub reads every text column of every table once).

    .venv/bin/python -m tests.bench.bench_privacy [--prospects 100000] [--runs 5]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_privacy), created and migrated when missing; the prospects are made once (kept between
runs), a third of them aged past the limit, each with an opportunity. Prints p50, p95, the query
count and the budget. Budgets: the retention count p95 < 1 s; an erasure p95 < 10 s (it is a
manager's rare action; the nightly run anonymises at most RETENTION_BATCH prospects a night).
"""

import argparse
import datetime as dt
import os
import statistics
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_privacy"


def fill(count: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from contacts.models import Prospect
    from core.db import bulk_insert
    from pipeline.models import Opportunity, Process
    from tests import factories as f

    rep = get_user_model().objects.filter(username="alice").first() or f.RepFactory(
        username="alice"
    )
    have = Prospect.objects.count()
    if have >= count:
        return rep
    now = timezone.now()
    old = now - dt.timedelta(days=4 * 365)
    process = Process.objects.filter(is_default=True).first()
    step = process.steps.order_by("position").first()
    rows = [
        {
            "first_name": f"Prénom{n}",
            "last_name": f"Nom{n}",
            "company_name": f"Société {n % 5000}",
            "email": f"p{n}@exemple{n % 97}.fr",
            "phone": f"+33 1 {n % 100:02d} {n // 100 % 100:02d} {n // 10000 % 100:02d} 00",
            "notes": f"Rencontré au salon {n % 12}",
            "owner_id": rep.pk,
            "created_at": old if n % 3 == 0 else now,
            "updated_at": now,
            "search_text": f"nom{n} prenom{n}",
        }
        for n in range(have, count)
    ]
    ids = bulk_insert(Prospect, rows, batch_size=5000)
    bulk_insert(
        Opportunity,
        [
            {
                "prospect_id": pk,
                "process_id": process.pk,
                "step_id": step.pk,
                "summary": "Projet",
                "amount": 1000,
                "owner_id": rep.pk,
                "step_changed_at": now,
            }
            for pk in ids
        ],
        batch_size=5000,
    )
    return rep


def measure(label, runs, budget, action):
    from django.db import connection, reset_queries

    timings, queries = [], 0
    for _ in range(runs):
        reset_queries()
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
        queries = len(connection.queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(
        f"{label}: p50 {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"{queries} queries (budget p95 < {budget} ms)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)
    from django.conf import settings
    from django.db import transaction

    settings.DEBUG = True  # counts the queries
    from contacts.models import Prospect
    from privacy import retention, services

    rep = fill(args.prospects)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    measure(
        f"retention count ({args.prospects} prospects)",
        args.runs,
        1000,
        lambda: retention.due_prospects().count(),
    )
    print(f"  due now: {retention.due_prospects().count()}")
    target = Prospect.objects.order_by("pk").first()

    def erase():
        with transaction.atomic():
            services.record_anonymise(obj=target, actor=rep, action="erase")
            transaction.set_rollback(True)  # measure the same erasure each run

    measure("one erasure (generic scrub of every table)", args.runs, 10_000, erase)


if __name__ == "__main__":
    main()
