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
from django.utils import translation
from django.utils.translation import pgettext_lazy

from contacts.models import ExtraField, Prospect
from contacts.validators import format_phone
from core.exports import csv_cell, csv_response, csv_safe, csv_write
from pipeline.models import Opportunity

# Headers in the user's language; the French ones are headers the import recognises (Nom,
# Prénom, Société, Téléphone, Montant...), so an export re-imports in either language.
BASE_COLUMNS = [
    ("civility", pgettext_lazy("export header", "Civility")),
    ("last_name", pgettext_lazy("export header", "Last name")),
    ("first_name", pgettext_lazy("export header", "First name")),
    ("company_name", pgettext_lazy("export header", "Company")),
    ("job_title", pgettext_lazy("export header", "Job title")),
    ("email", pgettext_lazy("export header", "E-mail")),
    ("phone", pgettext_lazy("export header", "Phone")),
    ("mobile", pgettext_lazy("export header", "Mobile")),
    ("address", pgettext_lazy("export header", "Address")),
    ("postal_code", pgettext_lazy("export header", "Postal code")),
    ("city", pgettext_lazy("export header", "City")),
    ("country", pgettext_lazy("export header", "Country")),
    ("website", pgettext_lazy("export header", "Website")),
    ("channel", pgettext_lazy("export header", "Channel")),
    ("direct_approach", pgettext_lazy("export header", "Direct approach")),
    ("birth_date", pgettext_lazy("export header", "Birth date")),
    ("external_ref", pgettext_lazy("export header", "External reference")),
    ("siren", pgettext_lazy("export header", "SIREN")),
    ("sector", pgettext_lazy("export header", "Sector")),
    ("customer_type", pgettext_lazy("export header", "Customer type")),
    ("owner", pgettext_lazy("export header", "Owner")),
    ("categories", pgettext_lazy("export header", "Categories")),
    ("notes", pgettext_lazy("export header", "Notes")),
    ("project", pgettext_lazy("export header", "Project")),
    ("status", pgettext_lazy("export header", "Status")),
    ("step", pgettext_lazy("export header", "Step")),
    ("amount", pgettext_lazy("export header", "Amount")),
    ("probability", pgettext_lazy("export header", "Probability")),
    ("expected_date", pgettext_lazy("export header", "Expected date")),
    ("created_at", pgettext_lazy("export header", "Created at")),
]
YES = pgettext_lazy("export value", "yes")
NO = pgettext_lazy("export value", "no")
CHUNK = 2000
# Excel's format codes are written the English way and shown in the reader's locale.
AMOUNT_FORMAT = "#,##0.00"


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
    return [str(label) for _name, label in BASE_COLUMNS] + [f.label for f in extra_fields]


def export_phone(value: str) -> str:
    """A stored (E.164) phone as the file shows it: for a French user, French numbers in the
    national format ("01 88 33 44 55": nothing a spreadsheet would run, so no `'` guard) and
    others in the international one; for other users the stored number."""
    if not value or not translation.get_language().startswith("fr"):
        return value
    return format_phone(value, "FR")


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
            phone=export_phone(prospect.phone),
            mobile=export_phone(prospect.mobile),
            direct_approach=str(YES if prospect.direct_approach else NO),
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
                value = str(YES if value else NO)
            line.append(value)
        yield line


def csv_download(queryset: QuerySet, filename: str, user=None, audit=None) -> StreamingHttpResponse:
    """The CSV download, streamed through the project's CSV writer (BOM, `;`, formula guard).
    `audit` wraps the rows to count them (`core.exports.export_counted`)."""
    extra_fields = list(ExtraField.objects.all())
    lines = rows(queryset, extra_fields, user)
    return csv_response(
        filename, headers(extra_fields), audit(lines) if audit else lines, stream=True
    )


def write_csv(queryset: QuerySet, handle) -> None:
    """The same file written to a text handle (opened with `newline=""`) or stdout."""
    extra_fields = list(ExtraField.objects.all())
    csv_write(handle, headers(extra_fields), rows(queryset, extra_fields))


def xlsx_cell(sheet, value):
    """One worksheet value. Text is always stored as text (never as a formula or an error code,
    whatever it starts with), and text a spreadsheet would run gets Excel's quote prefix, so
    editing the cell keeps it text; the value itself is unchanged. Amounts are numbers shown
    with their thousands grouped and two decimals in the reader's own format ("12 150,50" in
    a French Excel)."""
    if isinstance(value, Decimal):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, float(value))
        cell.number_format = AMOUNT_FORMAT
        return cell
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


def write_xlsx(queryset: QuerySet, handle, user=None, audit=None) -> None:
    """An XLSX workbook written in constant memory (openpyxl write-only mode). `audit` wraps
    the rows to count them (`core.exports.export_counted`)."""
    from openpyxl import Workbook

    extra_fields = list(ExtraField.objects.all())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Prospects")
    sheet.append([xlsx_cell(sheet, label) for label in headers(extra_fields)])
    lines = rows(queryset, extra_fields, user)
    for line in audit(lines) if audit else lines:
        sheet.append([xlsx_cell(sheet, value) for value in line])
    workbook.save(handle)


def xlsx_file(queryset: QuerySet, user=None, audit=None):
    """A temporary file holding the workbook, positioned at its start."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the response
    write_xlsx(queryset, handle, user, audit)
    handle.seek(0)
    return handle
