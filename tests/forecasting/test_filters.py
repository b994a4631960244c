"""The forecast's amount filters (`forecasting.filters.ForecastFilter`): an amount typed the
French way in the URL filters exactly, is shown back the French way, and an ambiguous one is
refused next to the field instead of filtering on a guess."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f

from .conftest import PARIS

pytestmark = pytest.mark.django_db
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture(autouse=True)
def march_10(freeze):
    freeze(dt.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS))


@pytest.fixture
def deals(rep):
    return {
        amount: f.OpportunityFactory(
            owner=rep,
            summary=f"Deal {amount}",
            amount=Decimal(amount),
            probability=50,
            expected_date=dt.date(2026, 6, 15),
        )
        for amount in ("25000.49", "25000.50", "40000")
    }


def listed(response) -> set[str]:
    return {o.summary for o in response.context["filterset"].qs}


def test_amount_from_typed_the_french_way(rep_client, deals):
    response = rep_client.get(reverse("forecast"), {"amount_min": "25 000,50 €"}, **FR)
    assert response.status_code == 200
    assert listed(response) == {"Deal 25000.50", "Deal 40000"}
    html = response.content.decode()
    assert 'value="25 000,50 €"' in html  # what was typed stays in the filter
    assert 'inputmode="decimal"' in html


def test_amount_range_typed_the_french_way(rep_client, deals):
    response = rep_client.get(
        reverse("forecast"), {"amount_min": "25000,5", "amount_max": "30.000"}, **FR
    )
    assert listed(response) == {"Deal 25000.50"}


def test_amount_filters_the_english_way(rep_client, deals):
    response = rep_client.get(reverse("forecast"), {"amount_min": "25,000.50"})
    assert listed(response) == {"Deal 25000.50", "Deal 40000"}


def test_an_ambiguous_amount_is_refused_next_to_the_filter(rep_client, deals):
    response = rep_client.get(reverse("forecast"), {"amount_min": "1,234.5"}, **FR)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has-error" in html and "Nombre ambigu" in html
    # Not a guess: the refused filter filters nothing out.
    assert listed(response) == {"Deal 25000.49", "Deal 25000.50", "Deal 40000"}


def test_an_ambiguous_amount_is_told_when_the_filters_swap_only_the_results(rep_client, deals):
    """The filter bar swaps only the results (htmx): the refusal is said at their top."""
    response = rep_client.get(
        reverse("forecast"), {"amount_min": "1,234.5"}, HTTP_HX_REQUEST="true", **FR
    )
    html = response.content.decode()
    assert 'id="forecast-results"' in html and "data-filter-errors" in html
    assert "Montant à partir de" in html and "Nombre ambigu" in html
    ok = rep_client.get(reverse("forecast"), {"amount_min": "25 000"}, HTTP_HX_REQUEST="true")
    assert "data-filter-errors" not in ok.content.decode()
