from django.urls import path

from pipeline import board

urlpatterns = [
    path("pipeline/<int:process_id>/board/", board.pipeline_board, name="pipeline_board"),
    path("pipeline/<int:process_id>/board/move/", board.board_move, name="board_move"),
    path(
        "pipeline/<int:process_id>/board/columns/<str:key>/",
        board.board_column,
        name="board_column",
    ),
    path(
        "pipeline/<int:process_id>/board/lost/<int:opportunity_id>/",
        board.board_lost,
        name="board_lost",
    ),
    path(
        "pipeline/<int:process_id>/board/new/",
        board.board_opportunity_create,
        name="board_opportunity_create",
    ),
    path(
        "pipeline/<int:process_id>/board/cards/<int:opportunity_id>/",
        board.board_card,
        name="board_card",
    ),
    path(
        "pipeline/<int:process_id>/board/steps/new/",
        board.board_step_create,
        name="board_step_create",
    ),
    path(
        "pipeline/<int:process_id>/board/steps/<int:step_id>/",
        board.board_step_edit,
        name="board_step_edit",
    ),
    path(
        "pipeline/<int:process_id>/board/steps/<int:step_id>/fold/",
        board.board_step_fold,
        name="board_step_fold",
    ),
    path(
        "pipeline/<int:process_id>/board/steps/<int:step_id>/delete/",
        board.board_step_delete,
        name="board_step_delete",
    ),
]
