import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from contacts.models import ExtraField, Prospect
from pipeline.models import Opportunity
from prospects import importing, readers
from prospects.imports import prospects_import
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = [
    "Civilité",
    "Nom",
    "Prénom",
    "Société",
    "Courriel",
    "Téléphone",
    "Ville",
    "Résumé projet",
    "Potentiel",
    "Probabilité",
    "Échéance",
    "Suivi",
]
ROWS = [
    [
        "M.",
        "Hisson",
        "Paul",
        "Euro Transports",
        "paul@euro.fr",
        "01 88 33 44 55",
        "Orléans",
        "Maintenance",
        "20 000,50 €",
        "80 %",
        "15/06/2027",
        "alice",
    ],
    [
        "Mme",
        "Énard",
        "Zoé",
        "Société Générale d'Été",
        "zoe@ete.fr",
        "",
        "Besançon",
        "",
        "",
        "",
        "",
        "",
    ],
]


def write_csv(
    tmp_path, rows, *, delimiter=";", encoding="utf-8", bom=False, header=HEADER, name="file.csv"
):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    data = (
        buffer.getvalue().replace("€", "EUR").encode(encoding)
        if encoding == "latin-1"
        else buffer.getvalue().encode(encoding)
    )
    if bom:
        data = codecs.BOM_UTF8 + data
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_xlsx(tmp_path, rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "file.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def alice(db):
    return f.RepFactory(username="alice")


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [
        (";", "utf-8", False),
        (",", "utf-8", True),
        ("\t", "utf-8", False),
        (";", "cp1252", False),
        (",", "latin-1", False),
        (";", "utf-16", False),
        (";", "mac_roman", False),
    ],
)
def test_csv_formats_and_encodings(tmp_path, alice, default_process, delimiter, encoding, bom):
    path = write_csv(tmp_path, ROWS, delimiter=delimiter, encoding=encoding, bom=bom)
    report = prospects_import(path=path, actor=alice)
    assert report.refused == 0, report.refused_rows
    assert report.created == 2
    zoe = Prospect.objects.get(email="zoe@ete.fr")
    assert zoe.last_name == "Énard"
    assert zoe.company_name == "Société Générale d'Été"
    assert zoe.city == "Besançon"
    paul = Prospect.objects.get(email="paul@euro.fr")
    assert paul.civility == "M."
    assert paul.phone == "+33188334455"
    assert paul.owner == alice
    opportunity = paul.opportunities.get()
    assert opportunity.summary == "Maintenance"
    assert opportunity.amount == Decimal("20000.50")
    assert opportunity.probability == 80
    assert opportunity.expected_date == dt.date(2027, 6, 15)
    assert opportunity.process == default_process
    assert not zoe.opportunities.exists()


def test_xlsx(tmp_path, alice, default_process):
    rows = [
        [
            "M.",
            "Hisson",
            "Paul",
            "Euro Transports",
            "paul@euro.fr",
            "0188334455",
            "Orléans",
            "Maintenance",
            20000,
            0.8,
            dt.datetime(2027, 6, 15),
            "alice",
        ]
    ]
    report = prospects_import(path=write_xlsx(tmp_path, rows), actor=alice)
    assert report.created == 1, report.refused_rows
    opportunity = Opportunity.objects.get()
    assert opportunity.amount == Decimal("20000")
    assert opportunity.probability == 80
    assert opportunity.expected_date == dt.date(2027, 6, 15)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Code postal", "postal_code"),
        ("CP", "postal_code"),
        ("ZIP", "postal_code"),
        ("code-postal", "postal_code"),
        ("PRÉNOM", "first_name"),
        ("first name", "first_name"),
        ("Raison sociale", "company_name"),
        ("E-mail", "email"),
        ("courriel", "email"),
        ("Tél.", "phone"),
        ("Portable", "mobile"),
        ("Site web", "website"),
        ("Source", "channel"),
        ("Commentaire", "notes"),
        ("Prévu au", "expected_date"),
        ("P", "probability"),
        ("Recette", "amount"),
        ("Suivi", "owner"),
        ("M./Mme", "civility"),
        ("Whatever", ""),
    ],
)
def test_header_matching(header, field):
    assert importing.match_header(header) == field


def test_extra_field_header(tmp_path, alice, default_process):
    trucks = ExtraField.objects.create(label="Nb camions", type=ExtraField.Type.NUMBER)
    path = write_csv(tmp_path, [["Dupont", "22"]], header=["Nom", "NB CAMIONS"])
    report = prospects_import(path=path, actor=alice)
    assert report.created == 1
    assert Prospect.objects.get().extra == {str(trucks.pk): 22.0}


@pytest.mark.parametrize(
    ("cell_index", "value", "message"),
    [
        (4, "not-an-email", importing.INVALID_EMAIL),
        (5, "12", importing.INVALID_PHONE),
        (10, "31/02/2027", importing.INVALID_DATE),
        (8, "lots", importing.INVALID_AMOUNT),
        (9, "150", importing.INVALID_PROBABILITY),
        (11, "nobody", importing.UNKNOWN_OWNER),
    ],
)
def test_bad_rows_are_refused_with_their_reason(
    tmp_path, alice, default_process, cell_index, value, message
):
    row = list(ROWS[0])
    row[cell_index] = value
    path = write_csv(tmp_path, [row, ROWS[1]])
    report = prospects_import(path=path, actor=alice)
    assert report.refused == 1
    assert str(message) in report.refused_rows[0]["reason"]
    assert report.refused_rows[0]["row"] == 2
    # All-or-nothing: the good row is not written either.
    assert report.created == 0
    assert not Prospect.objects.exists()


def test_row_without_identity_is_refused(tmp_path, alice):
    path = write_csv(tmp_path, [["", "", "", "", "", "", "Paris", "", "", "", "", ""]])
    report = prospects_import(path=path, actor=alice)
    assert str(importing.NO_IDENTITY) in report.refused_rows[0]["reason"]


def test_valid_only_writes_good_rows_and_reports_the_others(tmp_path, alice, default_process):
    bad = list(ROWS[0])
    bad[4] = "broken@"
    path = write_csv(tmp_path, [bad, ROWS[1]])
    report_file = io.StringIO()
    report = prospects_import(path=path, actor=alice, valid_only=True, report_file=report_file)
    assert report.created == 1
    assert list(Prospect.objects.values_list("email", flat=True)) == ["zoe@ete.fr"]
    lines = report_file.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("2;")
    assert "broken@" in lines[1]


def test_refused_rows_report_goes_through_the_guarded_writer(tmp_path, alice, default_process):
    bad = list(ROWS[0])
    bad[1] = '=HYPERLINK("http://evil.example","x")'
    bad[4] = "broken@"
    report_file = io.StringIO()
    prospects_import(
        path=write_csv(tmp_path, [bad, ROWS[1]]),
        actor=alice,
        valid_only=True,
        report_file=report_file,
    )
    header, line = list(csv.reader(io.StringIO(report_file.getvalue()), delimiter=";"))
    assert header[2:] == HEADER
    assert line[0] == "2" and str(importing.INVALID_EMAIL) in line[1]
    assert line[3] == '\'=HYPERLINK("http://evil.example","x")'
    assert line[7] == "01 88 33 44 55"


def test_guarded_values_are_read_back_as_they_were(tmp_path, alice, default_process):
    """An export puts `'` before text a spreadsheet would run; the import takes it off again."""
    row = [
        "M.",
        "'-Dupont",
        "Jean",
        "'=Acme",
        "jean@acme.fr",
        "'+33 1 23 45 67 89",
        "O'Neil",
        "",
        "",
        "",
        "",
        "",
    ]
    for path in (write_csv(tmp_path, [row]), write_xlsx(tmp_path, [row])):
        Prospect.objects.all().delete()
        report = prospects_import(path=path, actor=alice)
        assert report.created == 1, report.refused_rows
        prospect = Prospect.objects.get()
        assert (prospect.last_name, prospect.company_name, prospect.city) == (
            "-Dupont",
            "=Acme",
            "O'Neil",
        )
        assert prospect.phone == "+33123456789"


def test_duplicates_within_file_and_against_database(tmp_path, alice, default_process):
    f.ProspectFactory(email="paul@euro.fr")
    person = f.PersonFactory(email="zoe@ete.fr")
    again = list(ROWS[1])
    again[4] = ""  # same name and company as row 3, no e-mail
    newcomer = ["M.", "Martin", "Luc", "Acme", "luc@acme.fr", "", "", "", "", "", "", ""]
    path = write_csv(tmp_path, [ROWS[0], ROWS[1], newcomer, newcomer])
    report = prospects_import(path=path, actor=alice, valid_only=True)
    reasons = {r["row"]: r["reason"] for r in report.refused_rows}
    assert reasons[2] == str(importing.DUPLICATE_PROSPECT).format(
        id=Prospect.objects.get(email="paul@euro.fr").pk
    )
    assert reasons[3] == str(importing.DUPLICATE_PERSON).format(id=person.pk)
    assert reasons[5] == str(importing.DUPLICATE_IN_FILE).format(row=4)
    assert report.duplicates == 3
    assert report.created == 1


def test_dry_run_writes_nothing(tmp_path, alice, default_process):
    report = prospects_import(path=write_csv(tmp_path, ROWS), actor=alice, dry_run=True)
    assert report.valid == 2
    assert report.created == 0
    assert not Prospect.objects.exists()


def test_command_exit_codes(tmp_path, alice, default_process, capsys):
    bad = list(ROWS[0])
    bad[4] = "broken@"
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_prospects", str(write_csv(tmp_path, [bad, ROWS[1]], name="bad.csv")))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "row 2:" in out and str(importing.INVALID_EMAIL) in out
    assert not Prospect.objects.exists()

    call_command(
        "import_prospects", str(write_csv(tmp_path, ROWS, name="good.csv")), "--owner", "alice"
    )
    assert Prospect.objects.count() == 2
    assert "created: 2" in capsys.readouterr().out


def test_command_valid_only(tmp_path, alice, default_process, capsys):
    bad = list(ROWS[0])
    bad[5] = "xx"
    call_command("import_prospects", str(write_csv(tmp_path, [bad, ROWS[1]])), "--valid-only")
    assert Prospect.objects.count() == 1


def test_detect_encoding():
    assert readers.detect_encoding("é".encode()) == "utf-8"
    assert readers.detect_encoding(codecs.BOM_UTF8 + b"a") == "utf-8-sig"
    assert readers.detect_encoding("é".encode("cp1252")) == "cp1252"
    # Bytes Windows-1252 leaves undefined: read by another code page, or Latin-1 at worst.
    undefined = b"Nom\n\x81\x8d\x8f\x90\x9d\n"
    encoding = readers.detect_encoding(undefined)
    assert encoding != "cp1252"
    undefined.decode(encoding)
    # Nothing plausible (a binary file): Latin-1 decodes it, and the NUL check refuses it.
    assert readers.detect_encoding(b"\x00\xff\xfe\x00\x01\x02" * 50) == "latin-1"


# French text with what tells the Western code pages apart: accents, €, œ, the typographic ’.
FRENCH_ROWS = [
    [
        "Mme",
        "Lefèvre",
        "Zoé",
        "Bœuf & Fils",
        "zoe@boeuf.fr",
        "",
        "Besançon",
        "L’œuvre complète, cœur de l’offre",
        "12 500 €",
        "",
        "",
        "",
    ],
    [
        "M.",
        "Noël",
        "Hervé",
        "Société Générale d’Été",
        "herve@ete.fr",
        "",
        "Saint-Étienne",
        "Reprise à l’identique",
        "1 000 €",
        "",
        "",
        "",
    ],
]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("cp1252", "cp1252"),  # Excel's "CSV" on Windows
        ("utf-16", "utf_16"),  # Excel's "Unicode text" (with its BOM)
        ("mac_roman", "mac_roman"),
    ],
)
def test_legacy_encodings_read_right(tmp_path, encoding, detected):
    path = write_csv(tmp_path, FRENCH_ROWS, encoding=encoding)
    source = readers.open_source(path)
    try:
        assert source.encoding == detected
        assert source.headers == HEADER
        assert list(source.rows) == FRENCH_ROWS
    finally:
        source.close()


def test_utf16_without_bom_is_refused_rather_than_misread(tmp_path):
    path = write_csv(tmp_path, FRENCH_ROWS, encoding="utf-16-le")
    with pytest.raises(ValueError, match="binary content"):
        readers.open_source(path)


def test_encoding_detection_reads_only_the_sample(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(
        readers, "detect_encoding", lambda sample: seen.append(len(sample)) or "cp1252"
    )
    path = write_csv(tmp_path, FRENCH_ROWS * 2000, encoding="cp1252")
    assert path.stat().st_size > readers.SAMPLE_SIZE
    source = readers.open_source(path)
    try:
        assert sum(1 for _row in source.rows) == 4000
    finally:
        source.close()
    assert seen == [readers.SAMPLE_SIZE]


@pytest.mark.parametrize(
    "number",
    [
        "01 88 33 44 55",
        "0188334455",
        "01.88.33.44.55",
        "+33 1 88 33 44 55",
        "+33188334455",
        "06 12 34 56 78",
        "09 70 12 34 56",
        "+33 (0)1 88 33 44 55",
        "+44 20 7946 0958",
        "0 800 123 456",
    ],
)
def test_import_phone_fast_path_agrees_with_phonenumbers(number):
    from contacts.validators import clean_phone

    assert importing.import_phone(number) == clean_phone(number)


# Amounts and probabilities go through `core.numbers.parse_decimal`: a file carries no
# language, so a number is kept only when its French and English readings agree.


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("25 000,50", "25000.50"),
        ("25\u00a0000,50 €", "25000.50"),
        ("25\u202f000,50\u00a0€", "25000.50"),
        ("25000,5", "25000.50"),
        ("25000.50", "25000.50"),
        ("25 000 EUR", "25000.00"),
        ("20,000.50", "20000.50"),
        ("1.234,56", "1234.56"),
        (25000.5, "25000.50"),
        (25000, "25000.00"),
    ],
)
def test_parse_amount_reads_what_both_readings_agree_on(cell, expected):
    amount = importing.parse_amount(cell)
    assert amount == Decimal(expected) and str(amount) == expected


@pytest.mark.parametrize("cell", ["1,234", "25.000", "1,500 €"])
def test_parse_amount_refuses_thousands_or_decimals(cell):
    with pytest.raises(ValueError, match="ambiguous"):
        importing.parse_amount(cell)


@pytest.mark.parametrize("cell", ["lots", "1,234.5,6", "25,000,50", "12,34,5", "25 000,505"])
def test_parse_amount_refuses_what_is_not_an_amount(cell):
    with pytest.raises(ValueError):
        importing.parse_amount(cell)


@pytest.mark.parametrize(
    ("cell", "expected"), [("80 %", 80), ("80%", 80), ("12,5 %", 13), (0.8, 80), ("0", 0)]
)
def test_parse_probability(cell, expected):
    assert importing.parse_probability(cell) == expected


@pytest.mark.parametrize("cell", ["150", "1,234", "abc %", "-5"])
def test_parse_probability_refuses(cell):
    with pytest.raises(ValueError):
        importing.parse_probability(cell)


def test_french_amounts_imported_exactly(tmp_path, alice, default_process):
    rows = []
    for index, amount in enumerate(["25 000,50", "25\u202f000,50\u00a0€", "25000,5", "25000.50"]):
        row = list(ROWS[0])
        row[1], row[4], row[8] = f"Hisson{index}", f"paul{index}@euro.fr", amount
        rows.append(row)
    report = prospects_import(path=write_csv(tmp_path, rows), actor=alice)
    assert report.refused == 0, report.refused_rows
    assert set(Opportunity.objects.values_list("amount", flat=True)) == {Decimal("25000.50")}
    assert Opportunity.objects.count() == 4


def test_an_ambiguous_amount_refuses_the_row_with_its_reason(tmp_path, alice, default_process):
    row = list(ROWS[0])
    row[8] = "1,500"
    report = prospects_import(path=write_csv(tmp_path, [row, ROWS[1]]), actor=alice)
    assert report.refused == 1 and report.created == 0
    assert "1,500" in report.refused_rows[0]["reason"]
    assert "ambiguous" in report.refused_rows[0]["reason"]


def test_number_extra_field_read_like_amounts(tmp_path, alice, default_process):
    trucks = ExtraField.objects.create(label="Nb camions", type=ExtraField.Type.NUMBER)
    path = write_csv(
        tmp_path, [["Dupont", "1 234,5"], ["Durand", "1,234"]], header=["Nom", "Nb camions"]
    )
    report = prospects_import(path=path, actor=alice, valid_only=True)
    assert report.created == 1
    assert Prospect.objects.get().extra == {str(trucks.pk): 1234.5}
    assert report.refused_rows[0]["row"] == 3
