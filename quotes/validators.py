"""Checks of the seller's identity and bank details (`Seller.clean`): SIREN, SIRET and VAT
number by python-stdnum's rules and consistent with each other, IBAN and BIC by schwifty's, and
a logo a PDF can show (PNG or JPEG, small). Messages are constants that tests assert."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts.validators import (
    check_siret_of,
    clean_bic,
    clean_iban,
    clean_siren,
    clean_siret,
    clean_vat,
)

VAT_SIREN_MISMATCH = _("The VAT number does not contain this SIREN.")
LOGO_TYPE = _("The logo must be a PNG or JPEG image.")
LOGO_TOO_LARGE = _("The logo is too large: %(max)s KB at most.")
LOGO_MAX_BYTES = 512 * 1024
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_EXTENSIONS = (".png", ".jpg", ".jpeg")


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
    ):
        check(name, clean)
    # The BIC is checked against the IBAN's country once the IBAN is known to be good.
    check("bic", lambda bic: clean_bic(bic, "" if "iban" in errors else seller.iban))
    try:
        validate_logo(seller.logo)
    except ValidationError as error:
        errors["logo"] = error
    siren = seller.siren if "siren" not in errors else ""
    if siren and "siret" not in errors:
        check("siret", lambda siret: check_siret_of(siret, siren) or siret)
    if (
        siren
        and "vat_number" not in errors
        and seller.vat_number.startswith("FR")
        and seller.vat_number[4:] != siren
    ):
        errors["vat_number"] = ValidationError(VAT_SIREN_MISMATCH, code="vat_siren")
    if errors:
        raise ValidationError(errors)
