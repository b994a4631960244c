"""Reports speed: 100,000 opportunities and 1,000,000 history entries on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_reports [--opportunities 100000] [--runs 20]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_reports_bench), created and migrated when missing, filled once in SQL (INSERT ... SELECT
generate_series): two processes (the default one, 4 steps, and one of 6 steps), 20 reps, three
years of opportunities, each with ten history entries (its creation, its step moves, its status
change when closed, expected-date changes and edits), two tasks each, prospects with channels
and categories, and a nightly forecast snapshot for every day of the last 400 days.

Every registered report is requested through the real views (the whole Django stack through
the test client) with a manager's session and a rep's, `--runs` times each, after one warm-up:
p50, p95 and the query count of each, against the budget (issue 21: p95 < 300 ms).
"""

import argparse
import os
import re
import statistics
import sys
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_reports_bench"
BUDGET_MS = 300
REPS = 20
ENTRIES = 10  # history entries per opportunity

# One row per opportunity: its process, owner, creation, status, number of step moves and the
# time its history spans (up to 160 days, ending before now).
PLAN = """
CREATE TEMP TABLE bench_plan AS
SELECT n,
       CASE WHEN n %% 10 < 7 THEN %(default_process)s ELSE %(other_process)s END AS process_id,
       CASE WHEN n %% 10 < 7 THEN %(default_steps)s::bigint[] ELSE %(other_steps)s::bigint[] END
           AS steps,
       (%(reps)s::bigint[])[1 + n %% %(rep_count)s] AS owner_id,
       created_at,
       CASE WHEN created_at > now() - interval '30 days' OR (n * 31) %% 20 >= 14 THEN 'open'
            WHEN (n * 31) %% 20 < 6 THEN 'won'
            WHEN (n * 31) %% 20 < 12 THEN 'lost'
            ELSE 'inactive' END AS status,
       (n * 17) %% (CASE WHEN n %% 10 < 7 THEN 4 ELSE 5 END) AS moves,
       least(now() - created_at, interval '160 days') * 0.98 AS span
FROM (
    SELECT n, now() - make_interval(mins => ((n * 7919) %% (1095 * 1440))::int) AS created_at
    FROM generate_series(1::bigint, %(count)s::bigint) AS n
) AS o
"""

# Ten entries per opportunity at increasing times over its span: 0 created; 2, 4, … 2 × moves
# step moves; 2 × moves + 1 the status change of a closed one; the others expected-date changes
# while open, edits after the close.
ENTRY_PLAN = """
CREATE TEMP TABLE bench_entries AS
SELECT n, i, kind,
       created_at + span * (
           sum(weight) OVER (PARTITION BY n ORDER BY i)::float / sum(weight) OVER (PARTITION BY n)
       ) AS at
FROM (
    SELECT p.n, e.i, p.created_at, p.span,
           CASE WHEN e.i = 0 THEN 0 ELSE 1 + (p.n * e.i * 7 + e.i * e.i) %% 10 END AS weight,
           CASE WHEN e.i = 0 THEN 'created'
                WHEN e.i %% 2 = 0 AND e.i <= 2 * p.moves THEN 'step'
                WHEN e.i = 2 * p.moves + 1 AND p.status <> 'open' THEN 'status'
                WHEN p.status <> 'open' AND e.i > 2 * p.moves + 1 THEN 'edited'
                ELSE 'expected' END AS kind
    FROM bench_plan p CROSS JOIN generate_series(0, %(last)s) AS e(i)
) AS w
"""


def fill(count: int) -> None:
    """The data of the module docstring, replaced when the opportunity count differs."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from contacts.models import Category, Channel
    from core.roles import SALES_REP
    from pipeline.models import HistoryEntry, Opportunity, Process, Step, TaskType
    from tests import factories as f

    if Opportunity.all_objects.count() == count and HistoryEntry.objects.count() == count * ENTRIES:
        print(f"{count:,} opportunities and {count * ENTRIES:,} history entries already there")
        return
    started = time.perf_counter()
    default = Process.objects.get(is_default=True)
    other, created = Process.objects.get_or_create(name="Bench six steps")
    if created:
        for position in range(6):
            Step.objects.create(
                process=other,
                label=f"Phase {position + 1}",
                position=position,
                duration_days=3 + 4 * position,
                probability=10 + 15 * position,
            )
    reps = []
    for i in range(REPS):
        rep = f.UserFactory._meta.model.objects.filter(username=f"bench-rep-{i}").first()
        reps.append(rep or f.RepFactory(username=f"bench-rep-{i}"))
    Group.objects.get(name=SALES_REP).user_set.add(*reps)
    channels = [Channel.objects.get_or_create(name=f"Bench channel {i}")[0].pk for i in range(5)]
    categories = [
        Category.objects.get_or_create(name=f"Bench category {i}")[0].pk for i in range(8)
    ]
    steps = {
        process.pk: list(process.steps.order_by("position").values_list("pk", flat=True))
        for process in (default, other)
    }
    types = list(TaskType.objects.order_by("position").values_list("pk", flat=True))[:4]
    params = {
        "count": count,
        "default_process": default.pk,
        "other_process": other.pk,
        "default_steps": steps[default.pk],
        "other_steps": steps[other.pk],
        "reps": [rep.pk for rep in reps],
        "rep_count": len(reps),
        "channels": channels,
        "categories": categories,
        "types": types,
        "last": ENTRIES - 1,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pipeline_opportunity, contacts_prospect, forecasting_forecastsnapshot "
            "RESTART IDENTITY CASCADE"
        )
        cursor.execute(PLAN, params)
        cursor.execute(ENTRY_PLAN, params)
        cursor.execute("CREATE INDEX ON bench_entries (n, i)")
        cursor.execute(
            """
            INSERT INTO contacts_prospect (
                created_at, updated_at, version, civility, first_name, last_name, company_name,
                job_title, address, postal_code, city, country, phone, mobile, email, website,
                external_ref, siren, sector, customer_type, direct_approach, notes, extra,
                last_contact_type, next_contact_type, search_text, channel_id, owner_id
            )
            SELECT p.created_at, p.created_at, 1, '', 'Jean', 'Name ' || p.n, 'Company ' || p.n,
                   '', '', '', '', 'France', '', '', '', '', '', '', '', '', false, '', '{}',
                   '', '', 'name ' || p.n || ' company ' || p.n,
                   CASE WHEN p.n %% 6 < 5 THEN (%(channels)s::bigint[])[1 + p.n %% 5] END,
                   p.owner_id
            FROM bench_plan p ORDER BY p.n
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO contacts_prospect_categories (prospect_id, category_id)
            SELECT n, (%(categories)s::bigint[])[1 + n %% 8] FROM bench_plan WHERE n %% 3 = 0
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO pipeline_opportunity (
                created_at, updated_at, version, summary, status, step_id, step_changed_at,
                position, probability, probability_is_manual, amount, expected_date, interest,
                rating, project_notes, closing_date, competitor, step_colour, action_colour,
                loss_reason_id, owner_id, prospect_id, process_id
            )
            SELECT p.created_at, p.created_at, 1, 'Deal ' || p.n, p.status,
                   p.steps[1 + p.moves], moved.at, p.n, 10 + (p.n * 37) %% 80, false,
                   ((p.n * 7919) %% 99500 + 500)::numeric(14, 2),
                   (p.created_at + interval '60 days' + (p.n %% 90) * interval '1 day')::date,
                   '', 0, '', closed.at::date, '', '', '',
                   CASE WHEN p.status = 'lost' THEN
                       (SELECT min(id) FROM pipeline_lossreason) END,
                   p.owner_id, p.n, p.process_id
            FROM bench_plan p
            JOIN bench_entries moved ON moved.n = p.n AND moved.i = 2 * p.moves
            LEFT JOIN bench_entries closed ON closed.n = p.n AND closed.kind = 'status'
            ORDER BY p.n
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO pipeline_historyentry (
                opportunity_id, prospect_id, kind, from_value, to_value, from_step_id,
                to_step_id, from_date, to_date, actor_id, at
            )
            SELECT e.n, e.n, e.kind,
                   CASE WHEN e.kind = 'status' THEN 'open' ELSE '' END,
                   CASE WHEN e.kind = 'status' THEN p.status ELSE '' END,
                   CASE WHEN e.kind = 'step' THEN p.steps[e.i / 2] END,
                   CASE WHEN e.kind = 'created' THEN p.steps[1]
                        WHEN e.kind = 'step' THEN p.steps[1 + e.i / 2] END,
                   CASE WHEN e.kind = 'expected' THEN
                       (p.created_at + interval '30 days' + e.i * interval '9 days')::date END,
                   CASE WHEN e.kind = 'expected' THEN
                       (p.created_at + interval '30 days' + e.i * interval '9 days'
                        + ((e.n * e.i) %% 50 - 8) * interval '1 day')::date END,
                   p.owner_id, e.at
            FROM bench_entries e JOIN bench_plan p ON p.n = e.n
            ORDER BY e.n, e.i
            """,
            params,
        )
        # Two tasks per opportunity: one done early in its life; a next action, open while the
        # opportunity is (three in ten open ones have none: done), due from 10 days ago to 20
        # days ahead.
        cursor.execute(
            """
            INSERT INTO pipeline_task (
                created_at, updated_at, version, title, start, all_day, priority, important,
                done, done_at, location, is_private, notes, colour, frequency, interval,
                weekdays, assignee_id, done_by_id, opportunity_id, prospect_id, type_id
            )
            SELECT e.at, e.at, 1, 'Task ' || e.n || '-' || e.i, t.start, false, 2, false,
                   t.done, CASE WHEN t.done THEN t.start + interval '2 hours' END, '', false,
                   '', '', '', 1, '', p.owner_id, CASE WHEN t.done THEN p.owner_id END, e.n,
                   e.n, (%(types)s::bigint[])[1 + (e.n + e.i) %% 4]
            FROM bench_entries e JOIN bench_plan p ON p.n = e.n,
            LATERAL (
                SELECT CASE WHEN e.i = 1 THEN e.at + interval '1 day'
                            ELSE greatest(e.at, now() + ((e.n * 13) %% 30 - 10) * interval '1 day')
                       END AS start,
                       e.i = 1 OR p.status <> 'open' OR e.n %% 10 >= 7 AS done
            ) AS t
            WHERE e.i IN (1, 9)
            """,
            params,
        )
        # The nightly snapshot: every day of the last 400, months from its own to 11 ahead, per
        # rep and process.
        cursor.execute(
            """
            INSERT INTO forecasting_forecastsnapshot (
                taken_on, month, owner_id, process_id, count, amount, weighted_amount
            )
            SELECT d::date, (date_trunc('month', d) + m * interval '1 month')::date, r, pr,
                   5 + (r + m) %% 7, (20000 + 1000 * ((r * 7 + m * 3) %% 40))::numeric(16, 2),
                   (8000 + 500 * ((r * 5 + m * 11 + extract(day FROM d)::int) %% 40))::numeric(16, 2)
            FROM generate_series(current_date - 400, current_date - 1, interval '1 day') AS d,
                 generate_series(0, 11) AS m,
                 unnest(%(reps)s::bigint[]) AS r,
                 unnest(ARRAY[%(default_process)s, %(other_process)s]::bigint[]) AS pr
            """,
            params,
        )
    # Index-only scans need the visibility map that autovacuum keeps up to date in production.
    with connection.cursor() as cursor:
        for table in (
            "contacts_prospect",
            "contacts_prospect_categories",
            "pipeline_opportunity",
            "pipeline_historyentry",
            "pipeline_task",
            "forecasting_forecastsnapshot",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"filled in {time.perf_counter() - started:.1f} s: {Opportunity.objects.count():,} "
        f"opportunities, {HistoryEntry.objects.count():,} history entries"
    )


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


def p95(times) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--report", action="append", help="only this slug (repeatable)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)
    fill(args.opportunities)

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from forecasting.reports import REPORTS
    from tests import factories as f

    setup_test_environment()
    manager = get_user_model().objects.filter(username="bench-manager").first()
    manager = manager or f.ManagerFactory(username="bench-manager")
    rep = get_user_model().objects.get(username="bench-rep-0")
    clients = {}
    for name, user in (("manager", manager), ("rep", rep)):
        clients[name] = Client()
        clients[name].force_login(user)

    print(f"budget: p95 < {BUDGET_MS} ms per report page, {args.runs} runs after one warm-up")
    missed = []
    for slug in sorted(REPORTS):
        if args.report and slug not in args.report:
            continue
        page = reverse("report_detail", args=[slug])
        for name, client in clients.items():

            def get(client=client, page=page):
                response = client.get(page)
                assert response.status_code == 200, (page, response.status_code)

            html = client.get(page).content.decode()
            times, queries = measure(get, args.runs)
            slow = p95(times) >= BUDGET_MS
            if slow:
                missed.append(f"{slug} ({name})")
            print(
                f"{slug:<22} {name:<8} p50 {statistics.median(times):7.1f} ms   "
                f"p95 {p95(times):7.1f} ms   queries {min(queries)}–{max(queries)}"
                f"{'   OVER BUDGET' if slow else ''}"
            )
            # The list behind the first number that links somewhere (not in the budget: it
            # computes the report again for its title, then lists 50 records).
            link = re.search(r'href="([^"]*/list/\?[^"]*)" data-drill', html)
            if link and name == "manager":
                drill = link.group(1).replace("&amp;", "&")
                times, queries = measure(lambda c=client, u=drill: c.get(u), max(5, args.runs // 4))
                print(
                    f"{'  its first number':<31} p50 {statistics.median(times):7.1f} ms   "
                    f"p95 {p95(times):7.1f} ms   queries {min(queries)}–{max(queries)}"
                )
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs (figures grow with it)"
    )
    if missed:
        print("over budget: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
