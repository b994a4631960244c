"""The catalogue in the admin: products through the catalogue services (0 % VAT needs its
mention; a product is deactivated, never deleted, so what was sold keeps its product), their
families as plain rows."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalogue import services
from catalogue.models import Product, ProductFamily
from core.admin import ServiceAdmin, adopt
from core.forms import MoneyField
from core.roles import is_manager


class ManagersOnly:
    """An admin page for managers (`core.roles`) alone, whatever the group's model permissions
    say: the catalogue and the seller are theirs to set up."""

    def has_module_permission(self, request) -> bool:
        return is_manager(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_manager(request.user)

    def has_add_permission(self, request) -> bool:
        return is_manager(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_manager(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_manager(request.user)


@admin.register(ProductFamily)
class ProductFamilyAdmin(ManagersOnly, admin.ModelAdmin):
    list_display = ["name", "position", "product_count"]
    list_editable = ["position"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, obj) -> int:
        return obj.product_count


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = services.PRODUCT_EDITABLE
        field_classes = {"unit_price": MoneyField}


@admin.register(Product)
class ProductAdmin(ManagersOnly, ServiceAdmin):
    form = ProductAdminForm
    list_display = ["code", "label", "family", "unit", "unit_price", "vat_rate", "active"]
    list_filter = ["active", "family", "vat_rate"]
    search_fields = ["code", "label"]
    list_select_related = ["family"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["activate", "deactivate"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.PRODUCT_EDITABLE}
        if change:
            saved = services.product_update(product_id=obj.pk, actor=request.user, data=data)
        else:
            saved = services.product_create(actor=request.user, data=data)
        adopt(obj, saved)

    def _set_active(self, request, queryset, active: bool) -> int:
        count = 0
        for product in queryset.filter(active=not active):
            try:
                services.product_update(
                    product_id=product.pk, actor=request.user, data={"active": active}
                )
            except ValidationError as error:
                self.message_user(request, f"{product}: {' '.join(error.messages)}", messages.ERROR)
            else:
                count += 1
        return count

    @admin.action(description=_("Activate the selected products"), permissions=["change"])
    def activate(self, request, queryset):
        count = self._set_active(request, queryset, True)
        self.message_user(
            request,
            ngettext("%(count)d product activated.", "%(count)d products activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Deactivate the selected products (no longer offered)"),
        permissions=["change"],
    )
    def deactivate(self, request, queryset):
        count = self._set_active(request, queryset, False)
        self.message_user(
            request,
            ngettext("%(count)d product deactivated.", "%(count)d products deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )
