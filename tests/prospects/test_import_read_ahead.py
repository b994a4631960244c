"""Issue 20: the import reads and checks the next chunk of the file while the database writes
the one before. What users read does not change: the reasons of refused rows come in their
language, an error after some chunks were written still leaves nothing written, and the
e-mail check's quick path accepts exactly what Django's validator accepts."""

import csv
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation

from contacts.models import Prospect
from prospects import importing, imports
from prospects.imports import prospects_import

pytestmark = pytest.mark.django_db

HEADER = ["Nom", "Prénom", "Société", "Courriel"]


def write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([HEADER, *rows])
    return path


@pytest.mark.parametrize(
    ("language", "invalid", "nobody"),
    [
        ("fr", "e-mail invalide", "un nom, une société ou un e-mail est nécessaire"),
        ("en", "invalid e-mail", "a last name, a company or an e-mail is needed"),
    ],
)
def test_the_reasons_are_in_the_importing_users_language(
    tmp_path, rep, default_process, language, invalid, nobody
):
    rows = [["Martin", "Paul", "Acme", "pas-un-courriel"], ["", "", "", ""], ["", "Zoé", "", ""]]
    path = write(tmp_path / "f.csv", rows)
    with translation.override(language):
        report = prospects_import(path=path, actor=rep, valid_only=True)
    reasons = {r["row"]: r["reason"] for r in report.refused_rows}
    assert invalid in reasons[2]
    assert reasons[4] == nobody


def test_an_error_in_a_later_chunk_leaves_nothing_written(
    tmp_path, rep, default_process, monkeypatch
):
    rows = [[f"Martin{i}", "Paul", "Acme", f"p{i}@acme.fr"] for i in range(imports.BATCH_SIZE + 50)]
    path = write(tmp_path / "f.csv", rows)
    real_check = importing.check_row

    def check_row(number, raw, mapping, lookups):
        if number == imports.BATCH_SIZE + 30:
            raise RuntimeError("the disk went away")
        return real_check(number, raw, mapping, lookups)

    monkeypatch.setattr(importing, "check_row", check_row)
    written = []
    real_write = imports._write
    monkeypatch.setattr(
        imports, "_write", lambda rows, *a: written.append(len(rows)) or real_write(rows, *a)
    )
    with pytest.raises(RuntimeError, match="the disk went away"):
        prospects_import(path=path, actor=rep, valid_only=True)
    assert written == [imports.BATCH_SIZE]  # the first chunk was written, then rolled back
    assert not Prospect.objects.exists()
    assert not any(t.name == "import-read-ahead" for t in threading.enumerate())


@pytest.mark.parametrize(
    "address",
    [
        "paul@acme.fr",
        "Paul.Martin+crm@sous.domaine.acme.co.uk",
        "a@b.c",
        "a@-acme.fr",
        "a@acme-.fr",
        "a..b@acme.fr",
        ".a@acme.fr",
        "a@acme",
        "a@localhost",
        '"paul martin"@acme.fr',
        "a@[192.168.0.1]",
        "a@[999.1.1.1]",
        "zoé@été.fr",
        "a@xn--bcher-kva.ch",
        "a@b@acme.fr",
        "a@acme.fr\n",
        "a@ac\nme.fr",
        "a@acme.f",
        "x" * 310 + "@acme.fr",
        "x" * 315 + "@acme.fr",
    ],
)
def test_the_quick_email_check_agrees_with_djangos(address, rep):
    try:
        validate_email(importing.text(address))  # the cell as the check reads it
        expected = True
    except ValidationError:
        expected = False
    row = importing.check_row(2, [address], {"0": "email"}, importing.Lookups.load())
    assert (not row.errors) == expected
