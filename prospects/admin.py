"""The prospect file, opportunities and their lines, through the same services as the pages
(see `core.admin`): what the pages refuse, the admin refuses with the same message."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from contacts.models import Channel, ExtraField, Prospect
from core.admin import TRACKED_FIELDS, ServiceInline, TrashableAdmin, adopt, refusal_error
from pipeline.models import HistoryEntry, LossReason, Opportunity, OpportunityLine, Step
from pipeline.services import cards as card_services
from pipeline.services import lines as line_services
from pipeline.services import opportunities as opportunity_services
from prospects import services
from prospects.models import ImportJob

MANAGEMENT_DATES = [
    "first_contact_at",
    "last_contact_at",
    "last_contact_type",
    "next_contact_at",
    "next_contact_type",
]
# Opportunity fields only the process rules write (moves, the nightly clocks).
OPPORTUNITY_COMPUTED = [
    "position",
    "step_changed_at",
    "step_due",
    "step_colour",
    "next_action_at",
    "action_colour",
]
# What the admin's add form hands to `opportunity_create` (process and step apart).
OPPORTUNITY_CREATE = (
    "prospect",
    "company",
    "person",
    "summary",
    "status",
    "loss_reason",
    "amount",
    "expected_date",
    "interest",
    "rating",
    "project_notes",
    "competitor",
)
FOLLOWS_STEP = ngettext_lazy(
    "The probability follows the step again: %(count)d opportunity.",
    "The probability follows the step again: %(count)d opportunities.",
    "count",
)


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
class ProspectAdmin(TrashableAdmin):
    """`prospect_create` / `prospect_update` (search words, owner history, version); the links
    to the contact file come from "add to contacts", the extra fields from the card's tab,
    the management dates from the tasks."""

    saves_m2m = True
    list_display = ["__str__", "company_name", "email", "city", "owner", "created_at"]
    list_filter = ["owner", "channel", "categories"]
    search_fields = ["last_name", "first_name", "company_name", "email"]
    readonly_fields = ["company", "person", "extra", *MANAGEMENT_DATES, *TRACKED_FIELDS]
    filter_horizontal = ["categories"]

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PROSPECT_EDITABLE}
        categories = form.cleaned_data.get("categories")
        if change:
            saved = services.prospect_update(
                prospect_id=obj.pk,
                actor=request.user,
                data=data,
                expected_version=form.cleaned_data.get("version"),
                categories=categories,
            )
        else:
            saved = services.prospect_create(
                actor=request.user, data=data, categories=categories or ()
            )
        adopt(obj, saved)

    def trash_records(self, request, queryset) -> int:
        ids = list(queryset.values_list("pk", flat=True))
        return services.prospects_trash(prospect_ids=ids, actor=request.user)


class LineInline(ServiceInline, admin.TabularInline):
    """The line services: each line's total and the opportunity's amount are computed there."""

    model = OpportunityLine
    extra = 0
    fields = [
        "position",
        "item",
        "unit",
        "quantity",
        "unit_cost",
        "unit_price",
        "adjusted_price",
        "discount",
        "total",
    ]
    readonly_fields = ["total"]

    def add_row(self, request, parent, form):
        return line_services.opportunity_line_add(
            opportunity_id=parent.pk, actor=request.user, data=form.cleaned_data
        )

    def change_row(self, request, form):
        return line_services.opportunity_line_update(
            line_id=form.instance.pk, actor=request.user, data=form.cleaned_data
        )

    def delete_row(self, request, obj) -> None:
        line_services.opportunity_line_delete(line_id=obj.pk, actor=request.user)


@admin.register(Opportunity)
class OpportunityAdmin(TrashableAdmin):
    """Created by `opportunity_create`, saved by `opportunity_update` (status and step through
    `opportunity_move`: loss reason, closing date, probability, history), lines by the line
    services; what only the rules write is read-only, and so is the amount once lines make it.
    The record it belongs to and its process are fixed once it exists, as on the card."""

    refusals = (*TrashableAdmin.refusals, opportunity_services.Refused)
    actions = ["move_to_trash", "follow_step"]
    list_display = ["summary", "status", "process", "step", "amount", "probability", "owner"]
    list_filter = ["status", "process", "owner"]
    search_fields = ["summary", "prospect__last_name", "prospect__company_name"]
    raw_id_fields = ["prospect", "company", "person"]
    inlines = [LineInline]
    fieldsets = [
        (None, {"fields": ["summary", "prospect", "company", "person", "owner", "version"]}),
        (
            _("Process"),
            {
                "fields": [
                    "process",
                    "status",
                    "step",
                    "loss_reason",
                    "closing_date",
                    "probability",
                    "probability_is_manual",
                    "amount",
                    "expected_date",
                ]
            },
        ),
        (_("Project"), {"fields": ["interest", "rating", "competitor", "project_notes"]}),
        (
            _("Kept up to date by the process rules"),
            {"fields": [*OPPORTUNITY_COMPUTED, *TRACKED_FIELDS], "classes": ["collapse"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = ["probability_is_manual", *OPPORTUNITY_COMPUTED, *TRACKED_FIELDS]
        if obj is not None:
            fields += ["prospect", "company", "person", "process"]
            if obj.lines.exists():
                fields.append("amount")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # On an existing opportunity, only the steps of its process.
        object_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "step" and object_id:
            process = Opportunity.all_objects.filter(pk=object_id).values("process_id")
            kwargs["queryset"] = Step.objects.filter(process_id__in=process)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = card_services.opportunity_update(
                opportunity_id=obj.pk,
                actor=request.user,
                data={k: data[k] for k in card_services.OPPORTUNITY_EDITABLE if k in data},
                expected_version=data.get("version"),
                to_status=data.get("status"),
                to_step=data.get("step"),
                loss_reason=data.get("loss_reason"),
            )
        else:
            fields = {k: data[k] for k in OPPORTUNITY_CREATE if k in data}
            # Left blank, these take the service's defaults (the step's probability, the
            # actor as owner, today as closing date of a won or lost one).
            for name in ("probability", "owner", "closing_date"):
                if data.get(name) is not None and name in form.changed_data:
                    fields[name] = data[name]
            saved = opportunity_services.opportunity_create(
                actor=request.user, process=data["process"], step=data.get("step"), **fields
            )
        adopt(obj, saved)

    def trash_records(self, request, queryset) -> int:
        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            opportunity_services.opportunity_trash(opportunity_id=pk, actor=request.user)
        return len(ids)

    @admin.action(description=_("The probability follows the step again"), permissions=["change"])
    def follow_step(self, request, queryset):
        ids = list(queryset.filter(probability_is_manual=True).values_list("pk", flat=True))
        try:
            with transaction.atomic():
                for pk in ids:
                    card_services.opportunity_probability_follow_step(
                        opportunity_id=pk, actor=request.user
                    )
        except self.refusals as refusal:
            self.message_user(request, " ".join(refusal_error(refusal).messages), messages.ERROR)
            return
        self.message_user(request, FOLLOWS_STEP % {"count": len(ids)}, messages.SUCCESS)


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    """Read-only: the history is written by the services, as the changes happen."""

    list_display = ["at", "kind", "from_value", "to_value", "actor", "prospect", "opportunity"]
    list_filter = ["kind"]
    raw_id_fields = ["prospect", "opportunity"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: the import wizard drives a job through its states."""

    list_display = ["filename", "actor", "state", "total", "created", "refused", "created_at"]
    readonly_fields = ["headers", "mapping", "preview"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
