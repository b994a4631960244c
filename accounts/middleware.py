"""The second factor made compulsory (MFA_REQUIRED): a user concerned who has none is sent to
the set-up page after login and can use nothing else until it is done."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.second_factor import has_second_factor, second_factor_required

SET_UP_FIRST = _("Set up a second factor to use Jalon: an authenticator app or a passkey.")
# Login, logout, the set-up pages, password change and reset; static files, language, health.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health/")


class SecondFactorRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and second_factor_required(user)
            and not has_second_factor(user)
        ):
            messages.warning(request, SET_UP_FIRST)
            response = redirect("mfa_index")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204, headers={"HX-Redirect": response.url})
            return response
        return self.get_response(request)
