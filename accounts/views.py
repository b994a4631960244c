"""The user's own account: name, e-mail, language, signature, password, second factor, sessions.

Sign-in itself, the second factor's set-up and the password reset are django-allauth's views
(accounts/urls.py), with Jalon's templates (templates/account/, templates/mfa/)."""

from allauth.account.views import password_reset_from_key as allauth_password_reset_from_key
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import AccountForm
from accounts.second_factor import FACTORS, second_factor_required
from accounts.sessions import session_end, sessions_end_others, user_sessions


@login_not_required
def password_reset_from_key(request: HttpRequest, key: str, uidb36: str | None = None):
    """allauth's page behind the e-mailed link, whose key is "<user id>-<token>"."""
    if uidb36 is None:
        uidb36, _sep, key = key.partition("-")
        if not (uidb36.isalnum() and key):
            raise Http404
    return allauth_password_reset_from_key(request, uidb36=uidb36, key=key)


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your signature was saved."))
        return redirect("account")
    factors = Authenticator.objects.filter(user=user).values_list("type", flat=True)
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "has_totp": Authenticator.Type.TOTP in factors,
            "passkeys": sum(1 for f in factors if f == Authenticator.Type.WEBAUTHN),
            "has_second_factor": any(f in FACTORS for f in factors),
            "second_factor_required": second_factor_required(user),
            "sessions": user_sessions(request),
        },
    )


@login_required
@require_http_methods(["GET"])
def account_sessions(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sessions.html", {"sessions": user_sessions(request)})


@login_required
@require_POST
def account_session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one of the user's own sessions (another user's is not found)."""
    if not session_end(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("The session was ended: that browser is logged out."))
    return redirect("account_sessions")


@login_required
@require_POST
def account_sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = sessions_end_others(user=request.user, current_key=request.session.session_key)
    messages.success(
        request,
        ngettext(
            "%(count)d other session was ended.", "%(count)d other sessions were ended.", ended
        )
        % {"count": ended},
    )
    return redirect("account_sessions")
