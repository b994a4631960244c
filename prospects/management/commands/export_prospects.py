"""`manage.py export_prospects`: the page's export (every prospect) to a file or stdout."""

import sys

from django.core.management.base import BaseCommand

from contacts.models import Prospect
from prospects import exporting


class Command(BaseCommand):
    help = "Export the prospect file as CSV (UTF-8 with BOM) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("-o", "--output", help="file to write (default: stdout for CSV)")

    def handle(self, *args, **options):
        queryset = Prospect.objects.all()
        if options["format"] == "xlsx":
            path = options["output"] or "prospects.xlsx"
            with open(path, "wb") as handle:
                exporting.write_xlsx(queryset, handle)
            self.stderr.write(f"Written to {path}")
            return
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                exporting.write_csv(queryset, handle)
        else:
            exporting.write_csv(queryset, sys.stdout)
