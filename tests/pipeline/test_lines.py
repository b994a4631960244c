"""Opportunity lines from the catalogue (`pipeline.services.lines`, the card's line views): a
line picks an active product, copying its label, unit, price and VAT rate, or stays free text;
it carries a VAT rate of France's; it keeps the price it was sold at when the catalogue
changes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue import services as catalogue_services
from pipeline.services import lines as line_services
from pipeline.services.lines import LINE_PRODUCT_INACTIVE, LINE_VAT_RATE_INVALID
from tests import factories as f
from tests.quotes.factories import ProductFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def opportunity(rep, default_process):
    return f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)


@pytest.fixture
def training(db):
    return ProductFactory(
        code="FORM-SEC",
        label="Formation sécurité",
        unit="jour",
        unit_price=Decimal("1200.00"),
        vat_rate=Decimal("0.00"),
        vat_exemption="Exonération de TVA, art. 261-4-4° du CGI",
    )


def test_a_line_from_a_product_copies_its_values(rep, opportunity, training):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"product": training, "quantity": 2}
    )
    assert line.product == training
    assert (line.item, line.unit, line.unit_price, line.vat_rate) == (
        "Formation sécurité",
        "jour",
        Decimal("1200.00"),
        Decimal("0.00"),
    )
    assert line.total == Decimal("2400.00")
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("2400.00")


def test_values_typed_with_the_product_win(rep, opportunity, training):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={"product": training, "item": "Formation sur mesure", "unit_price": Decimal("999")},
    )
    assert line.item == "Formation sur mesure" and line.unit_price == Decimal("999")
    assert line.unit == "jour" and line.vat_rate == Decimal("0.00")


def test_a_line_keeps_the_price_it_was_sold_at(rep, manager, opportunity, training):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"product": training, "quantity": 1}
    )
    catalogue_services.product_update(
        product_id=training.pk,
        actor=manager,
        data={"label": "Formation incendie", "unit_price": Decimal("1500"), "vat_rate": "20.00"},
    )
    line.refresh_from_db()
    assert line.item == "Formation sécurité" and line.unit_price == Decimal("1200.00")
    assert line.vat_rate == Decimal("0.00")
    # Changed later (another quantity), it still keeps its own price.
    line_services.opportunity_line_update(
        line_id=line.pk, actor=rep, data={"product": training, "quantity": 3}
    )
    line.refresh_from_db()
    assert line.unit_price == Decimal("1200.00") and line.total == Decimal("3600.00")


def test_an_inactive_product_cannot_be_picked(rep, manager, opportunity, training):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"product": training}
    )
    catalogue_services.product_update(product_id=training.pk, actor=manager, data={"active": False})
    other = f.OpportunityFactory(prospect=opportunity.prospect, owner=rep)
    with pytest.raises(ValidationError) as refused:
        line_services.opportunity_line_add(
            opportunity_id=other.pk, actor=rep, data={"product": training}
        )
    assert refused.value.message_dict == {"product": [str(LINE_PRODUCT_INACTIVE)]}
    assert not other.lines.exists()
    # A line that picked it before keeps it, and can still be changed.
    line_services.opportunity_line_update(
        line_id=line.pk, actor=rep, data={"product": training, "quantity": 2}
    )
    line.refresh_from_db()
    assert line.product == training and line.quantity == 2


@pytest.mark.parametrize("rate", ["20.00", "10", "5.5", "2.10", "0"])
def test_every_french_vat_rate_is_saved(rep, opportunity, rate):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"item": "Libre", "vat_rate": rate}
    )
    line.refresh_from_db()
    assert line.vat_rate == Decimal(rate) and line.product is None


@pytest.mark.parametrize("rate", ["19.6", "7", "-20", "abc", "NaN", "sNaN", "Infinity"])
def test_any_other_vat_rate_is_refused(rep, opportunity, rate):
    with pytest.raises(ValidationError) as refused:
        line_services.opportunity_line_add(
            opportunity_id=opportunity.pk, actor=rep, data={"item": "Libre", "vat_rate": rate}
        )
    assert refused.value.message_dict == {"vat_rate": [str(LINE_VAT_RATE_INVALID)]}
    assert not opportunity.lines.exists()


def test_a_free_line_gets_the_standard_rate(rep, opportunity):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"item": "Libre", "unit_price": 10}
    )
    assert line.vat_rate == Decimal("20.00") and line.product is None


def post_line(client, url, **values):
    data = {
        "product": "",
        "item": "Audit",
        "unit": "",
        "quantity": "1",
        "unit_cost": "0",
        "unit_price": "100",
        "adjusted_price": "",
        "discount": "0",
        "vat_rate": "20.00",
    }
    return client.post(url, {**data, **values}, **HX)


def test_the_card_adds_a_line_picked_from_the_catalogue(rep_client, opportunity, training):
    url = reverse("opportunity_line_add", args=[opportunity.pk])
    # What the picker put in the form (static/js/product_picker.js), the quantity typed.
    response = post_line(
        rep_client,
        url,
        product=training.pk,
        item="Formation sécurité",
        unit="jour",
        quantity="2",
        unit_price="1 200",
        vat_rate="0.00",
        **FR,
    )
    assert response.status_code == 200
    line = opportunity.lines.get()
    assert line.product == training and line.vat_rate == Decimal("0.00")
    assert line.total == Decimal("2400.00")
    html = response.content.decode()
    assert "data-line-product" in html and "FORM-SEC" in html
    assert "data-line-vat>0&nbsp;%<" in html  # the line's VAT rate


def test_the_card_refuses_an_inactive_product_next_to_the_picker(rep_client, opportunity, training):
    training.active = False
    training.save()
    url = reverse("opportunity_line_add", args=[opportunity.pk])
    response = post_line(rep_client, url, product=training.pk)
    assert str(LINE_PRODUCT_INACTIVE) in response.content.decode()
    assert not opportunity.lines.exists()


def test_the_card_refuses_a_rate_that_is_not_offered(rep_client, opportunity):
    url = reverse("opportunity_line_add", args=[opportunity.pk])
    response = post_line(rep_client, url, vat_rate="19.60")
    assert "has-error" in response.content.decode()
    assert not opportunity.lines.exists()


def test_the_line_dialog_changes_the_rate_and_unlinks_the_product(
    rep_client, rep, opportunity, training
):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"product": training}
    )
    url = reverse("opportunity_line_edit", args=[line.pk])
    dialog = rep_client.get(url, **HX).content.decode()
    assert "FORM-SEC – Formation sécurité" in dialog  # shown as picked
    assert 'name="product"' in dialog and f'value="{training.pk}"' in dialog
    response = post_line(
        rep_client, url, product="", item="Formation sécurité", unit_price="1200", vat_rate="20.00"
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.product is None and line.vat_rate == Decimal("20.00")


def test_a_line_without_a_rate_in_the_form_keeps_its_own(rep_client, rep, opportunity):
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=rep, data={"item": "Livre", "vat_rate": "5.50"}
    )
    url = reverse("opportunity_line_edit", args=[line.pk])
    data = {"item": "Livre", "quantity": "2", "unit_cost": "0", "unit_price": "10", "discount": "0"}
    assert rep_client.post(url, data, **HX).status_code == 200
    line.refresh_from_db()
    assert line.vat_rate == Decimal("5.50") and line.quantity == 2
