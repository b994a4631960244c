from django.urls import path

from pipeline.views import board, calendar, calls, opportunities, stages, step_list, tasks

urlpatterns = [
    # Processes and the step list
    path("pipeline/", step_list.pipeline_list, name="pipeline_list"),
    path("pipeline/<id:process_id>/steps/", step_list.pipeline_steps, name="pipeline_steps"),
    path(
        "pipeline/<id:process_id>/steps/<id:opportunity_id>/<id:step_id>/",
        step_list.pipeline_step_toggle,
        name="pipeline_step_toggle",
    ),
    path(
        "pipeline/<id:process_id>/steps/<id:opportunity_id>/delete/",
        step_list.pipeline_opportunity_delete,
        name="pipeline_opportunity_delete",
    ),
    # The Kanban
    path("pipeline/<id:process_id>/board/", board.pipeline_board, name="pipeline_board"),
    path("pipeline/<id:process_id>/board/move/", board.board_move, name="board_move"),
    path(
        "pipeline/<id:process_id>/board/columns/<str:key>/",
        board.board_column,
        name="board_column",
    ),
    path(
        "pipeline/<id:process_id>/board/lost/<id:opportunity_id>/",
        board.board_lost,
        name="board_lost",
    ),
    path(
        "pipeline/<id:process_id>/board/cards/<id:opportunity_id>/",
        board.board_card,
        name="board_card",
    ),
    # Its columns (steps), managers only
    path(
        "pipeline/<id:process_id>/board/steps/new/",
        stages.board_step_create,
        name="board_step_create",
    ),
    path(
        "pipeline/<id:process_id>/board/steps/<id:step_id>/",
        stages.board_step_edit,
        name="board_step_edit",
    ),
    path(
        "pipeline/<id:process_id>/board/steps/<id:step_id>/fold/",
        stages.board_step_fold,
        name="board_step_fold",
    ),
    path(
        "pipeline/<id:process_id>/board/steps/<id:step_id>/delete/",
        stages.board_step_delete,
        name="board_step_delete",
    ),
    # The opportunity card
    path("opportunities/<id:pk>/", opportunities.opportunity_detail, name="opportunity_detail"),
    path(
        "opportunities/<id:pk>/lines/",
        opportunities.opportunity_line_add,
        name="opportunity_line_add",
    ),
    path(
        "opportunities/lines/<id:pk>/",
        opportunities.opportunity_line_edit,
        name="opportunity_line_edit",
    ),
    path(
        "opportunities/lines/<id:pk>/delete/",
        opportunities.opportunity_line_delete,
        name="opportunity_line_delete",
    ),
    # Tasks
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/panel/", tasks.task_panel, name="task_panel"),
    path("tasks/call/", calls.call_log, name="call_log"),
    path("tasks/links/", calls.task_link_lookup, name="task_link_lookup"),
    path("tasks/calendar/", calendar.task_calendar, name="task_calendar"),
    path("tasks/feed/", calendar.calendar_feed, name="calendar_feed"),
    path("tasks/feed/<str:token>.ics", calendar.task_feed, name="task_feed"),
    path("tasks/<id:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<id:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("tasks/<id:pk>/done/", tasks.task_toggle, name="task_toggle"),
    path("tasks/<id:pk>/delete/", tasks.task_delete, name="task_delete"),
    path("history/", tasks.history_panel, name="history_panel"),
]
