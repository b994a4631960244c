"""The seller, set up once by a manager (one row, pk=1: no second one, never deleted), and the
quotes, read-only here: they are made, issued and revised on the opportunity's pages, through
the quote services, and a sent quote is frozen."""

from django import forms
from django.contrib import admin
from django.core.validators import MaxLengthValidator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.admin import ManagersOnly
from contacts.validators import clean_siren, clean_vat
from core.forms import MoneyField
from quotes import validators
from quotes.models import Quote, QuoteLine, Seller

SELLER_PK = 1


# Typed with spaces ("732 829 320", an IBAN in groups of four), stored without: the field takes
# the longer typed form, its clean method stores the number's own.
NUMBERS_TYPED_MAX = 50


class SellerForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("siren", "siret", "vat_number", "iban", "bic"):
            field = self.fields[name]
            field.max_length = NUMBERS_TYPED_MAX
            field.widget.attrs["maxlength"] = str(NUMBERS_TYPED_MAX)
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]

    def clean_siren(self) -> str:
        return clean_siren(self.cleaned_data["siren"])

    def clean_siret(self) -> str:
        return validators.clean_siret(self.cleaned_data["siret"])

    def clean_vat_number(self) -> str:
        return clean_vat(self.cleaned_data["vat_number"])

    def clean_iban(self) -> str:
        return validators.clean_iban(self.cleaned_data["iban"])

    def clean_bic(self) -> str:
        return validators.clean_bic(self.cleaned_data["bic"])

    class Meta:
        model = Seller
        fields = [
            "legal_name",
            "legal_form",
            "share_capital",
            "siren",
            "siret",
            "rcs_city",
            "vat_number",
            "street",
            "street2",
            "postal_code",
            "city",
            "country",
            "email",
            "phone",
            "website",
            "logo",
            "bank_name",
            "iban",
            "bic",
            "validity_days",
            "payment_terms",
            "late_penalty",
        ]
        field_classes = {"share_capital": MoneyField}
        widgets = {
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
            "payment_terms": forms.Textarea(attrs={"rows": 2}),
            "late_penalty": forms.Textarea(attrs={"rows": 3}),
        }


@admin.register(Seller)
class SellerAdmin(ManagersOnly, admin.ModelAdmin):
    """The one seller row: the list opens it (or the add form while there is none)."""

    form = SellerForm
    readonly_fields = ["updated_at"]
    fieldsets = [
        (
            _("Legal identity"),
            {
                "fields": [
                    "legal_name",
                    "legal_form",
                    "share_capital",
                    "siren",
                    "siret",
                    "rcs_city",
                    "vat_number",
                ]
            },
        ),
        (_("Address"), {"fields": ["street", "street2", "postal_code", "city", "country"]}),
        (_("Contact"), {"fields": ["email", "phone", "website", "logo"]}),
        (_("Bank details"), {"fields": ["bank_name", "iban", "bic"]}),
        (
            _("Quotes"),
            {"fields": ["validity_days", "payment_terms", "late_penalty", "updated_at"]},
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Seller.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        if Seller.objects.filter(pk=SELLER_PK).exists():
            return HttpResponseRedirect(reverse("admin:quotes_seller_change", args=[SELLER_PK]))
        return HttpResponseRedirect(reverse("admin:quotes_seller_add"))

    def save_model(self, request, obj, form, change):
        obj.pk = SELLER_PK
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class QuoteLineInline(ManagersOnly, admin.TabularInline):
    model = QuoteLine
    extra = 0
    fields = [
        "position",
        "item",
        "unit",
        "quantity",
        "unit_price",
        "discount",
        "vat_rate",
        "total_excl_vat",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quote)
class QuoteAdmin(ManagersOnly, admin.ModelAdmin):
    """Read-only: a quote changes only through the quote services."""

    list_display = [
        "__str__",
        "status",
        "opportunity",
        "total_excl_vat",
        "total_incl_vat",
        "issue_date",
        "valid_until",
        "created_by",
    ]
    list_filter = ["status", "year", "issue_date", "valid_until", "created_by"]
    search_fields = ["number", "title", "opportunity__summary"]
    list_select_related = ["opportunity", "created_by"]
    date_hierarchy = "created_at"
    inlines = [QuoteLineInline]
    exclude = ["seller_snapshot", "client_snapshot", "token"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
