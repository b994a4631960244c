"""Process configuration. Opportunities and their lines are in prospects/admin.py. Tasks are not
in the admin: their rules (done by, series, stored colours, the trash) live in the task
services, which the task pages call."""

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin import ServiceAdmin, ServiceInline
from core.icons import TASK_ICONS, task_icon
from core.templatetags.core_tags import icon as draw_icon
from pipeline.models import AutomationRule, Process, Step, TaskType
from pipeline.services import stages as stage_services
from pipeline.services.opportunities import Refused

STEP_FIELDS = ("label", "duration_days", "probability", "folded", "position")


class StepInline(ServiceInline, SortableTabularInline):
    """Steps in order, reordered by dragging their rows (django-admin-sortable2 numbers the
    hidden order field; no fixed maximum). Written by the board's column services: a new
    probability carries to the opportunities that follow their step, a step with opportunities
    is not deleted, a new step goes at the end. Once the rows are saved, a step-by-step
    process's boxes follow the new order (`process_boxes_realign`)."""

    model = Step
    fields = ["position", "label", "duration_days", "probability", "folded"]
    ordering = ["position", "id"]
    extra = 1

    def add_row(self, request, parent, form):
        data = form.cleaned_data
        step = stage_services.step_create(
            process_id=parent.pk,
            actor=request.user,
            label=data["label"],
            duration_days=data["duration_days"],
            probability=data["probability"],
            position=data["position"] if "position" in form.changed_data else None,
        )
        if data.get("folded"):
            step = stage_services.step_update(step_id=step.pk, actor=request.user, folded=True)
        return step

    def change_row(self, request, form):
        changes = {
            name: form.cleaned_data[name] for name in STEP_FIELDS if name in form.changed_data
        }
        return stage_services.step_update(step_id=form.instance.pk, actor=request.user, **changes)

    def delete_row(self, request, obj) -> None:
        stage_services.step_delete(step_id=obj.pk, actor=request.user)

    def save_rows(self, request, formset) -> None:
        super().save_rows(request, formset)
        # Steps added at the end change no one's order (a new step is simply not done yet).
        moved = any("position" in changed for _step, changed in formset.changed_objects) or any(
            "position" in form.changed_data for form in formset.extra_forms if form.has_changed()
        )
        if moved:
            stage_services.process_boxes_realign(process_id=formset.instance.pk, actor=request.user)

    def order_new_rows(self, forms):
        # Inserted by increasing order number, each one shifting the later steps, the new steps
        # keep the order typed; those without a number go at the end.
        def key(item):
            index, form = item
            typed = "position" in form.changed_data
            return (not typed, form.cleaned_data["position"] if typed else 0, index)

        return [form for _index, form in sorted(enumerate(forms), key=key)]


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
class ProcessAdmin(SortableAdminBase, ServiceAdmin):
    """Steps through the column services (see StepInline); the process itself and its rules
    are configuration without a service (their own `clean` checks them)."""

    refusals = (*ServiceAdmin.refusals, Refused)
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description=_("steps"), ordering="step_count")
    def step_count(self, obj):
        return obj.step_count

    def get_inlines(self, request, obj):
        # Rules point to steps of the process: they can be added once it has steps.
        return [StepInline, AutomationRuleInline] if obj is not None else [StepInline]


# What each icon a task type may have looks like (core.icons.TASK_ICONS), for the choice.
TASK_ICON_LABELS = {
    "circle-check": _("Tick"),
    "phone": _("Telephone"),
    "handshake": _("Handshake"),
    "mail": _("Envelope"),
    "calendar-off": _("Day off"),
    "calendar": _("Calendar"),
    "map-pin": _("Map pin"),
    "file-text": _("Document"),
    "message-square": _("Speech bubble"),
    "users": _("People"),
    "euro": _("Euro"),
    "star": _("Star"),
    "flag": _("Flag"),
    "zap": _("Lightning"),
}


class TaskTypeForm(forms.ModelForm):
    icon = forms.ChoiceField(
        label=capfirst(TaskType._meta.get_field("icon").verbose_name),
        required=False,
        choices=[("", "—"), *((name, TASK_ICON_LABELS[name]) for name in TASK_ICONS)],
    )

    class Meta:
        model = TaskType
        fields = ["name", "code", "icon", "is_contact", "position"]


@admin.register(TaskType)
class TaskTypeAdmin(admin.ModelAdmin):
    form = TaskTypeForm
    list_display = ["name", "code", "drawn_icon", "is_contact", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"code": ["name"]}

    @admin.display(description=_("icon"), ordering="icon")
    def drawn_icon(self, obj):
        name = task_icon(obj.icon)
        return format_html("{} {}", draw_icon(name), TASK_ICON_LABELS.get(name, name))


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "process", "event", "task_type", "status", "target_step", "active"]
    list_filter = ["process", "event", "active"]
    list_select_related = ["process", "task_type", "target_step"]
