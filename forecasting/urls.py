from django.urls import path

from forecasting import views

urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/export.csv", views.forecast_export, name="forecast_export"),
    path("forecast/accuracy/", views.forecast_accuracy, name="forecast_accuracy"),
]
