"""The PDFs (`quotes.pdf`, `quotes.views.documents`): a quote carries every mention a French
B2B quote needs, in its own language, French amounts and dates; a draft says it is not valid; no
PDF is drawn with a blank where a legal mention belongs (the card says what to fix); an accepted
quote is served as it was frozen; Prextra's opportunity sheet prints the card. Read back with
pypdf."""

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from pipeline.models import StepProgress
from quotes import pdf
from quotes.models import Quote, Seller
from quotes.parties import client_data, seller_data, seller_get
from tests import factories as f
from tests.quotes.factories import SellerFactory, draft_quote

pytestmark = pytest.mark.django_db

LINES = [
    ("Journée de conseil", "10", "850.00", "0", "20.00"),
    ("Licence logicielle", "3", "1250.00", "10", "20.00"),
    ("Formation des utilisateurs", "1", "275.00", "0", "0.00"),
]
EXEMPTION = "Exonération de TVA, art. 261-4-4° a du CGI"
# A 1×1 transparent PNG: the seller's logo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def pdf_text(data: bytes) -> str:
    """The PDF's text, its spaces (French non-breaking ones included) made plain and single."""
    reader = PdfReader(BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.fixture
def seller(db):
    return SellerFactory()


@pytest.fixture
def client_company(db):
    company = f.CompanyFactory(
        name="Transports Rouge SA", siren="552100554", vat_number="FR96552100554"
    )
    f.AddressFactory(company=company, line1="3 quai Perrache", postal_code="69002", city="Lyon")
    return company


@pytest.fixture
def opportunity(rep, default_process, client_company):
    person = f.PersonFactory(first_name="Jeanne", last_name="Rouge", email="jeanne@rouge.fr")
    return f.OpportunityFactory(
        prospect=None,
        company=client_company,
        person=person,
        owner=rep,
        summary="Réorganisation des tournées",
    )


def make_quote(opportunity, *, lines=LINES, language="fr", discount=Decimal(0)) -> Quote:
    quote = draft_quote(opportunity, lines, discount=discount)
    quote.language = language
    quote.save()
    first, *_, last = quote.lines.all()
    first.unit = "jour"
    first.save()
    if Decimal(last.vat_rate) == 0:
        last.vat_exemption = EXEMPTION
        last.save()
    return quote


def issue(quote: Quote, number: str = "D-2026-0001") -> Quote:
    """What `quote_issue` does to a quote, set directly (the parties frozen, a number, dates)."""
    quote.number = number
    quote.status = Quote.Status.SENT
    quote.issue_date = dt.date(2026, 1, 15)
    quote.valid_until = dt.date(2026, 2, 14)
    quote.seller_snapshot = seller_data(seller_get())
    quote.client_snapshot = client_data(quote.opportunity, quote.recipient)
    quote.save()
    return quote


def get_pdf(client, quote):
    return client.get(reverse("quote_pdf", args=[quote.pk]))


def test_issued_quote_carries_every_mention_in_french(rep_client, seller, opportunity):
    quote = issue(make_quote(opportunity))

    response = get_pdf(rep_client, quote)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="D-2026-0001.pdf"'
    text = pdf_text(response.content)
    seller_mentions = [
        "Jalon Démo SAS",
        "12 rue de la République",
        "69002 Lyon",
        "SAS au capital de 10 000,00 €",
        "SIREN 732 829 320",
        "RCS Lyon 732 829 320",
        "FR44732829320",
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPP",
    ]
    client_mentions = ["Transports Rouge SA", "3 quai Perrache", "552 100 554", "FR96552100554"]
    quote_mentions = ["Devis", "D-2026-0001", "15/01/2026", "valable jusqu’au 14/02/2026"]
    for mention in seller_mentions + client_mentions + quote_mentions:
        assert mention in text, mention
    for item, *_ in LINES:
        assert item in text, item
    lines = [
        "10 jour 850,00 € 20 % 8 500,00 €",  # quantity, unit, unit price, VAT rate, total
        "3 1 250,00 € 10 % 20 % 3 375,00 €",  # with its discount
        "1 275,00 € 0 % 275,00 €",
    ]
    for line in lines:
        assert line in text, line
    assert EXEMPTION in text
    # Totals per VAT rate (base, VAT), then excl. VAT, VAT, incl. VAT.
    assert "20 % 11 875,00 € 2 375,00 €" in text
    assert "0 % 275,00 € 0,00 €" in text
    assert "Total HT 12 150,00 €" in text
    assert "Total TVA 2 375,00 €" in text
    assert "Total TTC 14 525,00 €" in text
    # Payment terms, penalties, the 40 € indemnity, the client's agreement, the pages.
    assert "Paiement à 30 jours" in text
    assert "trois fois le taux d’intérêt légal" in text
    assert "indemnité forfaitaire pour frais de recouvrement de 40 €" in text
    assert "Bon pour accord" in text
    assert "Nom et qualité du signataire" in text
    assert re.search(r"Page 1 / 1\b", text)
    assert "BROUILLON" not in text


def test_the_40_euro_indemnity_is_printed_even_when_the_seller_s_text_omits_it(seller, opportunity):
    Seller.objects.filter(pk=1).update(late_penalty="Pénalités : trois fois le taux légal.")
    text = pdf_text(pdf.quote_pdf(make_quote(opportunity)))

    assert "Pénalités : trois fois le taux légal." in text
    assert "indemnité forfaitaire pour frais de recouvrement de 40 € est due" in text


def test_overall_discount_is_shown_and_reduces_each_rate_s_base(seller, opportunity):
    quote = make_quote(opportunity, discount=Decimal("5"))

    text = pdf_text(pdf.quote_pdf(quote))

    assert "Total des lignes HT 12 150,00 €" in text
    assert "Remise globale 5 % − 607,50 €" in text
    assert "20 % 11 281,25 € 2 256,25 €" in text
    assert "Total HT 11 542,50 €" in text
    assert "Total TTC 13 798,75 €" in text


def test_english_quote(seller, opportunity, rep_client):
    quote = issue(make_quote(opportunity, language="en"))

    text = pdf_text(get_pdf(rep_client, quote).content)

    assert "Quote" in text and "D-2026-0001" in text
    assert "valid until 14/02/2026" in text
    assert "Total excl. VAT 12,150.00 €" in text
    assert "Total VAT 2,375.00 €" in text
    assert "Total incl. VAT 14,525.00 €" in text
    assert "fixed indemnity for recovery costs of €40" in text
    assert "Bon pour accord" in text
    assert "RCS Lyon 732 829 320" in text
    assert "SAS with a share capital of 10,000.00 €" in text


def test_a_draft_prints_not_valid_without_number(seller, opportunity, rep_client):
    quote = make_quote(opportunity, language="en")

    response = get_pdf(rep_client, quote)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="devis-brouillon-{quote.pk}.pdf"'
    )
    text = pdf_text(response.content)
    assert "DRAFT — not valid" in text
    assert "D-20" not in text
    assert "Journée de conseil" in text


def test_a_draft_in_french_says_brouillon(seller, opportunity):
    text = pdf_text(pdf.quote_pdf(make_quote(opportunity)))

    assert "BROUILLON — non valable" in text


def test_a_long_quote_numbers_its_pages(seller, opportunity):
    lines = [(f"Article {i}", "2", "100", "0", "20.00") for i in range(50)]
    quote = issue(make_quote(opportunity, lines=lines, language="en"))

    data = pdf.quote_pdf(quote)

    pages = len(PdfReader(BytesIO(data)).pages)
    text = pdf_text(data)
    assert pages >= 2
    assert f"Page 1 / {pages}" in text and f"Page {pages} / {pages}" in text
    assert "Article 0" in text and "Article 49" in text
    assert text.count("RCS Lyon 732 829 320") >= pages  # the legal line on every page


def test_the_seller_s_logo_is_drawn_from_the_media_storage(seller, opportunity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seller.logo.save("logo.png", ContentFile(PNG))
    quote = make_quote(opportunity)

    data = pdf.quote_pdf(quote)

    assert len(PdfReader(BytesIO(data)).pages[0].images) == 1


def test_the_fetcher_serves_the_logo_and_static_files_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "seller").mkdir()
    (tmp_path / "seller" / "logo.png").write_bytes(PNG)
    (tmp_path / "private.txt").write_bytes(b"secret")
    fetcher = pdf.LocalFetcher(media=["seller/logo.png"])

    assert fetcher.fetch(pdf.MEDIA_PREFIX + "seller/logo.png").read() == PNG
    assert fetcher.fetch(pdf.STATIC_PREFIX + "img/jalon.svg").read().startswith(b"<svg")
    for refused in [
        pdf.MEDIA_PREFIX + "private.txt",
        pdf.STATIC_PREFIX + "../manage.py",
        "https://example.com/logo.png",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(refused)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("no_seller", "the seller is not set up"),
        ("no_address", "the client's address"),
        ("no_siren", "the client's SIREN"),
    ],
)
def test_no_pdf_with_a_blank_legal_mention_the_card_says_what_to_fix(
    rep_client, seller, opportunity, client_company, breakage, expected
):
    quote = make_quote(opportunity, language="en")
    if breakage == "no_seller":
        Seller.objects.all().delete()
    elif breakage == "no_address":
        client_company.addresses.all().delete()
    else:
        type(client_company).objects.filter(pk=client_company.pk).update(siren="")

    with pytest.raises(ValidationError) as refusal:
        pdf.quote_pdf(Quote.objects.get(pk=quote.pk))
    response = get_pdf(rep_client, quote)

    assert expected in refusal.value.messages[0]
    assert response.status_code == 302
    assert response["Location"] == quote.get_absolute_url()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [refusal.value.messages[0]]
    card = rep_client.get(reverse("quote_pdf", args=[quote.pk]), follow=True)
    assert card.status_code == 200
    assert expected in card.content.decode().replace("&#x27;", "'")


def test_an_accepted_quote_is_served_as_frozen(rep_client, seller, opportunity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    quote = issue(make_quote(opportunity))
    quote.status = Quote.Status.ACCEPTED
    quote.accepted_at = timezone.now()
    quote.accepted_pdf.save("D-2026-0001.pdf", ContentFile(b"%PDF-1.7 frozen"), save=True)

    response = get_pdf(rep_client, quote)

    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 frozen"
    assert response["Content-Disposition"] == 'attachment; filename="D-2026-0001.pdf"'


def test_rights_another_rep_s_quote_is_not_found(client, other_rep, seller, opportunity, settings):
    settings.REPS_SEE_ONLY_OWN = True
    quote = make_quote(opportunity)
    client.force_login(other_rep)

    assert get_pdf(client, quote).status_code == 404
    assert client.get(reverse("quote_pdf", args=[987654])).status_code == 404
    sheet = reverse("opportunity_sheet_pdf", args=[opportunity.pk])
    assert client.get(sheet).status_code == 404
    assert client.post(reverse("quote_pdf", args=[quote.pk])).status_code == 405


def test_anonymous_users_are_sent_to_login(client, seller, opportunity):
    response = get_pdf(client, make_quote(opportunity))

    assert response.status_code == 302 and "login" in response["Location"]


def test_opportunity_sheet(rep_client, rep, other_rep, seller, opportunity, default_process):
    first, second, *_ = default_process.steps.order_by("position")
    opportunity.step = second
    opportunity.probability = 40
    opportunity.amount = Decimal("12150")
    opportunity.expected_date = dt.date(2026, 6, 30)
    opportunity.project_notes = "Flotte de 40 camions."
    opportunity.save()
    opportunity.lines.create(item="Audit des tournées", quantity=2, unit_price=1500, total=3000)
    StepProgress.objects.create(opportunity=opportunity, step=first, done_by=rep)
    start = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 0))
    f.TaskFactory(opportunity=opportunity, title="Rappeler Jeanne", assignee=rep, start=start)
    f.TaskFactory(
        opportunity=opportunity, title="Secret de Bruno", assignee=other_rep, is_private=True
    )
    f.TaskFactory(opportunity=opportunity, title="Déjà fait", assignee=rep, done=True)
    issue(make_quote(opportunity))

    response = rep_client.get(reverse("opportunity_sheet_pdf", args=[opportunity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="opportunity-{opportunity.pk}.pdf"'
    )
    text = pdf_text(response.content)
    for mention in [
        "Opportunity sheet",
        "Réorganisation des tournées",
        "Transports Rouge SA",
        "3 quai Perrache",
        "552 100 554",
        "Jeanne ROUGE",
        "jeanne@rouge.fr",
        "Alice Durand",  # the owner
        "open",
        default_process.name,
        second.label,
        "40%",
        "12,150.00 €",
        "4,860.00 €",  # weighted
        "30/06/2026",
        "Flotte de 40 camions.",
        "Audit des tournées",
        "3,000.00 €",
        first.label,
        "Rappeler Jeanne",
        "04/05/2026",
        "D-2026-0001",
    ]:
        assert mention in text, mention
    assert "Secret de Bruno" not in text
    assert "Déjà fait" not in text


def test_opportunity_sheet_of_a_prospect(rep_client, rep, default_process):
    prospect = f.ProspectFactory(
        owner=rep, company_name="Boulangerie Dupain", last_name="Dupain", first_name="Paul"
    )
    opportunity = f.OpportunityFactory(prospect=prospect, owner=rep, summary="Four à pain")

    response = rep_client.get(reverse("opportunity_sheet_pdf", args=[opportunity.pk]))

    text = pdf_text(response.content)
    assert "Four à pain" in text and "Boulangerie Dupain" in text and "Paul DUPAIN" in text


def test_the_opportunity_card_links_to_its_sheet(rep_client, opportunity):
    response = rep_client.get(opportunity.get_absolute_url())

    assert reverse("opportunity_sheet_pdf", args=[opportunity.pk]) in response.content.decode()
