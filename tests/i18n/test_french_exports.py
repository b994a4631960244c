"""Exports in the user's language (issue 19): French headers, "oui"/"non", a decimal comma
(no grouping, so every spreadsheet reads a number; XLSX amounts are numbers shown "12 150,50"
by a French Excel), French phones in the national format (nothing to guard) while formulas
stay guarded; and a French export imports back to the same data."""

import codecs
import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from contacts.models import Prospect
from prospects import services as prospect_services
from prospects.imports import prospects_import
from tests import factories as f

pytestmark = pytest.mark.django_db
FORMULA = "=1+2"


@pytest.fixture
def french(settings):
    settings.LANGUAGE_CODE = "fr"
    with translation.override("fr"):
        yield


@pytest.fixture
def prospect(rep, default_process):
    prospect = prospect_services.prospect_create(
        actor=rep,
        civility="Mme",
        last_name="Hisson",
        first_name="Paule",
        company_name="Transports Hisson S.A.R.L.",
        email="paule@hisson.fr",
        phone="+33188334455",
        mobile="+442079460958",
        city="Lyon",
    )
    f.OpportunityFactory(
        prospect=prospect, owner=rep, amount=Decimal("12150.50"), summary="Flotte de camions"
    )
    return prospect


def csv_of(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_french_csv_reads_french(french, rep_client, prospect):
    (line,) = csv_of(rep_client.get(reverse("prospect_export")))
    assert list(line)[:8] == [
        "Civilité",
        "Nom",
        "Prénom",
        "Société",
        "Fonction",
        "E-mail",
        "Téléphone",
        "Mobile",
    ]
    assert line["Nom"] == "Hisson" and line["Société"] == "Transports Hisson S.A.R.L."
    assert line["Téléphone"] == "01 88 33 44 55"  # national: no ' guard needed
    assert line["Mobile"] == "'+44 20 7946 0958"  # foreign: international, guarded
    assert line["Montant"] == "12150,50"
    assert line["Approche directe"] == "non"
    assert line["Statut"] == "En cours" or line["Statut"] != "open"


def test_formulas_stay_guarded_in_french(french, rep_client, prospect):
    Prospect.objects.filter(pk=prospect.pk).update(last_name=FORMULA, notes="-1")
    (line,) = csv_of(rep_client.get(reverse("prospect_export")))
    assert line["Nom"] == "'" + FORMULA and line["Notes"] == "'-1"


def test_the_english_csv_is_unchanged(rep_client, prospect):
    (line,) = csv_of(rep_client.get(reverse("prospect_export")))
    assert line["Last name"] == "Hisson" and line["Amount"] == "12150.50"
    assert line["Phone"] == "'+33188334455" and line["Direct approach"] == "no"


def test_a_french_export_imports_back(french, rep_client, rep, prospect, tmp_path):
    content = b"".join(rep_client.get(reverse("prospect_export")).streaming_content)
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    prospect_services.prospects_trash(prospect_ids=[prospect.pk], actor=rep)
    report = prospects_import(path=path, actor=rep)
    assert report.refused == 0, report.refused_rows
    again = Prospect.objects.get()
    assert (again.last_name, again.phone, again.mobile, again.company_name) == (
        "Hisson",
        "+33188334455",
        "+442079460958",
        "Transports Hisson S.A.R.L.",
    )
    assert again.opportunities.get().amount == Decimal("12150.50")


def test_the_french_xlsx_reads_french(french, rep_client, prospect):
    response = rep_client.get(reverse("prospect_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    cells = {header[cell.column - 1]: cell for cell in sheet[2]}
    assert cells["Téléphone"].value == "01 88 33 44 55" and not cells["Téléphone"].quotePrefix
    assert cells["Montant"].data_type == "n" and cells["Montant"].value == 12150.5
    assert cells["Montant"].number_format == "#,##0.00"  # "12 150,50" in a French Excel


def test_the_french_forecast_csv(french, rep_client, prospect):
    response = rep_client.get(reverse("forecast_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Mois", "Opportunités", "Montant", "Montant pondéré", "Glissées"]
    amounts = {row[2] for row in rows[1:]}
    assert "12150,50" in amounts


def test_the_french_mailing_csv(french, rep_client, rep):
    company = f.CompanyFactory(owner=rep)
    person = f.PersonFactory(owner=rep, mailing_opt_in=True, active=True)
    f.AffiliationFactory(person=person, company=company)
    response = rep_client.get(reverse("mailing_export"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert header[:3] == ["Civilité", "Prénom", "Nom"]
