"""Managers' admin of webhooks (with their deliveries) and web forms.

Only managers see these pages. A webhook's secret is shown once, in the message after it is
created (or after "New secret"), never in a form; a disabled webhook says why in its list and
page, and "Turn back on" enables it again."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.roles import is_manager
from integrations import webhooks
from integrations.models import EVENT_CHOICES, FORM_FIELDS, Delivery, WebForm, Webhook

SECRET_ONCE = _(
    "The secret of “%(name)s” is %(secret)s — copy it now: it will not be shown again. "
    "The receiver checks X-Jalon-Signature with it."
)
ONE_AT_A_TIME = _("Choose one webhook at a time for a new secret.")


class ManagersOnly:
    def has_module_permission(self, request):
        return is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_add_permission(self, request, *args):
        return is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_manager(request.user)


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "owner", "active"]


@admin.register(Webhook)
class WebhookAdmin(ManagersOnly, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "url", "event_list", "active", "failing_since", "disabled_reason"]
    list_filter = ["active"]
    readonly_fields = ["created_at", "failing_since", "disabled_at", "disabled_reason", "log"]
    actions = ["new_secret", "turn_on"]

    @admin.display(description=_("events"))
    def event_list(self, obj: Webhook) -> str:
        return ", ".join(obj.events)

    @admin.display(description=_("deliveries"))
    def log(self, obj: Webhook) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:integrations_delivery_changelist") + f"?webhook__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("See its deliveries"))

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(request, SECRET_ONCE % {"name": obj.name, "secret": obj.secret})

    @admin.action(description=_("New secret (the old one stops working)"))
    def new_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, ONE_AT_A_TIME, messages.ERROR)
            return
        webhook = queryset.get()
        secret = webhooks.webhook_new_secret(webhook=webhook)
        messages.warning(request, SECRET_ONCE % {"name": webhook.name, "secret": secret})

    @admin.action(description=_("Turn back on"))
    def turn_on(self, request, queryset):
        for webhook in queryset:
            webhooks.webhook_enable(webhook=webhook)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d webhook turned on.", "%(count)d webhooks turned on.", count)
            % {"count": count},
        )


@admin.register(Delivery)
class DeliveryAdmin(ManagersOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "webhook",
        "state",
        "attempts",
        "status_code",
        "duration_ms",
        "next_retry_at",
    ]
    list_filter = ["state", "event", "webhook"]
    list_select_related = ["webhook"]
    fields = [
        "webhook",
        "event",
        "event_id",
        "created_at",
        "state",
        "attempts",
        "last_attempt_at",
        "next_retry_at",
        "status_code",
        "duration_ms",
        "response_excerpt",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebFormAdminForm(forms.ModelForm):
    redirect_url = forms.URLField(
        label=_("redirect to"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Instead of the thank-you message."),
    )
    asked = forms.MultipleChoiceField(
        label=_("fields asked"),
        choices=list(FORM_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    required = forms.MultipleChoiceField(
        label=_("required fields"),
        choices=list(FORM_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebForm
        fields = [
            "name",
            "title",
            "intro",
            "asked",
            "required",
            "process",
            "step",
            "owner",
            "channel",
            "consent_text",
            "thank_you_message",
            "redirect_url",
            "min_seconds",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specs = self.instance.fields if self.instance.pk else []
        self.initial.setdefault("asked", [s["name"] for s in specs])
        self.initial.setdefault("required", [s["name"] for s in specs if s.get("required")])

    def clean(self):
        data = super().clean()
        asked, required = data.get("asked") or [], set(data.get("required") or [])
        # In the order of FORM_FIELDS, which is the order shown.
        self.instance.fields = [
            {"name": name, "required": name in required} for name in FORM_FIELDS if name in asked
        ]
        return data


@admin.register(WebForm)
class WebFormAdmin(ManagersOnly, admin.ModelAdmin):
    form = WebFormAdminForm
    list_display = ["name", "process", "step", "owner", "active", "address"]
    list_filter = ["active", "process"]
    readonly_fields = ["key", "embed"]

    @admin.display(description=_("address"))
    def address(self, obj: WebForm) -> str:
        return format_html('<a href="{0}" target="_blank">{0}</a>', obj.get_absolute_url())

    @admin.display(description=_("to put on your site"))
    def embed(self, obj: WebForm) -> str:
        if obj.pk is None:
            return _("Saved first.")
        return format_html(
            "<code>&lt;iframe src=&quot;{}&quot; title=&quot;{}&quot; width=&quot;100%&quot; "
            "height=&quot;720&quot; loading=&quot;lazy&quot;&gt;&lt;/iframe&gt;</code>",
            (settings.SITE_URL or "").rstrip("/") + obj.get_absolute_url(),
            obj.name,
        )

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}
