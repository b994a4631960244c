"""Export of the (filtered) prospect list as CSV (through `core.exports`: UTF-8 with BOM,
`;`, formula guard) or XLSX (text cells always stored as text, never as formulas).

One row per prospect with its main opportunity (the first open one, else the latest); the
headers are ones the import recognises, so an export re-imports to the same data.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse

from contacts.models import ExtraField, Prospect
from core.exports import csv_cell, csv_response, csv_safe, csv_write
from pipeline.models import Opportunity

BASE_COLUMNS = [
    ("civility", "Civility"),
    ("last_name", "Last name"),
    ("first_name", "First name"),
    ("company_name", "Company"),
    ("job_title", "Job title"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("address", "Address"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("country", "Country"),
    ("website", "Website"),
    ("channel", "Channel"),
    ("direct_approach", "Direct approach"),
    ("birth_date", "Birth date"),
    ("external_ref", "External reference"),
    ("siren", "SIREN"),
    ("sector", "Sector"),
    ("customer_type", "Customer type"),
    ("owner", "Owner"),
    ("categories", "Categories"),
    ("notes", "Notes"),
    ("project", "Project"),
    ("status", "Status"),
    ("step", "Step"),
    ("amount", "Amount"),
    ("probability", "Probability"),
    ("expected_date", "Expected date"),
    ("created_at", "Created at"),
]
CHUNK = 2000


def export_queryset(queryset: QuerySet, user=None) -> QuerySet:
    """The prospects with their opportunities: those `user` may see (all without a user, as
    for the management command)."""
    opportunities = (
        Opportunity.objects.visible_to(user) if user is not None else Opportunity.objects.all()
    )
    opportunities = opportunities.select_related("step").order_by("status", "-created_at", "id")
    return queryset.select_related("owner", "channel").prefetch_related(
        "categories", Prefetch("opportunities", queryset=opportunities)
    )


def main_opportunity(prospect: Prospect) -> Opportunity | None:
    opportunities = list(prospect.opportunities.all())
    for opportunity in opportunities:
        if opportunity.status == Opportunity.Status.OPEN:
            return opportunity
    return opportunities[0] if opportunities else None


def headers(extra_fields: list[ExtraField]) -> list[str]:
    return [label for _name, label in BASE_COLUMNS] + [f.label for f in extra_fields]


def rows(queryset: QuerySet, extra_fields: list[ExtraField], user=None) -> Iterator[list]:
    """Typed values (dates, decimals, booleans as yes/no) for each prospect."""
    for prospect in export_queryset(queryset, user).iterator(chunk_size=CHUNK):
        opportunity = main_opportunity(prospect)
        values = {
            name: getattr(prospect, name, "")
            for name, _label in BASE_COLUMNS
            if hasattr(prospect, name)
        }
        values.update(
            channel=prospect.channel.name if prospect.channel_id else "",
            owner=prospect.owner.get_username() if prospect.owner_id else "",
            direct_approach="yes" if prospect.direct_approach else "no",
            categories=", ".join(sorted(c.name for c in prospect.categories.all())),
            created_at=prospect.created_at,
            project=opportunity.summary if opportunity else "",
            status=opportunity.get_status_display() if opportunity else "",
            step=opportunity.step.label if opportunity and opportunity.step_id else "",
            amount=opportunity.amount if opportunity else None,
            probability=opportunity.probability if opportunity else None,
            expected_date=opportunity.expected_date if opportunity else None,
        )
        line = [values.get(name) for name, _label in BASE_COLUMNS]
        for extra in extra_fields:
            value = (prospect.extra or {}).get(str(extra.pk))
            if extra.type == ExtraField.Type.BOOLEAN and value is not None:
                value = "yes" if value else "no"
            line.append(value)
        yield line


def csv_download(queryset: QuerySet, filename: str, user=None) -> StreamingHttpResponse:
    """The CSV download, streamed through the project's CSV writer (BOM, `;`, formula guard)."""
    extra_fields = list(ExtraField.objects.all())
    return csv_response(
        filename, headers(extra_fields), rows(queryset, extra_fields, user), stream=True
    )


def write_csv(queryset: QuerySet, handle) -> None:
    """The same file written to a text handle (opened with `newline=""`) or stdout."""
    extra_fields = list(ExtraField.objects.all())
    csv_write(handle, headers(extra_fields), rows(queryset, extra_fields))


def xlsx_cell(sheet, value):
    """One worksheet value. Text is always stored as text (never as a formula or an error code,
    whatever it starts with), and text a spreadsheet would run gets Excel's quote prefix, so
    editing the cell keeps it text; the value itself is unchanged."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        value = csv_cell(value)
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if csv_safe(value) != value:
        cell.quotePrefix = True
    return cell


def write_xlsx(queryset: QuerySet, handle, user=None) -> None:
    """An XLSX workbook written in constant memory (openpyxl write-only mode)."""
    from openpyxl import Workbook

    extra_fields = list(ExtraField.objects.all())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Prospects")
    sheet.append([xlsx_cell(sheet, label) for label in headers(extra_fields)])
    for line in rows(queryset, extra_fields, user):
        sheet.append([xlsx_cell(sheet, value) for value in line])
    workbook.save(handle)


def xlsx_file(queryset: QuerySet, user=None):
    """A temporary file holding the workbook, positioned at its start."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the response
    write_xlsx(queryset, handle, user)
    handle.seek(0)
    return handle
