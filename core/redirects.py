"""Where a form goes back to: the `next` it carries when that stays on this site (same host,
and HTTPS when the request is), else the page the view names. Never an open redirect."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The POSTed (else GET) `next` when it is safe to redirect to, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
