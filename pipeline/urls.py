from django.urls import path

from pipeline import views

urlpatterns = [
    path("pipeline/", views.pipeline_list, name="pipeline_list"),
]
