"""core.middleware.RefuseNulBytes: a NUL byte never reaches a view nor the database, which
PostgreSQL refuses (a 500 wherever the value was searched or saved)."""

import pytest
from django.urls import reverse

from contacts.models import Company

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_query_string_is_refused(rep_client):
    response = rep_client.get(reverse("prospect_import_contact") + "?q=a%00b")
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"


def test_a_nul_in_a_posted_field_is_refused_and_saves_nothing(rep_client):
    response = rep_client.post(reverse("company_create"), {"name": "Acme\x00 Industries"})
    assert response.status_code == 400
    assert not Company.objects.exists()


def test_a_nul_in_a_field_name_or_the_path_is_refused(rep_client, rep):
    from pipeline.models import CalendarFeed

    assert rep_client.post(reverse("company_create"), {"na\x00me": "Acme"}).status_code == 400
    CalendarFeed.objects.create(user=rep, token="abc")
    assert rep_client.get("/tasks/feed/abc%00.ics").status_code == 400


def test_an_htmx_request_with_a_nul_is_refused_too(rep_client):
    response = rep_client.get(reverse("company_list") + "?q=%00", HTTP_HX_REQUEST="true")
    assert response.status_code == 400


def test_a_forged_session_cookie_holding_a_nul_is_ignored(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
