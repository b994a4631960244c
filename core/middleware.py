"""Requests carrying a NUL byte (U+0000) are refused with a 400 page before any view runs.

Refused, not stripped: no one types a NUL and no browser form sends one, so a request carrying
it comes from a tool or a probe. PostgreSQL cannot store NUL in text (psycopg raises), so a NUL
let through is a 500 wherever a view searches or saves the value; silently stripping it would
save something other than what was sent. One check here covers every view, those to come
included: the path, the query string and the POST fields (names and values) and the names of
uploaded files. A cookie holding a NUL (only a forged one can) is dropped instead, before the
session reads it: the client is then simply not logged in, and the next answer replaces it.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader

NUL = "\x00"


def _carries_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def has_nul_byte(request: HttpRequest) -> bool:
    """Whether any part of the request a view reads holds a NUL."""
    return (
        NUL in request.path_info
        or _carries_nul(request.GET)
        or (request.method == "POST" and _carries_nul(request.POST))
        or (
            request.method == "POST"
            and any(NUL in (upload.name or "") for upload in request.FILES.values())
        )
    )


def bad_request(request: HttpRequest) -> HttpResponse:
    """The app's 400 page (templates/400.html), in the user's layout and language."""
    return HttpResponseBadRequest(loader.render_to_string("400.html", request=request))


class RefuseNulBytes:
    """Before the session: drops cookies holding a NUL. Before each view: a 400 for a NUL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [name for name, value in request.COOKIES.items() if NUL in value]:
            del request.COOKIES[name]
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        return bad_request(request) if has_nul_byte(request) else None
