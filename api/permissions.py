"""Who may call the API: an authenticated, active user; a read-only token only reads.

Rights on each record are the pages' own (`core.access`, the services): these classes only
decide whether a call may be made at all. Imported by the integrations app: keep the names.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.models import ApiToken
from core.roles import is_manager

READ_ONLY_TOKEN = _("This token is read-only: it cannot change anything.")
MANAGERS_ONLY = _("Only managers may do this.")


class IsApiUser(permissions.BasePermission):
    """An active user, through a token or a session."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class TokenScope(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS)."""

    message = READ_ONLY_TOKEN

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)


class IsManager(permissions.BasePermission):
    """For endpoints of managers (the integrations' webhooks and forms)."""

    message = MANAGERS_ONLY

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_manager(request.user))


# The permission classes of every API view.
API_PERMISSIONS = (IsApiUser, TokenScope)
