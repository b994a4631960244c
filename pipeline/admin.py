from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from pipeline.models import AutomationRule, Process, Step, TaskType


class StepInline(admin.TabularInline):
    """Steps in order; change the order numbers to reorder them (no fixed maximum)."""

    model = Step
    fields = ["position", "label", "duration_days", "probability", "folded"]
    ordering = ["position", "id"]
    extra = 1


class AutomationRuleInline(admin.TabularInline):
    model = AutomationRule
    fk_name = "process"
    fields = ["event", "task_type", "status", "target_step", "active"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the steps of the process being edited may be a rule's target.
        if db_field.name == "target_step":
            process_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = (
                Step.objects.filter(process_id=process_id) if process_id else Step.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "mode",
        "step_count",
        "log_step_changes",
        "is_default",
        "active",
        "position",
    ]
    list_editable = ["active", "position"]
    list_filter = ["mode", "active"]
    search_fields = ["name"]
    filter_horizontal = ["modify_groups", "delete_groups"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "mode", "log_step_changes", "active", "is_default", "position"]},
        ),
        (_("Rights"), {"fields": ["modify_groups", "delete_groups"]}),
    ]
    inlines = [StepInline, AutomationRuleInline]

    class Media:
        # Drag the step rows to reorder them (the order numbers follow).
        js = ["vendor/Sortable.min.js", "js/pipeline_admin.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description=_("steps"), ordering="step_count")
    def step_count(self, obj):
        return obj.step_count

    def get_inlines(self, request, obj):
        # Rules point to steps of the process: they can be added once it has steps.
        return [StepInline, AutomationRuleInline] if obj is not None else [StepInline]


@admin.register(TaskType)
class TaskTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "icon", "is_contact", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "process", "event", "task_type", "status", "target_step", "active"]
    list_filter = ["process", "event", "active"]
    list_select_related = ["process", "task_type", "target_step"]
