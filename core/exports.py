"""CSV files for download and for commands, written one way everywhere.

- UTF-8 with a BOM first, so Excel opens accents right; `;` between fields (what Excel expects
  with French regional settings, and what the prospect import reads back).
- Formula injection guard (OWASP "CSV injection"): a text cell starting with `=`, `+`, `-`, `@`,
  a tab or a carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
  running it. Numbers (int, Decimal, float) are written as numbers, negative ones included.
- Dates read dd/mm/yyyy (datetimes in local time, with hh:mm); None is an empty cell.
- In the user's language: headers and words are translated by the caller, and numbers take
  the language's decimal mark ("12150,50" in French, "12150.50" in English), without thousands
  grouping so that every spreadsheet reads them as numbers (Excel with French regional
  settings reads "12150,50"; the reports' CSV do the same). A streamed file keeps the language
  of the request that asked for it (`csv_response` captures it).

`csv_rows` yields encoded lines for a response; `csv_text` the same as text for a file or
stdout; `csv_response` is the download itself (streamed for big lists); `csv_unquote` undoes
the guard for an import that reads an export back.

Every download of a list or file is audited (`core.models.ExportRecord`: who, when, which,
how many rows): `export_audit` records one whose count is known, `export_counted` wraps the
rows of a streamed file and writes the count once the last row went out.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.management.base import OutputWrapper
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import formats, timezone, translation
from django.utils.http import content_disposition_header

BOM = "\ufeff"
DELIMITER = ";"
CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """`value` with a leading `'` when it is text a spreadsheet would read as a formula;
    anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_unquote(value):
    """The inverse of `csv_safe`, for reading back an export: drops the `'` put before a formula
    character (any other text is returned unchanged)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def csv_number(value: int | float | Decimal) -> int | float | Decimal | str:
    """A number as the active language writes it in a spreadsheet: whole numbers as they are,
    decimals with the language's mark (the text "12150,50" in French; the number itself where
    the mark is a point), never grouped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value
    if formats.get_format("DECIMAL_SEPARATOR", lang=translation.get_language()) == ",":
        return str(value).replace(".", ",")
    return value


def csv_cell(value):
    """What one cell holds: numbers stay numbers (a whole float without its `.0`, the decimal
    mark of the active language), dates as dd/mm/yyyy, None as empty, anything else as safe
    text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return csv_number(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return csv_safe(str(value))


class _Echo:
    """A file-like object whose `write` returns the line: the csv writer then yields lines."""

    def write(self, value: str) -> str:
        return value


_END = object()


def csv_text(
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    delimiter: str = DELIMITER,
    bom: bool = True,
    language: str | None = None,
) -> Iterator[str]:
    """The file as text, the BOM first, then one line at a time (header included). `rows` may
    be a generator: nothing is held in memory. Each line is made in `language` (default: the
    one active now), even when the lines are read later, after the request."""
    language = language or translation.get_language()
    writer = csv.writer(_Echo(), delimiter=delimiter)
    if bom:
        yield BOM
    with translation.override(language):
        line = writer.writerow([csv_cell(value) for value in header])
    yield line
    iterator = iter(rows)
    while True:
        with translation.override(language):
            row = next(iterator, _END)
            if row is _END:
                return
            line = writer.writerow([csv_cell(value) for value in row])
        yield line


def csv_rows(
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    delimiter: str = DELIMITER,
    bom: bool = True,
    language: str | None = None,
) -> Iterator[bytes]:
    """`csv_text` encoded in UTF-8: the BOM's bytes first, then one line at a time."""
    for chunk in csv_text(header, rows, delimiter=delimiter, bom=bom, language=language):
        yield chunk.encode("utf-8")


def csv_write(
    handle, header: Iterable, rows: Iterable[Iterable], *, delimiter: str = DELIMITER
) -> None:
    """Write the file to a text handle (opened with `newline=""`) or a command's `self.stdout`."""
    for chunk in csv_text(header, rows, delimiter=delimiter):
        if isinstance(handle, OutputWrapper):
            handle.write(chunk, ending="")
        else:
            handle.write(chunk)


def export_audit(*, request, kind: str, filename: str = "", rows: int | None = None):
    """Record that `request.user` exported `kind` (the export's URL name) as `filename`, with
    the request's filters and `rows` data rows (None: not counted yet). Returns the record."""
    from core.models import ExportRecord

    user = request.user if request.user.is_authenticated else None
    return ExportRecord.objects.create(
        user=user,
        kind=kind,
        filename=filename[:250],
        query=request.GET.urlencode(),
        rows=rows,
    )


def export_counted(rows: Iterable, *, request, kind: str, filename: str = "") -> Iterator:
    """`rows` unchanged, the export recorded at once (rows unknown) and its count written when
    the last row has been read: a streamed download cut short keeps no count."""
    record = export_audit(request=request, kind=kind, filename=filename)

    def counting():
        count = 0
        for row in rows:
            count += 1
            yield row
        type(record).objects.filter(pk=record.pk).update(rows=count)

    return counting()


def csv_response(
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    stream: bool = False,
    delimiter: str = DELIMITER,
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download named `filename`. With `stream=True` the lines are sent as `rows` yields
    them (big lists: memory stays flat); else the whole file is built first."""
    lines = csv_rows(header, rows, delimiter=delimiter, language=translation.get_language())
    if stream:
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPE)
    else:
        response = HttpResponse(b"".join(lines), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
