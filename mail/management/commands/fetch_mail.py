"""`manage.py fetch_mail`: read the capture mailbox now, as the five-minute task does."""

from django.core.management.base import BaseCommand, CommandError

from mail.fetching import mailbox_fetch


class Command(BaseCommand):
    help = "Read the capture mailbox (IMAP_HOST, IMAP_FOLDER) once and file what it holds."

    def handle(self, *args, **options):
        report = mailbox_fetch()
        if not report.configured:
            raise CommandError("IMAP_HOST is not set: there is no capture mailbox to read.")
        self.stdout.write(
            f"{report.taken} message(s) taken, {report.filed} new, "
            f"{report.already} already in Jalon, {report.failed} left in the mailbox."
        )
        if report.error:
            raise CommandError(report.error)
