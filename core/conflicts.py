"""The one conflict screen: an edit form refused as stale (`core.versions.ConcurrentEdit`) is
shown again on the current record, with `core/_conflict.html` above it: who changed the record
and when, and the fields where what the user typed differs from what is stored now."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import yesno
from django.utils import dateformat, formats, timezone
from django.utils.text import capfirst

from core.numbers import format_decimal
from core.versions import ConcurrentEdit


@dataclass
class FieldChange:
    """A field the two writers disagree on, named by its label."""

    label: str
    mine: str
    current: str


@dataclass
class StaleNotice:
    """What `core/_conflict.html` shows (the template's `conflict`)."""

    message: str
    changes: list[FieldChange] = field(default_factory=list)


def _choices(choice_field) -> list[tuple[str, str]]:
    flat = []
    for key, label in choice_field.choices:
        if isinstance(label, (list, tuple)):  # an optgroup
            flat += [(str(k), str(v)) for k, v in label]
        else:
            flat.append((str(key), str(label)))
    return flat


def shown(form_field: forms.Field, value) -> str:
    """`value` (a form's initial or typed value) as the user reads it: choice labels, yes/no,
    dates and numbers in the user's format; "" for nothing."""
    if isinstance(form_field, forms.BooleanField):
        flag = form_field.to_python(value)
        return "" if flag is None else capfirst(yesno(flag))
    if value is None or value == "" or value == [] or value == ():
        return ""
    if hasattr(form_field, "choices"):
        prepared = form_field.prepare_value(value)
        many = isinstance(prepared, (list, tuple, set))
        wanted = {str(v) for v in prepared} if many else {str(prepared)}
        labels = [label for key, label in _choices(form_field) if key in wanted]
        if labels:
            return ", ".join(labels)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    # Dates as the pages show them (dd/mm/yyyy), numbers as the fields show them (25 000,50).
    if isinstance(value, dt.datetime):
        return dateformat.format(value, "d/m/Y H:i")
    if isinstance(value, dt.date):
        return dateformat.format(value, "d/m/Y")
    if isinstance(value, (Decimal, float)):
        places = getattr(form_field.widget, "decimal_places", None)
        return format_decimal(value, decimal_places=places)
    if isinstance(value, (dt.time, int)):
        return str(formats.localize(value, use_l10n=True))
    return str(value)


def changed_fields(typed: forms.Form, current: forms.Form) -> list[FieldChange]:
    """The fields where what the user typed (`typed`, the bound form refused as stale) differs
    from the values stored now (`current`, the same form unbound on the current record), in
    the form's order and named by their labels. Hidden and disabled fields are left out, and
    so are differences the user cannot see (both values read the same)."""
    changes = []
    for name, form_field in current.fields.items():
        if name not in typed.fields or form_field.disabled or form_field.widget.is_hidden:
            continue
        now, mine = current[name], typed[name]
        if not form_field.has_changed(now.initial, mine.data):
            continue
        if hasattr(form_field, "choices") or name not in typed.cleaned_data:
            typed_value = mine.data  # the keys picked, shown by their labels
        else:
            typed_value = typed.cleaned_data[name]
        mine_shown, current_shown = shown(form_field, typed_value), shown(form_field, now.initial)
        if mine_shown != current_shown:  # e.g. seconds a minute-precision field does not show
            changes.append(FieldChange(str(now.label), mine_shown, current_shown))
    return changes


def stale_notice(
    error: ConcurrentEdit, typed: forms.Form | None = None, current: forms.Form | None = None
) -> StaleNotice:
    """The conflict screen's content; the changed fields when both forms are given."""
    changes = changed_fields(typed, current) if typed is not None and current is not None else []
    return StaleNotice(message=error.message, changes=changes)


def stale_response(
    request: HttpRequest,
    template_name: str,
    context: dict,
    *,
    error: ConcurrentEdit,
    typed: forms.Form | None = None,
    current: forms.Form | None = None,
) -> HttpResponse:
    """Answer a stale save: `template_name` rendered with status 409, its form (`current`, put
    in the context by the caller) showing the record as it is now, and `conflict` for
    `core/_conflict.html`. Saving that form again saves what it then holds."""
    context = {**context, "conflict": stale_notice(error, typed, current)}
    return render(request, template_name, context, status=409)
