"""What the import sets in its PostgreSQL transaction for speed (foreign keys checked batch by
batch) changes nothing a user sees: a bad reference is still refused, the imported prospects are
found by the quick search, and the transaction goes on as before once the import is over.
PostgreSQL only (DATABASE_URL); SQLite has no such setting."""

import csv

import pytest
from django.db import IntegrityError, connection, transaction

from contacts.models import Prospect
from prospects.imports import prospects_import

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="PostgreSQL settings of the import"
    ),
]


def write_file(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Nom", "Prénom", "Société", "Courriel", "Potentiel"])
        for i in range(rows):
            writer.writerow(
                [f"Quenouille{i}", "Anne", f"Forges {i}", f"anne{i}@forges.fr", "1000 €"]
            )


def searched(word: str) -> set[int]:
    """The quick search's `LIKE '%word%'`, read through the trigram index."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return set(Prospect.objects.filter(search_text__contains=word).values_list("pk", flat=True))


def foreign_keys_deferred() -> bool:
    """Whether the prospects' foreign keys are checked at the commit in this transaction (as
    declared): an insert pointing nowhere is then accepted until the commit."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT probe")
        try:
            cursor.execute(
                "INSERT INTO contacts_prospect_categories (prospect_id, category_id) "
                "VALUES (-1, -1)"
            )
        except IntegrityError:
            return False
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT probe")
        return True


def test_imported_prospects_are_found_by_the_quick_search(tmp_path, rep, default_process):
    path = tmp_path / "prospects.csv"
    write_file(path, 30)

    report = prospects_import(path=path, actor=rep, valid_only=True)

    assert report.created == 30
    imported = set(
        Prospect.objects.filter(origin_detail="prospects.csv").values_list("pk", flat=True)
    )
    assert searched("quenouille") == imported
    assert searched("quenouille17") == {Prospect.objects.get(last_name="Quenouille17").pk}


def test_the_transaction_checks_foreign_keys_at_the_commit_again_after_an_import(
    tmp_path, rep, default_process
):
    path = tmp_path / "prospects.csv"
    write_file(path, 3)
    with transaction.atomic():
        assert foreign_keys_deferred()
        prospects_import(path=path, actor=rep, valid_only=True)
        assert foreign_keys_deferred()


def test_a_row_pointing_nowhere_is_still_refused_during_the_import(
    tmp_path, rep, default_process, monkeypatch
):
    """The foreign keys checked at each batch's end still refuse a bad reference, and the whole
    import is rolled back."""
    from prospects import imports

    path = tmp_path / "prospects.csv"
    write_file(path, 3)
    real = imports._WriteContext.load

    def broken_owner(**kwargs):
        context = real(**kwargs)
        context.owner_id = 10**9  # no such user
        return context

    monkeypatch.setattr(imports._WriteContext, "load", broken_owner)
    with pytest.raises(IntegrityError):
        prospects_import(path=path, actor=rep, valid_only=True)
    assert not Prospect.objects.filter(origin_detail="prospects.csv").exists()
