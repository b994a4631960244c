"""The admin writes through the apps' services, like the pages (no model registered here).

`ServiceAdmin` is a ModelAdmin whose `save_model`, inlines and delete hooks call services (each
app's admin says which). A refusal raised while saving (a rule's ValidationError,
PermissionDenied, an app's `Refused`) rolls the whole save back (the record, its inline rows and
the admin's log entry) and the same form comes back with the refusal as its error; a stale
version (someone saved since the form was opened) comes back as a message over the current
values. `ServiceInline` rows go through `add_row` / `change_row` / `delete_row`.
`TrashableAdmin` is for the records the apps delete into the trash: the admin never deletes
them for good (no delete permission, so no "delete selected" either) and moves them to the
trash through the app's service instead.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedForm
from core.versions import ConcurrentEdit

NOT_ALLOWED = _("You may not make this change.")
TRASHED = _("Moved to the trash: %(count)d. A manager can restore them from the trash.")
OPEN_TRASH = _("Open the trash")

# Read-only on every admin page of a tracked record (see `core.db.Tracked`).
TRACKED_FIELDS = ["created_at", "created_by", "updated_at", "updated_by"]

_REFUSAL = "_jalon_admin_refusal"


def refusal_error(exc: Exception) -> ValidationError:
    """A service's refusal as the error a form shows."""
    if isinstance(exc, ValidationError):
        return exc
    message = getattr(exc, "message", None) or str(exc) or NOT_ALLOWED
    return ValidationError(str(message))


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's instance (held by its form, inlines and log entry) the row a service
    saved, with the values the service stored."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db
    obj.refresh_from_db()


def _with_error(form_class, error: ValidationError):
    """`form_class` invalid with `error` (fields it does not show get it as a form error)."""

    class RefusedForm(form_class):
        def clean(self):
            cleaned_data = super().clean()
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)
            return cleaned_data

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class ServiceAdmin(admin.ModelAdmin):
    # What a service raises to refuse a write (apps add their own `Refused`), and what it
    # raises when the record changed since the form was opened.
    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied)
    conflicts: tuple[type[Exception], ...] = (ConcurrentEdit,)
    # True when `save_model`'s service also sets the many-to-many fields.
    saves_m2m = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.conflicts as conflict:
            self.message_user(request, str(conflict.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except self.refusals as refusal:
            # Everything the first pass wrote is rolled back; the second pass only validates
            # the same POST, the refusal making the form invalid, and shows it (a refusal of
            # the admin itself, such as a missing permission, is raised again there).
            setattr(request, _REFUSAL, refusal_error(refusal))
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, _REFUSAL, None)
        return form if error is None else _with_error(form, error)

    def save_related(self, request, form, formsets, change):
        if not self.saves_m2m:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            return super().save_formset(request, form, formset, change)
        return inline.save_rows(request, formset)


class ServiceInline:
    """Mixin of an InlineModelAdmin whose rows are written by services, in this order: changed
    rows, new rows (`order_new_rows`), deleted rows. The delete service decides whether a row
    may go (and says why), not the admin's generic check of protected relations."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class ServiceRow(formset.form):
            def hand_clean_DELETE(self):
                pass

        ServiceRow.__name__ = formset.form.__name__
        formset.form = ServiceRow
        formset.service_inline = self
        return formset

    def add_row(self, request, parent, form):
        raise NotImplementedError

    def change_row(self, request, form):
        raise NotImplementedError

    def delete_row(self, request, obj) -> None:
        raise NotImplementedError

    def order_new_rows(self, forms: list) -> list:
        return forms

    def save_rows(self, request, formset) -> None:
        # The admin's change message reads these three lists (filled by formset.save()).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = formset.deleted_forms
        for form in formset.initial_forms:
            if form not in deleted and form.has_changed():
                formset.changed_objects.append((self.change_row(request, form), form.changed_data))
        new = [form for form in formset.extra_forms if form.has_changed() and form not in deleted]
        for form in self.order_new_rows(new):
            formset.new_objects.append(self.add_row(request, formset.instance, form))
        for form in formset.initial_forms:
            if form in deleted and form.instance.pk is not None:
                row = type(form.instance)._default_manager.get(pk=form.instance.pk)
                self.delete_row(request, row)
                formset.deleted_objects.append(row)


class TrashableAdmin(ServiceAdmin):
    """A tracked record: "Move to the trash" (`trash_records`, the app's service) instead of
    the admin's delete, which would delete it for good with everything that cascades."""

    actions = ["move_to_trash"]
    # The form carries the version the user saw as its own hidden field, which stands for
    # the model's (not editable) one: a stale save is refused, not silently overwritten.
    form = VersionedForm
    exclude = ["version"]

    def has_delete_permission(self, request, obj=None):
        return False

    def trash_records(self, request, queryset) -> int:
        raise NotImplementedError

    @admin.action(description=_("Move to the trash"), permissions=["change"])
    def move_to_trash(self, request, queryset):
        try:
            with transaction.atomic():
                count = self.trash_records(request, queryset.filter(deleted_at__isnull=True))
        except self.refusals as refusal:
            self.message_user(request, " ".join(refusal_error(refusal).messages), messages.ERROR)
            return
        text = TRASHED % {"count": count}
        link = format_html(' <a href="{}">{}</a>', reverse("trash"), OPEN_TRASH)
        self.message_user(request, format_html("{}{}", text, link), messages.SUCCESS)
