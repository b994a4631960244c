"""The contact file through the same services as the pages (see `core.admin`): companies and
people (normalised identity fields, search words, version, trash), addresses (one default
address, search words) and affiliations (one default contact). Representatives, notes and the
reference tables carry no rule of their own."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts import attachments, services
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
from core.admin import TRACKED_FIELDS, ServiceAdmin, ServiceInline, TrashableAdmin, adopt

ADDRESS_FIELDS = ("label", "line1", "line2", "postal_code", "city", "country", "is_default")
AFFILIATION_FIELDS = ("role", "contact_type", "rank", "is_default")
MANAGEMENT_DATES = [
    "first_contact_at",
    "last_contact_at",
    "last_contact_type",
    "next_contact_at",
    "next_contact_type",
]


def _address_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in ADDRESS_FIELDS if name in form.cleaned_data}


def _affiliation_add(request, data: dict) -> Affiliation:
    return services.affiliation_create(
        person=data["person"],
        company=data["company"],
        actor=request.user,
        **{name: data[name] for name in AFFILIATION_FIELDS if name in data},
    )


def _affiliation_change(request, form) -> Affiliation:
    """Another person or company on the row: the old link goes, the new one is made."""
    if {"person", "company"} & set(form.changed_data):
        services.affiliation_delete(
            affiliation=Affiliation.objects.get(pk=form.instance.pk), actor=request.user
        )
        return _affiliation_add(request, form.cleaned_data)
    data = {name: form.cleaned_data[name] for name in AFFILIATION_FIELDS}
    return services.affiliation_update(affiliation=form.instance, actor=request.user, data=data)


class AddressInline(ServiceInline, admin.StackedInline):
    model = Address
    extra = 0

    def add_row(self, request, parent, form):
        return services.address_create(company=parent, actor=request.user, data=_address_data(form))

    def change_row(self, request, form):
        return services.address_update(
            address=form.instance, actor=request.user, data=_address_data(form)
        )

    def delete_row(self, request, obj) -> None:
        services.address_delete(address=obj, actor=request.user)


class CompanyRepInline(admin.TabularInline):
    model = CompanyRep
    extra = 0
    autocomplete_fields = ["user"]


class AffiliationInline(ServiceInline, admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["person", "company"]

    def add_row(self, request, parent, form):
        return _affiliation_add(request, form.cleaned_data)

    def change_row(self, request, form):
        return _affiliation_change(request, form)

    def delete_row(self, request, obj) -> None:
        services.affiliation_delete(affiliation=obj, actor=request.user)


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
class CompanyAdmin(TrashableAdmin):
    """`company_create` / `company_update`; becoming a customer (kind, customer code) is the
    transformation of the company's page, the management dates come from the tasks."""

    saves_m2m = True
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
    readonly_fields = ["kind", "customer_code", *MANAGEMENT_DATES, *TRACKED_FIELDS, "search_text"]
    filter_horizontal = ["categories"]
    autocomplete_fields = ["owner"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [AddressInline, AffiliationInline, CompanyRepInline, NoteInline]
    actions = ["move_to_trash", "reindex"]

    def get_queryset(self, request):
        return Company.all_objects.select_related("owner")

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.COMPANY_EDITABLE}
        categories = form.cleaned_data.get("categories")
        if change:
            saved = services.company_update(
                company=obj,
                actor=request.user,
                data=data,
                version=form.cleaned_data.get("version"),
                categories=categories,
            )
        else:
            saved = services.company_create(
                actor=request.user, data=data, categories=categories or ()
            )
        adopt(obj, saved)

    def trash_records(self, request, queryset) -> int:
        companies = list(queryset)
        for company in companies:
            services.company_trash(company=company, actor=request.user)
        return len(companies)

    @admin.action(description=_("Rebuild the quick-search words"))
    def reindex(self, request, queryset):
        count = services.companies_reindex(queryset=queryset)
        self.message_user(request, _("%(count)d companies reindexed.") % {"count": count})


@admin.register(Person)
class PersonAdmin(TrashableAdmin):
    """`person_create` / `person_update` (normalised phones, version); links through the
    affiliation services."""

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
    readonly_fields = TRACKED_FIELDS
    autocomplete_fields = ["owner"]
    inlines = [AffiliationInline, NoteInline]

    def get_queryset(self, request):
        return Person.all_objects.select_related("owner")

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PERSON_EDITABLE}
        if change:
            saved = services.person_update(
                person=obj, actor=request.user, data=data, version=form.cleaned_data.get("version")
            )
        else:
            saved = services.person_create(actor=request.user, data=data)
        adopt(obj, saved)

    def trash_records(self, request, queryset) -> int:
        people = list(queryset)
        for person in people:
            services.person_trash(person=person, actor=request.user)
        return len(people)


@admin.register(Address)
class AddressAdmin(ServiceAdmin):
    """The address services: one default address per company, search words refreshed."""

    list_display = ["company", "line1", "postal_code", "city", "country", "is_default"]
    list_filter = ["is_default", "country"]
    search_fields = ["company__name", "line1", "postal_code", "city"]
    autocomplete_fields = ["company"]

    def get_readonly_fields(self, request, obj=None):
        return ["company"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.address_update(
                address=obj, actor=request.user, data=_address_data(form)
            )
        else:
            saved = services.address_create(
                company=form.cleaned_data["company"], actor=request.user, data=_address_data(form)
            )
        adopt(obj, saved)

    def delete_model(self, request, obj):
        services.address_delete(address=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for address in queryset:
            services.address_delete(address=Address.objects.get(pk=address.pk), actor=request.user)


@admin.register(Affiliation)
class AffiliationAdmin(ServiceAdmin):
    """The affiliation services: one default contact per company, never a duplicate link."""

    list_display = ["person", "company", "role", "contact_type", "rank", "is_default"]
    list_filter = ["contact_type", "is_default"]
    search_fields = ["person__last_name", "person__first_name", "company__name", "role"]
    autocomplete_fields = ["person", "company"]

    def get_readonly_fields(self, request, obj=None):
        return ["person", "company"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            saved = _affiliation_change(request, form)
        else:
            saved = _affiliation_add(request, form.cleaned_data)
        adopt(obj, saved)

    def delete_model(self, request, obj):
        services.affiliation_delete(affiliation=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for affiliation in queryset:
            services.affiliation_delete(
                affiliation=Affiliation.objects.get(pk=affiliation.pk), actor=request.user
            )


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
    # Never the file's storage URL: downloads go through the rights-checking view. The record
    # it is attached to is fixed (documents are attached on that record's page).
    exclude = ["file"]
    readonly_fields = [
        "content_type",
        "object_id",
        "size",
        "content_type_header",
        "uploaded_by",
        "uploaded_at",
        "download",
    ]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        attachments.document_delete(document=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            attachments.document_delete(document=document, actor=request.user)

    @admin.display(description=_("download"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("document_download", args=[obj.pk]), _("download")
        )


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "city"]
    search_fields = ["code", "city"]
