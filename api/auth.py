"""How the API knows who calls: a personal token (`Authorization: Bearer jalon_...`), or the
session of a user logged in to the pages (then with the CSRF token on writes, as any form).

The names here are imported by the integrations app: keep them stable.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import services

INVALID_TOKEN = _("Invalid, revoked or expired token.")
MALFORMED_HEADER = _("Malformed Authorization header: send “Bearer <token>”.")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`; `request.auth` is then the `ApiToken`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(MALFORMED_HEADER)
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from exc
        token = services.token_find(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        services.token_used(token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to anonymous calls.
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """A logged-in user's session, CSRF token required on writes (DRF's own rule)."""


# The authentication classes of every API view, in this order.
API_AUTHENTICATION = (BearerTokenAuthentication, SessionAuthentication)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "jalon_..."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
