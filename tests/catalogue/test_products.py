"""The catalogue pages (`catalogue.views`): every user reads the list, with its search and
filters; only managers create and change products; 0 % VAT needs its exemption mention."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue.models import Product, ProductFamily
from tests.quotes.factories import ProductFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
EXEMPTION_REQUIRED = "At 0 % VAT, say why: the exemption mention is required."


def product_data(**changes) -> dict:
    data = {
        "code": "FORM-SEC",
        "label": "Formation sécurité",
        "family": "",
        "unit": "jour",
        "unit_price": "1 200,50",
        "vat_rate": "20.00",
        "vat_exemption": "",
        "active": "on",
        "description": "Une journée sur site.",
    }
    return {**data, **changes}


@pytest.fixture
def catalogue(db):
    services = ProductFamily.objects.create(name="Services", position=1)
    hardware = ProductFamily.objects.create(name="Matériel", position=2)
    return {
        "audit": ProductFactory(code="AUD-1", label="Audit de sécurité", family=services),
        "training": ProductFactory(
            code="FORM-1",
            label="Formation Élagage",
            family=services,
            vat_rate=Decimal("0.00"),
            vat_exemption="Exonération de TVA, art. 261-4-4° du CGI",
        ),
        "truck": ProductFactory(code="CAM-1", label="Camion benne", family=hardware),
        "old": ProductFactory(code="OLD-1", label="Ancien audit", family=services, active=False),
    }


def codes(html: str, catalogue: dict) -> set[str]:
    return {p.code for p in catalogue.values() if f'data-product="{p.pk}"' in html}


def test_reps_read_the_list_without_the_managers_buttons(rep_client, catalogue):
    response = rep_client.get(reverse("product_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert codes(html, catalogue) == {"AUD-1", "FORM-1", "CAM-1", "OLD-1"}
    assert reverse("product_create") not in html
    assert reverse("product_edit", args=[catalogue["audit"].pk]) not in html
    assert "Exonération de TVA, art. 261-4-4° du CGI" in html


def test_the_main_navigation_leads_to_the_catalogue(rep_client):
    html = rep_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("product_list")}"' in html


def test_search_and_filters(rep_client, catalogue):
    url = reverse("product_list")
    # Accents and case ignored, every word must match the code or the label.
    html = rep_client.get(url, {"q": "ELAGAGE"}, **HX).content.decode()
    assert codes(html, catalogue) == {"FORM-1"}
    html = rep_client.get(url, {"q": "audit"}).content.decode()
    assert codes(html, catalogue) == {"AUD-1", "OLD-1"}
    html = rep_client.get(url, {"q": "audit", "active": "yes"}).content.decode()
    assert codes(html, catalogue) == {"AUD-1"}
    html = rep_client.get(url, {"active": "no"}).content.decode()
    assert codes(html, catalogue) == {"OLD-1"}
    family = catalogue["truck"].family
    html = rep_client.get(url, {"family": family.pk}).content.decode()
    assert codes(html, catalogue) == {"CAM-1"}
    # The htmx answer is the rows alone.
    html = rep_client.get(url, {"q": "camion"}, **HX).content.decode()
    assert html.lstrip().startswith('<div id="rows">')


def test_bad_filters_are_not_an_error(rep_client, catalogue):
    response = rep_client.get(reverse("product_list"), {"family": "x", "active": "?", "page": "9"})
    assert response.status_code == 200


def test_the_list_takes_as_many_queries_with_many_products(
    rep_client, catalogue, django_assert_max_num_queries
):
    family = catalogue["audit"].family
    for i in range(30):
        ProductFactory(code=f"X-{i}", label=f"Produit {i}", family=family)
    with django_assert_max_num_queries(12):
        assert rep_client.get(reverse("product_list")).status_code == 200


def test_a_rep_may_not_create_nor_change_a_product(rep_client, catalogue):
    audit = catalogue["audit"]
    assert rep_client.get(reverse("product_create")).status_code == 403
    assert rep_client.post(reverse("product_create"), product_data()).status_code == 403
    edit = reverse("product_edit", args=[audit.pk])
    assert rep_client.get(edit).status_code == 403
    response = rep_client.post(edit, product_data(code="AUD-1", unit_price="1"))
    assert response.status_code == 403
    assert not Product.objects.filter(code="FORM-SEC").exists()
    audit.refresh_from_db()
    assert audit.unit_price == Decimal("850.00")


def test_a_manager_creates_a_product_typed_the_french_way(manager_client, catalogue):
    family = catalogue["audit"].family
    response = manager_client.post(
        reverse("product_create"), product_data(family=family.pk), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 302
    product = Product.objects.get(code="FORM-SEC")
    assert product.unit_price == Decimal("1200.50")
    assert product.vat_rate == Decimal("20.00") and product.family == family and product.active


def test_a_manager_changes_a_product(manager_client, catalogue):
    audit = catalogue["audit"]
    edit = reverse("product_edit", args=[audit.pk])
    page = manager_client.get(edit)
    assert page.status_code == 200
    seen = page.context["form"]["seen"].value()
    data = product_data(code="AUD-1", label="Audit", unit_price="900", vat_rate="10.00", seen=seen)
    assert manager_client.post(edit, data).status_code == 302
    audit.refresh_from_db()
    assert audit.unit_price == Decimal("900") and audit.vat_rate == Decimal("10.00")
    # Saved again from the form opened before that change: refused, told who and when.
    response = manager_client.post(edit, {**data, "unit_price": "1"})
    assert response.status_code == 409
    audit.refresh_from_db()
    assert audit.unit_price == Decimal("900")


def test_zero_vat_without_its_mention_is_refused_next_to_the_field(manager_client):
    response = manager_client.post(reverse("product_create"), product_data(vat_rate="0.00"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["vat_exemption"] == [EXEMPTION_REQUIRED]
    assert EXEMPTION_REQUIRED in response.content.decode()
    assert not Product.objects.exists()
    mention = "Exonération de TVA, art. 261-4-4° du CGI"
    data = product_data(vat_rate="0.00", vat_exemption=mention)
    assert manager_client.post(reverse("product_create"), data).status_code == 302
    assert Product.objects.get().vat_exemption == mention


def test_a_rate_that_is_not_french_is_refused(manager_client):
    response = manager_client.post(reverse("product_create"), product_data(vat_rate="19.60"))
    assert response.status_code == 200 and "vat_rate" in response.context["form"].errors
    assert not Product.objects.exists()


def test_a_taken_code_is_refused(manager_client, catalogue):
    response = manager_client.post(reverse("product_create"), product_data(code="AUD-1"))
    assert response.status_code == 200 and "code" in response.context["form"].errors


def test_unknown_product_is_404_for_a_manager(manager_client):
    assert manager_client.get(reverse("product_edit", args=[999999])).status_code == 404


def test_search_as_you_type_lists_matching_active_products_only(rep_client, catalogue):
    url = reverse("product_search")
    html = rep_client.get(url, {"q": "audit"}, **HX).content.decode()
    assert f'data-product-pick="{catalogue["audit"].pk}"' in html
    assert f'data-product-pick="{catalogue["old"].pk}"' not in html  # inactive
    assert "CAM-1" not in html
    # Accent- and case-insensitive, on the code too.
    html = rep_client.get(url, {"q": "élag"}, **HX).content.decode()
    assert f'data-product-pick="{catalogue["training"].pk}"' in html
    html = rep_client.get(url, {"q": "cam-1"}, **HX).content.decode()
    assert f'data-product-pick="{catalogue["truck"].pk}"' in html
    # What picking copies, the price as the price field shows it in the user's language.
    html = rep_client.get(url, {"q": "cam"}, HTTP_ACCEPT_LANGUAGE="fr", **HX).content.decode()
    assert 'data-label="Camion benne"' in html and 'data-unit="jour"' in html
    assert 'data-price="850"' in html and 'data-vat="20.00"' in html
    # Nothing typed, nothing listed; nothing found, said so.
    assert "data-product-pick" not in rep_client.get(url, {"q": " "}, **HX).content.decode()
    html = rep_client.get(url, {"q": "zzz"}, **HX).content.decode()
    assert "data-product-pick" not in html and "free text" in html


def test_search_is_for_signed_in_users(client, catalogue):
    response = client.get(reverse("product_search"), {"q": "audit"})
    assert response.status_code == 302
