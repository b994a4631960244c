from django.contrib import admin

from catalogue.admin import ManagersOnly
from mail.capture import admin as capture_admin  # noqa: F401  (lead rules, mailbox status)
from mail.forms_send import EmailTemplateForm
from mail.models import EmailTemplate


@admin.register(EmailTemplate)
class EmailTemplateAdmin(ManagersOnly, admin.ModelAdmin):
    """Managers' templates of the compose form; merge fields checked at save (mail/merge.py)."""

    form = EmailTemplateForm
    list_display = ["name", "language", "subject", "active", "position"]
    list_filter = ["language", "active"]
    list_editable = ["active", "position"]
    search_fields = ["name", "subject"]
