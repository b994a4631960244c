"""Junk in the query string of any list page answers 200 (or 400), never 500.

Property-based (hypothesis): for every page that lists records (every URL of the walk's RULES
read without a record), query strings are drawn from the page's own parameters (the names of
its GET forms' fields and the apps' FilterSets) and option values, plus junk: wrong types, huge
numbers, SQL fragments, invalid dates, unknown choices, unicode, empty values.
"""

import importlib
import os
import re
from html import unescape
from urllib.parse import urlencode

import django_filters
import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trust.conftest import build_world
from tests.trust.test_url_walk import OK, RULES, build_url, url_names

pytestmark = pytest.mark.django_db

COMMON = [
    "q",
    "page",
    "sort",
    "order",
    "o",
    "date",
    "day",
    "month",
    "year",
    "start",
    "end",
    "view",
    "format",
    "kind",
    "owner",
    "status",
    "step",
    "process",
    "months",
    "category",
    "todo",
    "first_line",
    "people",
    "person",
    "company",
    "prospect",
    "opportunity",
    "per_page",
    "next",
    "mine",
    "done",
    "type",
    "colour",
    "from",
    "to",
    "column",
]
JUNK = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "-0",
    "99999999999999999999999999",
    str(2**63),
    str(-(2**63) - 1),
    str(2**31),
    "²",
    "' OR '1'='1",
    "1; DROP TABLE auth_user;--",
    "1) UNION SELECT password FROM auth_user--",
    "%",
    "%%",
    "_",
    "\\",
    "2024-02-30",
    "31/02/2024",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "2024-13-01",
    "24/13/2024",
    "1900-01-01",
    "yesterday",
    "true",
    "false",
    "on",
    "null",
    "None",
    "undefined",
    "[]",
    "{}",
    "[1,2]",
    "<script>alert(1)</script>",
    "ü日本語🚀",
    "a" * 3000,
    "csv",
    "xlsx",
    "pdf",
    "won",
    "lost",
    "open",
    "red",
    "all",
    "me",
    "-name",
    "__class__",
    "0x10",
    "１２",
    "\u202e",
    "../../etc/passwd",
    "a\x00b",
]
ALLOWED = {200, 400}
# A deeper, random run: FUZZ_EXAMPLES=200 .venv/bin/pytest tests/trust/test_fuzz_list_params.py
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


def filterset_fields() -> set[str]:
    names = set()
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.filters")
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, django_filters.FilterSet):
                names |= set(value.base_filters)
    return names


FORM_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
OPTION = re.compile(r"<option\b[^>]*\bvalue=\"([^\"]*)\"", re.I)
SKIP_NAMES = {"csrfmiddlewaretoken"}


def page_parameters(html: str) -> tuple[list[str], list[str]]:
    """The field names and option values of a page's forms."""
    names = {unescape(n) for n in FORM_FIELD.findall(html)} - SKIP_NAMES
    options = {unescape(v) for v in OPTION.findall(html)}
    return sorted(names), sorted(options)


def list_pages() -> list[str]:
    return [
        name
        for name in url_names()
        if name in RULES
        and RULES[name].obj is None
        and RULES[name].get == OK
        and not name.endswith("_create")
        and name
        not in {
            "logout",
            "login",
            "set_language",
            "password_change",
            "password_change_done",
            "prospect_import",
            "calendar_feed",
            "task_feed",
        }
    ]


def fuzz_pages() -> list[str]:
    return [*list_pages(), "trash"]


@pytest.fixture
def fuzz_world(rep, manager, media):
    return build_world(rep)


def values(options: list[str]):
    return st.one_of(
        st.sampled_from(JUNK),
        st.sampled_from(options or [""]),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(lambda d: d.strftime(st_choice_format(d))),
    )


def st_choice_format(day) -> str:
    return ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m", "%m/%Y")[day.toordinal() % 4]


@pytest.mark.parametrize("name", fuzz_pages())
def test_list_page_survives_junk_parameters(name, fuzz_world, client, rep, manager):
    user = manager if name == "trash" else rep
    client.force_login(user)
    client.raise_request_exception = False
    url = build_url(name, RULES[name], fuzz_world) if name in RULES else f"/{name}/"
    # Fragments about one record keep it in the query; junk ids for it may answer 404.
    base = url + "&" if "?" in url else url + "?"
    allowed = ALLOWED | ({404} if "?" in url else set())
    first = client.get(url)
    assert first.status_code == 200, f"{url}: {first.status_code}"
    html = first.content.decode(errors="replace") if "html" in first.get("Content-Type", "") else ""
    names, options = page_parameters(html)
    keys = sorted(set(names) | filterset_fields() | set(COMMON))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize="FUZZ_EXAMPLES" not in os.environ,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        pairs=st.lists(st.tuples(st.sampled_from(keys), values(options)), max_size=5),
        htmx=st.booleans(),
    )
    def check(pairs, htmx):
        query = urlencode(pairs)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.get(f"{base}{query}", **headers)
        assert response.status_code in allowed, f"GET {base}{query} → {response.status_code}"

    check()


def test_every_list_page_is_fuzzed():
    """The fuzz follows RULES: a new list page is fuzzed as soon as the walk knows it."""
    pages = fuzz_pages()
    for name in (
        "prospect_list",
        "company_list",
        "person_list",
        "task_list",
        "task_calendar",
        "pipeline_board",
        "pipeline_steps",
        "forecast",
        "trash",
        "prospect_export",
        "forecast_export",
        "mailing_export",
    ):
        assert name in pages
