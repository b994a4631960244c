"""Junk in any field of the create and edit forms gets a message next to the field, never a 500.

Each form is read from its page as a browser would submit it, then hypothesis replaces one to
three of its fields with junk (wrong types, huge numbers, invalid dates, unknown choices,
SQL fragments, unicode, NUL bytes) and posts it.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trust.conftest import build_world
from tests.trust.forms import form_action, form_with
from tests.trust.test_fuzz_list_params import EXAMPLES, JUNK

pytestmark = pytest.mark.django_db

# name -> (URL from the world, a field the form surely has, htmx)
FORMS = {
    "company_create": (lambda w: reverse("company_create"), "name", False),
    "company_edit": (lambda w: reverse("company_edit", args=[w.company.pk]), "name", False),
    "person_create": (lambda w: reverse("person_create"), "last_name", False),
    "person_edit": (lambda w: reverse("person_edit", args=[w.person.pk]), "last_name", False),
    "address_create": (lambda w: reverse("address_create", args=[w.company.pk]), "line1", True),
    "prospect_create": (lambda w: reverse("prospect_create"), "last_name", False),
    "prospect_edit": (
        lambda w: reverse("prospect_detail", args=[w.prospect.pk]) + "?tab=details",
        "version",
        False,
    ),
    "opportunity_edit": (
        lambda w: reverse("opportunity_detail", args=[w.opportunity.pk]),
        "version",
        False,
    ),
    "line_add": (
        lambda w: reverse("opportunity_detail", args=[w.opportunity.pk]),
        "unit_price",
        False,
    ),
    "task_create": (
        lambda w: reverse("task_create") + f"?opportunity={w.opportunity.pk}",
        "title",
        True,
    ),
    "task_edit": (lambda w: reverse("task_edit", args=[w.task.pk]), "version", True),
    "board_opportunity_create": (
        lambda w: reverse("board_opportunity_create", args=[w.process.pk]),
        "summary",
        True,
    ),
}
NUL_FREE_JUNK = [value for value in JUNK if "\x00" not in value]


@pytest.fixture
def own_world(rep, media):
    return build_world(rep)


@pytest.mark.parametrize("name", list(FORMS))
def test_form_survives_junk(name, own_world, rep_client):
    url_of, field, htmx = FORMS[name]
    url = url_of(own_world)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    page = rep_client.get(url, **headers)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    html = page.content.decode()
    base = form_with(html, field)
    keys = sorted(k for k in base if k not in {"csrfmiddlewaretoken", "next"})
    action = form_action(html, field, url)
    rep_client.raise_request_exception = False

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        changes=st.dictionaries(
            st.sampled_from(keys),
            st.one_of(
                st.sampled_from(JUNK), st.text(max_size=30), st.integers(-(2**70), 2**70).map(str)
            ),
            min_size=1,
            max_size=3,
        )
    )
    def check(changes):
        # The version stays what the page gave, so a save is tried, not refused as stale.
        fresh = form_with(rep_client.get(url, **headers).content.decode(), field)
        data = {**fresh, **{k: v for k, v in changes.items() if k != "version"}}
        response = rep_client.post(action, data, **headers)
        assert response.status_code < 500, f"POST {action} {changes!r} → {response.status_code}"

    check()
