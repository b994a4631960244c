"""The generic scrub: every copy of a person's data, wherever a table keeps one.

Jalon's apps copy personal values into many places: web form submissions, webhook delivery
logs, API idempotency records, e-mail headers, history entries, the audit log, a quote's frozen
parties. Rather than knowing each of them (apps are added after this one is written), an erasure
searches every text and JSON column of every model of the project for the exact values that
identify the person (e-mail addresses, phone numbers in their usual spellings, full names) and
replaces them with `MASK`. One query per model reads the rows holding a value (its text columns
joined into one text, upper-cased once and matched with `LIKE ANY` of the values on
PostgreSQL), then each changed row is updated.

Cost: every table is read once per erasure (a sequential scan, since `LIKE '%x%'` uses no
index), so an erasure costs about the time of reading the text columns of the whole database
once; measured in tests/privacy/test_scrub.py and README.md, "Privacy".

Left out: the user table (a rep with the same e-mail keeps their login), sessions (signed data
that expires), unique columns (a Message-ID: rewriting it could collide), file paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import F, Func, Lookup, Q, Value
from django.db.models.functions import Cast, Coalesce, Upper

MASK = "***"
SEPARATOR = "\x1f"  # between the columns of a row's joined text: no value spans two columns
SKIPPED_APPS = {"sessions", "contenttypes", "migrations", "admin_interface"}
# SQLite refuses more than 999 parameters in a statement: OR-ed LIKEs are chunked under it.
MAX_TERMS = 400


@dataclass
class ScrubResult:
    rows: dict[str, int] = field(default_factory=dict)  # model label → rows changed
    queries: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def add(self, label: str, count: int) -> None:
        if count:
            self.rows[label] = self.rows.get(label, 0) + count


def phone_spellings(phone: str, region: str = "FR") -> set[str]:
    """The ways a phone number is commonly written: as stored, E.164, international and
    national formats, with and without spaces."""
    phone = (phone or "").strip()
    if not phone:
        return set()
    found = {phone, re.sub(r"[\s.\-]", "", phone)}
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return {value for value in found if len(value) >= 6}
    for fmt in (
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
    ):
        text = phonenumbers.format_number(number, fmt)
        found |= {text, text.replace(" ", ""), text.replace(" ", ".")}
    return {value for value in found if len(value) >= 6}


def name_spellings(first_name: str, last_name: str) -> set[str]:
    """A full name as records write it: "First Last", "Last First" (case is ignored by the
    search). A name alone is too common to be searched everywhere; see `identifying_values`."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if not (first and last):
        return set()
    return {f"{first} {last}", f"{last} {first}"}


def identifying_values(
    *, first_name="", last_name="", emails: Iterable[str] = (), phones: Iterable[str] = ()
) -> set[str]:
    """The values searched in every table for a person."""
    values = name_spellings(first_name, last_name)
    values |= {email.strip() for email in emails if email and "@" in email}
    for phone in phones:
        values |= phone_spellings(phone)
    return {value for value in values if len(value) >= 3}


def replace_text(text: str, values: Iterable[str]) -> str:
    """`text` with every occurrence of each value (any case) replaced by MASK; the longest
    values first, so that a full name goes before its parts."""
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value), MASK, text, flags=re.IGNORECASE)
    return text


def replace_json(data, values: Iterable[str]):
    """The same replacement in every string (keys included) of a JSON value."""
    if isinstance(data, str):
        return replace_text(data, values)
    if isinstance(data, list):
        return [replace_json(item, values) for item in data]
    if isinstance(data, dict):
        return {replace_text(k, values): replace_json(v, values) for k, v in data.items()}
    return data


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.primary_key
        and not f.unique
        and not f.choices
    ]


def scrubbed_models() -> list[type[models.Model]]:
    """Every model whose rows may hold a copy: the project's and its libraries' (the audit
    log), except the user table and the tables listed in SKIPPED_APPS."""
    user_label = settings.AUTH_USER_MODEL.lower()
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in SKIPPED_APPS
        and model._meta.label_lower != user_label
        and not model._meta.proxy
        and model._meta.managed
        and _text_fields(model)
    ]


def _json_forms(value: str) -> set[str]:
    """How `value` reads inside a JSON column's text: as is, and with its non-ASCII characters
    escaped (`\\u00e9`), which Django's JSON encoder does."""
    return {value, json.dumps(value)[1:-1]}


class JoinedText(Func):
    """Texts joined flat: `CONCAT(a, b, ...)` (PostgreSQL takes up to 100 arguments, nested
    beyond), `a || b || ...` on SQLite (whose parser overflows on deeply nested calls)."""

    function = "CONCAT"
    output_field = models.TextField()

    def __init__(self, *expressions):
        if len(expressions) > 90:
            expressions = (JoinedText(*expressions[:90]), JoinedText(*expressions[90:]))
        super().__init__(*expressions)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" || ")


@models.TextField.register_lookup
class LikeAny(Lookup):
    """`text LIKE ANY(ARRAY['%VALUE%', ...])` (PostgreSQL), the values upper-cased: for a text
    already upper-cased once."""

    lookup_name = "like_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        patterns = [f"%{connection.ops.prep_for_like_query(v.upper())}%" for v in self.rhs]
        return f"{lhs} LIKE ANY(%s)", [*params, patterns]


def _condition(fields: list[models.Field], values: set[str]) -> tuple[Q, dict]:
    """One text per row, its text columns joined (JSON ones as their text), searched once for
    all the values: a row is read once, whatever the number of its columns and values."""
    parts = []
    for f in fields:
        column = (
            Cast(f.attname, models.TextField()) if isinstance(f, models.JSONField) else F(f.attname)
        )
        parts += [Coalesce(column, Value("")), Value(SEPARATOR)]
    annotations = {"_scrub_text": JoinedText(*parts)}
    forms = set(values)
    if any(isinstance(f, models.JSONField) for f in fields):
        for value in values:
            forms |= _json_forms(value)
    if connection.vendor == "postgresql":
        # The row's text upper-cased once, then `LIKE ANY` of the values: an OR of
        # `icontains` would upper-case it again for each value.
        annotations["_scrub_text"] = Upper(annotations["_scrub_text"])
        return Q(_scrub_text__like_any=sorted(forms)), annotations
    condition = Q()
    for form in forms:
        condition |= Q(_scrub_text__icontains=form)
    return condition, annotations


def scrub_everywhere(values: set[str], *, result: ScrubResult | None = None) -> ScrubResult:
    """Replace each of `values` by MASK in every text and JSON column of every model
    (`scrubbed_models`). Returns the rows changed per model and the queries it took."""
    result = result or ScrubResult()
    values = {value for value in values if value}
    if not values:
        return result
    for model in scrubbed_models():
        fields = _text_fields(model)
        chunk = MAX_TERMS // 2  # a value and its JSON spelling
        ordered = sorted(values)
        for start in range(0, len(ordered), chunk):
            scrub_rows(
                model._base_manager.all(), fields, set(ordered[start : start + chunk]), result
            )
    return result


def scrub_rows(queryset, fields: list[models.Field], values: set[str], result: ScrubResult) -> None:
    """Replace `values` in `fields` of the rows of `queryset` that hold one of them."""
    model = queryset.model
    condition, annotations = _condition(fields, values)
    if annotations:
        queryset = queryset.annotate(**annotations)
    rows = list(queryset.filter(condition).values("pk", *[f.attname for f in fields]))
    result.queries += 1
    changed = 0
    for row in rows:
        update = {}
        for f in fields:
            current = row[f.attname]
            if current is None:
                continue
            new = (
                replace_json(current, values)
                if isinstance(f, models.JSONField)
                else replace_text(current, values)
            )
            if new != current:
                update[f.attname] = new
        if update:
            model._base_manager.filter(pk=row["pk"]).update(**update)
            result.queries += 1
            changed += 1
    result.add(model._meta.label, changed)


def scrub_instances(objects: Iterable[models.Model], values: set[str], result: ScrubResult) -> None:
    """Replace `values` (names alone included: these rows are about the person) in the text
    columns of the given rows."""
    by_model: dict[type, list] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj.pk)
    values = {value for value in values if value and len(value) >= 2}
    if not values:
        return
    for model, pks in by_model.items():
        fields = _text_fields(model)
        if fields:
            scrub_rows(model._base_manager.filter(pk__in=pks), fields, values, result)
