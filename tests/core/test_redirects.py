"""core.redirects.safe_next: a path of this site, else the view's default."""

import pytest
from django.test import RequestFactory

from core.redirects import safe_next


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("/prospects/?page=2", "/prospects/?page=2"),
        ("abc", "/default/"),  # redirect("abc") looked for a view named abc: NoReverseMatch
        ("1e309", "/default/"),
        ("42", "/default/"),
        ("//evil.example/", "/default/"),
        ("https://evil.example/", "/default/"),
        ("", "/default/"),
    ],
)
def test_next_is_a_path_of_this_site(sent, expected):
    request = RequestFactory().post("/", {"next": sent})
    assert safe_next(request, "/default/") == expected
