"""What a rep gets on the sign-in and account pages (accounts/urls.py): their own account only;
another rep's passkey or session is not found."""

from tests.trust.test_url_walk import DENIED, FORM_ERROR, NOT_ALLOWED, OK, REDIRECT, Rule, page

RULES = {
    # allauth's own name of the login page (the walk's user is signed in: sent on).
    "account_login": Rule(get=REDIRECT, post=REDIRECT | OK),
    "account_inactive": page(),
    "account_reauthenticate": Rule(get=OK, post=FORM_ERROR),
    # Password reset by e-mail: the walk's key is no link at all (a wrong one: "bad token").
    "account_reset_password": Rule(get=OK, post=FORM_ERROR),
    "account_reset_password_done": page(),
    "account_reset_password_from_key": Rule(get=DENIED | OK, post=DENIED | OK),
    "account_reset_password_from_key_done": page(),
    # The second factor: the user's own only.
    "mfa_index": page(),
    "mfa_authenticate": Rule(get=REDIRECT, post=REDIRECT),  # only during a login
    "mfa_reauthenticate": Rule(get=REDIRECT | OK, post=REDIRECT | FORM_ERROR),
    "mfa_activate_totp": Rule(get=REDIRECT | OK, post=REDIRECT | FORM_ERROR),
    "mfa_deactivate_totp": Rule(get=REDIRECT | DENIED, post=REDIRECT | DENIED),
    # Recovery codes: none yet (404), or asks for the password again first.
    "mfa_view_recovery_codes": Rule(get=DENIED | REDIRECT | OK, post=NOT_ALLOWED),
    "mfa_generate_recovery_codes": Rule(get=REDIRECT | OK, post=REDIRECT | FORM_ERROR),
    "mfa_download_recovery_codes": Rule(get=DENIED | REDIRECT, post=DENIED | NOT_ALLOWED),
    "mfa_list_webauthn": Rule(get=REDIRECT | OK, post=NOT_ALLOWED | REDIRECT),
    "mfa_add_webauthn": Rule(get=REDIRECT | OK, post=REDIRECT | FORM_ERROR),
    "mfa_reauthenticate_webauthn": Rule(get=REDIRECT | OK, post=REDIRECT | FORM_ERROR),
    "mfa_remove_webauthn": Rule(get=DENIED | REDIRECT, post=DENIED | REDIRECT, obj="passkey"),
    "mfa_edit_webauthn": Rule(get=DENIED | REDIRECT, post=DENIED | REDIRECT, obj="passkey"),
    # Single sign-on: not configured in the walk.
    "openid_connect_login": Rule(get=DENIED, post=DENIED),
    "openid_connect_callback": Rule(get=DENIED, post=DENIED),
    "socialaccount_login_cancelled": page(),
    "socialaccount_login_error": Rule(get=frozenset({401}), post=NOT_ALLOWED),  # allauth's
    # The user's own account.
    "account": Rule(get=OK, post=REDIRECT, writes=True),
    "account_sessions": page(),
    "account_session_end": Rule(get=NOT_ALLOWED, post=DENIED, obj="user_session"),
    "account_sessions_end_others": Rule(get=NOT_ALLOWED, post=REDIRECT, writes=True),
}
