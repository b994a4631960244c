"""Reading prospect files row by row: CSV (comma, semicolon or tab; UTF-8 with or without BOM,
else the encoding charset-normalizer finds among the Western ones: Windows-1252, ISO-8859-15,
Mac Roman, DOS, UTF-16) and XLSX, streamed so that a large file never sits in memory whole.
What the rows mean is `prospects.importing`'s business."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from django.utils.translation import gettext_lazy

from core.exports import csv_unquote

SAMPLE_SIZE = 64 * 1024


# What a French or English file that is not UTF-8 comes in: Excel's "CSV" (Windows-1252),
# ISO-8859-15, old Mac and DOS exports, Excel's "Unicode text" (UTF-16 with its BOM). Left free,
# charset-normalizer ranks Central European code pages first for French text (cp1250 reads
# "œ" as "ś"), so it only chooses among these.
LEGACY_ENCODINGS = ["cp1252", "iso8859_15", "mac_roman", "cp850", "utf_16", "utf_32"]


UNREADABLE_FILE = gettext_lazy("The file cannot be read: {error}")


NO_HEADER = gettext_lazy("The file has no header row.")


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


def open_source(path: str | Path, filename: str = "") -> Source:
    """Open a CSV or XLSX file for streaming. Raises ValueError with a readable message."""
    path = Path(path)
    try:
        if is_xlsx(path, filename):
            return _open_xlsx(path)
        return _open_csv(path)
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error becomes a message for the user
        raise ValueError(str(UNREADABLE_FILE).format(error=exc)) from exc


def _open_csv(path: Path) -> Source:
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_SIZE)
    encoding = detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    if "\x00" in text_sample:  # a binary file named .csv (PostgreSQL refuses NUL in text)
        raise ValueError(str(UNREADABLE_FILE).format(error="binary content"))
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
        yield [csv_unquote(cell) for cell in row]


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
