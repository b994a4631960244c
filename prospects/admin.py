from django.contrib import admin

from contacts.models import Channel, ExtraField, Prospect
from pipeline.models import HistoryEntry, LossReason, Opportunity, OpportunityLine
from prospects.models import ImportJob


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


@admin.register(LossReason)
class LossReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


@admin.register(ExtraField)
class ExtraFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "type", "position"]
    list_editable = ["position"]


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company_name", "email", "city", "owner", "created_at"]
    list_filter = ["owner", "channel", "categories"]
    search_fields = ["last_name", "first_name", "company_name", "email"]
    raw_id_fields = ["company", "person"]
    filter_horizontal = ["categories"]


class LineInline(admin.TabularInline):
    model = OpportunityLine
    extra = 0
    readonly_fields = ["total"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["summary", "status", "process", "step", "amount", "probability", "owner"]
    list_filter = ["status", "process", "owner"]
    search_fields = ["summary", "prospect__last_name", "prospect__company_name"]
    raw_id_fields = ["prospect", "company", "person"]
    inlines = [LineInline]


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "from_value", "to_value", "actor", "prospect", "opportunity"]
    list_filter = ["kind"]
    raw_id_fields = ["prospect", "opportunity"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "actor", "state", "total", "created", "refused", "created_at"]
    readonly_fields = ["headers", "mapping", "preview"]
