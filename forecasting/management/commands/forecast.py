import csv

from django.core.management.base import BaseCommand, CommandError

from forecasting.selectors import forecast_table

HEADER = ["month", "count", "amount", "weighted_amount"]


class Command(BaseCommand):
    help = "Print the forecast table of the whole team: month, count, amount, weighted amount."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="months ahead, current one included (default 12)")
        parser.add_argument("--format", choices=["table", "csv"], default="table")

    def handle(self, *args, **options):
        months = options["months"]
        if months < 1 or months > 120:
            raise CommandError("--months must be between 1 and 120")
        table = forecast_table(user=None, months=months)
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(HEADER)
            for row in table.rows:
                writer.writerow([f"{row.month:%Y-%m}", row.count, row.amount, row.weighted_amount])
            return
        self.stdout.write(f"{'month':<8} {'count':>6} {'amount':>16} {'weighted_amount':>16}")
        for row in table.rows:
            slipped = f"  ({row.slipped_count} slipped)" if row.slipped_count else ""
            self.stdout.write(
                f"{row.month:%Y-%m}  {row.count:>6} {row.amount:>16} {row.weighted_amount:>16}{slipped}"
            )
        totals = table.totals
        self.stdout.write(f"{'total':<8} {totals.count:>6} {totals.amount:>16} {totals.weighted_amount:>16}")
