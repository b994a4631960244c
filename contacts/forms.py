"""Forms of the contact file: they read and check input; the services apply the rules."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from contacts.banking import BankAccount
from contacts.choices import LawfulBasis
from contacts.models import (
    Address,
    Affiliation,
    Category,
    Company,
    CompanyRep,
    ContactType,
    Note,
    Person,
    RegisterState,
)
from contacts.services import PERSON_EDITABLE, VAT_NOT_SIREN
from contacts.validators import (
    clean_bic,
    clean_iban,
    clean_naf,
    clean_phone,
    clean_siren,
    clean_siret,
    clean_vat,
    clean_website,
)
from core.forms import (
    DATE_WIDGET,
    SectionsMixin,
    UserChoiceField,
    VersionedForm,
    bounded_formfield,
)
from core.users import active_users, user_label

SIREN_NOT_IN_VAT = VAT_NOT_SIREN


class CompanyForm(SectionsMixin, VersionedForm):
    sections = (
        (
            _("Identity"),
            (
                "name",
                "acronym",
                "is_natural_person",
                "legal_form",
                "siren",
                "vat_number",
                "naf_code",
                "naf_label",
            ),
        ),
        (_("Contact details"), ("email", "phone", "website", "country", "language", "currency")),
        (_("Follow-up"), ("owner", "sector", "origin", "categories", "active")),
    )
    owner = UserChoiceField(required=False, label=_("Owner"))
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Set when the company was picked in the national register (contacts.register).
    register_state = forms.ChoiceField(
        choices=[("", "")] + list(RegisterState.choices),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "acronym",
            "is_natural_person",
            "siren",
            "vat_number",
            "naf_code",
            "naf_label",
            "legal_form",
            "country",
            "language",
            "currency",
            "email",
            "phone",
            "sector",
            "origin",
            "owner",
            "categories",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fields are validated by the cleaners below (which also accept spaces, "6201Z"...).
        for name in ("siren", "vat_number", "naf_code", "phone"):
            self.fields[name].validators = []
        self.fields["siren"].max_length = None
        self.fields["siren"].widget.attrs.pop("maxlength", None)
        self.fields["naf_code"].widget.attrs.pop("maxlength", None)
        self.fields["website"].widget.attrs["placeholder"] = "https://"
        if self.instance.pk and not self.is_bound:
            self.initial["website"] = self.instance.website
        # Shown in the model's order, not at the end.
        self.order_fields(self._meta.fields[:11] + ["website"] + self._meta.fields[11:])
        self.fields["phone"].widget.attrs["type"] = "tel"

    def clean_siren(self):
        return clean_siren(self.cleaned_data.get("siren", ""))

    def clean_vat_number(self):
        return clean_vat(self.cleaned_data.get("vat_number", ""))

    def clean_naf_code(self):
        return clean_naf(self.cleaned_data.get("naf_code", ""))

    def clean_website(self):
        return clean_website(self.cleaned_data.get("website", ""))

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country") or "FR"
        if "phone" in cleaned:
            try:
                cleaned["phone"] = clean_phone(cleaned["phone"], country)
            except forms.ValidationError as exc:
                self.add_error("phone", exc)
        siren, vat = cleaned.get("siren"), cleaned.get("vat_number")
        if siren and vat and vat.startswith("FR") and vat[4:] != siren:
            self.add_error("vat_number", SIREN_NOT_IN_VAT)
        return cleaned

    def _post_clean(self):
        # The service runs the model checks; skipping them here avoids double messages.
        pass


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = [
            "label",
            "line1",
            "line2",
            "postal_code",
            "city",
            "country",
            "siret",
            "is_default",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        datalist = f"{self.add_prefix('city')}-options"
        # Typing a postal code asks the server for the matching towns (a <datalist>).
        self.fields["postal_code"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("postal_code_suggest"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": f"#{datalist}",
                "hx-swap": "outerHTML",
                "hx-vals": f'{{"list": "{datalist}"}}',
                "inputmode": "numeric",
                "autocomplete": "postal-code",
            }
        )
        self.fields["city"].widget.attrs.update(
            {"list": datalist, "autocomplete": "address-level2"}
        )
        self.city_datalist_id = datalist
        self.fields["siret"].max_length = None
        self.fields["siret"].widget.attrs.pop("maxlength", None)
        self.fields["siret"].widget.attrs["inputmode"] = "numeric"

    def clean_siret(self):
        return clean_siret(self.cleaned_data.get("siret", ""))

    def _post_clean(self):
        pass


CONSENT_DATE_REQUIRED = _("With consent as the lawful basis, give the date it was given.")
CONSENT_PROOF_REQUIRED = _(
    "With consent as the lawful basis, say how it can be proven (form, e-mail, signed paper…)."
)
# Where the data came from is set when the record is created (import, web form, e-mail...);
# the lawful basis and the consent are edited on the card.
ORIGIN_READ_ONLY = ("origin", "origin_detail")
CONSENT_WIDGETS = {
    "consent_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "consent_proof": forms.Textarea(attrs={"rows": 2}),
}


def basis_optional(form: forms.ModelForm) -> None:
    """The lawful basis may be left out of a form's POST (a page or a script that predates
    it): the record keeps the one it has (`check_consent` puts it back)."""
    form.fields["lawful_basis"].required = False


def check_consent(form: forms.ModelForm, data: dict) -> None:
    """The CNIL's rule for consent: its date and its proof are kept (GDPR art. 7)."""
    if not data.get("lawful_basis"):
        data["lawful_basis"] = form.instance.lawful_basis or LawfulBasis.LEGITIMATE_INTEREST
    if data.get("lawful_basis") != LawfulBasis.CONSENT:
        return
    if not data.get("consent_at"):
        form.add_error("consent_at", CONSENT_DATE_REQUIRED)
    if not (data.get("consent_proof") or "").strip():
        form.add_error("consent_proof", CONSENT_PROOF_REQUIRED)


class PersonForm(SectionsMixin, VersionedForm):
    sections = (
        (
            _("Identity"),
            ("civility", "first_name", "last_name", "job_title", "department", "birth_date"),
        ),
        (
            _("Contact details"),
            ("email", "email2", "phone", "mobile", "language", "mailing_opt_in"),
        ),
        (_("Follow-up"), ("owner", "active")),
        (
            _("Personal data"),
            ("origin", "origin_detail", "lawful_basis", "consent_at", "consent_proof"),
        ),
    )
    owner = UserChoiceField(required=False, label=_("Owner"))

    class Meta:
        model = Person
        fields = [name for name in PERSON_EDITABLE if name not in ORIGIN_READ_ONLY]
        widgets = {"birth_date": DATE_WIDGET, **CONSENT_WIDGETS}

    def __init__(self, *args, country: str = "FR", **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country
        basis_optional(self)
        for name in ("phone", "mobile"):
            self.fields[name].validators = []
            self.fields[name].widget.attrs["type"] = "tel"

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone", ""), self.country)

    def clean_mobile(self):
        return clean_phone(self.cleaned_data.get("mobile", ""), self.country)

    def clean(self):
        data = super().clean()
        check_consent(self, data)
        return data

    def _post_clean(self):
        pass


class AffiliationForm(forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["role", "contact_type", "rank", "is_default"]
        formfield_callback = bounded_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_type"].queryset = ContactType.objects.all()

    def _post_clean(self):
        pass


class LinkPersonForm(AffiliationForm):
    """Link an existing person to a company (the person is never copied)."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())

    class Meta(AffiliationForm.Meta):
        fields = ["person", "role", "contact_type", "rank", "is_default"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people


class LinkCompanyForm(AffiliationForm):
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none())

    class Meta(AffiliationForm.Meta):
        fields = ["company", "role", "contact_type", "rank", "is_default"]

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies


class CompanyRepForm(forms.ModelForm):
    class Meta:
        model = CompanyRep
        fields = ["user", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_users()
        self.fields["user"].label_from_instance = user_label

    def _post_clean(self):
        pass


class TransformForm(forms.Form):
    customer_code = forms.CharField(label=_("Customer code"), max_length=30, required=False)


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["subject", "text", "date", "reminder_date"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "date": DATE_WIDGET,
            "reminder_date": DATE_WIDGET,
        }

    def _post_clean(self):
        pass


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class BankAccountForm(forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = [
            "label",
            "holder",
            "bank_name",
            "iban",
            "bic",
            "mandate_reference",
            "mandate_signed_on",
            "is_default",
        ]
        widgets = {"mandate_signed_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iban"].max_length = None
        self.fields["iban"].widget.attrs.pop("maxlength", None)
        self.fields["iban"].widget.attrs["placeholder"] = "FR76 3000 6000 0112 3456 7890 189"
        self.fields["bic"].max_length = None
        self.fields["bic"].widget.attrs.pop("maxlength", None)
        self.fields["mandate_reference"].help_text = _("Left empty, Jalon makes one up.")

    def clean_iban(self):
        return clean_iban(self.cleaned_data.get("iban", ""))

    def clean(self):
        cleaned = super().clean()
        if "bic" in cleaned:
            try:
                cleaned["bic"] = clean_bic(cleaned["bic"], cleaned.get("iban") or "")
            except forms.ValidationError as exc:
                self.add_error("bic", exc)
        return cleaned

    def _post_clean(self):
        pass


class MergeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
