"""The token page, under /account/tokens/ (included by config/urls.py)."""

from django.urls import path

from api import pages

urlpatterns = [
    path("", pages.api_tokens, name="api_tokens"),
    path("<id:pk>/revoke/", pages.api_token_revoke, name="api_token_revoke"),
]
