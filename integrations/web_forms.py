"""Web-to-lead: a public form's submission becomes a prospect with an opportunity.

`web_form_submit` is the one write: the prospect is made by `prospects.services.prospect_create`
(so `prospect.created` fires and the history starts), its origin recorded (web form, the
form's name) with its lawful basis: consent, with its date and proof (the text shown, the
address, the browser, the time) when the form asks for it, else legitimate interest. The
opportunity is made by `pipeline.services.opportunity_create` in the form's process and step.

Duplicates follow the import's rules (`prospects.imports`): a prospect with the same e-mail,
or else the same last name, first name and company (`prospects.importing.name_key`), is not
created again: the submission becomes a note on it (and a newer consent is recorded on it).

Spam: `SubmissionForm` carries a honeypot field (hidden from people, filled by bots) and a
signed time stamp (a form sent faster than the web form's `min_seconds` is refused); the view
limits submissions per address (`rate_limited`, in the cache).
"""

import json

from django import forms
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.attachments import note_create
from contacts.choices import LawfulBasis, Origin
from contacts.models import Person, Prospect
from integrations.models import FORM_FIELDS, WebForm
from pipeline.models import Opportunity
from pipeline.services.opportunities import MoveRefused, opportunity_create
from prospects.importing import name_key
from prospects.services import prospect_create

HONEYPOT = "homepage"
STAMP = "started"
CONSENT = "consent"
STAMP_SALT = "integrations.web_form"
# Submissions accepted per address and window (the cache counts the valid ones).
RATE_LIMIT = 5
RATE_WINDOW = 10 * 60
TOO_FAST = _("That was quick! Please check your answers and send the form again.")
CONSENT_REQUIRED = _("Please tick the box to agree.")
IDENTITY_REQUIRED = _("Please give your e-mail address or your name.")
TOO_MANY = _("Too many forms were sent from your connection. Please try again later.")

MAX_LENGTHS = {
    name: Prospect._meta.get_field(name).max_length
    for name in FORM_FIELDS
    if name not in ("message", "email", "civility")
}


class SubmissionForm(forms.Form):
    """The fields a `WebForm` asks for, its consent box, the honeypot and the time stamp."""

    def __init__(self, *args, web_form: WebForm, **kwargs):
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        for spec in web_form.field_specs:
            self.fields[spec["name"]] = self._field(spec)
        if web_form.consent_text:
            self.fields[CONSENT] = forms.BooleanField(
                label=web_form.consent_text,
                error_messages={"required": CONSENT_REQUIRED},
            )
        self.fields[HONEYPOT] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        self.fields[STAMP] = forms.CharField(required=False, widget=forms.HiddenInput)
        if not self.is_bound:
            self.initial[STAMP] = signing.dumps(
                {"form": web_form.key, "at": timezone.now().timestamp()}, salt=STAMP_SALT
            )

    @staticmethod
    def _field(spec: dict) -> forms.Field:
        name, label, required = spec["name"], spec["label"], spec["required"]
        if name == "email":
            return forms.EmailField(
                label=label,
                required=required,
                max_length=254,
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )
        if name == "civility":
            choices = [("", "—"), *[(c, lbl) for c, lbl in Person.Civility.choices if c]]
            return forms.ChoiceField(label=label, required=required, choices=choices)
        if name == "message":
            return forms.CharField(
                label=label, required=required, max_length=5000, widget=forms.Textarea({"rows": 4})
            )
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "company_name": "organization",
            "job_title": "organization-title",
            "phone": "tel",
            "mobile": "tel",
            "address": "street-address",
            "postal_code": "postal-code",
            "city": "address-level2",
            "country": "country-name",
            "website": "url",
        }.get(name, "off")
        widget = forms.TextInput(attrs={"autocomplete": autocomplete})
        if name in ("phone", "mobile"):
            widget.input_type = "tel"
        return forms.CharField(
            label=label, required=required, max_length=MAX_LENGTHS[name], widget=widget
        )

    @property
    def is_spam(self) -> bool:
        """The honeypot was filled: a bot. (Checked on the raw data, before validation.)"""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean(self):
        data = super().clean()
        if self.errors:
            return data  # the fields' own errors first: the time is checked on a full form
        minimum = self.web_form.min_seconds
        if minimum:
            try:
                stamp = signing.loads(data.get(STAMP) or "", salt=STAMP_SALT, max_age=24 * 3600)
            except signing.BadSignature:
                stamp = None
            if (
                not isinstance(stamp, dict)
                or stamp.get("form") != self.web_form.key
                or timezone.now().timestamp() - float(stamp.get("at", 0)) < minimum
            ):
                raise forms.ValidationError(TOO_FAST, code="too_fast")
        if not any(data.get(name) for name in ("email", "last_name", "company_name")):
            raise forms.ValidationError(IDENTITY_REQUIRED, code="identity")
        return data

    def values(self) -> dict:
        """The prospect's values the visitor gave (the consent, honeypot and stamp apart)."""
        return {
            name: (value.strip() if isinstance(value, str) else value)
            for name, value in self.cleaned_data.items()
            if name in FORM_FIELDS and value not in (None, "")
        }


def rate_limited(ip: str) -> bool:
    """Count a submission from `ip`; True once it sent more than RATE_LIMIT in RATE_WINDOW."""
    key = f"integrations:web_form:{ip or 'unknown'}"
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT


def _existing(values: dict) -> Prospect | None:
    """The prospect this submission duplicates, by the import's rules (same e-mail, or same
    last name, first name and company)."""
    email = values.get("email")
    if email:
        found = Prospect.objects.filter(email__iexact=email).order_by("pk").first()
        if found is not None:
            return found
    key = name_key(values)
    if key:
        last = values["last_name"]
        for prospect in Prospect.objects.filter(
            last_name__in={last, last.upper(), last.title()}
        ).order_by("pk"):
            found_key = name_key(
                {
                    "last_name": prospect.last_name,
                    "first_name": prospect.first_name,
                    "company_name": prospect.company_name,
                }
            )
            if found_key == key:
                return prospect
    return None


def _lawful_basis(web_form: WebForm, *, consented: bool, ip: str, user_agent: str, now) -> dict:
    if not (web_form.consent_text and consented):
        return {"lawful_basis": LawfulBasis.LEGITIMATE_INTEREST}
    proof = {
        "form": web_form.name,
        "text": web_form.consent_text,
        "ip": ip,
        "user_agent": user_agent[:300],
        "at": now.isoformat(),
    }
    return {
        "lawful_basis": LawfulBasis.CONSENT,
        "consent_at": now,
        "consent_proof": json.dumps(proof, ensure_ascii=False),
    }


def _summary(web_form: WebForm, values: dict) -> str:
    who = (
        values.get("company_name")
        or " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
        or values.get("email", "")
    )
    return f"{web_form.name}: {who}"[:200]


def _note_text(values: dict) -> str:
    return "\n".join(
        f"{FORM_FIELDS[name]}: {value}" for name, value in values.items() if name != "message"
    ) + ("\n\n" + values["message"] if values.get("message") else "")


@transaction.atomic
def web_form_submit(
    *, web_form: WebForm, values: dict, consented: bool, ip: str, user_agent: str
) -> Prospect:
    """Record a submission of `web_form` (see the module docstring). The form acts in its
    owner's name. Returns the prospect, new or the one it duplicates."""
    actor = web_form.owner
    now = timezone.now()
    values = dict(values)
    message = values.pop("message", "")
    basis = _lawful_basis(web_form, consented=consented, ip=ip, user_agent=user_agent, now=now)
    prospect = _existing(values)
    with_opportunity = True
    if prospect is None:
        data = {
            **values,
            "owner": web_form.owner,
            "channel": web_form.channel,
            "notes": message,
            "origin": Origin.WEB_FORM,
            "origin_detail": web_form.name[:250],
            **basis,
        }
        prospect = prospect_create(actor=actor, data=data)
    else:
        note_create(
            target=prospect,
            actor=actor,
            subject=gettext("Web form “%(name)s” sent again") % {"name": web_form.name},
            text=_note_text({**values, "message": message}),
        )
        if basis["lawful_basis"] == LawfulBasis.CONSENT:
            Prospect.all_objects.filter(pk=prospect.pk).update(**basis)
        # A second request while one is open in the process is the same lead.
        with_opportunity = not Opportunity.objects.filter(
            prospect=prospect, process=web_form.process, status=Opportunity.Status.OPEN
        ).exists()
    if with_opportunity:
        owner = prospect.owner or web_form.owner
        try:
            with transaction.atomic():
                opportunity_create(
                    actor=owner,
                    process=web_form.process,
                    step=web_form.step,
                    prospect=prospect,
                    owner=owner,
                    summary=_summary(web_form, values),
                    project_notes=message,
                )
        except MoveRefused:
            # The prospect's owner may not add one in this process: the note tells them.
            pass
    return prospect
