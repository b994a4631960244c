"""Prospect import speed and memory: a 100,000-row CSV on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_import [--rows 100000] [--format csv|xlsx] [--tracemalloc]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_prospects_import), created and migrated when missing; the prospects of earlier runs are
removed first. Writes a semicolon-separated UTF-8 file (half the rows with an opportunity), then
runs the import service the wizard and the command use (all-or-nothing, one transaction) and
prints rows per second and the peak memory: the process's maximum resident size before and after
(resource.getrusage) and, with --tracemalloc, the peak of Python allocations during the import
(tracemalloc slows the run, so the speed figure of that run is not the one to read).
Targets (issue 4): >= 2,000 rows/s, peak < 300 MB.
"""

import argparse
import csv
import os
import resource
import tempfile
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_prospects_import"


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


def write_file(path: str, rows: int, fmt: str) -> None:
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
            f"contact{i}@example{i % 97}.fr",
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
            "alice" if i % 4 == 0 else "",
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


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.db import connection

    from contacts.models import Channel, Prospect
    from prospects.imports import prospects_import
    from tests import factories as f

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pipeline_historyentry, pipeline_opportunity, contacts_prospect_categories, contacts_prospect CASCADE"
        )
    f.RepFactory(username="alice")
    Channel.objects.get_or_create(name="Trade show")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"prospects.{args.format}")
        started = time.perf_counter()
        write_file(path, args.rows, args.format)
        size = os.path.getsize(path) / 1024 / 1024
        print(
            f"file: {args.rows} rows, {args.format}, {size:.1f} MB, written in {time.perf_counter() - started:.1f} s"
        )
        rss_before = rss_mb()
        if args.tracemalloc:
            import tracemalloc

            tracemalloc.start()
        started = time.perf_counter()
        report = prospects_import(path=path, actor=None)
        elapsed = time.perf_counter() - started
        traced_peak = None
        if args.tracemalloc:
            import tracemalloc

            traced_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
    print(
        f"imported: {report.created} prospects, {report.opportunities} opportunities, refused {report.refused}"
    )
    print(f"database now holds {Prospect.objects.count()} prospects")
    print(f"time: {elapsed:.1f} s -> {report.total / elapsed:,.0f} rows/s (target >= 2,000)")
    print(
        f"peak RSS of the process: {rss_before:.0f} MB before the import, {rss_mb():.0f} MB after (target < 300 MB)"
    )
    if traced_peak is not None:
        print(f"tracemalloc peak during the import: {traced_peak:.0f} MB")


if __name__ == "__main__":
    main()
