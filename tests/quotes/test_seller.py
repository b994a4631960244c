"""The seller set up by a manager in the admin (`quotes.admin.SellerAdmin`, `Seller.clean`):
one row, never a second one nor deleted; SIREN, SIRET, VAT number, IBAN and BIC checked (and
consistent), the logo a small PNG or JPEG."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts import validators as contact_checks
from contacts.validators import SIREN_KEY, SIRET_OTHER_SIREN, VAT_FR_KEY
from quotes import validators
from quotes.models import Seller
from tests.quotes.factories import SellerFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def seller_data(**changes) -> dict:
    data = {
        "legal_name": "Jalon Démo SAS",
        "legal_form": "SAS",
        "share_capital": "10 000",
        "siren": "732 829 320",
        "siret": "732 829 320 00074",
        "rcs_city": "Lyon",
        "vat_number": "FR 44 732829320",
        "street": "12 rue de la République",
        "street2": "",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "France",
        "email": "ventes@jalon-demo.fr",
        "phone": "",
        "website": "",
        "bank_name": "Crédit Agricole",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        "validity_days": "30",
        "payment_terms": "Paiement à 30 jours.",
        "late_penalty": "Pénalités : trois fois le taux d’intérêt légal ; indemnité de 40 €.",
    }
    return {**data, **changes}


def test_a_manager_sets_the_seller_up_once(manager_client, media):
    add = reverse("admin:quotes_seller_add")
    # The list opens the add form while there is no seller.
    assert manager_client.get(reverse("admin:quotes_seller_changelist"))["Location"] == add
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = manager_client.post(add, seller_data(logo=logo), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302, response.context["adminform"].form.errors
    seller = Seller.objects.get()
    assert seller.pk == 1
    # Stored without the spaces typed.
    assert (seller.siren, seller.siret, seller.vat_number) == (
        "732829320",
        "73282932000074",
        "FR44732829320",
    )
    assert (seller.iban, seller.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    assert str(seller.share_capital) == "10000.00" and seller.logo.name.endswith(".png")
    # Then the list opens it; no second one, never deleted.
    change = reverse("admin:quotes_seller_change", args=[1])
    assert manager_client.get(reverse("admin:quotes_seller_changelist"))["Location"] == change
    assert manager_client.get(add).status_code == 403
    assert manager_client.post(add, seller_data(legal_name="Autre")).status_code == 403
    delete = reverse("admin:quotes_seller_delete", args=[1])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    assert Seller.objects.count() == 1


def test_a_manager_changes_the_seller(manager_client, media):
    SellerFactory()
    change = reverse("admin:quotes_seller_change", args=[1])
    assert manager_client.get(change).status_code == 200
    data = seller_data(city="Villeurbanne", postal_code="69100")
    assert manager_client.post(change, data).status_code == 302
    seller = Seller.objects.get()
    assert seller.city == "Villeurbanne"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "732829321", SIREN_KEY),
        ("siret", "73282932000075", contact_checks.SIRET_KEY),
        ("siret", "54205118000066", lambda: SIRET_OTHER_SIREN % {"siren": "732829320"}),
        ("vat_number", "FR45732829320", VAT_FR_KEY),
        ("vat_number", "FR59542051180", validators.VAT_SIREN_MISMATCH),
        ("iban", "FR7630006000011234567890188", contact_checks.IBAN_INVALID),
        ("bic", "AGRIXXPP", contact_checks.BIC_INVALID),
        ("bic", "DEUTDEFF", contact_checks.BIC_COUNTRY_MISMATCH),
    ],
)
def test_bad_numbers_are_refused_next_to_their_field(manager_client, field, value, message):
    response = manager_client.post(
        reverse("admin:quotes_seller_add"), seller_data(**{field: value})
    )
    assert response.status_code == 200
    message = message() if callable(message) else message
    errors = response.context["adminform"].form.errors
    assert errors[field] == [str(message)]
    assert str(message) in response.content.decode().replace("&#x27;", "'")
    assert not Seller.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.gif", b"GIF89a" + b"\x00" * 32),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("logo.png", b"GIF89a" + b"\x00" * 32),  # named PNG, not one
    ],
)
def test_a_logo_must_be_png_or_jpeg(manager_client, media, name, content):
    logo = SimpleUploadedFile(name, content)
    response = manager_client.post(reverse("admin:quotes_seller_add"), seller_data(logo=logo))
    assert response.context["adminform"].form.errors["logo"] == [str(validators.LOGO_TYPE)]
    assert not Seller.objects.exists()


def test_a_jpeg_logo_is_taken_a_large_one_is_not(manager_client, media):
    add = reverse("admin:quotes_seller_add")
    large = SimpleUploadedFile("logo.jpg", JPEG + b"\x00" * validators.LOGO_MAX_BYTES)
    response = manager_client.post(add, seller_data(logo=large))
    assert "logo" in response.context["adminform"].form.errors
    logo = SimpleUploadedFile("logo.jpeg", JPEG)
    assert manager_client.post(add, seller_data(logo=logo)).status_code == 302


def test_the_model_check_serves_every_writer():
    seller = SellerFactory.build(siren="123456789", iban="FR00")
    with pytest.raises(ValidationError) as refused:
        seller.full_clean()
    assert set(refused.value.message_dict) >= {"siren", "iban"}
    SellerFactory.build().full_clean()  # the factory's seller is valid


def test_reps_have_no_seller_admin(client, rep):
    rep.is_staff = True  # even a rep let into the admin
    rep.save()
    client.force_login(rep)
    assert client.get(reverse("admin:quotes_seller_add")).status_code == 403
    assert client.get(reverse("admin:catalogue_product_changelist")).status_code == 403
    assert client.get(reverse("admin:quotes_quote_changelist")).status_code == 403


def test_quotes_are_read_only_in_the_admin(manager_client, rep, default_process):
    from tests import factories as f
    from tests.quotes.factories import draft_quote

    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    quote = draft_quote(opportunity, [("Audit", "1", "100", "0", "20")])
    listing = manager_client.get(reverse("admin:quotes_quote_changelist"), {"status": "draft"})
    assert (
        listing.status_code == 200
        and reverse("admin:quotes_quote_change", args=[quote.pk]) in listing.content.decode()
    )
    change = reverse("admin:quotes_quote_change", args=[quote.pk])
    page = manager_client.get(change)
    assert page.status_code == 200 and "Audit" in page.content.decode()
    assert manager_client.post(change, {"notes": "changed"}).status_code == 403
    assert manager_client.get(reverse("admin:quotes_quote_add")).status_code == 403
