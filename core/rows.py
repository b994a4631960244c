"""What the views share when they prepare rows and cards in Python rather than in templates
(the prospect, company and person lists, the agenda, the Kanban): a `{% url %}` per row cost
more than the rest of the row, so each kind of link is reversed once per request."""

from django.urls import reverse

_PLACEHOLDER = 987654321


def url_format(name: str) -> str:
    """The URL `name` (one integer argument) as a format string: "/opportunities/{}/"."""
    return reverse(name, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
