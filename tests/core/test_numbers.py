"""Numbers as people type them (`core.numbers`) and the form fields built on them
(`core.forms.MoneyField`, `PercentField`, `QuantityField`, `DateInput`): every accepted form is
read exactly, every ambiguous one is refused with a message, never guessed."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from core.forms import DATE_WIDGET, MoneyField, PercentField, QuantityField
from core.numbers import (
    NUMBER_AMBIGUOUS,
    NUMBER_AMBIGUOUS_FILE,
    NUMBER_INVALID,
    NumberError,
    format_decimal,
    parse_decimal,
)

NBSP, NNBSP = "\u00a0", "\u202f"
MONEY = ("€", "EUR")

FRENCH_ACCEPTED = [
    ("25000", "25000"),
    ("25 000", "25000"),
    (f"25{NBSP}000", "25000"),
    (f"25{NNBSP}000", "25000"),
    ("25 000,50", "25000.50"),
    (f"25{NBSP}000,50", "25000.50"),
    (f"25{NNBSP}000,50", "25000.50"),
    ("25000,5", "25000.5"),
    ("25000,50", "25000.50"),
    ("25 000 €", "25000"),
    (f"25{NNBSP}000,50{NBSP}€", "25000.50"),
    ("25000,50€", "25000.50"),
    ("€ 25 000,50", "25000.50"),
    ("25 000,50 EUR", "25000.50"),
    ("25 000,50 eur", "25000.50"),
    # A single "." with one or two digits after it: an English number pasted in.
    ("25000.50", "25000.50"),
    ("25000.5", "25000.5"),
    ("25 000.50", "25000.50"),
    # "." between groups of exactly three digits groups thousands, as "," is the decimal one.
    ("25.000", "25000"),
    ("1.234.567", "1234567"),
    ("1.234.567,89", "1234567.89"),
    ("1 234 567,89", "1234567.89"),
    ("0,125", "0.125"),
    (",5", "0.5"),
    ("  42  ", "42"),
    ("-1 500,25", "-1500.25"),
    ("\u22121 500,25", "-1500.25"),
    ("+3", "3"),
    ("007", "7"),
]

FRENCH_REFUSED_AMBIGUOUS = [
    "1,234.5",  # "," decimal then "." after it: contradictory
    "1.234,5.6",
    "12,34,5",  # several decimal separators
    "1,2,3",
    "1.2345",  # "." neither a group of three nor one or two decimals
    "1.234.5",
    "1.23.456",
    "2 50 000",  # spaces must group by three
    "25 0000",
    "1 234.567",  # spaces and "." both grouping
    "25 000 ,50",
    "0,123 456",
]

FRENCH_REFUSED_INVALID = [
    "abc",
    "12a",
    "1e5",
    "NaN",
    "Infinity",
    "25 000 $",
    "--5",
    "5-",
    "-",
    "€",
    ",",
    "25,",
    "25.",
    "0x10",
    "½",
    "٣",  # a digit of another script: not what a user of this form types
]

ENGLISH_ACCEPTED = [
    ("25000", "25000"),
    ("25,000", "25000"),
    ("25,000.50", "25000.50"),
    ("25 000.50", "25000.50"),
    (f"25{NBSP}000.50", "25000.50"),
    (f"25{NNBSP}000.50", "25000.50"),
    ("25000.5", "25000.5"),
    ("€25,000.50", "25000.50"),
    ("25,000.50 €", "25000.50"),
    # A single "," with one or two digits after it: a French number pasted in.
    ("25000,50", "25000.50"),
    ("25000,5", "25000.5"),
    ("25 000,50", "25000.50"),
    ("1,234,567.89", "1234567.89"),
    ("0.125", "0.125"),
    (".5", "0.5"),
    ("-1,500.25", "-1500.25"),
]

ENGLISH_REFUSED_AMBIGUOUS = [
    "1.234,5",
    "12.34.5",
    "1,2345",
    "1,234,5",
    "2 50 000",
    "1 234,567",
]

ENGLISH_REFUSED_INVALID = ["abc", "12a", "1e5", "25.", "25,", "25 000 $"]


@pytest.mark.parametrize(("text", "expected"), FRENCH_ACCEPTED)
def test_french_accepted(text, expected):
    value = parse_decimal(text, language="fr", symbols=MONEY)
    assert value == Decimal(expected)
    assert str(value) == expected  # exactly what was typed: no rounding, no lost digit


@pytest.mark.parametrize("text", FRENCH_REFUSED_AMBIGUOUS)
def test_french_refused_as_ambiguous(text):
    with pytest.raises(NumberError) as refused:
        parse_decimal(text, language="fr", symbols=MONEY)
    assert refused.value.code == "ambiguous"


@pytest.mark.parametrize("text", FRENCH_REFUSED_INVALID)
def test_french_refused_as_not_a_number(text):
    with pytest.raises(NumberError) as refused:
        parse_decimal(text, language="fr", symbols=MONEY)
    assert refused.value.code == "invalid"


@pytest.mark.parametrize(("text", "expected"), ENGLISH_ACCEPTED)
def test_english_accepted(text, expected):
    value = parse_decimal(text, language="en", symbols=MONEY)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize("text", ENGLISH_REFUSED_AMBIGUOUS)
def test_english_refused_as_ambiguous(text):
    with pytest.raises(NumberError) as refused:
        parse_decimal(text, language="en", symbols=MONEY)
    assert refused.value.code == "ambiguous"


@pytest.mark.parametrize("text", ENGLISH_REFUSED_INVALID)
def test_english_refused_as_not_a_number(text):
    with pytest.raises(NumberError) as refused:
        parse_decimal(text, language="en", symbols=MONEY)
    assert refused.value.code == "invalid"


@pytest.mark.parametrize("text", [None, "", "   ", NBSP])
def test_nothing_typed_is_none(text):
    assert parse_decimal(text, language="fr") is None


def test_symbols_only_where_asked():
    with pytest.raises(NumberError):
        parse_decimal("25 €", language="fr")
    assert parse_decimal("80 %", language="fr", symbols=("%",)) == Decimal(80)
    with pytest.raises(NumberError):
        parse_decimal("80 %", language="fr", symbols=MONEY)


def test_regional_language_codes_follow_their_language():
    assert parse_decimal("1 234,5", language="fr-fr") == Decimal("1234.5")
    assert parse_decimal("1,234.5", language="en-us") == Decimal("1234.5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 000,50", "25000.50"),
        ("25000.50", "25000.50"),
        ("20,000.50", "20000.50"),
        ("1.234,56", "1234.56"),
        ("1 234 567", "1234567"),
        ("25000,5", "25000.5"),
        ("12", "12"),
    ],
)
def test_unknown_language_keeps_what_both_readings_agree_on(text, expected):
    assert parse_decimal(text, language=None, symbols=MONEY) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,234", "1.234", "25.000", "1,500"])
def test_unknown_language_refuses_what_the_readings_disagree_on(text):
    with pytest.raises(NumberError) as refused:
        parse_decimal(text, language=None)
    assert refused.value.code == "ambiguous_file"
    assert text in refused.value.message


def test_messages_give_an_example_in_the_users_format():
    with translation.override("fr"):
        with pytest.raises(NumberError) as refused:
            parse_decimal("1,234.5", language="fr")
        assert "25\u00a0000,50" in refused.value.message
        assert refused.value.message.startswith("Nombre ambigu")
    with translation.override("en"):
        with pytest.raises(NumberError) as refused:
            parse_decimal("1.234,5", language="en")
        assert refused.value.message == str(NUMBER_AMBIGUOUS) % {
            "example": "25,000.50",
            "decimal": ".",
        }
        with pytest.raises(NumberError) as refused:
            parse_decimal("abc", language="en")
        assert refused.value.message == str(NUMBER_INVALID) % {"example": "25,000.50"}
        with pytest.raises(NumberError) as refused:
            parse_decimal("1,234", language=None)
        assert refused.value.message == str(NUMBER_AMBIGUOUS_FILE) % {"value": "1,234"}


@pytest.mark.parametrize(
    ("language", "value", "places", "expected"),
    [
        ("fr", Decimal("25000.50"), 2, "25\u00a0000,50"),
        ("fr", Decimal("25000"), 2, "25\u00a0000"),
        ("fr", Decimal("25000.5"), 2, "25\u00a0000,50"),
        ("fr", Decimal("1.500"), None, "1,5"),
        ("fr", Decimal("2.000"), None, "2"),
        ("fr", Decimal("-1234567.89"), 2, "-1\u00a0234\u00a0567,89"),
        ("fr", 80, 0, "80"),
        ("en", Decimal("25000.50"), 2, "25,000.50"),
        ("en", Decimal("25000"), 2, "25,000"),
        ("en", Decimal("0.125"), None, "0.125"),
    ],
)
def test_format_decimal_reads_back_through_the_parser(language, value, places, expected):
    with translation.override(language):
        shown = format_decimal(value, decimal_places=places)
    assert shown == expected
    assert parse_decimal(shown, language=language) == Decimal(value)


# The form fields: what the forms of the opportunity card, its lines, the board's dialog, the
# prospect card and the filters use.


class NumbersForm(forms.Form):
    amount = MoneyField(required=False)
    probability = PercentField(required=False)
    discount = PercentField(required=False, decimal_places=2, max_digits=5)
    quantity = QuantityField(required=False)
    day = forms.DateField(required=False, widget=DATE_WIDGET)


def _clean(language, **data):
    with translation.override(language):
        form = NumbersForm(data)
        form.is_valid()
        return form


@pytest.mark.parametrize(
    "typed", ["25 000,50", "25000,50", "25 000,50 €", f"25{NNBSP}000,50{NBSP}€", "25000.50"]
)
def test_money_field_reads_french_amounts(typed):
    form = _clean("fr", amount=typed)
    assert form.cleaned_data["amount"] == Decimal("25000.50")


def test_money_field_refuses_next_to_the_field():
    form = _clean("fr", amount="1,234.5")
    assert form.errors["amount"][0].startswith("Nombre ambigu")
    form = _clean("fr", amount="25 000,505")
    assert "amount" in form.errors  # a third decimal for money is refused, not rounded
    form = _clean("en", amount="12,34,5")
    assert form.errors["amount"][0].startswith("Ambiguous number")


def test_percent_field_whole_by_default_and_within_0_to_100():
    form = _clean("fr", probability="80 %", discount="12,5 %")
    assert form.cleaned_data["probability"] == 80
    assert isinstance(form.cleaned_data["probability"], int)
    assert form.cleaned_data["discount"] == Decimal("12.5")
    assert "probability" in _clean("fr", probability="80,5").errors
    assert "probability" in _clean("fr", probability="101").errors
    assert "probability" in _clean("fr", probability="-1").errors


def test_quantity_field_keeps_three_decimals():
    assert _clean("fr", quantity="1,125").cleaned_data["quantity"] == Decimal("1.125")
    assert _clean("fr", quantity="1 500").cleaned_data["quantity"] == Decimal("1500")
    assert _clean("en", quantity="1,500").cleaned_data["quantity"] == Decimal("1500")


def test_number_inputs_are_text_with_a_decimal_keyboard_showing_the_users_format():
    with translation.override("fr"):
        form = NumbersForm(initial={"amount": Decimal("25000.50"), "quantity": Decimal("2.500")})
        amount, quantity = str(form["amount"]), str(form["quantity"])
    assert 'type="text"' in amount and 'inputmode="decimal"' in amount
    assert 'type="number"' not in amount
    assert 'value="25\u00a0000,50"' in amount
    assert 'value="2,5"' in quantity
    with translation.override("en"):
        amount = str(NumbersForm(initial={"amount": Decimal("25000.50")})["amount"])
    assert 'value="25,000.50"' in amount


def test_what_was_typed_is_shown_back_as_typed_after_an_error():
    with translation.override("fr"):
        form = NumbersForm({"amount": "1,234.5"})
        assert not form.is_valid()
        assert 'value="1,234.5"' in str(form["amount"])


@pytest.mark.parametrize(
    ("language", "typed"),
    [("fr", "15/06/2027"), ("fr", "2027-06-15"), ("fr", "15/06/27"), ("en", "2027-06-15")],
)
def test_dates_typed_in_the_users_format(language, typed):
    form = _clean(language, day=typed)
    assert form.cleaned_data["day"] == dt.date(2027, 6, 15)


def test_a_typed_french_date_stays_in_the_date_picker_after_an_error():
    """The picker (`type="date"`) only shows yyyy-mm-dd: a date typed dd/mm/yyyy, shown back
    after another field's error, must not come back empty (and be lost on the next save)."""
    with translation.override("fr"):
        form = NumbersForm({"day": "15/06/2027", "amount": "abc"})
        assert not form.is_valid()
        assert 'value="2027-06-15"' in str(form["day"])


def test_the_conflict_screen_shows_numbers_and_dates_as_typed_in_french():
    """`core.conflicts.shown`: what was typed and what is stored, side by side, read the way
    the user writes them (25 000,50; 15/06/2027), not 25000,50 or 15 juin 2027."""
    from core.conflicts import shown

    with translation.override("fr"):
        assert shown(MoneyField(), Decimal("25000.50")) == "25\u00a0000,50"
        assert shown(QuantityField(), Decimal("1.500")) == "1,5"
        assert shown(forms.DateField(), dt.date(2027, 6, 15)) == "15/06/2027"
    with translation.override("en"):
        assert shown(MoneyField(), Decimal("25000.50")) == "25,000.50"


def test_number_filter_shows_numbers_as_the_fields_do():
    from django.template import Context, Template

    template = Template("{% load core_tags %}{{ q|number }}|{{ a|number:2 }}|{{ n|number }}")
    with translation.override("fr"):
        shown = template.render(
            Context({"q": Decimal("1.500"), "a": Decimal("25000.50"), "n": None})
        )
    assert shown == "1,5|25\u00a0000,50|"


def test_whole_amount_rounds_half_up_and_groups_as_the_lists_show_it():
    from core.numbers import whole_amount

    assert whole_amount(Decimal("20000.50"), "\u202f") == "20\u202f001"
    assert whole_amount(Decimal("1234.49"), ",") == "1,234"
    assert whole_amount(None, " ") == "0"
