"""Webhooks (with their deliveries) and web-to-lead forms.

A `Webhook` is a URL a manager registered for some events (`core.events.NAMES`), signed with a
secret Jalon generated and showed once. Each event it listens to becomes one `Delivery`: the
exact body sent (kept only until it is delivered or given up), and the last attempt's outcome.

A `WebForm` is a public form (`/forms/<key>/`) whose submissions become prospects with an
opportunity in its process (`integrations.web_forms`).
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.events import NAMES as EVENT_NAMES

EVENT_CHOICES = [(name, name) for name in EVENT_NAMES]

# The prospect fields a web form may ask for, in the order they are shown.
FORM_FIELDS = {
    "civility": _("Civility"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "company_name": _("Company"),
    "job_title": _("Job title"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "mobile": _("Mobile"),
    "address": _("Address"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "country": _("Country"),
    "website": _("Website"),
    "message": _("Message"),
}
UNKNOWN_EVENT = _("Unknown event: %(name)s.")
UNKNOWN_FIELD = _("Unknown field: %(name)s.")
NO_FIELDS = _("Choose at least one field.")
NO_IDENTITY = _("The form must ask for an e-mail, a last name or a company.")
STEP_OF_PROCESS = _("This step does not belong to the form's process.")


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def new_key() -> str:
    return secrets.token_urlsafe(12)


def validate_events(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."))
    for name in value:
        if name not in EVENT_NAMES:
            raise ValidationError(UNKNOWN_EVENT, params={"name": name})


def validate_webhook_url(value: str) -> None:
    from integrations.webhooks import check_url

    check_url(value)


class Webhook(models.Model):
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Told by e-mail when the webhook is disabled."),
    )
    # Needed as is to sign the bodies (HMAC): shown once, at creation, never again.
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Start of the current run of failed attempts (None once one succeeds).
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled on"), null=True, blank=True)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(_("event id"))
    event = models.CharField(_("event"), max_length=40)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # The exact JSON sent (signed as is); emptied once delivered or given up.
    body = models.TextField(blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=300, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="one_delivery_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"


class WebForm(models.Model):
    name = models.CharField(
        _("name"), max_length=120, help_text=_("Recorded as the origin of the prospects it brings.")
    )
    key = models.CharField(_("key"), max_length=40, unique=True, default=new_key, editable=False)
    title = models.CharField(_("title shown"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    # [{"name": "email", "required": true}, ...] in the order shown; names from FORM_FIELDS.
    fields = models.JSONField(_("fields"), default=list)
    process = models.ForeignKey(
        "pipeline.Process", verbose_name=_("process"), on_delete=models.PROTECT, related_name="+"
    )
    step = models.ForeignKey(
        "pipeline.Step",
        verbose_name=_("step of the opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the process's first step."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Follows the prospects the form brings; the form acts in their name."),
    )
    channel = models.ForeignKey(
        "contacts.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_text = models.TextField(
        _("consent text"),
        blank=True,
        help_text=_("When set, a box to tick with this text; the prospect's consent is recorded."),
    )
    thank_you_message = models.TextField(_("thank-you message"), blank=True)
    redirect_url = models.URLField(
        _("redirect to"),
        max_length=500,
        blank=True,
        help_text=_("Instead of the thank-you message."),
    )
    min_seconds = models.PositiveSmallIntegerField(
        _("minimum time to fill (seconds)"),
        default=3,
        help_text=_("Faster submissions are refused as spam; 0 turns the check off."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web_form", args=[self.key])

    def clean(self) -> None:
        fields = self.fields if isinstance(self.fields, list) else None
        if not fields:
            raise ValidationError({"fields": NO_FIELDS})
        for spec in fields:
            name = spec.get("name") if isinstance(spec, dict) else None
            if name not in FORM_FIELDS:
                raise ValidationError({"fields": UNKNOWN_FIELD % {"name": name}})
        names = {spec["name"] for spec in fields}
        if not names & {"email", "last_name", "company_name"}:
            raise ValidationError({"fields": NO_IDENTITY})
        if self.step_id and self.process_id and self.step.process_id != self.process_id:
            raise ValidationError({"step": STEP_OF_PROCESS})

    @property
    def field_specs(self) -> list[dict]:
        """The fields as [{"name", "label", "required"}], unknown names left out."""
        return [
            {
                "name": s["name"],
                "label": FORM_FIELDS[s["name"]],
                "required": bool(s.get("required")),
            }
            for s in self.fields
            if isinstance(s, dict) and s.get("name") in FORM_FIELDS
        ]
