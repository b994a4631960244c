from django.core.management.base import BaseCommand, CommandError

from core.exports import csv_write
from forecasting.selectors import (
    FORECAST_COLUMNS,
    FORECAST_HEADERS,
    forecast_rows,
    forecast_table,
)

WIDTHS = [-8, 6, 16, 16, 14]  # negative: left-aligned


def aligned(values) -> str:
    cells = zip(values, WIDTHS, strict=True)
    return " ".join(
        f"{value!s:<{-width}}" if width < 0 else f"{value!s:>{width}}" for value, width in cells
    )


class Command(BaseCommand):
    help = (
        "Print the forecast table of the whole team: month, count, amount, weighted amount, slipped count "
        "(the columns of the forecast page's CSV export)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=12, help="months ahead, current one included (default 12)"
        )
        parser.add_argument("--format", choices=["table", "csv"], default="table")

    def handle(self, *args, **options):
        months = options["months"]
        if months < 1 or months > 120:
            raise CommandError("--months must be between 1 and 120")
        table = forecast_table(user=None, months=months)
        if options["format"] == "csv":
            csv_write(self.stdout, FORECAST_HEADERS, forecast_rows(table))
            return
        self.stdout.write(aligned(FORECAST_COLUMNS))
        for row in forecast_rows(table):
            self.stdout.write(aligned(row))
        totals = table.totals
        self.stdout.write(
            aligned(
                ["total", totals.count, totals.amount, totals.weighted_amount, totals.slipped_count]
            )
        )
