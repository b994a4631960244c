from django.urls import path

from pipeline import activity_views

urlpatterns = [
    path("tasks/", activity_views.task_list, name="task_list"),
    path("tasks/new/", activity_views.task_create, name="task_create"),
    path("tasks/panel/", activity_views.task_panel, name="task_panel"),
    path("tasks/calendar/", activity_views.task_calendar, name="task_calendar"),
    path("tasks/feed/", activity_views.calendar_feed, name="calendar_feed"),
    path("tasks/feed/<str:token>.ics", activity_views.task_feed, name="task_feed"),
    path("tasks/<int:pk>/", activity_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", activity_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/done/", activity_views.task_toggle, name="task_toggle"),
    path("tasks/<int:pk>/delete/", activity_views.task_delete, name="task_delete"),
    path("history/", activity_views.history_panel, name="history_panel"),
]
