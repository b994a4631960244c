"""The privacy app's URLs (managers only)."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("privacy/retention/", views.privacy_retention, name="privacy_retention"),
    path("privacy/retention/<id:pk>/keep/", views.privacy_keep, name="privacy_keep"),
    path(
        "privacy/export/person/<id:pk>/",
        views.privacy_person_export,
        name="privacy_person_export",
    ),
    path(
        "privacy/export/prospect/<id:pk>/",
        views.privacy_prospect_export,
        name="privacy_prospect_export",
    ),
    path("privacy/erase/person/<id:pk>/", views.privacy_person_erase, name="privacy_person_erase"),
    path(
        "privacy/erase/prospect/<id:pk>/",
        views.privacy_prospect_erase,
        name="privacy_prospect_erase",
    ),
    path("privacy/register/", views.privacy_register, name="privacy_register"),
    path("privacy/exports/", views.privacy_exports, name="privacy_exports"),
]
