from django.urls import path

from forecasting import views

urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
]
