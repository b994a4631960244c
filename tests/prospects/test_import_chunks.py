"""Issue 20: the import reads, checks and writes in large chunks; its rules do not change across
chunk boundaries (duplicates in the file and in the database, refused rows, history, search
words, origin), checked on a file larger than one chunk."""

import csv

import pytest

from contacts.choices import Origin
from contacts.models import Prospect
from pipeline.models import HistoryEntry, Opportunity
from prospects import imports
from prospects.imports import prospects_import
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["Civilité", "Nom", "Prénom", "Société", "Courriel", "Téléphone", "Ville", "Potentiel"]


def row(i: int) -> list[str]:
    return [
        "M." if i % 2 else "Mme",
        f"Martin{i}",
        "Élodie",
        f"Société {i // 3}",
        f"contact{i}@example.fr",
        f"01 {40 + i % 50:02d} {i % 100:02d} {(i // 100) % 100:02d} {(i * 7) % 100:02d}",
        "Besançon",
        f"{i % 50 * 1000} €" if i % 2 == 0 else "",
    ]


def test_a_file_larger_than_a_chunk_keeps_every_rule(tmp_path, rep, default_process):
    size = imports.BATCH_SIZE + 700
    existing_by_email = f.ProspectFactory(owner=rep, email="contact10@example.fr")
    existing_by_name = f.ProspectFactory(
        owner=rep, last_name="MARTIN20", first_name="Élodie", company_name="Société 6", email=""
    )
    rows = [row(i) for i in range(size)]
    rows[imports.BATCH_SIZE + 100][4] = "contact3@example.fr"  # same e-mail as row 5, in chunk 1
    rows[imports.BATCH_SIZE + 200][6] = "x" * 200  # a city too long
    rows[imports.BATCH_SIZE + 300][7] = "12,345 €"  # ambiguous amount
    path = tmp_path / "prospects.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)

    report = prospects_import(path=path, actor=rep, valid_only=True)

    assert report.total == size
    assert report.refused == 5 and report.duplicates == 3
    reasons = {r["row"]: r["reason"] for r in report.refused_rows}
    assert reasons[12] == f"already a prospect (#{existing_by_email.pk})"
    assert reasons[22] == f"already a prospect (#{existing_by_name.pk})"
    assert reasons[imports.BATCH_SIZE + 102] == "duplicate of row 5"
    assert reasons[imports.BATCH_SIZE + 202].startswith("city: too long")
    assert reasons[imports.BATCH_SIZE + 302].startswith("amount: ")
    assert report.created == size - 5
    imported = Prospect.objects.filter(origin=Origin.IMPORT, origin_detail="prospects.csv")
    assert imported.count() == size - 5
    last = imported.get(email=f"contact{size - 1}@example.fr")
    assert "martin" in last.search_text and "besancon" in last.search_text
    assert last.search_text.split()[-1].startswith("33")  # the phone in international digits
    assert last.phone.startswith("+33")
    with_project = Opportunity.objects.filter(prospect__in=imported)
    assert with_project.count() == report.opportunities == size // 2 - 5  # the even rows
    assert (
        HistoryEntry.objects.filter(
            opportunity__in=with_project, kind=HistoryEntry.Kind.CREATED
        ).count()
        == report.opportunities
    )
