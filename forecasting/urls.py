from django.urls import path

from forecasting import views
from forecasting.reports import views as reports

urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/export.csv", views.forecast_export, name="forecast_export"),
    path("forecast/accuracy/", views.forecast_accuracy, name="forecast_accuracy"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<slug:slug>/", reports.report_detail, name="report_detail"),
    path("reports/<slug:slug>/export.csv", reports.report_export, name="report_export"),
    path("reports/<slug:slug>/list/", reports.report_drill, name="report_drill"),
]
