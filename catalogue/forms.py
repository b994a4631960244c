"""The catalogue's form and list filters."""

import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product, ProductFamily
from catalogue.selectors import product_search
from core.forms import MoneyField

# A `seen` value that is no date (junk): refused as stale, never as a form error on a hidden field.
SEEN_JUNK = dt.datetime.min.replace(tzinfo=dt.UTC)


class ProductForm(forms.ModelForm):
    # The product's `updated_at` when the form was opened (see `catalogue.services`).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Product
        fields = [
            "code",
            "label",
            "family",
            "unit",
            "unit_price",
            "vat_rate",
            "vat_exemption",
            "active",
            "description",
        ]
        field_classes = {"unit_price": MoneyField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].empty_label = _("No family")
        if self.instance.pk and not self.is_bound:
            self.initial["seen"] = self.instance.updated_at.isoformat()

    def clean_seen(self) -> dt.datetime | None:
        value = (self.cleaned_data.get("seen") or "").strip()
        if not value:
            return None
        try:
            seen = dt.datetime.fromisoformat(value)
        except ValueError:
            return SEEN_JUNK
        return seen if seen.tzinfo else SEEN_JUNK


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    family = django_filters.ModelChoiceFilter(
        label=_("Family"), queryset=ProductFamily.objects.all(), empty_label=_("Every family")
    )
    active = django_filters.ChoiceFilter(
        label=_("Active"),
        method="filter_active",
        empty_label=_("Active and inactive"),
        choices=[("yes", _("Active")), ("no", _("Inactive"))],
    )

    class Meta:
        model = Product
        fields = ["q", "family", "active"]

    def filter_q(self, queryset, name, value):
        return product_search(queryset, value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "yes") if value in ("yes", "no") else queryset
