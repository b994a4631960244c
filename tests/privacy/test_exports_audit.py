"""The audit of exports: every download of a list or file writes who, when, which and how many
rows (core.models.ExportRecord); managers read it on /privacy/exports/."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import ExportRecord
from forecasting.reports import REPORTS
from prospects.models import ImportJob
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "api",
    "catalogue",
    "contacts",
    "core",
    "demo",
    "forecasting",
    "integrations",
    "mail",
    "pipeline",
    "privacy",
    "prospects",
    "quotes",
]
# What marks a module as serving a download of a list (CSV or XLSX).
EXPORT_MARKS = re.compile(r"csv_response\(|text/csv|CONTENT_TYPE|spreadsheetml|\.xlsx\"")
AUDIT_MARKS = re.compile(r"export_audit\(|export_counted\(|audit=|_audit\(")
NOT_VIEWS = {"core/exports.py", "prospects/exporting.py", "prospects/forms.py"}


def _consume(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _last():
    return ExportRecord.objects.order_by("-pk").first()


def test_every_module_serving_a_csv_or_xlsx_download_audits_it():
    """A new export anywhere in the project must write its audit row (a guard for the parts
    added later: api, integrations, mail)."""
    unaudited = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in relative or "management" in relative or relative in NOT_VIEWS:
                continue
            text = path.read_text(encoding="utf-8")
            serves = "Response" in text or "csv_response(" in text
            if serves and EXPORT_MARKS.search(text) and not AUDIT_MARKS.search(text):
                unaudited.append(relative)
    assert unaudited == []


def test_prospect_csv_export_counts_its_rows(rep_client, rep):
    for _ in range(3):
        f.ProspectFactory(owner=rep, mobile="")

    response = rep_client.get(reverse("prospect_export") + "?q=&sort=name")
    lines = _consume(response).decode("utf-8-sig").strip().splitlines()

    record = _last()
    assert (record.user, record.kind, record.rows) == (rep, "prospect_export", 3)
    assert len(lines) == 4  # header + 3
    assert record.filename.endswith(".csv") and "sort=name" in record.query


def test_prospect_xlsx_export_counts_its_rows(rep_client, rep):
    for _ in range(2):
        f.ProspectFactory(owner=rep, mobile="")

    response = rep_client.get(reverse("prospect_export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(_consume(response)), read_only=True).active

    assert len(list(sheet.rows)) == 3
    record = _last()
    assert (record.kind, record.rows) == ("prospect_export", 2)
    assert record.filename.endswith(".xlsx")


def test_mailing_export_counts_its_rows(rep_client, rep):
    f.PersonFactory(owner=rep, mailing_opt_in=True)
    f.PersonFactory(owner=rep, mailing_opt_in=True)
    f.PersonFactory(owner=rep, mailing_opt_in=False)

    _consume(rep_client.get(reverse("mailing_export")))

    assert (_last().kind, _last().rows) == ("mailing_export", 2)


def test_forecast_export_counts_its_rows(rep_client):
    response = rep_client.get(reverse("forecast_export") + "?months=6")
    lines = _consume(response).decode("utf-8-sig").strip().splitlines()

    assert (_last().kind, _last().rows) == ("forecast_export", len(lines) - 1)


def test_report_export_counts_its_rows(manager_client):
    slug = next(iter(REPORTS))
    response = manager_client.get(
        reverse("report_export", args=[slug]) + "?start=2026-06-01&end=2026-06-30"
    )
    assert response.status_code == 200

    record = _last()
    assert (record.kind, record.filename) == ("report_export", f"{slug}-2026-06-01-2026-06-30.csv")
    assert record.rows is not None


def test_refused_rows_report_counts_its_rows(rep_client, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ImportJob.objects.create(actor=rep, filename="fair.csv", refused=4)
    job.report.save("refused.csv", ContentFile(b"row;reason\n"), save=True)

    response = rep_client.get(reverse("prospect_import_report", args=[job.pk]))
    _consume(response)

    record = _last()
    assert (record.kind, record.rows, record.filename) == (
        "prospect_import_report",
        4,
        "refused-fair.csv.csv",
    )


def test_the_audit_page_lists_and_filters_for_managers(manager_client, manager, rep):
    ExportRecord.objects.create(user=rep, kind="prospect_export", filename="a.csv", rows=12)
    old = ExportRecord.objects.create(user=manager, kind="mailing_export", filename="m.csv", rows=3)
    ExportRecord.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=10))

    everything = manager_client.get(reverse("privacy_exports")).content.decode()
    by_rep = manager_client.get(reverse("privacy_exports") + f"?user={rep.pk}").content.decode()
    today = timezone.localdate().isoformat()
    recent = manager_client.get(reverse("privacy_exports") + f"?start={today}").content.decode()

    assert "a.csv" in everything and "m.csv" in everything
    assert "a.csv" in by_rep and "m.csv" not in by_rep
    assert "a.csv" in recent and "m.csv" not in recent
    assert "Prospect list" in everything
    manager_client.force_login(rep)
    assert manager_client.get(reverse("privacy_exports")).status_code == 403
