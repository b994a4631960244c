"""Forecast snapshot speed: 1,000,000 opportunities in PostgreSQL.

    .venv/bin/python -m tests.bench.bench_snapshot [--opportunities 1000000] [--runs 3]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_forecast_bench), created and migrated when missing, filled once with INSERT ... SELECT
generate_series. Times `forecast_snapshot_take` (the nightly job's snapshot: one SQL GROUP BY,
then delete + insert of that day's rows in a transaction) side by side with one hand-written
SQL GROUP BY over the same table, alternating them. Targets (issue 8): snapshot < 60 s and
within 1.5x of the hand-written query.
"""

import argparse
import os
import statistics
import sys
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_forecast_bench"
REPS = 20
PROCESSES = 5

HAND_WRITTEN = """
SELECT CASE WHEN expected_date < %(first)s THEN %(first)s
            ELSE date_trunc('month', expected_date)::date END AS month,
       owner_id, process_id, count(*), sum(amount), sum(amount * probability) / 100
FROM pipeline_opportunity
WHERE deleted_at IS NULL AND status = 'open' AND expected_date IS NOT NULL
GROUP BY 1, 2, 3
"""


def fill(count: int) -> None:
    """`count` opportunities over REPS reps and PROCESSES processes: 70 % open, 15 % won, 10 %
    lost, 5 % inactive, 1 % in the trash, expected dates from 6 months ago to 18 months ahead."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from pipeline.models import Opportunity, Process

    if Opportunity.all_objects.count() == count:
        print(f"{count:,} opportunities already there")
        return
    users = [
        get_user_model().objects.get_or_create(username=f"bench-rep-{i}")[0].pk for i in range(REPS)
    ]
    processes = [
        Process.objects.get_or_create(name=f"Bench process {i}")[0].pk for i in range(PROCESSES)
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE pipeline_opportunity CASCADE")
        cursor.execute(
            """
            INSERT INTO pipeline_opportunity (
                created_at, updated_at, version, summary, status, process_id, owner_id,
                position, probability, probability_is_manual, amount, expected_date, interest,
                rating, project_notes, competitor, step_colour, action_colour, deleted_at
            )
            SELECT now(), now(), 1, 'Deal ' || n,
                   CASE WHEN n %% 20 < 14 THEN 'open' WHEN n %% 20 < 17 THEN 'won'
                        WHEN n %% 20 < 19 THEN 'lost' ELSE 'inactive' END,
                   (%(processes)s::bigint[])[1 + n %% %(process_count)s],
                   (%(users)s::bigint[])[1 + (n / %(process_count)s) %% %(user_count)s],
                   n, (n * 37) %% 101, false, ((n * 7919) %% 99500 + 500)::numeric(14, 2),
                   current_date - 180 + ((n * 104729) %% 720)::int, '',
                   0, '', '', '', '',
                   CASE WHEN n %% 100 = 50 THEN now() - interval '3 days' END
            FROM generate_series(1::bigint, %(count)s::bigint) AS n
            """,
            {
                "processes": processes,
                "process_count": len(processes),
                "users": users,
                "user_count": len(users),
                "count": count,
            },
        )
        cursor.execute("ANALYZE pipeline_opportunity")
    print(f"inserted {count:,} opportunities in {time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)
    fill(args.opportunities)

    from django.db import connection
    from django.utils import timezone

    from forecasting.models import ForecastSnapshot
    from forecasting.services import forecast_snapshot_take
    from pipeline.models import Opportunity

    day = timezone.localdate()
    first = day.replace(day=1)
    open_count = Opportunity.objects.open().filter(expected_date__isnull=False).count()
    print(f"{open_count:,} open opportunities with an expected date, of {args.opportunities:,}")

    def hand_written() -> int:
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN, {"first": first})
            return len(cursor.fetchall())

    # Warm the cache once so that the first timed run does not pay for reading from disk.
    hand_written()
    sql_times, snapshot_times = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        groups = hand_written()
        sql_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = forecast_snapshot_take(day=day)
        snapshot_times.append(time.perf_counter() - started)
    assert rows == groups, (rows, groups)
    assert ForecastSnapshot.objects.filter(taken_on=day).count() == rows  # replaced, never doubled

    sql, snapshot = statistics.median(sql_times), statistics.median(snapshot_times)
    ratio = snapshot / sql
    print(f"groups (month x rep x process): {groups}")
    print(
        f"hand-written GROUP BY : median {sql:6.2f} s  runs {', '.join(f'{t:.2f}' for t in sql_times)}"
    )
    print(
        f"forecast_snapshot_take: median {snapshot:6.2f} s  runs {', '.join(f'{t:.2f}' for t in snapshot_times)}"
    )
    print(f"ratio snapshot / SQL  : {ratio:.2f}x  (target <= 1.5x)")
    print(f"snapshot under 60 s   : {'yes' if snapshot < 60 else 'NO'}")
    return 0 if snapshot < 60 and ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
