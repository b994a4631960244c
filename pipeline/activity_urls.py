from django.urls import path

from pipeline import activity_views

urlpatterns = [
    path("tasks/", activity_views.task_list, name="task_list"),
]
