"""The compose form (writing an e-mail from a card) and the managers' template form."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from mail.merge import MERGE_FIELDS, template_check
from mail.models import EmailTemplate

MAX_RECIPIENTS = 50
INVALID_ADDRESS = _("“%(address)s” is not a valid e-mail address.")
TOO_MANY_RECIPIENTS = _("At most %(limit)s addresses.")
SEPARATORS = re.compile(r"[,;\s]+")


class AddressesField(forms.CharField):
    """Addresses separated by commas, semicolons or spaces, each checked."""

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        addresses = [a.strip().strip("<>") for a in SEPARATORS.split(text or "") if a.strip()]
        unique = list(dict.fromkeys(addresses))
        if len(unique) > MAX_RECIPIENTS:
            raise ValidationError(TOO_MANY_RECIPIENTS, params={"limit": MAX_RECIPIENTS})
        for address in unique:
            try:
                validate_email(address)
            except ValidationError as exc:
                raise ValidationError(INVALID_ADDRESS, params={"address": address}) from exc
        return unique

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


class ComposeForm(forms.Form):
    to = AddressesField(label=_("To"), widget=forms.TextInput(attrs={"autocomplete": "off"}))
    cc = AddressesField(
        label=_("Cc"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents of the record"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attach_quote = forms.BooleanField(label=_("Attach the quote PDF"), required=False)
    private = forms.BooleanField(
        label=_("Private (only me and the managers see it)"), required=False
    )

    def __init__(self, *args, documents, quote=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = documents
        if not documents.exists():
            del self.fields["documents"]
        if quote is None:
            del self.fields["attach_quote"]
        else:
            self.fields["attach_quote"].label = _("Attach the quote PDF (%(number)s)") % {
                "number": quote.number or pgettext("quote status", "draft")
            }


def _merge_help() -> str:
    return _("Merge fields: %(fields)s.") % {
        "fields": ", ".join(f"{{{{ {name} }}}} ({label})" for name, label in MERGE_FIELDS.items())
    }


class EmailTemplateForm(forms.ModelForm):
    """Subject and text may only hold known `{{ field }}` placeholders (mail/merge.py)."""

    class Meta:
        model = EmailTemplate
        fields = ["name", "language", "subject", "body", "active", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _merge_help()

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        template_check(subject)
        return subject

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        template_check(body)
        return body
