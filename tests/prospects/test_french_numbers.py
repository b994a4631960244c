"""Amounts, numbers and dates typed the French way on the prospect side: the board's "add an
opportunity" dialog (`prospects.views.board`), the prospect card's new opportunity and its extra
fields (`prospects.views.prospects`). Stored exactly, shown back the French way, refused next to
the field when ambiguous."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from contacts.models import ExtraField, Prospect
from pipeline.models import Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
HX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"


@pytest.fixture
def prospect(rep, default_process):
    return f.ProspectFactory(owner=rep, last_name="ROUGE", company_name="Red SA")


def test_board_dialog_reads_a_french_amount_and_date(rep_client, prospect, default_process):
    url = reverse("board_opportunity_create", args=[default_process.pk])
    dialog = rep_client.get(url, **FR, **HX).content.decode()
    amount = re.search(r'<input[^>]*name="amount"[^>]*>', dialog).group(0)
    assert 'inputmode="decimal"' in amount and 'type="number"' not in amount
    step = default_process.steps.order_by("position").first()
    response = rep_client.post(
        url,
        {
            "summary": "Extension",
            "prospect": prospect.pk,
            "step": step.pk,
            "amount": f"25{NBSP}000,50 €",
            "expected_date": "15/06/2027",
        },
        **FR,
        **HX,
    )
    assert response.status_code == 200
    opportunity = Opportunity.objects.get(summary="Extension")
    assert opportunity.amount == Decimal("25000.50")
    assert opportunity.expected_date == dt.date(2027, 6, 15)
    card = rep_client.get(opportunity.get_absolute_url(), **FR).content.decode()
    assert f'value="25{NBSP}000,50"' in card


def test_board_dialog_refuses_an_ambiguous_amount_next_to_the_field(
    rep_client, prospect, default_process
):
    url = reverse("board_opportunity_create", args=[default_process.pk])
    step = default_process.steps.order_by("position").first()
    response = rep_client.post(
        url,
        {
            "summary": "Extension",
            "prospect": prospect.pk,
            "step": step.pk,
            "amount": "1,234.5",
            "expected_date": "15/06/2027",
        },
        **FR,
        **HX,
    )
    html = response.content.decode()
    assert "has-error" in html and "Nombre ambigu" in html
    assert 'value="1,234.5"' in html
    assert 'value="2027-06-15"' in html  # the typed date is kept, in the picker's format
    assert not Opportunity.objects.filter(summary="Extension").exists()


def test_new_opportunity_from_the_prospect_card_reads_a_french_amount(
    rep_client, prospect, default_process
):
    response = rep_client.post(
        reverse("prospect_opportunity_create", args=[prospect.pk]),
        {
            "summary": "Second project",
            "process": default_process.pk,
            "amount": "25 000,50",
            "expected_date": "15/06/2027",
        },
        **FR,
    )
    opportunity = Opportunity.objects.get(summary="Second project")
    assert response.status_code == 302
    assert opportunity.amount == Decimal("25000.50")
    assert opportunity.expected_date == dt.date(2027, 6, 15)
    # Shown back as typed on the prospect's card and panel, not rounded to 25 001 €.
    card = rep_client.get(reverse("prospect_detail", args=[prospect.pk]), **FR).content.decode()
    assert f"25{NBSP}000,50{NBSP}€" in card and "15/06/2027" in card
    panel = rep_client.get(reverse("prospect_panel", args=[prospect.pk]), **FR).content.decode()
    assert f"25{NBSP}000,50{NBSP}€" in panel


def test_new_opportunity_with_an_ambiguous_amount_says_so_next_to_the_field(
    rep_client, prospect, default_process
):
    response = rep_client.post(
        reverse("prospect_opportunity_create", args=[prospect.pk]),
        {"summary": "Second project", "process": default_process.pk, "amount": "12,34,5"},
        **FR,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nombre ambigu" in html and 'value="12,34,5"' in html
    assert 'value="Second project"' in html  # nothing typed is lost
    assert not Opportunity.objects.filter(summary="Second project").exists()


def test_number_extra_field_typed_the_french_way(rep_client, prospect):
    extra = ExtraField.objects.create(label="Surface (m²)", type=ExtraField.Type.NUMBER)
    url = reverse("prospect_detail", args=[prospect.pk]) + "?tab=extra"
    response = rep_client.post(
        url,
        {"tab": "extra", f"extra_{extra.pk}": "1 234,5", "version": prospect.version},
        **FR,
    )
    assert response.status_code == 302
    prospect = Prospect.objects.get(pk=prospect.pk)
    assert prospect.extra[str(extra.pk)] == 1234.5
    html = rep_client.get(url, **FR).content.decode()
    field = re.search(rf'<input[^>]*name="extra_{extra.pk}"[^>]*>', html).group(0)
    assert f'value="1{NBSP}234,5"' in field and 'type="number"' not in field
    response = rep_client.post(
        url,
        {"tab": "extra", f"extra_{extra.pk}": "1,234.5", "version": prospect.version},
        **FR,
    )
    assert response.status_code == 422 and "Nombre ambigu" in response.content.decode()
    assert Prospect.objects.get(pk=prospect.pk).extra[str(extra.pk)] == 1234.5
