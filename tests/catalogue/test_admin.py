"""The catalogue in the admin (`catalogue.admin`): managers only, products written by the
catalogue services (0 % VAT needs its mention), deactivated rather than deleted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue.models import Product
from tests.admin_forms import admin_form_data, errors_of
from tests.quotes.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_manager_changes_a_product_in_the_admin(manager_client):
    product = ProductFactory()
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    data = admin_form_data(manager_client.get(url))
    data |= {"unit_price": "900.50", "vat_rate": "0.00", "vat_exemption": ""}
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert errors_of(response) == "At 0 % VAT, say why: the exemption mention is required."
    product.refresh_from_db()
    assert product.vat_rate == Decimal("20.00")
    data["vat_exemption"] = "TVA non applicable, art. 293 B du CGI"
    assert manager_client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert product.unit_price == Decimal("900.50") and product.vat_rate == 0


def test_products_are_deactivated_not_deleted(manager_client):
    product = ProductFactory()
    changelist = reverse("admin:catalogue_product_changelist")
    response = manager_client.post(
        changelist, {"action": "deactivate", "_selected_action": [product.pk]}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert not product.active
    delete = reverse("admin:catalogue_product_delete", args=[product.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def test_the_admin_index_shows_the_catalogue_and_the_seller_to_managers(manager_client):
    html = manager_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:catalogue_product_changelist") in html
    assert reverse("admin:quotes_seller_changelist") in html
    assert reverse("admin:quotes_quote_changelist") in html
