"""The opportunity card's numbers (`pipeline.views.opportunities`): amounts, probabilities and
dates typed the French way are stored exactly and shown back the French way; the first line
says beforehand that it replaces the amount typed by hand, and every line change shows the new
amount at once (out-of-band swap of the amount field)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from pipeline.services.lines import AMOUNT_IS_SUM, LINES_REPLACE_AMOUNT
from tests import factories as f

pytestmark = pytest.mark.django_db
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
HX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"
LINE = {"item": "Audit", "quantity": "1", "unit_cost": "0", "discount": "0"}


@pytest.fixture
def opportunity(rep, default_process):
    return f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep, last_name="ROUGE", company_name="Red SA"),
        owner=rep,
        amount=Decimal("25000"),
    )


def card_data(opportunity, **changes):
    data = {
        "summary": opportunity.summary,
        "status": opportunity.status,
        "step": opportunity.step_id or "",
        "interest": opportunity.interest or "",
        "amount": "",
        "probability": opportunity.probability,
        "rating": opportunity.rating,
        "owner": opportunity.owner_id,
        "version": opportunity.version,
    }
    return {**data, **changes}


def amount_input(html: str) -> str:
    return re.search(r'<input[^>]*name="amount"[^>]*>', html).group(0)


def test_french_amount_probability_and_dates_saved_exactly_and_shown_back(rep_client, opportunity):
    url = reverse("opportunity_detail", args=[opportunity.pk])
    data = card_data(
        opportunity,
        amount=f"25\u202f000,50{NBSP}€",
        probability="35 %",
        expected_date="15/06/2027",
        closing_date="2027-07-01",
    )
    response = rep_client.post(url, data, **FR)
    assert response.status_code == 302, response.content.decode()[:2000]
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("25000.50")
    assert opportunity.probability == 35
    assert opportunity.expected_date == dt.date(2027, 6, 15)
    assert opportunity.closing_date == dt.date(2027, 7, 1)
    html = rep_client.get(url, **FR).content.decode()
    field = amount_input(html)
    assert f'value="25{NBSP}000,50"' in field
    assert 'inputmode="decimal"' in field and 'type="text"' in field
    assert f"25{NBSP}000,50{NBSP}€" in html  # the lines' header
    assert 'value="2027-06-15"' in html  # the date picker's own format


@pytest.mark.parametrize("typed", ["25 000,50", "25000,5", "25000.50", "25 000 €"])
def test_every_french_way_of_typing_an_amount(rep_client, opportunity, typed):
    url = reverse("opportunity_detail", args=[opportunity.pk])
    response = rep_client.post(url, card_data(opportunity, amount=typed), **FR)
    assert response.status_code == 302
    opportunity.refresh_from_db()
    expected = Decimal("25000") if typed == "25 000 €" else Decimal("25000.50")
    assert opportunity.amount == expected


@pytest.mark.parametrize("typed", ["1,234.5", "12,34,5", "25 000,50 abc", "2 50 000"])
def test_an_ambiguous_amount_is_refused_next_to_the_field_and_nothing_changes(
    rep_client, opportunity, typed
):
    url = reverse("opportunity_detail", args=[opportunity.pk])
    response = rep_client.post(url, card_data(opportunity, amount=typed), **FR)
    assert response.status_code == 422
    html = response.content.decode()
    assert "has-error" in html
    with translation.override("fr"):
        assert response.context["form"].errors["amount"]
    assert f'value="{typed}"' in amount_input(html)  # what was typed stays, to be corrected
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("25000")


def test_english_amounts_the_english_way(rep_client, opportunity):
    url = reverse("opportunity_detail", args=[opportunity.pk])
    response = rep_client.post(url, card_data(opportunity, amount="25,000.50"))
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("25000.50")
    html = rep_client.get(url).content.decode()
    assert 'value="25,000.50"' in amount_input(html)
    assert "25,000.50 €" in html


def test_a_line_typed_the_french_way(rep_client, opportunity):
    response = rep_client.post(
        reverse("opportunity_line_add", args=[opportunity.pk]),
        {
            "item": "Maintenance",
            "quantity": "1,5",
            "unit_cost": "5 000",
            "unit_price": "8 100 €",
            "adjusted_price": "",
            "discount": "0",
        },
        **FR,
        **HX,
    )
    assert response.status_code == 200
    line = opportunity.lines.get()
    assert line.quantity == Decimal("1.5") and line.unit_price == Decimal("8100")
    assert line.unit_cost == Decimal("5000")
    assert line.total == Decimal("12150.00")
    html = response.content.decode()
    assert f"12{NBSP}150,00" in html
    assert '<td class="num">1,5</td>' in html  # the quantity as typed, not "1,500"
    edit = reverse("opportunity_line_edit", args=[line.pk])
    form_html = rep_client.get(edit, **FR, **HX).content.decode()
    assert 'value="1,5"' in form_html and f'value="8{NBSP}100"' in form_html
    assert 'type="number"' not in form_html
    rep_client.post(
        edit,
        {
            "item": "Maintenance",
            "quantity": "2",
            "unit_cost": "0",
            "unit_price": "8 100,25",
            "discount": "0",
        },
        **FR,
        **HX,
    )
    line.refresh_from_db()
    assert line.unit_price == Decimal("8100.25")


def test_a_refused_line_says_why_next_to_the_field(rep_client, opportunity):
    response = rep_client.post(
        reverse("opportunity_line_add", args=[opportunity.pk]),
        {**LINE, "unit_price": "1,234.5"},
        **FR,
        **HX,
    )
    html = response.content.decode()
    assert "has-error" in html and "Nombre ambigu" in html
    assert not opportunity.lines.exists()


def test_the_first_line_says_beforehand_it_replaces_the_amount_typed_by_hand(
    rep_client, opportunity
):
    url = reverse("opportunity_detail", args=[opportunity.pk])
    html = rep_client.get(url).content.decode()
    assert str(LINES_REPLACE_AMOUNT) % {"amount": "25,000"} in html
    html = rep_client.get(url, **FR).content.decode()
    with translation.override("fr"):
        assert str(LINES_REPLACE_AMOUNT) % {"amount": f"25{NBSP}000"} in html
    # No notice without an amount typed by hand, nor once there are lines.
    opportunity.amount = 0
    opportunity.save()
    assert "data-lines-replace-amount" not in rep_client.get(url).content.decode()


def test_adding_changing_and_deleting_lines_shows_the_new_amount_at_once(rep_client, opportunity):
    url = reverse("opportunity_detail", args=[opportunity.pk])
    page = rep_client.get(url).content.decode()
    assert "disabled" not in amount_input(page)
    version = opportunity.version
    response = rep_client.post(
        reverse("opportunity_line_add", args=[opportunity.pk]),
        {**LINE, "unit_price": "12150", "version": version},
        **HX,
    )
    html = response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("12150")
    oob = re.search(
        r'<div[^>]*id="opportunity-amount"[^>]*hx-swap-oob="true"[^>]*>.*?</div>', html, re.S
    )
    assert oob, html
    field = amount_input(oob.group(0))
    assert 'value="12,150"' in field and "disabled" in field
    assert str(AMOUNT_IS_SUM) in oob.group(0)
    # The card's form gets the new version: saving it next is not a conflict with oneself.
    assert re.search(
        rf'<input[^>]*name="version"[^>]*value="{opportunity.version}"[^>]*hx-swap-oob="true"',
        html,
    ) or re.search(
        rf'<input[^>]*hx-swap-oob="true"[^>]*name="version"[^>]*value="{opportunity.version}"',
        html,
    )
    assert "data-lines-replace-amount" not in html
    response = rep_client.post(url, card_data(opportunity, summary="Audit complet"))
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.summary == "Audit complet" and opportunity.amount == Decimal("12150")

    line = opportunity.lines.get()
    html = rep_client.post(
        reverse("opportunity_line_edit", args=[line.pk]),
        {**LINE, "quantity": "2", "unit_price": "12150", "version": opportunity.version},
        **HX,
    ).content.decode()
    assert 'value="24,300"' in amount_input(html.split('id="opportunity-amount"')[1])

    opportunity.refresh_from_db()
    html = rep_client.post(
        reverse("opportunity_line_delete", args=[line.pk]),
        {"version": opportunity.version},
        **HX,
    ).content.decode()
    field = amount_input(html.split('id="opportunity-amount"')[1])
    assert "disabled" not in field and 'value="0"' in field


def test_someone_elses_change_in_between_keeps_the_conflict(rep_client, rep, opportunity):
    """The card's version is only brought forward when the line was the only change since the
    page was shown; a colleague's edit in between must still be caught on save."""
    from pipeline.services import cards as card_services

    seen = opportunity.version
    card_services.opportunity_update(
        opportunity_id=opportunity.pk, actor=rep, data={"summary": "Changed"}, expected_version=None
    )
    html = rep_client.post(
        reverse("opportunity_line_add", args=[opportunity.pk]),
        {**LINE, "unit_price": "100", "version": seen},
        **HX,
    ).content.decode()
    assert 'id="opportunity-amount"' in html  # the amount is shown at once all the same
    assert not re.search(r'name="version"[^>]*hx-swap-oob', html)
    assert not re.search(r'hx-swap-oob="true"[^>]*name="version"', html)
