from django.urls import path  # noqa: F401

from quotes.views import cards, documents, public, sending  # noqa: F401 (each section adds its paths)

urlpatterns = [
    # The quote list and card: cards.
    path("quotes/", cards.quote_list, name="quote_list"),
    path("quotes/<id:pk>/", cards.quote_detail, name="quote_detail"),
    path("quotes/<id:pk>/lines/add/", cards.quote_line_add, name="quote_line_add"),
    path("quotes/lines/<id:pk>/edit/", cards.quote_line_edit, name="quote_line_edit"),
    path("quotes/lines/<id:pk>/delete/", cards.quote_line_delete, name="quote_line_delete"),
    path("quotes/lines/<id:pk>/move/", cards.quote_line_move, name="quote_line_move"),
    path("quotes/<id:pk>/issue/", cards.quote_issue, name="quote_issue"),
    path("quotes/<id:pk>/revise/", cards.quote_revise, name="quote_revise"),
    path("opportunities/<id:pk>/quotes/", cards.opportunity_quotes, name="opportunity_quotes"),
    path("opportunities/<id:pk>/quotes/new/", cards.quote_create, name="quote_create"),
    # The PDFs: documents.
    path("quotes/<id:pk>/pdf/", documents.quote_pdf, name="quote_pdf"),
    path(
        "opportunities/<id:pk>/sheet.pdf",
        documents.opportunity_sheet_pdf,
        name="opportunity_sheet_pdf",
    ),
    # The client's public page: public.
    path("quotes/<id:pk>/send/", sending.quote_send, name="quote_send"),
    path("quotes/<id:pk>/win/", sending.quote_win, name="quote_win"),
    path("q/<str:token>/", public.quote_public, name="quote_public"),
    path("q/<str:token>/pdf/", public.quote_public_pdf, name="quote_public_pdf"),
    path("q/<str:token>/logo/", public.quote_public_logo, name="quote_public_logo"),
    path("q/<str:token>/accept/", public.quote_public_accept, name="quote_public_accept"),
    path("q/<str:token>/refuse/", public.quote_public_refuse, name="quote_public_refuse"),
]
