"""Who changed what and when is recorded for companies, people, prospects, opportunities and
tasks, through the real edit pages (django-auditlog, actor from the request)."""

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tests.trust.forms import form_with
from tests.trust.test_concurrent_edits import CASES

pytestmark = pytest.mark.django_db

NEW_VALUE = "Edited through the page"


@pytest.fixture
def own_world(rep, media):
    from tests.trust.conftest import build_world

    return build_world(rep)


@pytest.mark.parametrize("kind", list(CASES))
def test_an_edit_through_the_page_is_recorded_with_who_what_and_when(
    kind, own_world, rep, rep_client
):
    case = CASES[kind]
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    url = case.url(own_world)
    data = form_with(rep_client.get(url, **headers).content.decode(), "version")
    old_value = data[case.field]
    data[case.field] = NEW_VALUE
    before = timezone.now()
    response = rep_client.post(url, data, **headers)
    assert response.status_code in (200, 204, 302)
    assert case.current(own_world) == NEW_VALUE

    record = getattr(own_world, kind)
    entry = (
        LogEntry.objects.get_for_object(record)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("timestamp")
    )
    assert entry.actor == rep
    assert entry.timestamp >= before
    assert entry.changes_dict[case.field] == [old_value, NEW_VALUE]


def test_a_creation_through_the_page_is_recorded(rep, rep_client):
    from django.urls import reverse

    from contacts.models import Company

    page = rep_client.get(reverse("company_create")).content.decode()
    data = form_with(page, "name")
    data["name"] = "Brand New SA"
    rep_client.post(reverse("company_create"), data)
    company = Company.objects.get(name="Brand New SA")
    entry = LogEntry.objects.get_for_object(company).get(action=LogEntry.Action.CREATE)
    assert entry.actor == rep
