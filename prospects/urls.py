from django.urls import path

from prospects import views

urlpatterns = [
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/new/", views.prospect_create, name="prospect_create"),
    path("prospects/bulk/", views.prospect_bulk, name="prospect_bulk"),
    path("prospects/import/", views.prospect_import, name="prospect_import"),
    path("prospects/import/<int:pk>/", views.prospect_import_job, name="prospect_import_job"),
    path(
        "prospects/import/<int:pk>/refused.csv",
        views.prospect_import_report,
        name="prospect_import_report",
    ),
    path(
        "prospects/import-contact/", views.prospect_import_contact, name="prospect_import_contact"
    ),
    path("prospects/export/", views.prospect_export, name="prospect_export"),
    path("prospects/delete-all/", views.prospect_delete_all, name="prospect_delete_all"),
    path("prospects/trash/", views.prospect_trash, name="prospect_trash"),
    path("prospects/trash/restore/", views.prospect_restore, name="prospect_restore"),
    path("prospects/<int:pk>/", views.prospect_detail, name="prospect_detail"),
    path("prospects/<int:pk>/panel/", views.prospect_panel, name="prospect_panel"),
    path(
        "prospects/<int:pk>/opportunities/new/",
        views.prospect_opportunity_create,
        name="prospect_opportunity_create",
    ),
    path(
        "prospects/<int:pk>/add-to-contacts/",
        views.prospect_add_to_contacts,
        name="prospect_add_to_contacts",
    ),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/lines/", views.opportunity_line_add, name="opportunity_line_add"),
    path(
        "opportunities/lines/<int:pk>/", views.opportunity_line_edit, name="opportunity_line_edit"
    ),
    path(
        "opportunities/lines/<int:pk>/delete/",
        views.opportunity_line_delete,
        name="opportunity_line_delete",
    ),
]
