import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from forecasting.services import nightly_run


class Command(BaseCommand):
    help = "Run the nightly job at once: forecast snapshot, colours, quotes, digests, trash."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="the day to run for, YYYY-MM-DD (default: today, Europe/Paris)"
        )

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD: {options['date']!r}") from error
        summary = nightly_run(day=day)
        refreshed = summary["refreshed"]
        self.stdout.write(f"Nightly job for {summary['day']}")
        self.stdout.write(f"  forecast snapshot: {summary['snapshot_rows']} rows")
        self.stdout.write(
            f"  colours refreshed: {refreshed['opportunities']} opportunities, {refreshed['tasks']} tasks"
        )
        self.stdout.write(f"  quotes expired: {summary['expired_quotes']}")
        self.stdout.write(f"  digest e-mails sent: {summary['digests']}")
        purged = ", ".join(f"{label}: {count}" for label, count in summary["purged"].items())
        self.stdout.write(f"  trash purged: {purged or 'nothing'}")
