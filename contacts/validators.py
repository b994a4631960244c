"""Checks of the identity fields of the contact file (SIREN, VAT, NAF, phones, websites).

Each check raises a ValidationError whose message names the field's problem; the messages are
module constants so that tests assert exactly what users read. The identifiers' rules (SIREN
Luhn key, French VAT key, each EU country's VAT number) are python-stdnum's; non-EU VAT numbers
get a format check only.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.fr import siren as fr_siren
from stdnum.fr import tva as fr_tva

SIREN_FORMAT = _("A SIREN number has exactly 9 digits.")
SIREN_KEY = _("This SIREN number is not valid (wrong check digit).")
VAT_FORMAT = _("A VAT number starts with two country letters followed by letters or digits.")
VAT_FR_FORMAT = _(
    "A French VAT number is FR, a 2-digit key and the 9-digit SIREN (FR 12 345678901)."
)
VAT_FR_KEY = _("The key of this French VAT number does not match its SIREN.")
VAT_COUNTRY_FORMAT = _("This VAT number does not have the form of its country's numbers.")
VAT_KEY = _("This VAT number is not valid (wrong check digit).")
VAT_SIREN_MISMATCH = _("The VAT number does not contain the company's SIREN.")
NAF_FORMAT = _("A NAF code is 4 digits and a letter, e.g. 62.01Z.")
PHONE_INVALID = _(
    "This phone number is not valid. Type it with its country code (+33 …) if it is abroad."
)
WEBSITE_INVALID = _("Enter a valid website address, e.g. https://www.example.fr.")

_SPACES = re.compile(r"[\s.\-]")
_NAF = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")
_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,13}$")
# The prefixes whose numbers follow a rule stdnum knows (Greece writes EL, Northern Ireland XI).
_EU_VAT_PREFIXES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) | {"EL"}


def luhn_ok(digits: str) -> bool:
    return luhn.is_valid(digits)


def clean_siren(value: str) -> str:
    """The SIREN without spaces; 9 digits whose Luhn key is right."""
    value = _SPACES.sub("", value or "")
    if not value:
        return ""
    try:
        fr_siren.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(SIREN_KEY, code="siren_key") from exc
    except NumberInvalid as exc:
        raise ValidationError(SIREN_FORMAT, code="siren_format") from exc
    return value


def validate_siren(value: str) -> None:
    clean_siren(value)


def french_vat_key(siren: str) -> int:
    """The numeric key of the French VAT number of a SIREN (FR <key> <SIREN>)."""
    return (12 + 3 * (int(siren) % 97)) % 97


def clean_vat(value: str) -> str:
    """An intra-community VAT number, upper-case without spaces: French ones checked by their
    key and SIREN, those of the other EU countries by their country's rule, others by format."""
    value = _SPACES.sub("", value or "").upper()
    if not value:
        return ""
    if value.startswith("FR"):
        try:
            fr_tva.validate(value)
        except InvalidChecksum as exc:
            raise ValidationError(VAT_FR_KEY, code="vat_key") from exc
        except NumberInvalid as exc:
            raise ValidationError(VAT_FR_FORMAT, code="vat_format") from exc
        return value
    if not _VAT.match(value):
        raise ValidationError(VAT_FORMAT, code="vat_format")
    if value[:2] in _EU_VAT_PREFIXES:
        try:
            eu_vat.validate(value)
        except InvalidChecksum as exc:
            raise ValidationError(VAT_KEY, code="vat_key") from exc
        except NumberInvalid as exc:
            raise ValidationError(VAT_COUNTRY_FORMAT, code="vat_format") from exc
    return value


def validate_vat(value: str) -> None:
    clean_vat(value)


def clean_naf(value: str) -> str:
    """A NAF (APE) code in its usual written form "62.01Z"; "6201Z" and "62.01z" accepted."""
    value = _SPACES.sub("", value or "").upper()
    if not value:
        return ""
    # The dot was stripped with the other separators: put it back in the canonical place.
    match = _NAF.match(value)
    if not match:
        raise ValidationError(NAF_FORMAT, code="naf_format")
    return f"{match.group(1)}.{match.group(2)}{match.group(3)}"


def validate_naf(value: str) -> None:
    if value and not _NAF.match(value.upper()):
        raise ValidationError(NAF_FORMAT, code="naf_format")


def clean_phone(value: str, country: str = "FR") -> str:
    """A phone number in E.164 (+33123456789); national numbers read in `country`."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (str(country) or "FR").upper())
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(PHONE_INVALID, code="phone_invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_INVALID, code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Model-level check: stored numbers are E.164 (forms convert what users type)."""
    if value:
        clean_phone(value)


def format_phone(value: str, country: str = "FR") -> str:
    """National format for numbers of `country`, international format for the others."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (str(country) or "FR").upper())
    except phonenumbers.NumberParseException:
        return value
    region = phonenumbers.region_code_for_number(number)
    if region == (str(country) or "FR").upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_website(value: str) -> str:
    """A website with its scheme; "www.example.fr" becomes "https://www.example.fr"."""
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise ValidationError(WEBSITE_INVALID, code="website_invalid") from exc
    return value
