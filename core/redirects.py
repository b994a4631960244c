"""Where a form goes back to: the `next` it carries when that stays on this site (a path, same
host, and HTTPS when the request is), else the page the view names. Never an open redirect, and
never a word that `redirect()` would take for a view name ("abc" raised NoReverseMatch)."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The POSTed (else GET) `next` when it is safe to redirect to, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # The pages send a path (request.get_full_path): anything else is not theirs.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
