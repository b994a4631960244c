"""Managers' side of the capture in the Django admin: the web-form lead rules, and the
capture mailbox's status line (read only)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalogue.admin import ManagersOnly
from mail.models import LeadRule, MailboxStatus

PATTERN_REQUIRED = _("Give a sender address or a subject to recognise the form's e-mails.")
STEP_NOT_IN_PROCESS = _("This step belongs to another process.")


class LeadRuleForm(forms.ModelForm):
    class Meta:
        model = LeadRule
        fields = [
            "name",
            "sender_pattern",
            "subject_pattern",
            "process",
            "step",
            "owner",
            "channel",
            "active",
            "position",
        ]

    def clean(self):
        data = super().clean()
        step, process = data.get("step"), data.get("process")
        if step is not None and process is not None and step.process_id != process.pk:
            self.add_error("step", STEP_NOT_IN_PROCESS)
        patterns = [data.get("sender_pattern") or "", data.get("subject_pattern") or ""]
        if not any(p.strip() for p in patterns):
            self.add_error(None, PATTERN_REQUIRED)
        return data


@admin.register(LeadRule)
class LeadRuleAdmin(ManagersOnly, admin.ModelAdmin):
    """A captured e-mail whose sender or subject matches becomes a prospect with an
    opportunity in the process and step (mail/capture/leads.py)."""

    form = LeadRuleForm
    list_display = [
        "name",
        "sender_pattern",
        "subject_pattern",
        "process",
        "step",
        "owner",
        "active",
    ]
    list_editable = ["active"]
    list_filter = ["active", "process"]
    search_fields = ["name", "sender_pattern", "subject_pattern"]


@admin.register(MailboxStatus)
class MailboxStatusAdmin(ManagersOnly, admin.ModelAdmin):
    """The capture mailbox's last run: when, what it took, and what went wrong."""

    list_display = ["checked_at", "state", "fetched", "succeeded_at", "error"]
    readonly_fields = ["checked_at", "succeeded_at", "fetched", "error"]

    @admin.display(description=_("state"))
    def state(self, status: MailboxStatus) -> str:
        return str(_("failing")) if status.error else str(_("OK"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
