"""Checks of the identity fields of the contact file (SIREN, SIRET, VAT, NAF, phones, websites,
IBAN and BIC).

Each check raises a ValidationError whose message names the field's problem; the messages are
module constants so that tests assert exactly what users read. The identifiers' rules (SIREN
Luhn key, French VAT key, each EU country's VAT number) are python-stdnum's; non-EU VAT numbers
get a format check only; IBANs and BICs are schwifty's.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
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


# --- establishments and bank details -------------------------------------------------------

SIRET_FORMAT = _("A SIRET number has exactly 14 digits.")
SIRET_KEY = _("This SIRET number is not valid (wrong check digit).")
SIRET_OTHER_SIREN = _(
    "This SIRET belongs to another company: it must start with the company's SIREN (%(siren)s)."
)
IBAN_INVALID = _("This IBAN is not valid: check it against the bank's details (RIB).")
BIC_INVALID = _("This BIC is not valid: 8 or 11 letters and digits, e.g. AGRIFRPP.")
BIC_COUNTRY_MISMATCH = _("The BIC is of another country than the IBAN.")
_FRENCH_AREA = {"FR", "MC", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"}


def clean_siret(value: str) -> str:
    """The SIRET without spaces: 14 digits whose Luhn key is right (python-stdnum)."""
    value = _SPACES.sub("", value or "")
    if not value:
        return ""
    try:
        fr_siret.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(SIRET_KEY, code="siret_key") from exc
    except NumberInvalid as exc:
        raise ValidationError(SIRET_FORMAT, code="siret_format") from exc
    return value


def check_siret_of(siret: str, siren: str) -> None:
    """An establishment's SIRET is its company's SIREN followed by 5 digits (NIC)."""
    if siret and siren and not siret.startswith(siren):
        raise ValidationError(SIRET_OTHER_SIREN, code="siret_siren", params={"siren": siren})


def clean_iban(value: str) -> str:
    """The IBAN in its compact form (FR7630006000011234567890189), checked by schwifty."""
    if not (value or "").strip():
        return ""
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValidationError(IBAN_INVALID, code="iban") from exc


def clean_bic(value: str, iban: str = "") -> str:
    """The BIC, compact and upper-case; of the IBAN's country when both are given."""
    if not (value or "").strip():
        return ""
    try:
        bic = BIC(value)
    except SchwiftyException as exc:
        raise ValidationError(BIC_INVALID, code="bic") from exc
    # Monaco's and the French overseas banks' IBANs may carry a French BIC, and the other way.
    french_area = {bic.country_code, iban[:2].upper()} <= _FRENCH_AREA
    if iban and bic.country_code != iban[:2].upper() and not french_area:
        raise ValidationError(BIC_COUNTRY_MISMATCH, code="bic_country")
    return bic.compact


def mask_iban(iban: str) -> str:
    """The IBAN in groups of four, only its first and last four characters shown:
    FR76 •••• •••• •••• •••• •••0 189."""
    compact = (iban or "").replace(" ", "")
    if len(compact) <= 8:
        return compact
    hidden = compact[:4] + "•" * (len(compact) - 8) + compact[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


def group_iban(iban: str) -> str:
    compact = (iban or "").replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
