from django.urls import path

from contacts import views

urlpatterns = [
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("companies/<int:pk>/transform/", views.company_transform, name="company_transform"),
    path("companies/<int:pk>/trash/", views.company_trash, name="company_trash"),
    path("companies/<int:pk>/addresses/new/", views.address_create, name="address_create"),
    path("companies/<int:pk>/people/link/", views.company_person_link, name="company_person_link"),
    path("companies/<int:pk>/reps/new/", views.company_rep_add, name="company_rep_add"),
    path("company-reps/<int:pk>/delete/", views.company_rep_remove, name="company_rep_remove"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/default/", views.address_default, name="address_default"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("postal-codes/", views.postal_code_suggest, name="postal_code_suggest"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/mailing.csv", views.mailing_export, name="mailing_export"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/trash/", views.person_trash, name="person_trash"),
    path("people/<int:pk>/companies/link/", views.person_company_link, name="person_company_link"),
    path("affiliations/<int:pk>/edit/", views.affiliation_edit, name="affiliation_edit"),
    path("affiliations/<int:pk>/default/", views.affiliation_default, name="affiliation_default"),
    path("affiliations/<int:pk>/delete/", views.affiliation_delete, name="affiliation_delete"),
    path(
        "records/<int:content_type_id>/<int:object_id>/notes/",
        views.note_create,
        name="note_create",
    ),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path(
        "records/<int:content_type_id>/<int:object_id>/documents/",
        views.document_upload,
        name="document_upload",
    ),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
