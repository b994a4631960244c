from django.urls import path

from contacts import views

urlpatterns = [
    path("companies/", views.company_list, name="company_list"),
    path("people/", views.person_list, name="person_list"),
]
