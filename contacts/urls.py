from django.urls import path

from contacts.views import banking, companies, merge, people, records, register

urlpatterns = [
    path("companies/", companies.company_list, name="company_list"),
    path("companies/new/", companies.company_create, name="company_create"),
    path("companies/lookup/", register.company_lookup, name="company_lookup"),
    path("companies/<int:pk>/merge/", merge.company_merge, name="company_merge"),
    path("companies/<int:pk>/bank/new/", banking.bank_account_create, name="bank_account_create"),
    path("bank-accounts/<int:pk>/edit/", banking.bank_account_edit, name="bank_account_edit"),
    path(
        "bank-accounts/<int:pk>/default/", banking.bank_account_default, name="bank_account_default"
    ),
    path("bank-accounts/<int:pk>/delete/", banking.bank_account_delete, name="bank_account_delete"),
    path("duplicates/", merge.duplicate_list, name="duplicate_list"),
    path("people/<int:pk>/merge/", merge.person_merge, name="person_merge"),
    path("prospects/<int:pk>/merge/", merge.prospect_merge, name="prospect_merge"),
    path("companies/<int:pk>/", companies.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", companies.company_edit, name="company_edit"),
    path("companies/<int:pk>/transform/", companies.company_transform, name="company_transform"),
    path("companies/<int:pk>/trash/", companies.company_trash, name="company_trash"),
    path("companies/<int:pk>/addresses/new/", companies.address_create, name="address_create"),
    path("companies/<int:pk>/people/link/", people.company_person_link, name="company_person_link"),
    path("companies/<int:pk>/reps/new/", companies.company_rep_add, name="company_rep_add"),
    path("company-reps/<int:pk>/delete/", companies.company_rep_remove, name="company_rep_remove"),
    path("addresses/<int:pk>/edit/", companies.address_edit, name="address_edit"),
    path("addresses/<int:pk>/default/", companies.address_default, name="address_default"),
    path("addresses/<int:pk>/delete/", companies.address_delete, name="address_delete"),
    path("postal-codes/", companies.postal_code_suggest, name="postal_code_suggest"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/mailing.csv", people.mailing_export, name="mailing_export"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/trash/", people.person_trash, name="person_trash"),
    path("people/<int:pk>/companies/link/", people.person_company_link, name="person_company_link"),
    path("affiliations/<int:pk>/edit/", people.affiliation_edit, name="affiliation_edit"),
    path("affiliations/<int:pk>/default/", people.affiliation_default, name="affiliation_default"),
    path("affiliations/<int:pk>/delete/", people.affiliation_delete, name="affiliation_delete"),
    path(
        "records/<int:content_type_id>/<int:object_id>/notes/",
        records.note_create,
        name="note_create",
    ),
    path("notes/<int:pk>/delete/", records.note_delete, name="note_delete"),
    path(
        "records/<int:content_type_id>/<int:object_id>/documents/",
        records.document_upload,
        name="document_upload",
    ),
    path("documents/<int:pk>/download/", records.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", records.document_delete, name="document_delete"),
]
