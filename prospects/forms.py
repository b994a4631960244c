from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts.forms import CONSENT_WIDGETS, basis_optional, check_consent
from contacts.models import Category, ExtraField, Prospect
from contacts.validators import clean_phone, clean_website
from core.forms import (
    DATE_WIDGET,
    MoneyField,
    QuantityField,
    SectionsMixin,
    UserChoiceField,
    VersionedForm,
    VersionField,
)
from core.users import active_users
from prospects import importing

IMPORT_TOO_LARGE = _("The file is too large (limit {limit} MB).")
IMPORT_BAD_TYPE = _("Choose a CSV, TXT or XLSX file.")


class ProspectForm(SectionsMixin, VersionedForm):
    sections = (
        (_("Identity"), ("civility", "last_name", "first_name", "job_title", "birth_date")),
        (
            _("Company details"),
            ("company_name", "siren", "sector", "customer_type", "website", "external_ref"),
        ),
        (
            _("Contact details"),
            ("email", "phone", "mobile", "address", "postal_code", "city", "country"),
        ),
        (_("Follow-up"), ("owner", "channel", "direct_approach", "categories", "notes")),
        (_("Personal data"), ("lawful_basis", "consent_at", "consent_proof")),
    )
    owner = UserChoiceField(queryset=active_users(), required=False, label=_("Owner"))
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Categories"),
    )

    class Meta:
        model = Prospect
        fields = [
            "civility",
            "last_name",
            "first_name",
            "company_name",
            "job_title",
            "email",
            "phone",
            "mobile",
            "address",
            "postal_code",
            "city",
            "country",
            "website",
            "birth_date",
            "external_ref",
            "siren",
            "sector",
            "customer_type",
            "channel",
            "direct_approach",
            "owner",
            "notes",
            "categories",
            "lawful_basis",
            "consent_at",
            "consent_proof",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 4}),
            **CONSENT_WIDGETS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()
        basis_optional(self)

    def clean_phone(self):
        return self._phone("phone")

    def clean_mobile(self):
        return self._phone("mobile")

    def _phone(self, name):
        try:
            return clean_phone(self.cleaned_data.get(name, ""))
        except ValidationError as exc:
            raise ValidationError(importing.INVALID_PHONE) from exc

    def clean_website(self):
        return clean_website(self.cleaned_data.get("website", ""))

    def clean(self):
        data = super().clean()
        if not (data.get("last_name") or data.get("company_name") or data.get("email")):
            raise ValidationError(importing.NO_IDENTITY)
        check_consent(self, data)
        return data


class PasteForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the e-mail here"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class ExtraFieldsForm(forms.Form):
    version = VersionField()

    def __init__(self, *args, prospect: Prospect, extra_fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_fields = list(
            extra_fields if extra_fields is not None else ExtraField.objects.all()
        )
        values = prospect.extra or {}
        self.initial["version"] = prospect.version
        for extra in self.extra_fields:
            key = f"extra_{extra.pk}"
            if extra.type == ExtraField.Type.NUMBER:
                self.fields[key] = QuantityField(
                    label=extra.label, required=False, decimal_places=4, max_digits=18
                )
            elif extra.type == ExtraField.Type.BOOLEAN:
                self.fields[key] = forms.BooleanField(label=extra.label, required=False)
            else:
                self.fields[key] = forms.CharField(
                    label=extra.label, required=False, max_length=500
                )
            self.initial[key] = values.get(str(extra.pk))

    def values(self) -> dict:
        out = {}
        for extra in self.extra_fields:
            value = self.cleaned_data.get(f"extra_{extra.pk}")
            if extra.type == ExtraField.Type.NUMBER and value is not None:
                value = float(value)
            if extra.type == ExtraField.Type.BOOLEAN:
                value = bool(value) or None
            out[str(extra.pk)] = value
        return out


class NewOpportunityForm(forms.Form):
    summary = forms.CharField(label=_("Project summary"), max_length=200)
    process = forms.ModelChoiceField(queryset=None, label=_("Process"))
    amount = MoneyField(label=_("Amount"), required=False, min_value=0)
    expected_date = forms.DateField(label=_("Expected date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from pipeline.models import Process

        processes = Process.objects.filter(active=True)
        self.fields["process"].queryset = processes
        self.fields["process"].initial = processes.filter(is_default=True).first()


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign owner")),
        ("categorize", _("Add category")),
        ("delete", _("Delete")),
    ]

    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    ids = forms.ModelMultipleChoiceField(
        queryset=Prospect.objects.none(), widget=forms.MultipleHiddenInput
    )
    owner = UserChoiceField(queryset=active_users(), required=False, label=_("Owner"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, label=_("Category")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = Prospect.objects.visible_to(user)
        self.fields["owner"].queryset = active_users()
        self.fields["owner"].empty_label = _("— nobody —")
        self.fields["category"].queryset = Category.objects.all()
        self.fields["category"].empty_label = _("— category —")

    def clean(self):
        data = super().clean()
        if data.get("action") == "categorize" and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, TXT or XLSX)"))
    owner = UserChoiceField(
        queryset=active_users(), required=False, label=_("Owner of rows without one")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                str(IMPORT_TOO_LARGE).format(limit=settings.IMPORT_MAX_BYTES // (1024 * 1024))
            )
        if not upload.name.lower().endswith((".csv", ".txt", ".tsv", ".xlsx", ".xlsm")):
            raise ValidationError(IMPORT_BAD_TYPE)
        return upload


def target_choices() -> list[tuple[str, str]]:
    choices = [(importing.IGNORE, _("— ignore —"))]
    choices += [(name, label) for name, (label, _aliases) in importing.FIELDS.items()]
    choices += [
        (f"{importing.EXTRA_PREFIX}{f.pk}", f"{_('extra')}: {f.label}")
        for f in ExtraField.objects.all()
    ]
    return choices


class MappingForm(forms.Form):
    """One choice per column of the file; the guessed mapping is the initial value."""

    valid_only = forms.BooleanField(
        label=_("Import only the valid rows (refused rows go to a report)"), required=False
    )

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = target_choices()
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or f"#{index + 1}",
                choices=choices,
                required=False,
                initial=mapping.get(str(index), ""),
            )

    def clean(self):
        data = super().clean()
        seen = {}
        for index in range(len(self.headers)):
            target = data.get(f"col_{index}")
            if target:
                if target in seen:
                    self.add_error(
                        f"col_{index}",
                        _("Already used by column {column}.").format(
                            column=self.headers[seen[target]]
                        ),
                    )
                seen[target] = index
        return data

    def mapping(self) -> dict[str, str]:
        return {
            str(index): self.cleaned_data.get(f"col_{index}") or ""
            for index in range(len(self.headers))
            if self.cleaned_data.get(f"col_{index}")
        }

    def column_fields(self):
        return [self[f"col_{index}"] for index in range(len(self.headers))]


class ConfirmDeleteAllForm(forms.Form):
    confirmation = forms.CharField(label=_("Confirmation word"), max_length=20)
