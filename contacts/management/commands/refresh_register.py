"""`manage.py refresh_register`: ask the national register again about every company with a
SIREN (its state, closed or active, and the activity and legal form still empty), at the API's
published rate (7 requests a second). Run nightly by Celery beat (`contacts.tasks`)."""

from django.core.management.base import BaseCommand

from contacts.register_sync import companies_refresh_register


class Command(BaseCommand):
    help = "Re-check every company with a SIREN in the national register (throttled)."

    def handle(self, *args, **options):
        counts = companies_refresh_register()
        self.stdout.write(
            self.style.SUCCESS(
                "{checked} companies checked, {closed} closed, {unknown} unknown to the "
                "register, {failed} failed.".format(**counts)
            )
        )
