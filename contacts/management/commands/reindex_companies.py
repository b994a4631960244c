"""`manage.py reindex_companies`: rebuild the quick-search words of every company."""

from django.core.management.base import BaseCommand

from contacts.services import companies_reindex


class Command(BaseCommand):
    help = "Rebuild the word-start quick-search index of the companies (after bulk loads)."

    def handle(self, *args, **options):
        count = companies_reindex()
        self.stdout.write(self.style.SUCCESS(f"{count} companies reindexed."))
