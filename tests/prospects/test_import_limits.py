"""Import files are measured before anything parses them: what an XLSX unzips to (declared sizes,
compression ratio, number of parts, then a streamed read that counts the real bytes), how many
rows and columns a file holds (the sheet's dimension, the CSV's lines and header), with the
IMPORT_* limits of the settings. Parsing itself (reading the header row, the check, the import)
runs in the Celery task, never in the web request."""

import re
import time
import zipfile

import openpyxl
import pytest
from celery.app.task import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook

from config.celery import app
from contacts.models import Prospect
from prospects import readers
from prospects.models import ImportJob
from tests import factories as f

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)


def sheet_xml(rows: list[list[str]], *, dimension: str | None = None) -> bytes:
    """A worksheet of inline strings (no shared strings needed)."""
    cells = []
    for r, row in enumerate(rows, start=1):
        values = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{value}</t></is></c>'
            for c, value in enumerate(row)
        )
        cells.append(f'<row r="{r}">{values}</row>')
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{head}'
        f"<sheetData>{''.join(cells)}</sheetData></worksheet>"
    ).encode()


def write_xlsx_parts(path, sheet: bytes, shared_strings: bytes | None = None) -> None:
    """An XLSX written part by part with zipfile, as an attacker would."""
    shared = (
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings is not None
        else ""
    )
    workbook_rels = (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" '
        f'Target="worksheets/sheet1.xml"/>{shared}</Relationships>'
    )
    content_types = CONTENT_TYPES
    if shared_strings is None:
        content_types = re.sub(
            r'<Override PartName="/xl/sharedStrings.xml"[^>]*/>', "", content_types
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            '<sheet name="Prospects" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)


def shared_strings_of(size: int) -> bytes:
    """A shared-strings part of `size` bytes that deflates to almost nothing."""
    item = b"<si><t>a</t></si>"
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    return head + item * (size // len(item) + 1) + b"</sst>"


def forge_declared_size(path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size a zip declares for `member` (local and central headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            if data[at + name_offset : at + name_offset + len(name)] == name:
                data[at + size_offset : at + size_offset + 4] = declared.to_bytes(4, "little")
            start = at + 4
    path.write_bytes(bytes(data))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def limits(settings):
    """Small limits, so the files that cross them stay small and quick to build."""
    settings.IMPORT_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024
    settings.IMPORT_MAX_ZIP_RATIO = 100
    settings.IMPORT_MAX_ZIP_MEMBERS = 50
    settings.IMPORT_MAX_ROWS = 5
    settings.IMPORT_MAX_COLUMNS = 4
    return settings


@pytest.fixture
def no_openpyxl(monkeypatch):
    """A spy standing in for openpyxl's load_workbook: it records every call."""
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        raise AssertionError("openpyxl.load_workbook must not be called")

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", spy)
    return calls


def upload(client, name, content):
    """POST the file, then run what it queued on commit (as the end of a real request does)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("prospect_import"), {"file": SimpleUploadedFile(name, content)})


def post(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def message(constant, **params) -> str:
    return escape(str(constant).format(**params))


def test_xlsx_whose_shared_strings_unzip_beyond_the_limit_is_refused_at_once_unopened(
    rep_client, limits, media, no_openpyxl, tmp_path
):
    path = tmp_path / "bomb.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], ["Dupont"]]), shared_strings_of(3 * 1024 * 1024))
    assert path.stat().st_size < 30 * 1024  # a few KB that unzip to 3 MB

    started = time.perf_counter()
    response = upload(rep_client, "bomb.xlsx", path.read_bytes())
    elapsed = time.perf_counter() - started

    assert response.status_code == 422
    page = response.content.decode()
    assert "unzips to more than 2 MB" in page, page[-2000:]
    assert elapsed < 2
    assert no_openpyxl == []
    assert not ImportJob.objects.exists()
    assert not stored_files(media)


def test_the_reported_bomb_is_refused_with_the_default_limits(
    rep_client, media, no_openpyxl, tmp_path, settings
):
    """450 KB unzipping to 170 MB took a web process to 2.3 GB for 139 s: now a refusal."""
    path = tmp_path / "bomb.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], ["Dupont"]]), shared_strings_of(170 * 1024 * 1024))
    assert path.stat().st_size < 600 * 1024

    started = time.perf_counter()
    response = upload(rep_client, "bomb.xlsx", path.read_bytes())

    assert response.status_code == 422
    assert "unzips to" in response.content.decode()
    assert time.perf_counter() - started < 3
    assert no_openpyxl == []
    assert not ImportJob.objects.exists()


def test_a_part_compressed_beyond_the_ratio_is_refused(
    rep_client, limits, media, no_openpyxl, tmp_path
):
    limits.IMPORT_MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
    path = tmp_path / "dense.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], ["Dupont"]]), shared_strings_of(3 * 1024 * 1024))
    response = upload(rep_client, "dense.xlsx", path.read_bytes())
    assert response.status_code == 422
    assert "compressed" in response.content.decode()
    assert no_openpyxl == []
    assert not ImportJob.objects.exists()


def test_a_zip_of_too_many_parts_is_refused(rep_client, limits, media, no_openpyxl, tmp_path):
    path = tmp_path / "parts.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], ["Dupont"]]))
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(60):
            archive.writestr(f"xl/media/image{number}.png", b"x")
    response = upload(rep_client, "parts.xlsx", path.read_bytes())
    assert response.status_code == 422
    assert "parts" in response.content.decode()
    assert no_openpyxl == []


def test_sizes_the_zip_declares_are_not_trusted(rep_client, limits, media, no_openpyxl, tmp_path):
    """Declared small, unzipping to 3 MB: the streamed read counts the real bytes and stops."""
    path = tmp_path / "liar.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], ["Dupont"]]), shared_strings_of(3 * 1024 * 1024))
    forge_declared_size(path, "xl/sharedStrings.xml", 1000)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size == 1000

    response = upload(rep_client, "liar.xlsx", path.read_bytes())

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.state == ImportJob.State.FAILED
    assert "unzips to" in job.error
    assert no_openpyxl == []
    assert "unzips to" in rep_client.get(response["Location"]).content.decode()


def test_xlsx_with_too_many_rows_or_columns_is_refused_before_parsing(
    rep_client, limits, media, no_openpyxl, tmp_path
):
    for rows, expected in (
        ([["Nom"], *[[f"N{i}"] for i in range(6)]], "more than 5 rows"),
        ([["A", "B", "C", "D", "E"], ["1", "2", "3", "4", "5"]], "more than 4 columns"),
    ):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        path = tmp_path / "big.xlsx"
        workbook.save(path)
        response = upload(rep_client, "big.xlsx", path.read_bytes())
        assert response.status_code == 422
        assert expected in response.content.decode()
    assert no_openpyxl == []
    assert not ImportJob.objects.exists()
    assert not stored_files(media)


def test_csv_with_too_many_lines_or_columns_is_refused_before_parsing(
    rep_client, limits, media, monkeypatch
):
    def no_parsing(*args, **kwargs):
        raise AssertionError("the CSV must not be parsed in the web request")

    monkeypatch.setattr(readers, "open_source", no_parsing)
    too_long = "Nom;Ville\n" + "".join(f"N{i};Lyon\n" for i in range(6))
    too_wide = "A;B;C;D;E\n1;2;3;4;5\n"
    for content, expected in ((too_long, "more than 5 rows"), (too_wide, "more than 4 columns")):
        response = upload(rep_client, "list.csv", content.encode())
        assert response.status_code == 422
        assert expected in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not stored_files(media)


def test_csv_rows_spanning_lines_count_as_rows(rep_client, limits, media, default_process):
    content = "Nom;Notes\n" + "".join(f'N{i};"line one\nline two"\n' for i in range(5))
    response = upload(rep_client, "notes.csv", content.encode())
    assert response.status_code == 302
    assert ImportJob.objects.get().headers == ["Nom", "Notes"]


def test_rows_beyond_the_limit_without_a_declared_dimension_fail_the_check(
    rep_client, limits, media, default_process, tmp_path
):
    """No dimension in the sheet (openpyxl's write-only files have none): the rows are counted
    as they stream, and the check stops at the limit, with nothing written."""
    path = tmp_path / "long.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], *[[f"N{i}"] for i in range(8)]]))
    response = upload(rep_client, "long.xlsx", path.read_bytes())
    assert response.status_code == 302
    post(rep_client, response["Location"], {"col_0": "last_name", "action": "check"})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    assert "more than 5 rows" in job.error
    assert not Prospect.objects.exists()


def test_a_normal_xlsx_still_imports(rep_client, media, default_process, tmp_path):
    workbook = Workbook()
    workbook.active.append(["Nom", "Prénom", "Société", "Courriel"])
    workbook.active.append(["Hisson", "Paul", "Euro Transports", "paul@euro.fr"])
    workbook.active.append(["Énard", "Zoé", "Été SA", "zoe@ete.fr"])
    path = tmp_path / "salon.xlsx"
    workbook.save(path)

    response = upload(rep_client, "salon.xlsx", path.read_bytes())
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.headers == ["Nom", "Prénom", "Société", "Courriel"]
    assert job.total == 2
    mapping = {"col_0": "last_name", "col_1": "first_name", "col_2": "company_name"}
    mapping["col_3"] = "email"
    post(rep_client, response["Location"], {**mapping, "action": "check"})
    post(rep_client, response["Location"], {**mapping, "action": "import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    assert sorted(Prospect.objects.values_list("last_name", flat=True)) == ["Hisson", "Énard"]


@pytest.fixture
def not_eager():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


def test_with_a_broker_the_web_request_only_queues(
    rep_client, rep, media, tmp_path, monkeypatch, not_eager
):
    """Reading the header row, the check and the import are tasks: the request queues them."""
    queued = []

    def record(self, args=None, kwargs=None, **options):
        queued.append((self.name, args, kwargs))

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file must not be parsed in the web request")

    monkeypatch.setattr(Task, "apply_async", record)
    monkeypatch.setattr(readers, "open_source", no_parsing)
    monkeypatch.setattr(openpyxl, "load_workbook", no_parsing)
    workbook = Workbook()
    workbook.active.append(["Nom"])
    workbook.active.append(["Dupont"])
    path = tmp_path / "x.xlsx"
    workbook.save(path)

    response = upload(rep_client, "x.xlsx", path.read_bytes())

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.state == ImportJob.State.READING
    assert [name for name, *_ in queued] == ["prospects.tasks.import_read_task"]
    page = rep_client.get(response["Location"]).content.decode()
    assert 'data-state="reading"' in page and 'hx-trigger="every 1s"' in page

    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.UPLOADED, headers=["Nom"], mapping={"0": "last_name"}
    )
    post(rep_client, response["Location"], {"col_0": "last_name", "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKING
    assert [name for name, *_ in queued][-1] == "prospects.tasks.import_prospects_task"


def test_the_command_applies_the_same_limits(limits, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bomb.xlsx"
    write_xlsx_parts(path, sheet_xml([["Nom"], ["Dupont"]]), shared_strings_of(3 * 1024 * 1024))
    f.RepFactory(username="alice")
    with pytest.raises(CommandError, match="unzips to"):
        call_command("import_prospects", str(path), "--owner", "alice")
