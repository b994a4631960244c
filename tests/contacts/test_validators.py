import pytest
from django.core.exceptions import ValidationError

from contacts import validators as v


@pytest.mark.parametrize("value", ["542051180", "542 051 180", "732829320"])
def test_siren_good(value):
    assert v.clean_siren(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [("123456789", v.SIREN_KEY), ("54205118", v.SIREN_FORMAT), ("54205118A", v.SIREN_FORMAT)],
)
def test_siren_bad(value, message):
    with pytest.raises(ValidationError) as exc:
        v.clean_siren(value)
    assert exc.value.messages == [str(message)]


def test_french_vat_key_and_siren():
    assert v.french_vat_key("542051180") == 59
    assert v.clean_vat("fr 59 542051180") == "FR59542051180"


@pytest.mark.parametrize(
    ("value", "message"),
    [("FR58542051180", v.VAT_FR_KEY), ("FR5954205118", v.VAT_FR_FORMAT), ("12345", v.VAT_FORMAT)],
)
def test_vat_bad(value, message):
    with pytest.raises(ValidationError) as exc:
        v.clean_vat(value)
    assert exc.value.messages == [str(message)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("DE 136 695 976", "DE136695976"),
        ("BE 0403.170.701", "BE0403170701"),
        ("EL 094259216", "EL094259216"),  # Greece
        ("FR K7 399859412", "FRK7399859412"),  # a French key may hold letters
        # Outside the EU only the format is checked.
        ("GB 123456789", "GB123456789"),
        ("CHE123456789", "CHE123456789"),
    ],
)
def test_vat_good(value, expected):
    assert v.clean_vat(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("DE123456789", v.VAT_KEY),  # wrong check digit (DE136695976 is right)
        ("BE0403170702", v.VAT_KEY),
        ("DE12345678", v.VAT_COUNTRY_FORMAT),  # German numbers have 9 digits
        ("FR59542051181", v.VAT_FR_KEY),  # SIREN inside with a wrong Luhn key
    ],
)
def test_eu_vat_checked_by_its_country_rule(value, message):
    with pytest.raises(ValidationError) as exc:
        v.clean_vat(value)
    assert exc.value.messages == [str(message)]


@pytest.mark.parametrize(
    ("value", "expected"), [("62.01Z", "62.01Z"), ("6201Z", "62.01Z"), ("62.01z", "62.01Z")]
)
def test_naf_good(value, expected):
    assert v.clean_naf(value) == expected


@pytest.mark.parametrize("value", ["620Z", "62.01", "ABCDE", "62.011Z"])
def test_naf_bad(value):
    with pytest.raises(ValidationError) as exc:
        v.clean_naf(value)
    assert exc.value.messages == [str(v.NAF_FORMAT)]


def test_phone_stored_e164_and_shown_national():
    stored = v.clean_phone("01 42 68 53 00", "FR")
    assert stored == "+33142685300"
    assert v.format_phone(stored, "FR") == "01 42 68 53 00"
    # A foreign number is shown in international format for a French company.
    assert v.format_phone(v.clean_phone("+44 20 7946 0958", "FR"), "FR") == "+44 20 7946 0958"
    assert v.clean_phone("030 1234567", "DE") == "+49301234567"


@pytest.mark.parametrize("value", ["12", "01 42 68", "not a phone"])
def test_phone_bad(value):
    with pytest.raises(ValidationError) as exc:
        v.clean_phone(value, "FR")
    assert exc.value.messages == [str(v.PHONE_INVALID)]


def test_website():
    assert v.clean_website("www.example.fr") == "https://www.example.fr"
    with pytest.raises(ValidationError):
        v.clean_website("not a site")
