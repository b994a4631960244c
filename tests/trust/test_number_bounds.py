"""Every whole-number field of the apps' forms has a ceiling: a value the database cannot hold
(30 digits, 2**31 in an integer column on PostgreSQL) gets a message next to the field, never
a database error. ModelForms get it from `core.forms.bounded_formfield`."""

import importlib
import inspect

from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator

APPS = ("core", "accounts", "contacts", "pipeline", "prospects", "forecasting")


def form_classes():
    for app in APPS:
        try:
            module = importlib.import_module(f"{apps.get_app_config(app).name}.forms")
        except ImportError:
            continue
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
            ):
                yield cls


def test_every_whole_number_field_has_a_ceiling():
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.IntegerField)
        and not isinstance(field, forms.DecimalField)
        and field.max_value is None
        and not any(isinstance(v, MaxValueValidator) for v in field.validators)
    ]
    assert not unbounded, (
        f"whole-number fields without a ceiling: {unbounded}; give the ModelForm's Meta "
        "`formfield_callback = bounded_formfield` (core/forms.py), or the field a max_value"
    )
