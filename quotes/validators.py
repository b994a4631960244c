"""Checks of the seller's identity and bank details (`Seller.clean`): SIREN, SIRET and VAT
number by python-stdnum's rules and consistent with each other, IBAN and BIC by schwifty's, and
a logo a PDF can show (PNG or JPEG, small). Messages are constants that tests assert."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.fr import siret as fr_siret

from contacts.validators import clean_siren, clean_vat

SIRET_FORMAT = _("A SIRET number has exactly 14 digits.")
SIRET_KEY = _("This SIRET number is not valid (wrong check digit).")
SIRET_SIREN_MISMATCH = _("The SIRET must start with the SIREN.")
VAT_SIREN_MISMATCH = _("The VAT number does not contain this SIREN.")
IBAN_INVALID = _("This IBAN is not valid: check it against the bank's details (RIB).")
BIC_INVALID = _("This BIC is not valid: 8 or 11 letters and digits, e.g. AGRIFRPP.")
BIC_COUNTRY_MISMATCH = _("The BIC is of another country than the IBAN.")
LOGO_TYPE = _("The logo must be a PNG or JPEG image.")
LOGO_TOO_LARGE = _("The logo is too large: %(max)s KB at most.")
LOGO_MAX_BYTES = 512 * 1024
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_EXTENSIONS = (".png", ".jpg", ".jpeg")


def clean_siret(value: str) -> str:
    value = "".join((value or "").split()).replace(".", "").replace("-", "")
    if not value:
        return ""
    try:
        fr_siret.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(SIRET_KEY, code="siret_key") from exc
    except NumberInvalid as exc:
        raise ValidationError(SIRET_FORMAT, code="siret_format") from exc
    return value


def clean_iban(value: str) -> str:
    """The IBAN in its compact form (FR7630006000011234567890189)."""
    if not (value or "").strip():
        return ""
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValidationError(IBAN_INVALID, code="iban") from exc


def clean_bic(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return BIC(value).compact
    except SchwiftyException as exc:
        raise ValidationError(BIC_INVALID, code="bic") from exc


def validate_logo(logo) -> None:
    """A newly uploaded logo (a stored one was checked when it came): PNG or JPEG by its
    content, not only its name, and small enough for every PDF to carry it."""
    if not logo or getattr(logo, "_committed", True):
        return
    if not logo.name.lower().endswith(_EXTENSIONS):
        raise ValidationError(LOGO_TYPE, code="logo_type")
    if logo.size > LOGO_MAX_BYTES:
        raise ValidationError(
            LOGO_TOO_LARGE, code="logo_size", params={"max": LOGO_MAX_BYTES // 1024}
        )
    upload = logo.file
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(_SIGNATURES):
        raise ValidationError(LOGO_TYPE, code="logo_type")


def seller_clean(seller) -> None:
    """Normalise the seller's numbers in place, or raise a ValidationError naming each field."""
    errors: dict[str, ValidationError] = {}

    def check(name: str, clean) -> None:
        try:
            setattr(seller, name, clean(getattr(seller, name)))
        except ValidationError as error:
            errors[name] = error

    for name, clean in (
        ("siren", clean_siren),
        ("siret", clean_siret),
        ("vat_number", clean_vat),
        ("iban", clean_iban),
        ("bic", clean_bic),
    ):
        check(name, clean)
    try:
        validate_logo(seller.logo)
    except ValidationError as error:
        errors["logo"] = error
    siren = seller.siren if "siren" not in errors else ""
    if siren and "siret" not in errors and seller.siret and not seller.siret.startswith(siren):
        errors["siret"] = ValidationError(SIRET_SIREN_MISMATCH, code="siret_siren")
    if (
        siren
        and "vat_number" not in errors
        and seller.vat_number.startswith("FR")
        and seller.vat_number[4:] != siren
    ):
        errors["vat_number"] = ValidationError(VAT_SIREN_MISMATCH, code="vat_siren")
    if (
        seller.iban
        and seller.bic
        and "iban" not in errors
        and "bic" not in errors
        and IBAN(seller.iban).country_code != BIC(seller.bic).country_code
        and not _same_area(IBAN(seller.iban).country_code, BIC(seller.bic).country_code)
    ):
        errors["bic"] = ValidationError(BIC_COUNTRY_MISMATCH, code="bic_country")
    if errors:
        raise ValidationError(errors)


# French overseas territories and Monaco bank with French IBANs but their own BIC country.
_FRENCH_AREA = {"FR", "MC", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"}


def _same_area(iban_country: str, bic_country: str) -> bool:
    return iban_country in _FRENCH_AREA and bic_country in _FRENCH_AREA
