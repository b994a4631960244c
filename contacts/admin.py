from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts import services
from contacts.models import (
    Address,
    Affiliation,
    Category,
    Company,
    CompanyRep,
    ContactType,
    Document,
    Note,
    Person,
    PostalCode,
)


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


class CompanyRepInline(admin.TabularInline):
    model = CompanyRep
    extra = 0
    autocomplete_fields = ["user"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["person", "company"]


class NoteInline(GenericTabularInline):
    model = Note
    ct_fk_field = "object_id"
    extra = 0
    fields = ["subject", "date", "reminder_date", "owner"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "colour"]
    search_fields = ["name"]


@admin.register(ContactType)
class ContactTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "customer_code",
        "siren",
        "country",
        "owner",
        "active",
        "updated_at",
    ]
    list_filter = ["kind", "active", "country", "categories", "owner", "is_natural_person"]
    search_fields = [
        "name",
        "acronym",
        "siren",
        "vat_number",
        "customer_code",
        "email",
        "search_text",
    ]
    readonly_fields = [
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "version",
        "search_text",
    ]
    filter_horizontal = ["categories"]
    autocomplete_fields = ["owner"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [AddressInline, AffiliationInline, CompanyRepInline, NoteInline]
    actions = ["reindex"]

    def get_queryset(self, request):
        return Company.all_objects.select_related("owner")

    def save_model(self, request, obj, form, change):
        obj.touch(request.user)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.company_reindex(company=form.instance)

    @admin.action(description=_("Rebuild the quick-search words"))
    def reindex(self, request, queryset):
        count = services.companies_reindex(queryset=queryset)
        self.message_user(request, _("%(count)d companies reindexed.") % {"count": count})


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "job_title",
        "mailing_opt_in",
        "active",
        "owner",
    ]
    list_filter = ["active", "mailing_opt_in", "language", "owner", "affiliations__contact_type"]
    search_fields = [
        "last_name",
        "first_name",
        "email",
        "email2",
        "phone",
        "mobile",
        "companies__name",
    ]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by", "version"]
    autocomplete_fields = ["owner"]
    inlines = [AffiliationInline, NoteInline]

    def get_queryset(self, request):
        return Person.all_objects.select_related("owner")

    def save_model(self, request, obj, form, change):
        obj.touch(request.user)
        super().save_model(request, obj, form, change)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["company", "line1", "postal_code", "city", "country", "is_default"]
    list_filter = ["is_default", "country"]
    search_fields = ["company__name", "line1", "postal_code", "city"]
    autocomplete_fields = ["company"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.company_reindex(company=obj.company)

    def delete_model(self, request, obj):
        company = obj.company
        super().delete_model(request, obj)
        services.company_reindex(company=company)


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "company", "role", "contact_type", "rank", "is_default"]
    list_filter = ["contact_type", "is_default"]
    search_fields = ["person__last_name", "person__first_name", "company__name", "role"]
    autocomplete_fields = ["person", "company"]


@admin.register(CompanyRep)
class CompanyRepAdmin(admin.ModelAdmin):
    list_display = ["company", "user", "role"]
    list_filter = ["user"]
    search_fields = ["company__name", "user__username", "role"]
    autocomplete_fields = ["company", "user"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["subject", "content_type", "object_id", "date", "reminder_date", "owner"]
    list_filter = ["content_type", "date", "reminder_date", "owner"]
    search_fields = ["subject", "text"]
    date_hierarchy = "date"


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "content_type",
        "object_id",
        "size",
        "uploaded_by",
        "uploaded_at",
        "download",
    ]
    list_filter = ["content_type", "uploaded_at", "content_type_header"]
    search_fields = ["name"]
    # Never the file's storage URL: downloads go through the rights-checking view.
    exclude = ["file"]
    readonly_fields = ["size", "content_type_header", "uploaded_by", "uploaded_at", "download"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("download"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("document_download", args=[obj.pk]), _("download")
        )


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "city"]
    search_fields = ["code", "city"]
