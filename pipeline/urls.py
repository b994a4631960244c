from django.urls import path

from pipeline import views

urlpatterns = [
    path("pipeline/", views.pipeline_list, name="pipeline_list"),
    path("pipeline/<int:process_id>/steps/", views.pipeline_steps, name="pipeline_steps"),
    path(
        "pipeline/<int:process_id>/steps/<int:opportunity_id>/<int:step_id>/",
        views.pipeline_step_toggle, name="pipeline_step_toggle",
    ),
    path(
        "pipeline/<int:process_id>/steps/<int:opportunity_id>/delete/",
        views.pipeline_opportunity_delete, name="pipeline_opportunity_delete",
    ),
    path("pipeline/<int:process_id>/stages/", views.pipeline_stages, name="pipeline_stages"),
    path(
        "pipeline/<int:process_id>/stages/<int:step_id>/",
        views.pipeline_stage_update, name="pipeline_stage_update",
    ),
    path(
        "pipeline/<int:process_id>/stages/<int:step_id>/fold/",
        views.pipeline_stage_fold, name="pipeline_stage_fold",
    ),
    path(
        "pipeline/<int:process_id>/stages/<int:step_id>/delete/",
        views.pipeline_stage_delete, name="pipeline_stage_delete",
    ),
]
