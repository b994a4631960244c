from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core import columns, health, trash
from forecasting import dashboard

# The admin's own login page would skip the second factor: it sends to Jalon's login.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("health/", health.health, name="health"),
    path("trash/", trash.trash, name="trash"),
    path("trash/restore/", trash.trash_restore, name="trash_restore"),
    path("columns/<slug:slug>/", columns.list_columns_choose, name="list_columns_choose"),
    # Sign-in (django-allauth: second factor, single sign-on, password reset) and the account.
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("contacts.urls")),
    path("", include("prospects.urls")),
    path("", include("catalogue.urls")),
    path("", include("pipeline.urls")),
    path("", include("quotes.urls")),
    path("", include("forecasting.urls")),
    path("", include("search.urls")),
    path("", include("mail.urls")),
    path("api/v1/", include("api.urls")),
    path("api/v1/", include("integrations.api_urls")),
    path("account/tokens/", include("api.account_urls")),
    path("", include("integrations.urls")),
    path("", include("privacy.urls")),
]

admin.site.site_header = "Jalon"
admin.site.site_title = "Jalon"
admin.site.index_title = "Administration"
