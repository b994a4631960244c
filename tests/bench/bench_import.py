"""Prospect import speed and memory: a 100,000-row CSV on PostgreSQL (issue 20).

    .venv/bin/python -m tests.bench.bench_import [--rows 100000] [--existing 20000]
                                                 [--format csv|xlsx] [--profile]

Each run starts from a fresh database (BENCH_DATABASE_URL, default postgresql://postgres@
127.0.0.1:5432/jalon_prospects_import, dropped and recreated from its migrated template) holding
a team's file (tests.bench._team, `--existing` prospects), so the duplicate look-ups search a
real table. The file (semicolon-separated UTF-8, half the rows with a project) repeats the
e-mail of an existing prospect every 200 rows and an earlier row of the file every 300 rows.
The import runs in a child process, as the wizard's Celery task runs it: the service of the
wizard, the command and the task, with a rep as the importing user, the valid rows written, the
refused rows' report written to a file, checks and duplicates included. Prints rows per second,
the child's peak resident memory (getrusage of the child: what the worker would need) and the
load average; `--profile` runs the child under cProfile instead (the speed of that run is not
the one to read).
`--drop-index NAME` removes an index of the prospects first, to measure what it costs the
import. Budgets (issue 20): >= 20,000 rows/s, peak < 300 MB.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from tests.bench._setup import setup
from tests.bench._team import fill_team, fresh_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_prospects_import"
RATE_BUDGET = 20_000
MEMORY_BUDGET_MB = 300


HEADER = [
    "Civilité",
    "Nom",
    "Prénom",
    "Société",
    "Fonction",
    "Courriel",
    "Téléphone",
    "Adresse",
    "CP",
    "Ville",
    "Pays",
    "Canal",
    "Notes",
    "Résumé projet",
    "Potentiel",
    "Probabilité",
    "Prévu au",
    "Suivi",
]


def write_file(path: str, rows: int, fmt: str, existing_emails: list[str]) -> None:
    first = ["Paul", "Zoé", "Jean", "Anne", "Luc", "Élodie", "Marc", "Inès"]
    last = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois"]
    cities = [("75017", "Paris"), ("69001", "Lyon"), ("13001", "Marseille"), ("25000", "Besançon")]

    def row(i: int) -> list:
        code, city = cities[i % len(cities)]
        has_project = i % 2 == 0
        return [
            "M." if i % 2 else "Mme",
            f"{last[i % 8]}{i}",
            first[i % 8],
            f"Société {i // 3}",
            "Directeur",
            existing_emails[i // 200 % len(existing_emails)]
            if i % 200 == 199 and existing_emails
            else f"contact{i - 150}@example{(i - 150) % 97}.fr"
            if i % 300 == 299
            else f"contact{i}@example{i % 97}.fr",
            f"01 {40 + i % 50:02d} {i % 100:02d} {(i // 100) % 100:02d} {(i * 7) % 100:02d}",
            f"{i % 200} avenue des Ternes",
            code,
            city,
            "France",
            "Trade show" if i % 3 else "",
            "Met at the trade show" if i % 5 == 0 else "",
            f"Project {i}" if has_project else "",
            f"{(i % 50) * 1000} €" if has_project else "",
            f"{(i % 10) * 10} %" if has_project else "",
            f"{1 + i % 28:02d}/{1 + i % 12:02d}/2027" if has_project else "",
            "rep1" if i % 4 == 0 else "",
        ]

    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADER)
        for i in range(rows):
            sheet.append(row(i))
        workbook.save(path)
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow(row(i))


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started its program (VmHWM). Not
    `getrusage(RUSAGE_CHILDREN)` in the parent: a child spawned from the benchmark's process
    inherits the parent's size in `ru_maxrss` (the memory it had before exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str, url: str, profile: bool) -> None:
    """The import itself, in this (child) process: prints its figures as JSON."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from accounts.models import User
    from prospects.imports import prospects_import

    actor = User.objects.get(username="rep1")
    with tempfile.TemporaryFile("w+", encoding="utf-8-sig", newline="") as report_file:
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            report = profiler.runcall(
                prospects_import, path=path, actor=actor, valid_only=True, report_file=report_file
            )
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        else:
            report = prospects_import(
                path=path, actor=actor, valid_only=True, report_file=report_file
            )
        elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "total": report.total,
                "created": report.created,
                "opportunities": report.opportunities,
                "refused": report.refused,
                "duplicates": report.duplicates,
                "peak_mb": peak_memory_mb(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--drop-index",
        action="append",
        default=[],
        help="drop this index of the prospects first (to measure what it costs the import)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.child:
        child(args.child, url, args.profile)
        return
    fresh_database(url)
    setup(url)

    from contacts.models import Channel, Prospect

    fill_team(prospects=args.existing)
    Channel.objects.get_or_create(name="Trade show")
    from django.db import connection

    with connection.cursor() as cursor:
        for name in args.drop_index:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            print(f"index {name} dropped for this run")
    existing_emails = list(
        Prospect.objects.exclude(email="").order_by("?").values_list("email", flat=True)[:1000]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"prospects.{args.format}")
        started = time.perf_counter()
        write_file(path, args.rows, args.format, existing_emails)
        size = os.path.getsize(path) / 1024 / 1024
        print(
            f"file: {args.rows} rows, {args.format}, {size:.1f} MB, written in "
            f"{time.perf_counter() - started:.1f} s; {args.existing} prospects already there"
        )
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        command = [sys.executable, "-m", "tests.bench.bench_import", "--child", path]
        if args.profile:
            command.append("--profile")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr)
            raise SystemExit(done.returncode)
        if args.profile:
            print(done.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    peak_mb = figures["peak_mb"]
    rate = figures["total"] / figures["elapsed"]
    print(f"load average before the import {load} (other processes share this machine's cores)")
    print(
        f"imported {figures['created']} prospects, {figures['opportunities']} opportunities; "
        f"refused {figures['refused']} ({figures['duplicates']} duplicates)"
    )
    print(
        f"time {figures['elapsed']:.1f} s -> {rate:,.0f} rows/s (budget >= {RATE_BUDGET:,})"
        f"  {'ok' if rate >= RATE_BUDGET else 'MISSED'}"
    )
    print(
        f"peak resident memory of the import process {peak_mb:.0f} MB (budget < "
        f"{MEMORY_BUDGET_MB} MB)  {'ok' if peak_mb < MEMORY_BUDGET_MB else 'MISSED'}"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
