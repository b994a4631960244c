"""Sign-in and the user's account: django-allauth's pages under /accounts/ (chosen one by one,
without public sign-up, e-mail management or third-party account management), Jalon's own
account pages under /account/.

The login page keeps its address and its name `login` (used across Jalon); allauth reverses
its own name `account_login` too, so both lead to the same view. Logout is `logout` only (its
templates are Jalon's).
"""

from allauth.account import views as account
from allauth.mfa.base import views as mfa
from allauth.mfa.recovery_codes import views as recovery_codes
from allauth.mfa.totp import views as totp
from allauth.mfa.webauthn import views as webauthn
from allauth.socialaccount import views as social
from allauth.socialaccount.providers.openid_connect import views as oidc
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from accounts import views

# The single sign-on provider configured from the environment (config/settings.py).
SSO = {"provider_id": "sso"}

urlpatterns = [
    path("accounts/login/", account.login, name="login"),
    path("accounts/login/", account.login, name="account_login"),
    path("accounts/logout/", account.logout, name="logout"),
    path("accounts/inactive/", account.account_inactive, name="account_inactive"),
    path("accounts/reauthenticate/", account.reauthenticate, name="account_reauthenticate"),
    path(
        "accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Password reset by e-mail: a link valid once, for a limited time.
    path("accounts/password/reset/", account.password_reset, name="account_reset_password"),
    path(
        "accounts/password/reset/done/",
        account.password_reset_done,
        name="account_reset_password_done",
    ),
    path(
        "accounts/password/reset/key/done/",
        account.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # The link's key is "<user id>-<token>", taken whole here and split by the view; allauth
    # reverses the same name with the two parts (the pattern below, never reached first).
    path(
        "accounts/password/reset/key/<str:key>/",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    # Second factor: TOTP with recovery codes, passkeys (WebAuthn).
    path("accounts/2fa/", mfa.index, name="mfa_index"),
    path("accounts/2fa/authenticate/", mfa.authenticate, name="mfa_authenticate"),
    path("accounts/2fa/reauthenticate/", mfa.reauthenticate, name="mfa_reauthenticate"),
    path("accounts/2fa/totp/activate/", totp.activate_totp, name="mfa_activate_totp"),
    path("accounts/2fa/totp/deactivate/", totp.deactivate_totp, name="mfa_deactivate_totp"),
    path(
        "accounts/2fa/recovery-codes/",
        recovery_codes.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "accounts/2fa/recovery-codes/generate/",
        recovery_codes.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "accounts/2fa/recovery-codes/download/",
        recovery_codes.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    path("accounts/2fa/webauthn/", webauthn.list_webauthn, name="mfa_list_webauthn"),
    path("accounts/2fa/webauthn/add/", webauthn.add_webauthn, name="mfa_add_webauthn"),
    path(
        "accounts/2fa/webauthn/reauthenticate/",
        webauthn.reauthenticate_webauthn,
        name="mfa_reauthenticate_webauthn",
    ),
    path(
        "accounts/2fa/webauthn/keys/<id:pk>/remove/",
        webauthn.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
    path(
        "accounts/2fa/webauthn/keys/<id:pk>/edit/",
        webauthn.edit_webauthn,
        name="mfa_edit_webauthn",
    ),
    # Single sign-on (OpenID Connect), answering 404 while SSO_CLIENT_ID is unset.
    path("accounts/sso/login/", oidc.login, SSO, name="openid_connect_login"),
    path("accounts/sso/login/callback/", oidc.callback, SSO, name="openid_connect_callback"),
    path("accounts/sso/cancelled/", social.login_cancelled, name="socialaccount_login_cancelled"),
    path("accounts/sso/error/", social.login_error, name="socialaccount_login_error"),
    # The user's own account.
    path("account/", views.account, name="account"),
    path("account/sessions/", views.account_sessions, name="account_sessions"),
    path("account/sessions/<id:pk>/end/", views.account_session_end, name="account_session_end"),
    path(
        "account/sessions/end-others/",
        views.account_sessions_end_others,
        name="account_sessions_end_others",
    ),
]
