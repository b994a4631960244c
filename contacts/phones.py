"""Phone numbers found however they are typed: `0188334455`, `01 88 33 44 55`,
`01.88.33.44.55`, `+33 1 88 33 44 55` and `0033 1 88 33 44 55` are one number.

Companies and people store their numbers in E.164 (`+33188334455`, written by the services,
indexed): a search turns what was typed into the E.164 prefix it stands for and matches the
start of the stored numbers. The prospect file keeps numbers as imported; its search words carry
each number's digits in that same international form (`phone_search_word`).
"""

import functools
import re

import phonenumbers

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
_NON_DIGIT = re.compile(r"\D")
MIN_DIGITS = 6  # fewer is a postal code or a number of something else


def phone_query(text: str, country: str = "FR") -> str | None:
    """The E.164 prefix (`+3318833`) that `text` stands for, or None when it is not a phone
    number being typed (letters, a postal code...)."""
    text = (text or "").strip()
    digits = _NON_DIGIT.sub("", text)
    if not _PHONE_LIKE.match(text) or len(digits) < MIN_DIGITS:
        return None
    if text.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    code = phonenumbers.country_code_for_region((country or "FR").upper()) or 33
    return f"+{code}{digits[1:] if digits.startswith('0') else digits}"


def phone_search_word(value: str, country: str = "FR") -> str:
    """A stored number as one search word: its international digits (`33188334455`)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (country or "FR").upper())
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    except phonenumbers.NumberParseException:
        return _NON_DIGIT.sub("", value)


def _region(country: str) -> str:
    """A country code from a code or a name as typed on a prospect ("France", "Belgique")."""
    country = str(country or "").strip()
    if len(country) == 2:
        return country.upper()
    if not country:
        return "FR"
    from django_countries import countries

    return countries.by_name(country) or countries.by_name(country, language="fr") or "FR"


@functools.lru_cache(maxsize=4096)  # a list draws the same numbers on every row and request
def tel_parts(value: str, country: str = "FR") -> tuple[str, str]:
    """What a `tel:` link needs: the number in E.164 for its href, and as the country writes it
    for its text (national format for a number of `country`, international otherwise). A number
    that cannot be read keeps its digits in the href and its text as typed."""
    value = (value or "").strip()
    if not value:
        return "", ""
    region = _region(country)
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return re.sub(r"[^\d+]", "", value), value
    href = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    same_country = phonenumbers.region_code_for_number(number) == region
    shown_format = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return href, phonenumbers.format_number(number, shown_format)
