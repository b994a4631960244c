"""An id in a URL larger than any database column can hold is a page that does not exist (404),
never a 500: SQLite raises OverflowError on such a number, PostgreSQL an out-of-range error."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from tests import factories as f

TOO_BIG = str(2**64)


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _ours(entry) -> bool:
    """Whether the view is Jalon's own code (not an installed package's)."""
    module = getattr(entry.callback, "view_class", entry.callback).__module__
    path = Path(sys.modules[module].__file__)
    return path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts


def test_no_route_of_jalon_reads_an_unbounded_integer():
    unbounded = [
        route
        for route, entry in _patterns(get_resolver())
        if _ours(entry)
        and any(
            type(converter) is IntConverter
            for converter in getattr(entry.pattern, "converters", {}).values()
        )
    ]
    assert unbounded == []


@pytest.mark.django_db
def test_an_id_past_the_largest_column_is_not_found(client):
    rep = f.RepFactory()
    client.force_login(rep)
    for method, url in [
        ("post", f"/pipeline/{TOO_BIG}/board/move/"),
        ("post", f"/pipeline/{TOO_BIG}/steps/1/1/"),
        ("get", f"/prospects/{TOO_BIG}/"),
        ("get", f"/companies/{TOO_BIG}/"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.django_db
def test_the_largest_id_a_column_holds_is_still_read(client):
    rep = f.RepFactory()
    client.force_login(rep)
    assert client.get(f"/prospects/{2**63 - 1}/").status_code == 404
