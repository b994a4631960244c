"""The OpenAPI schema is valid and generated from the code; the docs page runs under the CSP;
a list's query count does not grow with its page size."""

import pytest
from django.test import Client
from openapi_spec_validator import validate

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3(rep_api):
    response = rep_api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/companies/",
        "/api/v1/addresses/{id}/",
        "/api/v1/people/",
        "/api/v1/prospects/{id}/",
        "/api/v1/opportunities/{id}/move/",
        "/api/v1/opportunity-lines/",
        "/api/v1/tasks/",
        "/api/v1/quotes/",
        "/api/v1/processes/",
        "/api/v1/steps/",
    ):
        assert path in paths, path
    assert "post" not in paths["/api/v1/quotes/"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_schema_needs_a_caller(anonymous_api):
    assert anonymous_api.get("/api/v1/openapi.json").status_code == 401


def test_the_docs_page_loads_swagger_from_the_site_without_inline_script(rep_client):
    response = rep_client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "js/api_docs.js" in html
    assert "<script>" not in html and "style=" not in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert Client().get("/api/v1/docs").status_code == 302  # to the login page


def _queries(client, path, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_prospect_list_query_count_is_the_same_for_10_and_100_rows(
    rep, rep_api, default_process, django_assert_max_num_queries
):
    category = f.CategoryFactory()

    def add(count):
        for _ in range(count):
            prospect = f.ProspectFactory(owner=rep, mobile="")
            prospect.categories.add(category)

    add(10)
    rep_api.get("/api/v1/prospects/")  # the token's last use is written at most once a minute
    ten = _queries(rep_api, "/api/v1/prospects/", {"page_size": 10})
    add(90)
    hundred = _queries(rep_api, "/api/v1/prospects/", {"page_size": 100})
    assert ten == hundred
    # The token, the FilterSet's choices (users, categories, processes, channels, steps), the
    # count, the rows and their categories.
    with django_assert_max_num_queries(10):
        response = rep_api.get("/api/v1/prospects/", {"page_size": 100})
    assert len(response.json()["results"]) == 100


@pytest.mark.parametrize("kind", ["companies", "people", "opportunities", "tasks", "quotes"])
def test_other_lists_query_count_does_not_grow(rep, rep_api, default_process, kind):
    from tests.api.records import records_of

    def count() -> int:
        return _queries(rep_api, f"/api/v1/{kind}/")

    records_of(rep)
    rep_api.get(f"/api/v1/{kind}/")
    one = count()
    for _ in range(5):
        records_of(rep)
    assert count() == one
