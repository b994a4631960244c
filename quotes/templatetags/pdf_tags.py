"""Filters of the PDFs (templates/quotes/pdf/): amounts as a French quote prints them, always
with their cents ("12 150,00 €"), rates, and register numbers grouped the way they are read."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, translation

from core.numbers import format_decimal

register = template.Library()
NBSP = "\u00a0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value) -> str:
    """`{{ amount|money }}`: "12 150,00 €" in French, "12,150.00 €" in English; "" for
    nothing."""
    amount = _decimal(value)
    if amount is None:
        return ""
    digits = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{digits}{NBSP}€"


@register.filter
def rate(value) -> str:
    """`{{ line.vat_rate|rate }}`: "20 %", "5,5 %" in French, "20%", "5.5%" in English."""
    number = _decimal(value)
    if number is None:
        return ""
    digits = format_decimal(number.normalize() if number else Decimal(0))
    french = (translation.get_language() or "").startswith("fr")
    return f"{digits}{NBSP}%" if french else f"{digits}%"


@register.filter
def grouped(value) -> str:
    """A SIREN (9 digits) or SIRET (14) as it is read: "732 829 320", "732 829 320 00074"."""
    digits = "".join(str(value or "").split())
    if not digits.isdigit() or len(digits) not in (9, 14):
        return str(value or "")
    parts = [digits[0:3], digits[3:6], digits[6:9]] + ([digits[9:]] if len(digits) == 14 else [])
    return NBSP.join(parts)


@register.filter
def rcs_city(value) -> str:
    """The registry's city, whether the seller typed "Lyon" or "RCS Lyon"."""
    text = " ".join(str(value or "").split())
    return text[4:] if text.upper().startswith("RCS ") else text


@register.filter
def iban(value) -> str:
    """An IBAN by groups of four, as banks print it: "FR76 3000 6000 0112 3456 7890 189"."""
    text = "".join(str(value or "").split()).upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
