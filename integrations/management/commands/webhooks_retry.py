from django.core.management.base import BaseCommand

from integrations.tasks import deliveries_retry_due


class Command(BaseCommand):
    help = "Send the webhook deliveries whose retry is due (what Celery beat does every minute)."

    def handle(self, *args, **options):
        count = deliveries_retry_due()
        self.stdout.write(f"{count} deliveries attempted")
