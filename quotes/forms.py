"""The quote card's forms: amounts, percentages and quantities typed the French way ("1 250,50")
and refused with the services' messages, which say what to fix."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import VatRate
from core.forms import MoneyField, PercentField, QuantityField, VersionedForm
from quotes import services
from quotes.models import Quote, QuoteLine


def discount_field(label) -> PercentField:
    """A discount typed "12,5" or "12,5 %"; its range is checked by `clean_discount`, with the
    service's message (a field validator would format its "%" as a placeholder)."""
    return PercentField(
        label=label, decimal_places=2, max_digits=5, min_value=None, max_value=None, required=False
    )


def clean_discount(value):
    if value is not None and not 0 <= value <= 100:
        raise forms.ValidationError(services.DISCOUNT_RANGE, code="range")
    return value or Decimal(0)


class ServiceValidated:
    """The service validates what is saved (`quotes.services`): the form only reads what was
    typed, and leaves the model's own checks (and their generic messages) to it."""

    def _post_clean(self):
        pass


class RecipientField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.email}" if obj.email else obj.full_name


class QuoteForm(ServiceValidated, VersionedForm):
    """A draft's head: title, recipient, validity, overall discount, notes."""

    discount = discount_field(_("Overall discount (%)"))
    validity_days = forms.IntegerField(
        label=_("Validity (days)"),
        min_value=1,
        max_value=services.MAX_VALIDITY_DAYS,
        error_messages={
            "min_value": services.VALIDITY_RANGE,
            "max_value": services.VALIDITY_RANGE,
        },
    )
    recipient = RecipientField(
        label=_("Recipient"),
        queryset=None,
        required=False,
        empty_label=_("— nobody named —"),
        error_messages={"invalid_choice": services.RECIPIENT_NOT_CLIENT},
    )

    class Meta:
        model = Quote
        fields = ["title", "recipient", "validity_days", "discount", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("auto_id", "quote-%s")
        super().__init__(*args, **kwargs)
        # What the user is typing here survives the card's refresh after a line is changed.
        for name in services.QUOTE_FIELDS:
            self.fields[name].widget.attrs["hx-preserve"] = "true"
        self.fields["recipient"].queryset = services.client_people(self.instance.opportunity, user)
        self.fields["title"].label = _("Title")
        self.fields["notes"].label = _("Notes printed on the quote")

    def clean_discount(self):
        return clean_discount(self.cleaned_data["discount"])


class QuoteLineForm(ServiceValidated, forms.ModelForm):
    """A line of a draft; the VAT exemption mention is required at issue for a 0 % line."""

    quantity = QuantityField(
        label=_("Quantity"),
        min_value=0,
        error_messages={"min_value": services.QUANTITY_NEGATIVE},
    )
    unit_price = MoneyField(
        label=_("Unit price excl. VAT"),
        min_value=0,
        error_messages={
            "min_value": services.PRICE_NEGATIVE,
            "max_decimal_places": services.PRICE_DECIMALS,
        },
    )
    discount = discount_field(_("Discount (%)"))
    # Read by `clean_vat_rate`: a choice field's own refusal would format the "%" of the message.
    vat_rate = forms.CharField(
        label=_("VAT"), widget=forms.Select(choices=VatRate.choices), initial=VatRate.STANDARD
    )

    class Meta:
        model = QuoteLine
        fields = ["item", "unit", "quantity", "unit_price", "discount", "vat_rate"]
        fields += ["vat_exemption", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].label = _("Description")
        self.fields["item"].error_messages["required"] = services.LINE_NEEDS_ITEM
        self.fields["vat_exemption"].help_text = _(
            "Required at 0 %, e.g. “TVA non applicable, art. 293 B du CGI”."
        )
        if self.instance.pk:
            # The stored rate "20.00" selects its choice (the model keeps it as a Decimal).
            self.initial["vat_rate"] = f"{Decimal(self.instance.vat_rate):.2f}"

    def clean_discount(self):
        return clean_discount(self.cleaned_data["discount"])

    def clean_vat_rate(self):
        value = (self.cleaned_data["vat_rate"] or "").strip()
        if value not in VatRate.values:
            raise forms.ValidationError(services.VAT_RATE_UNKNOWN, code="invalid_choice")
        return Decimal(value)
