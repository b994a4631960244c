"""htmx helpers shared by the apps' views."""

from django.http import HttpRequest, HttpResponse
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def with_message(response: HttpResponse, text: str, level: str = "info") -> HttpResponse:
    """Show `text` in the page's message area after an htmx swap."""
    return trigger_client_event(response, "jalon:message", {"text": str(text), "level": level})


def close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, "jalon:close-modal", {})
