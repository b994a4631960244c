"""The integrations app's URLs: the public web forms (the API's are in api_urls.py)."""

from django.urls import path

from integrations import views

urlpatterns = [
    path("forms/<str:key>/", views.web_form, name="web_form"),
]
