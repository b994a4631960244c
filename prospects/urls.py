from django.urls import path

from prospects.views import board, copies, imports, prospects

urlpatterns = [
    path("prospects/", prospects.prospect_list, name="prospect_list"),
    path("prospects/new/", prospects.prospect_create, name="prospect_create"),
    path("prospects/bulk/", prospects.prospect_bulk, name="prospect_bulk"),
    path("prospects/import/", imports.prospect_import, name="prospect_import"),
    path("prospects/import/<id:pk>/", imports.prospect_import_job, name="prospect_import_job"),
    path(
        "prospects/import/<id:pk>/refused.csv",
        imports.prospect_import_report,
        name="prospect_import_report",
    ),
    path(
        "prospects/import-contact/",
        prospects.prospect_import_contact,
        name="prospect_import_contact",
    ),
    path("prospects/export/", imports.prospect_export, name="prospect_export"),
    path("prospects/delete-all/", prospects.prospect_delete_all, name="prospect_delete_all"),
    # The trash page is /trash/; the former address of the prospects' trash leads there.
    path("prospects/trash/", prospects.prospect_trash, name="prospect_trash"),
    path("prospects/<id:pk>/", prospects.prospect_detail, name="prospect_detail"),
    path("prospects/<id:pk>/panel/", prospects.prospect_panel, name="prospect_panel"),
    path("prospects/<id:pk>/copy/", copies.prospect_copy, name="prospect_copy"),
    path(
        "prospects/<id:pk>/opportunities/new/",
        prospects.prospect_opportunity_create,
        name="prospect_opportunity_create",
    ),
    path(
        "prospects/<id:pk>/add-to-contacts/",
        prospects.prospect_add_to_contacts,
        name="prospect_add_to_contacts",
    ),
    # A new opportunity, for an existing prospect or a new one, from a column of the Kanban
    path(
        "pipeline/<id:process_id>/board/new/",
        board.board_opportunity_create,
        name="board_opportunity_create",
    ),
]
