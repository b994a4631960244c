"""`core.exports`: the one CSV writer of downloads and commands."""

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management.base import OutputWrapper
from django.http import StreamingHttpResponse

from core.exports import (
    csv_cell,
    csv_response,
    csv_rows,
    csv_safe,
    csv_text,
    csv_unquote,
    csv_write,
)

PAYLOADS = [
    '=HYPERLINK("http://x")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
]


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_a_spreadsheet_would_run_gets_a_quote(payload):
    assert csv_safe(payload) == "'" + payload
    assert parse(b"".join(csv_rows(["name"], [[payload]])))[1] == ["'" + payload]


@pytest.mark.parametrize("text", [*PAYLOADS, "", "Dupont", "O'Neil", "'quoted'", "+33188334455"])
def test_an_import_reads_the_original_text_back(text):
    assert csv_unquote(csv_safe(text)) == text
    assert csv_unquote(None) is None


@pytest.mark.parametrize("text", ["", "Dupont", "O'Neil", "a=b", " =1", "1-2", "'=already quoted"])
def test_plain_text_is_unchanged(text):
    assert csv_safe(text) == text


def test_numbers_stay_numbers():
    assert csv_safe(-2) == -2
    assert csv_cell(Decimal("-250.00")) == Decimal("-250.00")
    assert csv_cell(-3) == -3
    assert csv_cell(22.0) == 22
    assert csv_cell(2.5) == 2.5
    line = b"".join(csv_rows(["a", "b", "c"], [[Decimal("-250.00"), -3, 1.5]], bom=False))
    assert line == b"a;b;c\r\n-250.00;-3;1.5\r\n"


def test_dates_none_and_booleans(settings):
    settings.TIME_ZONE = "Europe/Paris"
    noon_utc = dt.datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("UTC"))
    assert csv_cell(dt.date(2026, 6, 5)) == "05/06/2026"
    assert csv_cell(noon_utc) == "15/06/2026 12:30"
    assert csv_cell(dt.datetime(2026, 6, 15, 10, 30)) == "15/06/2026 10:30"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "True"


def test_bom_once_semicolons_and_quoting():
    data = b"".join(csv_rows(["Name", "Note"], [["Zoé", 'a;b "c"'], ["x", "line\nbreak"]]))
    assert data.startswith(codecs.BOM_UTF8) and data.count(codecs.BOM_UTF8) == 1
    assert parse(data) == [["Name", "Note"], ["Zoé", 'a;b "c"'], ["x", "line\nbreak"]]


def test_header_is_guarded_too():
    assert parse(b"".join(csv_rows(["=1", "ok"], [])))[0] == ["'=1", "ok"]


def test_rows_are_read_lazily():
    seen = []

    def rows():
        for i in range(3):
            seen.append(i)
            yield [i]

    lines = csv_rows(["n"], rows())
    assert next(lines) == codecs.BOM_UTF8 and next(lines) == b"n\r\n"
    assert seen == []
    assert next(lines) == b"0\r\n" and seen == [0]


def test_response_whole_and_streamed():
    response = csv_response("prévision.csv", ["a"], [["=1"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''pr%C3%A9vision.csv" in response["Content-Disposition"]
    assert parse(response.content) == [["a"], ["'=1"]]

    streamed = csv_response("big.csv", ["a"], ([i] for i in range(1000)), stream=True)
    assert isinstance(streamed, StreamingHttpResponse)
    assert streamed["Content-Disposition"] == 'attachment; filename="big.csv"'
    assert len(parse(b"".join(streamed.streaming_content))) == 1001


def test_write_to_a_file_and_to_a_command_stdout(tmp_path):
    path = tmp_path / "out.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv_write(handle, ["a", "b"], [["+1", 2]])
    expected = b"".join(csv_rows(["a", "b"], [["+1", 2]]))
    assert path.read_bytes() == expected

    out = io.StringIO()
    csv_write(OutputWrapper(out), ["a", "b"], [["+1", 2]])
    assert out.getvalue().encode("utf-8") == expected
    assert "".join(csv_text(["a", "b"], [["+1", 2]])).encode("utf-8") == expected
