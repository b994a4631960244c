"""`manage.py load_postal_codes`: French postal codes and towns for city suggestions."""

import csv
import gzip
import io
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from contacts.models import PostalCode

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "postal_codes.csv.gz"


class Command(BaseCommand):
    help = (
        "Load the French postal codes (contacts/data/postal_codes.csv.gz); does nothing if loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Replace the codes already loaded."
        )

    def handle(self, *args, force: bool = False, **options):
        if PostalCode.objects.exists() and not force:
            self.stdout.write("Postal codes already loaded.")
            return
        with gzip.open(DATA_FILE, "rb") as raw:
            rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
        with transaction.atomic():
            PostalCode.objects.all().delete()
            PostalCode.objects.bulk_create(
                (PostalCode(code=row["code"], city=row["city"]) for row in rows), batch_size=5000
            )
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} postal codes loaded."))
