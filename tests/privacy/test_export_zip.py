"""The right of access: a manager downloads everything Jalon holds about a person or a
prospect as a ZIP (JSON, CSV, documents, e-mails), logged in the privacy log and the audit of
exports."""

import csv
import email
import io
import json
import zipfile
from email import policy

import pytest
from django.urls import reverse

from core.models import ExportRecord
from privacy.models import PrivacyLog
from tests.privacy.conftest import EMAIL, FIRST, LAST, spread_person

pytestmark = pytest.mark.django_db


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_person_export_zip_holds_json_csv_documents_and_emails(manager_client, manager, rep):
    spread = spread_person(rep)

    response = manager_client.get(reverse("privacy_person_export", args=[spread.person.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = _zip(response)
    names = set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert data["record"][0]["email"] == EMAIL
    assert data["record"][0]["lawful_basis"] == "consent"
    assert data["prospect_files"][0]["id"] == spread.prospect.pk
    assert [o["summary"] for o in data["opportunities"]] == [f"Terrace for {LAST}"]
    assert {n["subject"] for n in data["notes"]} == {"Fair", f"About {LAST}"}
    assert len(data["tasks"]) == 1 and len(data["emails"]) == 2
    assert data["audit_log"] and data["companies"][0]["company"] == "Brasserie du Port"
    # CSV: one per section, read back with the project's format (BOM, `;`).
    record = list(
        csv.reader(io.StringIO(archive.read("record.csv").decode("utf-8-sig")), delimiter=";")
    )
    header, row = record
    assert row[header.index("email")] == EMAIL
    assert {"opportunities.csv", "notes.csv", "emails.csv", "tasks.csv"} <= names
    # The document's file, and each e-mail as .eml: the original, or rebuilt.
    assert archive.read(f"documents/{spread.document.pk}-card.txt").decode() == (
        f"{FIRST} {LAST}\n{EMAIL}"
    )
    own = email.message_from_bytes(
        archive.read(f"emails/{spread.own_message.pk}.eml"), policy=policy.default
    )
    assert own["Subject"] == f"Question from {FIRST}" and EMAIL in own["From"]
    rebuilt = email.message_from_bytes(
        archive.read(f"emails/{spread.shared_message.pk}.eml"), policy=policy.default
    )
    assert rebuilt["Subject"] == "Meeting at the yard"
    assert EMAIL in rebuilt["To"]
    assert "Dear" in rebuilt.get_body(("plain",)).get_content()
    # Logged twice: the privacy log and the audit of exports, with the row count.
    log = PrivacyLog.objects.get()
    assert (log.action, log.kind, log.object_id, log.actor) == (
        "export",
        "person",
        spread.person.pk,
        manager,
    )
    audit = ExportRecord.objects.get()
    assert (audit.kind, audit.user, audit.rows) == (
        "privacy_person_export",
        manager,
        log.detail["rows"],
    )
    assert audit.rows >= 10


def test_prospect_export_from_its_card(manager_client, rep):
    spread = spread_person(rep)

    card = manager_client.get(reverse("prospect_detail", args=[spread.prospect.pk]))
    response = manager_client.get(reverse("privacy_prospect_export", args=[spread.prospect.pk]))

    assert reverse("privacy_prospect_export", args=[spread.prospect.pk]).encode() in card.content
    data = json.loads(_zip(response).read("data.json"))
    assert data["record"][0]["id"] == spread.prospect.pk
    assert data["people"][0]["id"] == spread.person.pk


def test_reps_do_not_see_the_buttons_nor_get_the_file(rep_client, rep):
    spread = spread_person(rep)

    card = rep_client.get(reverse("person_detail", args=[spread.person.pk]))

    assert b"privacy/export" not in card.content
    assert (
        rep_client.get(reverse("privacy_person_export", args=[spread.person.pk])).status_code == 403
    )
    assert not ExportRecord.objects.exists() and not PrivacyLog.objects.exists()
