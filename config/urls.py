from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import health, trash
from forecasting import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("health/", health.health, name="health"),
    path("trash/", trash.trash, name="trash"),
    path("trash/restore/", trash.trash_restore, name="trash_restore"),
    # Passwords are reset by managers in the admin: no self-service reset by e-mail.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("contacts.urls")),
    path("", include("prospects.urls")),
    path("", include("catalogue.urls")),
    path("", include("pipeline.urls")),
    path("", include("quotes.urls")),
    path("", include("forecasting.urls")),
    path("", include("mail.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("integrations.urls")),
    path("", include("privacy.urls")),
]

admin.site.site_header = "Jalon"
admin.site.site_title = "Jalon"
admin.site.index_title = "Administration"
