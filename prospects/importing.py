"""What the rows of a prospect file mean: header matching (French or English, whatever the
case, accents or punctuation) and row checking, value by value, with the reasons users read.
Files are read by `prospects.readers`.

The wizard, the `import_prospects` command and the round-trip tests all go through
`prospects.services.prospects_import`, which uses this module.

Long because every field's accepted headers and every value's rule (with the caches that keep a
100,000-row file fast) read best side by side.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.phones import phone_search_word
from contacts.text import compact, normalize
from contacts.validators import clean_phone, clean_website
from core.exports import csv_text
from core.numbers import NumberError, parse_decimal

# Error messages shown next to refused rows (kept as constants: tests assert them).
INVALID_EMAIL = gettext_lazy("invalid e-mail")
INVALID_PHONE = gettext_lazy("invalid phone number")
INVALID_DATE = gettext_lazy("invalid date (dd/mm/yyyy or yyyy-mm-dd)")
INVALID_AMOUNT = gettext_lazy("invalid amount")
INVALID_PROBABILITY = gettext_lazy("invalid probability (0 to 100)")
INVALID_WEBSITE = gettext_lazy("invalid website")
UNKNOWN_OWNER = gettext_lazy("unknown owner")
UNKNOWN_CHANNEL = gettext_lazy("unknown channel")
UNKNOWN_CATEGORY = gettext_lazy("unknown category")
NO_IDENTITY = gettext_lazy("a last name, a company or an e-mail is needed")
TOO_LONG = gettext_lazy("too long")
DUPLICATE_IN_FILE = gettext_lazy("duplicate of row {row}")
DUPLICATE_PROSPECT = gettext_lazy("already a prospect (#{id})")
DUPLICATE_PERSON = gettext_lazy("already in the contacts (person #{id})")
# The same, for a record the importing user may not see: still refused, but not named.
DUPLICATE_PROSPECT_HIDDEN = gettext_lazy("already a prospect (a record you may not see)")
DUPLICATE_PERSON_HIDDEN = gettext_lazy("already in the contacts (a record you may not see)")

# Target fields, in the order of the mapping form, with the headers each one accepts. Headers are
# compared after `compact` (no case, accents, spaces or punctuation).
FIELDS: dict[str, tuple[str, list[str]]] = {
    "civility": (
        gettext_lazy("civility"),
        ["Civilité", "Civility", "M./Mme", "Titre civilité", "Salutation"],
    ),
    "last_name": (
        gettext_lazy("last name"),
        ["Nom", "Last name", "Lastname", "Surname", "Nom de famille", "Name"],
    ),
    "first_name": (gettext_lazy("first name"), ["Prénom", "First name", "Firstname", "Given name"]),
    "company_name": (
        gettext_lazy("company"),
        ["Société", "Raison sociale", "Company", "Entreprise", "Organisation", "Organization"],
    ),
    "job_title": (gettext_lazy("job title"), ["Fonction", "Title", "Job title", "Poste"]),
    "email": (gettext_lazy("e-mail"), ["E-mail", "Courriel", "Email", "Mail", "Adresse e-mail"]),
    "phone": (gettext_lazy("phone"), ["Téléphone", "Tél", "Tel", "Phone", "Telephone", "Fixe"]),
    "mobile": (
        gettext_lazy("mobile"),
        [
            "Mobile",
            "Portable",
            "GSM",
            "Cell",
            "Mobile phone",
            "Téléphone mobile",
            "Téléphone portable",
            "Tél portable",
        ],
    ),
    "address": (gettext_lazy("address"), ["Adresse", "Address", "Rue"]),
    "postal_code": (
        gettext_lazy("postal code"),
        ["CP", "Code postal", "Zip", "Postal code", "Postcode", "Zip code"],
    ),
    "city": (gettext_lazy("city"), ["Ville", "City", "Town", "Commune"]),
    "country": (gettext_lazy("country"), ["Pays", "Country"]),
    "website": (gettext_lazy("website"), ["Site web", "Website", "Site", "Web", "Site internet"]),
    "channel": (gettext_lazy("channel"), ["Canal", "Source", "Channel"]),
    "notes": (
        gettext_lazy("notes"),
        ["Notes", "Commentaire", "Comment", "Comments", "Remarques", "Message"],
    ),
    "birth_date": (
        gettext_lazy("birth date"),
        ["Date de naissance", "Birth date", "Birthdate", "Date of birth"],
    ),
    "external_ref": (
        gettext_lazy("external reference"),
        ["Référence externe", "External reference", "Référence", "Reference", "Réf"],
    ),
    "siren": (gettext_lazy("SIREN"), ["SIREN"]),
    "sector": (gettext_lazy("sector"), ["Secteur", "Secteur pro", "Sector", "Industry"]),
    "customer_type": (gettext_lazy("customer type"), ["Type client", "Customer type"]),
    "direct_approach": (gettext_lazy("direct approach"), ["Approche directe", "Direct approach"]),
    "categories": (
        gettext_lazy("categories"),
        ["Catégories", "Categories", "Catégorie", "Category", "Tags"],
    ),
    "project": (gettext_lazy("project"), ["Résumé projet", "Projet", "Project", "Project summary"]),
    "amount": (gettext_lazy("amount"), ["Potentiel", "Recette", "Montant", "Amount", "CA"]),
    "probability": (gettext_lazy("probability (%)"), ["Probabilité", "P", "Probability", "Proba"]),
    "expected_date": (
        gettext_lazy("expected date"),
        ["Prévu au", "Échéance", "Expected date", "Échéance projet", "Date prévue"],
    ),
    "owner": (gettext_lazy("owner"), ["Suivi", "Owner", "Commercial", "Sales rep"]),
}
OPPORTUNITY_FIELDS = ("project", "amount", "probability", "expected_date")
EXTRA_PREFIX = "extra:"
IGNORE = ""

_ALIASES = {compact(alias): name for name, (_label, aliases) in FIELDS.items() for alias in aliases}
_ALIASES.update({compact(str(label)): name for name, (label, _aliases) in FIELDS.items()})


def match_header(header: str, extra_labels: dict[str, int] | None = None) -> str:
    """The target field for a column header, `extra:<id>` for an extra field, or "" to ignore."""
    key = compact(header or "")
    if not key:
        return IGNORE
    if key in _ALIASES:
        return _ALIASES[key]
    if extra_labels and key in extra_labels:
        return f"{EXTRA_PREFIX}{extra_labels[key]}"
    return IGNORE


def guess_mapping(headers: list[str], extra_labels: dict[str, int] | None = None) -> dict[str, str]:
    """Column index (as a string, JSON-friendly) -> target; each target taken once, first wins."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        target = match_header(header, extra_labels)
        if target and target not in taken:
            mapping[str(index)] = target
            taken.add(target)
    return mapping


# --- Checking values --------------------------------------------------------------------------

_CIVILITIES = {
    "m": "M.",
    "mr": "M.",
    "monsieur": "M.",
    "mister": "M.",
    "sir": "M.",
    "mme": "Mme",
    "mrs": "Mme",
    "madame": "Mme",
    "ms": "Mme",
    "mlle": "Mme",
    "mademoiselle": "Mme",
    "miss": "Mme",
}
_TRUE = {"1", "oui", "yes", "true", "vrai", "x", "o", "y"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
_MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "company_name": 200,
    "job_title": 120,
    "address": 250,
    "postal_code": 12,
    "city": 120,
    "country": 80,
    "external_ref": 60,
    "sector": 120,
    "customer_type": 80,
    "project": 200,
    "siren": 9,
    "website": 200,
}


# Names, companies and cities repeat across a file: normalising each distinct value once keeps
# large imports fast (the cache is bounded).
_normalize = lru_cache(maxsize=50_000)(normalize)

# French numbers written the usual ways ("01 88 33 44 55", "0188334455", "+33 1 88 33 44 55"):
# read directly (the E.164 form phonenumbers gives for them); anything else goes to phonenumbers.
_FRENCH_NUMBER = re.compile(r"^(?:\+33\s?(?:\(0\)\s?)?|0)([1-79])((?:[\s.-]?\d{2}){4})$")


def import_phone(value: str) -> str:
    match = _FRENCH_NUMBER.match(value)
    if match:
        return "+33" + match.group(1) + re.sub(r"\D", "", match.group(2))
    return clean_phone(value)


def text(value) -> str:
    if type(value) is str:  # noqa: E721  (the common case first: a CSV cell)
        return value.replace("\x00", "").strip() if "\x00" in value else value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("\x00", "").strip()


def parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    raw = raw.split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(str(INVALID_DATE))


_CENT = Decimal("0.01")


def parse_number(value, symbols: tuple[str, ...] = ()) -> Decimal | None:
    """A cell as a Decimal: a spreadsheet's number as it is, a text by `core.numbers` with
    `language=None` (a file has no language: its French and English readings must agree, so
    "25 000,50", "25000.50" and "20,000.50" are read, "1,234" and "25.000" are refused as
    ambiguous). NumberError when refused."""
    if isinstance(value, float):
        return Decimal(str(value))
    return parse_decimal(value, language=None, symbols=symbols)


def _refusal(error: NumberError, message) -> ValueError:
    """The row's reason: the ambiguity itself ("thousands or decimals?"), else `message`."""
    return ValueError(error.message if error.code == "ambiguous_file" else str(message))


def parse_amount(value) -> Decimal | None:
    """ "25 000,50 €", "25000.50", "20,000.50", 20000 -> Decimal, to the cent. A text with more
    than two decimals (other than zeros) is refused, never rounded; a spreadsheet's number is
    rounded to the cent (its binary noise)."""
    if value in (None, ""):
        return None
    try:
        number = parse_number(value, ("€", "EUR"))
    except NumberError as error:
        raise _refusal(error, INVALID_AMOUNT) from error
    if number is None:
        return None
    amount = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount != number and not isinstance(value, float):
        raise ValueError(str(INVALID_AMOUNT))
    if amount < 0 or amount >= Decimal("1e12"):
        raise ValueError(str(INVALID_AMOUNT))
    return amount


def parse_probability(value) -> int | None:
    """ "80 %", "80", 0.8 (a cell formatted as a percentage) -> 80, rounded to the unit."""
    if value in (None, ""):
        return None
    if isinstance(value, float) and 0 < value <= 1 and not value.is_integer():
        value = value * 100  # a spreadsheet cell formatted as a percentage
    try:
        number = parse_number(value, ("%",))
    except NumberError as error:
        raise ValueError(str(INVALID_PROBABILITY)) from error
    if number is None:
        return None
    if number < 0 or number > 100:
        raise ValueError(str(INVALID_PROBABILITY))
    return int(number.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def parse_civility(value) -> str:
    key = compact(text(value))
    return _CIVILITIES.get(key, "")


@dataclass
class Lookups:
    """Reference data resolved once per import (owners, channels, categories, extra fields)."""

    owners: dict[str, int]
    channels: dict[str, int]
    categories: dict[str, int]
    extra_types: dict[int, str]

    @classmethod
    def load(cls) -> Lookups:
        from django.contrib.auth import get_user_model

        from contacts.models import Category, Channel, ExtraField

        users = get_user_model().objects.filter(is_active=True).values_list("username", "pk")
        return cls(
            owners={u.lower(): pk for u, pk in users},
            channels={normalize(n): pk for n, pk in Channel.objects.values_list("name", "pk")},
            categories={normalize(n): pk for n, pk in Category.objects.values_list("name", "pk")},
            extra_types=dict(ExtraField.objects.values_list("pk", "type")),
        )


@dataclass
class Row:
    """One checked row: the values ready for the database, or the reasons it is refused."""

    number: int
    raw: list
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    duplicate: str = ""
    search_text: str = ""  # `search_words(values)`, once the row passed its checks

    @property
    def ok(self) -> bool:
        return not self.errors and not self.duplicate

    @property
    def reason(self) -> str:
        return "; ".join([*self.errors, *([self.duplicate] if self.duplicate else [])])

    @property
    def has_opportunity(self) -> bool:
        return any(self.values.get(name) not in (None, "") for name in OPPORTUNITY_FIELDS)


def check_row(number: int, raw: list, mapping: dict[str, str], lookups: Lookups) -> Row:
    """Turn a file row into clean values, collecting every problem rather than the first."""
    row = Row(number=number, raw=raw)
    values = row.values
    extra: dict[str, object] = {}
    for index_text, target in mapping.items():
        if not target:
            continue
        index = int(index_text)
        cell = raw[index] if index < len(raw) else None
        if target.startswith(EXTRA_PREFIX):
            _check_extra(row, extra, target[len(EXTRA_PREFIX) :], cell, lookups)
            continue
        try:
            _check_value(row, target, cell, lookups)
        except (ValueError, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            row.errors.append(f"{FIELDS[target][0]}: {message}")
    if extra:
        values["extra"] = extra
    if not (values.get("last_name") or values.get("company_name") or values.get("email")):
        row.errors.append(str(NO_IDENTITY))
    return row


# Dates, amounts, probabilities and civilities repeat down a file: each distinct cell is read
# once (refusals are not cached: they raise again). Typed, so 1 and 1.0 stay apart.
_cell_date = lru_cache(maxsize=8192, typed=True)(parse_date)
_cell_amount = lru_cache(maxsize=8192, typed=True)(parse_amount)
_cell_probability = lru_cache(maxsize=1024, typed=True)(parse_probability)
_cell_civility = lru_cache(maxsize=1024)(parse_civility)


# The addresses `validate_email` accepts in their usual form (a dot-atom, a domain name), as
# one compiled pattern: its user part and domain hold no "@", so where it matches, Django's
# validator (which splits at the last "@" and matches each part with these same patterns)
# accepts too. Any other address (quoted, IP literal, "localhost", refused) goes to Django.
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*@"
    + EmailValidator.hostname_re
    + EmailValidator.domain_re
    + EmailValidator.tld_no_fqdn_re
    + r"\Z",
    re.IGNORECASE,
)


def _check_value(row: Row, target: str, cell, lookups: Lookups) -> None:
    values = row.values
    if target == "birth_date" or target == "expected_date":
        values[target] = _cell_date(cell)
        return
    if target == "amount":
        values[target] = _cell_amount(cell)
        return
    if target == "probability":
        values[target] = _cell_probability(cell)
        return
    raw = text(cell)
    if target == "civility":
        values[target] = _cell_civility(raw)
    elif target == "email":
        if raw and not (len(raw) <= 320 and _PLAIN_EMAIL.match(raw)):
            try:
                validate_email(raw)
            except ValidationError as exc:
                raise ValueError(str(INVALID_EMAIL)) from exc
        values[target] = raw.lower()
    elif target in ("phone", "mobile"):
        try:
            values[target] = import_phone(raw)
        except ValidationError as exc:
            raise ValueError(str(INVALID_PHONE)) from exc
    elif target == "website":
        try:
            values[target] = clean_website(raw)
        except ValidationError as exc:
            raise ValueError(str(INVALID_WEBSITE)) from exc
    elif target == "owner":
        if raw:
            owner = lookups.owners.get(raw.lower())
            if owner is None:
                raise ValueError(f"{UNKNOWN_OWNER} ({raw})")
            values["owner_id"] = owner
    elif target == "channel":
        if raw:
            channel = lookups.channels.get(_normalize(raw))
            if channel is None:
                raise ValueError(f"{UNKNOWN_CHANNEL} ({raw})")
            values["channel_id"] = channel
    elif target == "categories":
        ids = []
        for name in re.split(r"[,;|]", raw):
            if name.strip():
                category = lookups.categories.get(_normalize(name))
                if category is None:
                    raise ValueError(f"{UNKNOWN_CATEGORY} ({name.strip()})")
                ids.append(category)
        values["category_ids"] = ids
    elif target == "direct_approach":
        values[target] = compact(raw) in _TRUE
    else:
        limit = _MAX_LENGTHS.get(target)
        if limit and len(raw) > limit:
            raise ValueError(f"{TOO_LONG} (> {limit})")
        values[target] = raw


def _check_extra(row: Row, extra: dict, field_id: str, cell, lookups: Lookups) -> None:
    kind = lookups.extra_types.get(int(field_id))
    if kind is None:
        return
    raw = text(cell)
    if raw == "":
        return
    if kind == "number":
        try:
            number = parse_number(raw)
        except NumberError as error:
            reason = _refusal(error, f"{_('invalid number')} ({raw})")
            row.errors.append(str(reason))
        else:
            extra[field_id] = float(number)
    elif kind == "boolean":
        extra[field_id] = compact(raw) in _TRUE
    else:
        extra[field_id] = raw


def name_key(values: dict) -> str:
    """Duplicate key for rows without an e-mail: normalised first name, last name and company."""
    last = _normalize(values.get("last_name", ""))
    if not last:
        return ""
    return "|".join(
        [last, _normalize(values.get("first_name", "")), _normalize(values.get("company_name", ""))]
    )


_E164 = re.compile(r"\+[1-9]\d{5,14}")


def _phone_word(phone: str) -> str:
    """`phone_search_word` without parsing again a number the check wrote in E.164."""
    return phone[1:] if _E164.fullmatch(phone) else phone_search_word(phone)


def search_words(values: dict) -> str:
    """The quick search's words for an imported row (as `services.prospect_search_text`).
    `normalize` keeps a text's words in order, so normalising the parts one by one (the ones
    that repeat down a file through the cache) gives the words of the joined text."""
    phone = values.get("phone") or ""
    return " ".join(
        w
        for w in (
            _normalize(values.get("last_name") or ""),
            _normalize(values.get("first_name") or ""),
            _normalize(values.get("company_name") or ""),
            normalize(values.get("email") or ""),
            _normalize(values.get("city") or ""),
            _normalize(values.get("postal_code") or ""),
            normalize(phone.replace(" ", "")),
            _phone_word(phone),
        )
        if w
    )


class ReportWriter:
    """The refused rows' report (row number, reason, the original values), written a line at a
    time through the project's CSV writer (`;`, formula guard) to a text handle. The BOM comes
    from the handle's encoding (`utf-8-sig`), as the wizard and the command open it."""

    def __init__(self, handle, headers: list[str]):
        self.handle = handle
        self._write([_("row"), _("reason"), *headers])

    def _write(self, line: list) -> None:
        for chunk in csv_text(line, (), bom=False):
            self.handle.write(chunk)

    def writerow(self, row: Row) -> None:
        self._write(report_line(row))


def report_line(row: Row) -> list:
    return [row.number, row.reason, *[text(v) for v in row.raw]]
