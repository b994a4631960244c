"""`manage.py import_prospects FILE`: the wizard's import from the command line (same parser,
same checks, same report). Exit 0 when imported, 1 when rows were refused and nothing written."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from prospects.imports import prospects_import


class Command(BaseCommand):
    help = "Import a CSV or XLSX prospect file (all-or-nothing unless --valid-only)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--owner", help="username owning the rows without an owner column value"
        )
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows, report the others"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )
        parser.add_argument("--report", help="also write the refused rows (CSV) to this file")

    def handle(self, *args, **options):
        owner = None
        if options["owner"]:
            try:
                owner = get_user_model().objects.get(username=options["owner"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"unknown user {options['owner']}") from exc
        report_file = None
        if options["report"]:
            report_file = open(options["report"], "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        try:
            report = prospects_import(
                path=options["file"],
                filename=options["file"],
                actor=owner,
                owner=owner,
                valid_only=options["valid_only"],
                dry_run=options["dry_run"],
                report_file=report_file,
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if report_file:
                report_file.close()
        for line in report.lines():
            self.stdout.write(line)
        if report.refused and not options["valid_only"]:
            self.stdout.write("Rows were refused: nothing was written.")
            sys.exit(1)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
