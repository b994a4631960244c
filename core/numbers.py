"""Numbers as people type them: the one parser behind every amount, percentage and quantity field
(`core.forms.MoneyField`, `PercentField`, `QuantityField`), the filters and the import.

The rule, in the user's language (its `DECIMAL_SEPARATOR` in Django's formats: "," in French,
"." in English; "the other mark" below is "." in French, "," in English):

- digits, with an optional leading sign ("-", "−" or "+") and the symbols the field allows
  ("€", "EUR"; "%") at either end; spaces (normal, non-breaking, narrow non-breaking, thin)
  may group the thousands;
- the decimal separator appears at most once, with at least one digit after it;
  "25 000,50", "25000,5", ",5" in French;
- the other mark alone, once, followed by one or two digits is a decimal point: a number pasted
  from the other language ("25000.50" in French, "25000,50" in English);
- otherwise the other mark groups the thousands, like the spaces: "1.234.567,89" in French,
  "25,000.50" in English;
- grouped thousands go by exactly three digits after a first group of one to three
  ("2 50 000" is refused), with one kind of grouping mark ("1 234.567" is refused), and never
  after the decimal separator ("1,234.5" in French, "1.234,5" in English are refused);
- letters, other symbols, a trailing separator ("25,") and digits of other scripts are refused.

Anything else is refused with a message (`NumberError.message`), never guessed: "1,234.5" typed
in French is not 1234.5 read the English way, it is a question for the user.

A file (an import) carries no language: with `language=None` a number is read both ways and kept
only when the readings agree ("25 000,50", "25000.50", "20,000.50") or only one of them reads it;
"1,234" or "25.000" (thousands or decimals?) are refused.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

# Messages users read next to a field or a refused row (tests assert them).
NUMBER_INVALID = _("Enter a number, for example %(example)s.")
NUMBER_AMBIGUOUS = _(
    "Ambiguous number: write it like %(example)s (decimals after “%(decimal)s”, "
    "thousands grouped by three)."
)
NUMBER_AMBIGUOUS_FILE = _("ambiguous number %(value)s: thousands or decimals?")
NUMBER_WHOLE = _("Enter a whole number.")

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_DIGITS = re.compile(r"[0-9]+")
_EXAMPLE = Decimal("25000.50")


class NumberError(ValueError):
    """A text that is not a number, or not one that can be read only one way. `code` is
    "invalid", "ambiguous" or "ambiguous_file"; `message` says what to type instead, in the
    active language."""

    def __init__(self, code: str, *, value: str = ""):
        self.code = code
        self.value = value
        super().__init__(code)

    @property
    def message(self) -> str:
        if self.code == "ambiguous_file":
            return str(NUMBER_AMBIGUOUS_FILE) % {"value": self.value}
        example = format_decimal(_EXAMPLE, decimal_places=2)
        if self.code == "ambiguous":
            return str(NUMBER_AMBIGUOUS) % {"example": example, "decimal": _decimal_separator()}
        return str(NUMBER_INVALID) % {"example": example}

    def __str__(self) -> str:
        return self.message


def _decimal_separator(language: str | None = None) -> str:
    separator = formats.get_format("DECIMAL_SEPARATOR", lang=language or translation.get_language())
    return "," if separator == "," else "."


def _strip_symbols(text: str, symbols: tuple[str, ...]) -> str:
    lowered = text.lower()
    for symbol in symbols:
        mark = symbol.lower()
        if lowered.endswith(mark):
            return text[: -len(mark)].strip()
        if lowered.startswith(mark):
            return text[len(mark) :].strip()
    return text


def _ungroup(integer: str, group: str) -> str:
    """The digits of an integer part written with at most one kind of grouping mark."""
    if integer == "":
        return "0"
    marks = {c for c in integer if c in (" ", group)}
    if not marks:
        return integer
    if len(marks) > 1:
        raise NumberError("ambiguous")
    groups = integer.split(marks.pop())
    if not all(_DIGITS.fullmatch(g) for g in groups):
        raise NumberError("ambiguous")
    if len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise NumberError("ambiguous")
    return "".join(groups)


def _read(text: str, decimal: str) -> Decimal:
    """`text` (spaces normalised, symbols removed, not empty) with `decimal` as the separator."""
    group = "." if decimal == "," else ","
    sign = ""
    if text[0] in "+-\u2212":
        sign = "" if text[0] == "+" else "-"
        text = text[1:].lstrip()
    if not re.fullmatch(r"[0-9 .,]+", text) or not re.search(r"[0-9]", text):
        raise NumberError("invalid")
    if text[-1] in ".,":
        raise NumberError("invalid")
    if text.count(decimal) > 1:
        raise NumberError("ambiguous")
    if decimal in text:
        integer, fraction = text.split(decimal)
        if group in fraction:
            raise NumberError("ambiguous")
    elif text.count(group) == 1 and re.fullmatch(r"[0-9]{1,2}", text.split(group)[1]):
        integer, fraction = text.split(group)  # pasted from the other language
    else:
        integer, fraction = text, ""
    if fraction and not _DIGITS.fullmatch(fraction):
        raise NumberError("ambiguous")
    digits = _ungroup(integer, group)
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


def parse_decimal(text, *, language: str | None, symbols: tuple[str, ...] = ()) -> Decimal | None:
    """`text` as typed, read by the rule of the module docstring in `language` ("fr", "en",
    "fr-fr"...; None: a file's number, read both ways). None when nothing was typed; the exact
    Decimal typed (no rounding) otherwise; NumberError when refused."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(str(text))
    raw = _SPACES.sub(" ", str(text)).strip()
    if not raw:
        return None
    cleaned = _strip_symbols(raw, symbols)
    if not cleaned:
        raise NumberError("invalid")
    if language is not None:
        return _read(cleaned, _decimal_separator(language))
    readings, refusals = {}, []
    for decimal in (",", "."):
        try:
            readings[decimal] = _read(cleaned, decimal)
        except NumberError as refusal:
            refusals.append(refusal)
    if not readings:
        ambiguous = [r for r in refusals if r.code == "ambiguous"]
        raise (ambiguous or refusals)[0]
    if len(set(readings.values())) > 1:
        raise NumberError("ambiguous_file", value=raw)
    return next(iter(readings.values()))


def format_decimal(value, *, decimal_places: int | None = None) -> str:
    """`value` in the active language, thousands grouped ("25 000,50" in French, "25,000.50" in
    English), read back to the same value by `parse_decimal`. With `decimal_places`, a whole
    value shows no decimals and any other exactly that many (money: "25 000", "25 000,50");
    without, as many as it has (quantities: "1,5" for 1.500)."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if decimal_places is None or number == number.to_integral_value():
        exponent = number.normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        if decimal_places is not None:
            places = 0
    else:
        places = decimal_places
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


CENT = Decimal("0.01")


def whole_amount(value, thousands: str) -> str:
    """`value` rounded half-up to whole units and grouped by `thousands` ("20 000" with the
    French separator, read once per request by the lists, board and step list that call this
    on every row): `format_decimal`'s figure, without its per-call look-ups."""
    amount = int(Decimal(value or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{amount:,}".replace(",", thousands)


def cents(value: Decimal) -> Decimal:
    """An amount rounded half up to the cent, as invoices and quotes are."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(quantity, unit_price, discount) -> Decimal:
    """A line's amount: quantity × unit price less its discount (in %), rounded to the cent.
    The one rule of opportunity lines and quote lines."""
    gross = Decimal(quantity or 0) * Decimal(unit_price or 0)
    return cents(gross * (Decimal(100) - Decimal(discount or 0)) / Decimal(100))
