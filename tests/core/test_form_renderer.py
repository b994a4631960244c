"""The form renderer writes <input> and <select> in Python exactly as Django's templates do."""

import datetime as dt
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.forms import FormRenderer

pytestmark = pytest.mark.django_db

FAST, TEMPLATES = FormRenderer(), DjangoTemplates()


class Every(forms.Form):
    text = forms.CharField(initial='a "quoted" <b>&amp;</b>', help_text="help")
    empty = forms.CharField(required=False)
    number = forms.IntegerField(initial=0, min_value=0, max_value=10)
    decimal = forms.DecimalField(initial=Decimal("1234.50"))
    email = forms.EmailField(initial="léa@example.com")
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x")
    hidden = forms.CharField(widget=forms.HiddenInput, initial=3)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date.today)
    when = forms.DateTimeField(initial=dt.datetime(2026, 11, 6, 15, 4))
    time = forms.TimeField(initial=dt.time(9, 30))
    flag = forms.BooleanField(required=False, initial=True)
    off = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"disabled": True}))
    safe = forms.CharField(initial=mark_safe("<i>kept</i>"))  # noqa: S308 - what a template keeps
    lazy = forms.CharField(initial=_("Sales rep"))
    pick = forms.ChoiceField(
        choices=[("", "---"), ("a", "A & B"), (3, _("Sales rep"))], initial=3, required=False
    )
    grouped = forms.ChoiceField(
        choices=[("Fruits", [("apple", "Apple"), ("pear", '"Pear"')]), ("none", "None")],
        initial="pear",
        widget=forms.Select(attrs={"class": "x", "data-on": True, "data-off": False}),
    )
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")], initial=["2"])
    numbers = forms.ChoiceField(choices=[(1, Decimal("0.5")), (2, 1234)], initial=1)
    area = forms.CharField(widget=forms.Textarea, initial="a\nb")
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("a", "A")], initial="a")


def render_both(form_class, **kwargs):
    return [str(form_class(renderer=renderer, **kwargs)) for renderer in (FAST, TEMPLATES)]


def test_every_widget_as_the_templates_write_it():
    assert {"django/forms/widgets/text.html", "django/forms/widgets/select.html"} <= (
        FAST.own_templates
    )
    fast, templates = render_both(Every)
    assert fast == templates
    fast, templates = render_both(Every, data={"text": "<x>", "number": "11", "pick": "zz"})
    assert fast == templates


def test_a_number_as_an_option_label_goes_through_the_template():
    """A template localises a number (0,5 in French): such a <select> is not written in Python."""
    with _override_language("fr"):
        fast, templates = render_both(Every)
    assert fast == templates
    assert "0,5" in fast


def _override_language(code):
    from django.utils import translation

    return translation.override(code)


def _forms():
    from contacts import forms as contacts_forms
    from pipeline import forms as pipeline_forms
    from prospects import forms as prospects_forms

    for module in (contacts_forms, pipeline_forms, prospects_forms):
        for _name, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.BaseForm) and form_class.__module__ == module.__name__:
                yield form_class


def test_the_forms_of_the_cards_render_the_same(rep, default_process):
    """The forms a rep fills every day, unbound and bound to junk, render the same both ways."""
    rendered = 0
    for form_class in _forms():
        for kwargs in ({}, {"data": {"version": "x", "amount": "abc", "email": "<nope>"}}):
            try:
                fast, templates = render_both(form_class, **kwargs)
            except TypeError:  # a form needing more arguments than these
                continue
            assert fast == templates, form_class.__name__
            rendered += 1
    assert rendered >= 10


def test_forms_render_through_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
