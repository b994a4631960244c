from django.urls import path  # noqa: F401

from quotes.views import cards, documents, public  # noqa: F401 (each section adds its paths)

urlpatterns = [
    # The quote list and card: cards.
    # The PDFs: documents.
    # The client's public page: public.
]
