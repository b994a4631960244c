from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("contacts.urls")),
    path("", include("prospects.urls")),
    path("", include("pipeline.urls")),
    path("", include("pipeline.board_urls")),
    path("", include("pipeline.activity_urls")),
    path("", include("forecasting.urls")),
]

admin.site.site_header = "Jalon"
admin.site.site_title = "Jalon"
admin.site.index_title = "Administration"
