"""Form pieces every app uses."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.forms.renderers import DjangoTemplates
from django.utils import formats, translation
from django.utils.functional import Promise, cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.numbers import NUMBER_WHOLE, NumberError, format_decimal, parse_decimal
from core.users import active_users, user_label


class VersionField(forms.CharField):
    """The version a form was loaded with, kept as sent: the service reads it with
    `core.versions.check_version`, which refuses junk as stale (never a form error on a
    hidden field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class VersionedForm(forms.ModelForm):
    """Carries the version the user saw, so that a stale save is refused (see `core.versions`)
    instead of overwriting someone else's change."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


OTHER_FIELDS = _("Other information")


class SectionsMixin:
    """A long form shown in labelled sections (`templates/includes/form_fields.html`) rather
    than one flat grid: `sections` lists (legend, field names); the visible fields named in no
    section come last, under "Other information"."""

    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def field_sections(self) -> list[tuple[str, list]]:
        placed: set[str] = set()
        groups = []
        for legend, names in self.sections:
            placed.update(names)
            fields = [
                self[name] for name in names if name in self.fields and not self[name].is_hidden
            ]
            if fields:
                groups.append((legend, fields))
        rest = [field for field in self.visible_fields() if field.name not in placed]
        if rest:
            groups.append((OTHER_FIELDS, rest))
        return groups


class DateInput(forms.DateInput):
    """The browser's date picker (`type="date"`), whose value is always yyyy-mm-dd. The field
    also takes a date typed in the user's format (dd/mm/yyyy in French: a script, a browser
    without a picker); shown back after an error, such a date is turned into yyyy-mm-dd, or the
    picker would show it empty and the next save would lose it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            for date_format in formats.get_format("DATE_INPUT_FORMATS"):
                try:
                    return dt.datetime.strptime(value.strip(), date_format).date().isoformat()
                except ValueError:
                    continue
            return value
        return super().format_value(value)


DATE_WIDGET = DateInput()


class DecimalInput(forms.TextInput):
    """A number typed as text with the decimal keyboard, never a browser number field (which
    refuses "25 000,50" or reads it its own way): the value is shown in the user's format
    (`core.numbers.format_decimal`) and read back by the field with the same rule."""

    def __init__(self, attrs=None, decimal_places: int | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.decimal_places = decimal_places

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_decimal(value, decimal_places=self.decimal_places)
        return super().format_value(value)


class TypedNumberField(forms.DecimalField):
    """A number read by `core.numbers.parse_decimal` in the user's language: the exact value
    typed, or a message next to the field. Extra zeros past the allowed decimals are dropped
    ("25 000,500" is 25000.50); any other decimal past them is refused, never rounded. With
    `decimal_places=0` the cleaned value is an int."""

    widget = DecimalInput
    symbols: tuple[str, ...] = ()
    # Decimals shown: the field's own (money: "25 000" or "25 000,50"), or as many as the
    # value has (None: quantities, percentages).
    shows_fixed_decimals = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if isinstance(self.widget, DecimalInput):
            self.widget.decimal_places = self.decimal_places if self.shows_fixed_decimals else None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_decimal(value, language=translation.get_language(), symbols=self.symbols)
        except NumberError as error:
            raise ValidationError(error.message, code=error.code) from error
        if number is None or self.decimal_places is None or not number.is_finite():
            return number
        try:
            trimmed = number.quantize(Decimal(1).scaleb(-self.decimal_places))
        except InvalidOperation:
            return number
        return trimmed if trimmed == number else number

    def validate(self, value):
        super().validate(value)
        if value is not None and self.decimal_places == 0 and value != value.to_integral_value():
            raise ValidationError(NUMBER_WHOLE, code="whole")

    def clean(self, value):
        value = super().clean(value)
        if value is not None and self.decimal_places == 0:
            return int(value)
        return value


class MoneyField(TypedNumberField):
    """An amount in euros: "25 000,50", "25 000 €", "25000.50"; two decimals."""

    symbols = ("€", "EUR")
    shows_fixed_decimals = True

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


class PercentField(TypedNumberField):
    """A percentage from 0 to 100, "%" allowed; whole unless `decimal_places` says otherwise."""

    symbols = ("%",)

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 0)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        super().__init__(**kwargs)


class QuantityField(TypedNumberField):
    """A quantity (or any plain number): three decimals unless told otherwise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(**kwargs)


class UserChoiceField(forms.ModelChoiceField):
    """A pick among the active users, labelled by their names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", active_users())
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return user_label(obj)


def bounded_formfield(db_field, **kwargs):
    """A ModelForm's `Meta.formfield_callback`: the model field's form field, an integer one
    refusing, next to the field, what its column cannot hold. The bounds are the standard ones
    of the column type (PostgreSQL's): SQLite would store 2**40 in a "small" integer that
    PostgreSQL refuses, and the model's own validators follow the database in use (and do not
    run at all in forms whose model validation is left to the service)."""
    field = db_field.formfield(**kwargs)
    if isinstance(db_field, models.IntegerField) and isinstance(field, forms.IntegerField):
        low, high = BaseDatabaseOperations.integer_field_ranges.get(
            db_field.get_internal_type(), (None, None)
        )
        if low is not None and (field.min_value is None or field.min_value < low):
            field.validators.append(MinValueValidator(low))
        if high is not None and (field.max_value is None or field.max_value > high):
            field.validators.append(MaxValueValidator(high))
    return field


# --------------------------------------------------------------------------- fast <select>


def select_html(context: dict) -> SafeString:
    """A <select> as Django's `select.html` writes it, from the widget's context
    (`widget.get_context(...)["widget"]`), in Python: Django's one template include per option
    cost the lists' full pages milliseconds (the ~250 countries, the owners, the steps)."""
    groups = []
    for group_name, options, _index in context["optgroups"]:
        rows = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>\n',
            (
                (option["value"], _attrs_html(option["attrs"]), option["label"])
                for option in options
            ),
        )
        if group_name:
            rows = format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rows)
        groups.append((rows,))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        context["name"],
        _attrs_html(context["attrs"]),
        format_html_join("", "{}", groups),
    )


def _attrs_html(attrs: dict) -> SafeString:
    """Attributes as Django's `attrs.html` writes them: in order, `True` as the bare name,
    `False` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


# --------------------------------------------------------------------------- fast widgets

# Django's own widget templates that are no more than an <input> (`input.html`).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "tel",
        "search",
        "color",
        "checkbox",
    )
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# A field's error list (`{{ field.errors }}`), which writes nothing when there is no error.
ERROR_TEMPLATES = frozenset(
    ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")
)


def input_html(widget: dict) -> SafeString:
    """An <input> as Django's `input.html` writes it, from the widget's context."""
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', value) if value is not None else "",
        _attrs_html(widget["attrs"]),
    )


def _plain_select(widget: dict) -> bool:
    """Whether `select_html` writes this <select> as `select.html` would: options in Django's
    own template, labels that are text (a template would localise a number or a date)."""
    for group_name, options, _index in widget["optgroups"]:
        if group_name and not isinstance(group_name, (str, Promise)):
            return False
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE or not isinstance(
                option["label"], (str, Promise)
            ):
                return False
    return True


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), writing its plainest widgets in Python:
    an <input> and a <select> as its templates do, byte for byte, without the template includes
    (one per attribute list and per option) that cost a page holding a form several
    milliseconds; and a field's empty error list as nothing. Any other widget or error list, or
    one whose template an app overrides, goes through the templates as before."""

    @cached_property
    def own_templates(self) -> frozenset[str]:
        """The fast-written templates that are still Django's own (not overridden by an app)."""
        own = Path(forms.__file__).parent / "templates"
        return frozenset(
            name
            for name in (*INPUT_TEMPLATES, SELECT_TEMPLATE, OPTION_TEMPLATE, *ERROR_TEMPLATES)
            if Path(self.get_template(name).origin.name).is_relative_to(own)
        )

    def render(self, template_name, context, request=None):
        if (
            template_name in ERROR_TEMPLATES
            and "errors" in context
            and not context["errors"]
            and self.own_templates >= ERROR_TEMPLATES
        ):
            return ""
        if template_name in self.own_templates and "widget" in context:
            widget = context["widget"]
            if template_name in INPUT_TEMPLATES:
                return input_html(widget)
            if (
                template_name == SELECT_TEMPLATE
                and OPTION_TEMPLATE in self.own_templates
                and _plain_select(widget)
            ):
                return select_html(widget)
        return super().render(template_name, context, request)
