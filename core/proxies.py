"""The client's address, behind the number of reverse proxies the settings trust.

`settings.TRUSTED_PROXY_COUNT` (environment, default 0) says how many proxies stand in front of
gunicorn. Each one appends to X-Forwarded-For the address it received the request from, so the
entry the first (outermost) trusted proxy appended, the Nth from the right, is the client's;
anything left of it was written by the client and proves nothing. With no proxy the header is
ignored and the connection's own address counts. Login throttling (django-axes, through
AXES_CLIENT_IP_CALLABLE) and the audit trail both read the address from here.
"""

import ipaddress

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count < 1:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < count:
        # The request did not come through every trusted proxy (a health check from inside).
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count].strip()))
    except ValueError:
        return remote


class ClientAuditlogMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware recording `client_ip`, where its own reads the left-most
    X-Forwarded-For entry, which any client can write."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request) or None
