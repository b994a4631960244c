from django.urls import path

from prospects import views

urlpatterns = [
    path("prospects/", views.prospect_list, name="prospect_list"),
]
