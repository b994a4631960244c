from django.urls import path

from pipeline import views

urlpatterns = [
    path("pipeline/", views.pipeline_list, name="pipeline_list"),
    path("pipeline/<int:process_id>/steps/", views.pipeline_steps, name="pipeline_steps"),
    path(
        "pipeline/<int:process_id>/steps/<int:opportunity_id>/<int:step_id>/",
        views.pipeline_step_toggle,
        name="pipeline_step_toggle",
    ),
    path(
        "pipeline/<int:process_id>/steps/<int:opportunity_id>/delete/",
        views.pipeline_opportunity_delete,
        name="pipeline_opportunity_delete",
    ),
]
