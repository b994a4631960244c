"""Reading prospect files row by row: CSV (comma, semicolon or tab; UTF-8 with or without BOM,
else the encoding charset-normalizer finds among the Western ones: Windows-1252, ISO-8859-15,
Mac Roman, DOS, UTF-16) and XLSX, streamed so that a large file never sits in memory whole.
What the rows mean is `prospects.importing`'s business.

Before anything parses a file, `inspect` measures it against the IMPORT_* limits of the settings
(`Limits`): what an XLSX unzips to, the rows and columns its sheets declare, a CSV's lines and
header. It reads a few kilobytes and the zip's directory, so the web request may call it; the
parsing itself (`open_source`) belongs in the Celery task, and counts the rows and columns again
as they stream, since what a file declares may lie."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

from core.archives import ZipLimits, zip_check, zip_head, zip_measure, zip_names
from core.exports import csv_unquote

SAMPLE_SIZE = 64 * 1024


# What a French or English file that is not UTF-8 comes in: Excel's "CSV" (Windows-1252),
# ISO-8859-15, old Mac and DOS exports, Excel's "Unicode text" (UTF-16 with its BOM). Left free,
# charset-normalizer ranks Central European code pages first for French text (cp1250 reads
# "œ" as "ś"), so it only chooses among these.
LEGACY_ENCODINGS = ["cp1252", "iso8859_15", "mac_roman", "cp850", "utf_16", "utf_32"]


UNREADABLE_FILE = gettext_lazy("The file cannot be read: {error}")


NO_HEADER = gettext_lazy("The file has no header row.")


TOO_MANY_ROWS = gettext_lazy(
    "The file holds more than {limit} rows, the limit of an import. Split it into smaller files."
)


TOO_MANY_COLUMNS = gettext_lazy(
    "The file holds more than {limit} columns, the limit of an import. Keep only the columns "
    "to import."
)

XLSX_KIND = "Excel (XLSX)"


@dataclass(frozen=True)
class Limits:
    """What an import file may hold (the IMPORT_* settings)."""

    max_unzipped_bytes: int
    max_zip_ratio: int
    max_zip_members: int
    max_rows: int
    max_columns: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
            max_zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
            max_zip_members=settings.IMPORT_MAX_ZIP_MEMBERS,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
        )

    @property
    def zip(self) -> ZipLimits:
        return ZipLimits(
            max_unzipped_bytes=self.max_unzipped_bytes,
            max_ratio=self.max_zip_ratio,
            max_parts=self.max_zip_members,
        )

    def check(self, *, rows: int = 0, columns: int = 0) -> None:
        """Raise ValueError (the message for the user) when `rows` data rows or `columns`
        columns are more than allowed."""
        if rows > self.max_rows:
            raise ValueError(
                str(TOO_MANY_ROWS).format(limit=number_format(self.max_rows, force_grouping=True))
            )
        if columns > self.max_columns:
            raise ValueError(
                str(TOO_MANY_COLUMNS).format(
                    limit=number_format(self.max_columns, force_grouping=True)
                )
            )


@dataclass(frozen=True)
class FileFacts:
    """What `inspect` found: the data rows as far as the file tells before parsing (0 when it
    does not say) and the columns of its header."""

    rows: int
    columns: int


def is_xlsx(path: Path, filename: str = "") -> bool:
    with open(path, "rb") as handle:
        magic = handle.read(4)
    return magic == b"PK\x03\x04" or (filename or str(path)).lower().endswith((".xlsx", ".xlsm"))


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode strictly; else the encoding that
    charset-normalizer finds most plausible among `LEGACY_ENCODINGS`; else Latin-1, which
    decodes anything (the bytes Windows-1252 leaves undefined, a binary file)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A sample cut in the middle of a character is not an error; a short file is whole.
        final = len(sample) < SAMPLE_SIZE
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(sample, final=final)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # The whole sample is judged at once: on the few 512-byte chunks it reads by default,
    # charset-normalizer takes a long Windows-1252 file for Mac Roman about one time in ten.
    best = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS, steps=1, chunk_size=SAMPLE_SIZE).best()
    return best.encoding if best is not None else "latin-1"


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one the header line uses most (quotes respected by Sniffer)."""
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in (";", "\t", ",")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


@dataclass
class Source:
    """An open file: its header row and an iterator of the following rows (lists of values)."""

    headers: list[str]
    rows: Iterator[list]
    encoding: str = ""
    delimiter: str = ""
    _close: object = None

    def close(self) -> None:
        if self._close is not None:
            self._close()


def inspect(path: str | Path, filename: str = "", limits: Limits | None = None) -> FileFacts:
    """Measure a file before anything parses it. An XLSX: the zip's directory (number of
    parts, declared sizes, ratios) and the dimension each sheet declares; a CSV: its header
    line (in the first 64 KB) and its lines. Raises ValueError with a readable message."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    if is_xlsx(path, filename):
        return _inspect_xlsx(path, limits)
    return _inspect_csv(path, limits)


# <dimension ref="A1:R1200"/>: the used range a sheet declares, before its rows.
DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"'
)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _inspect_xlsx(path: Path, limits: Limits) -> FileFacts:
    zip_check(path, limits.zip, kind=XLSX_KIND)
    rows = columns = 0
    # Every sheet is measured (the import reads the first): a sheet that large has no place in
    # an import file anyway.
    for name in zip_names(path, r"(^|/)worksheets/[^/]+\.xml$"):
        try:
            head = zip_head(path, name)
        except Exception as exc:  # noqa: BLE001 - a damaged part: the file is unreadable
            raise ValueError(str(UNREADABLE_FILE).format(error=exc)) from exc
        end = head.find(b"<sheetData")
        match = DIMENSION.search(head if end == -1 else head[:end])
        if match:
            last_column = match.group(3) or match.group(1)
            last_row = match.group(4) or match.group(2)
            rows = max(rows, int(last_row) - 1)
            columns = max(columns, _column_number(last_column))
    limits.check(rows=rows, columns=columns)
    return FileFacts(rows=rows, columns=columns)


def _inspect_csv(path: Path, limits: Limits) -> FileFacts:
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_SIZE)
    text = _sample_text(sample, detect_encoding(sample))
    header = next(csv.reader(io.StringIO(text), delimiter=detect_delimiter(text)), None)
    if not header or not any(cell.strip() for cell in header):
        raise ValueError(str(NO_HEADER))
    columns = _width(header)
    limits.check(columns=columns)
    rows = max(0, _count_records(path, stop_after=limits.max_rows + 1) - 1)
    limits.check(rows=rows)
    return FileFacts(rows=rows, columns=columns)


def _count_records(path: Path, *, stop_after: int) -> int:
    """The file's lines, counted in bytes (no decoding, no parsing). Only when they are more
    than `stop_after` are the line ends inside quotes left out (a note on two lines is one
    row), counting up to `stop_after` + 1 at most."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    if lines <= stop_after:
        return lines
    records, quoted, last = 0, False, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            for index, piece in enumerate(chunk.split(b'"')):
                if index:
                    quoted = not quoted
                if not quoted:
                    records += piece.count(b"\n")
            last = chunk[-1:]
            if records > stop_after:
                return records
    return records + (last != b"\n")


def _width(row) -> int:
    """The row's columns up to its last value (trailing empty cells are no columns)."""
    width = len(row)
    while width and (row[width - 1] is None or row[width - 1] == ""):
        width -= 1
    return width


def _limited(rows: Iterator[list], limits: Limits) -> Iterator[list]:
    """The rows, refused (ValueError) past `limits`: whatever the file declared, they are
    counted as they stream (empty rows too: a sheet may declare a million of them)."""
    for number, row in enumerate(rows, start=1):
        limits.check(rows=number, columns=_width(row))
        yield row


def open_source(path: str | Path, filename: str = "", limits: Limits | None = None) -> Source:
    """Open a CSV or XLSX file for streaming, within `limits` (the settings' by default): an
    XLSX is first unzipped as a stream to count its real size, then its rows and columns are
    counted as they are read. Raises ValueError with a readable message."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    try:
        if is_xlsx(path, filename):
            zip_measure(path, limits.zip, kind=XLSX_KIND)
            source = _open_xlsx(path)
        else:
            source = _open_csv(path)
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error becomes a message for the user
        raise ValueError(str(UNREADABLE_FILE).format(error=exc)) from exc
    try:
        limits.check(columns=_width(source.headers))
    except ValueError:
        source.close()
        raise
    source.rows = _limited(source.rows, limits)
    return source


def _sample_text(sample: bytes, encoding: str) -> str:
    """The first bytes of a CSV decoded, refused when they are binary."""
    text = sample.decode(encoding, errors="ignore")
    if "\x00" in text:  # a binary file named .csv (PostgreSQL refuses NUL in text)
        raise ValueError(str(UNREADABLE_FILE).format(error="binary content"))
    return text


def _open_csv(path: Path) -> Source:
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_SIZE)
    encoding = detect_encoding(sample)
    text_sample = _sample_text(sample, encoding)
    delimiter = detect_delimiter(text_sample)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by Source.close
    reader = csv.reader(handle, delimiter=delimiter)
    headers = next(reader, None)
    if headers is None:
        handle.close()
        raise ValueError(str(NO_HEADER))
    return Source(
        headers=[csv_unquote(h.strip()) for h in headers],
        rows=_unquoted(reader),
        encoding=encoding,
        delimiter=delimiter,
        _close=handle.close,
    )


def _unquoted(rows) -> Iterator[list]:
    """The rows with the export's formula guard undone (`'+33 1 23 45 67 89` reads as
    `+33 1 23 45 67 89`), so an export re-imports to the same data."""
    for row in rows:
        # Most rows hold no cell starting with "'": looked for in one pass over their text
        # (a spreadsheet's row may hold numbers or dates: then cell by cell).
        try:
            guarded = "\x00'" in "\x00" + "\x00".join(row)
        except TypeError:
            guarded = True
        yield [csv_unquote(cell) for cell in row] if guarded else row


def _open_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows, None)
    if headers is None:
        workbook.close()
        raise ValueError(str(NO_HEADER))
    return Source(
        headers=["" if h is None else csv_unquote(str(h).strip()) for h in headers],
        rows=_unquoted(rows),
        encoding="xlsx",
        _close=workbook.close,
    )
