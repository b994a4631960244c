"""Every endpoint against every role: the rep who owns the records, another rep, a manager, a
read-only token, no token at all; the same rights as the pages (core.access)."""

import pytest

from api.models import ApiToken
from tests.api.conftest import bearer
from tests.api.records import CHANGEABLE, READ_ONLY, records_of, url

pytestmark = pytest.mark.django_db

LISTS = [*CHANGEABLE, *READ_ONLY, "processes", "steps"]


@pytest.fixture
def mine(rep, default_process):
    return records_of(rep)


@pytest.mark.parametrize("kind", LISTS)
def test_anonymous_calls_get_401_everywhere(anonymous_api, mine, kind):
    assert anonymous_api.get(url(kind)).status_code == 401
    assert anonymous_api.post(url(kind), {}, format="json").status_code == 401
    response = anonymous_api.get(url(kind))
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("kind", [*CHANGEABLE, *READ_ONLY])
def test_owner_reads_list_and_record(rep_api, mine, kind):
    attr = CHANGEABLE[kind][0] if kind in CHANGEABLE else READ_ONLY[kind]
    record = getattr(mine, attr)
    listed = rep_api.get(url(kind))
    assert listed.status_code == 200
    assert record.pk in [row["id"] for row in listed.json()["results"]]
    assert rep_api.get(url(kind, record.pk)).json()["id"] == record.pk


@pytest.mark.parametrize("kind", list(CHANGEABLE))
def test_owner_changes_own_records(rep_api, mine, kind):
    attr, change = CHANGEABLE[kind]
    response = rep_api.patch(url(kind, getattr(mine, attr).pk), change(mine), format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("kind", list(CHANGEABLE))
def test_manager_changes_a_reps_records(manager_api, mine, kind):
    attr, change = CHANGEABLE[kind]
    response = manager_api.patch(url(kind, getattr(mine, attr).pk), change(mine), format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("kind", list(CHANGEABLE))
def test_other_rep_reads_but_cannot_change_or_delete(other_api, mine, kind):
    attr, change = CHANGEABLE[kind]
    record = getattr(mine, attr)
    assert other_api.get(url(kind, record.pk)).status_code == 200
    assert other_api.patch(url(kind, record.pk), change(mine), format="json").status_code == 403
    assert other_api.delete(url(kind, record.pk)).status_code == 403
    record.refresh_from_db()
    assert getattr(record, "deleted_at", None) is None


@pytest.mark.parametrize("kind", [*CHANGEABLE, *READ_ONLY])
def test_other_rep_finds_nothing_when_reps_see_only_their_own(other_api, mine, settings, kind):
    settings.REPS_SEE_ONLY_OWN = True
    attr = CHANGEABLE[kind][0] if kind in CHANGEABLE else READ_ONLY[kind]
    record = getattr(mine, attr)
    assert other_api.get(url(kind)).json()["results"] == []
    assert other_api.get(url(kind, record.pk)).status_code == 404
    if kind in CHANGEABLE:
        change = CHANGEABLE[kind][1](mine)
        assert other_api.patch(url(kind, record.pk), change, format="json").status_code == 404


@pytest.mark.parametrize("kind", list(CHANGEABLE))
def test_read_only_token_reads_but_never_writes(read_only_api, mine, kind):
    attr, change = CHANGEABLE[kind]
    record = getattr(mine, attr)
    assert read_only_api.get(url(kind, record.pk)).status_code == 200
    refused = read_only_api.patch(url(kind, record.pk), change(mine), format="json")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert read_only_api.delete(url(kind, record.pk)).status_code == 403
    assert read_only_api.post(url(kind), {}, format="json").status_code == 403


def test_read_only_token_cannot_move(read_only_api, mine):
    response = read_only_api.post(
        url("opportunities", mine.opportunity.pk) + "move/", {"status": "won"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("kind", [*READ_ONLY, "processes", "steps"])
def test_read_only_kinds_refuse_writes(manager_api, mine, kind):
    assert manager_api.post(url(kind), {}, format="json").status_code == 405


def test_processes_and_steps_are_read_by_everyone(other_api, default_process):
    processes = other_api.get(url("processes")).json()["results"]
    assert default_process.pk in [p["id"] for p in processes]
    step = default_process.steps.first()
    steps = other_api.get(url("steps"), {"process": default_process.pk}).json()["results"]
    assert step.pk in [s["id"] for s in steps]
    assert other_api.get(url("steps", step.pk)).json()["label"] == step.label


def test_private_task_of_another_rep_is_never_read(other_api, rep, mine):
    from tests import factories as f

    private = f.TaskFactory(assignee=rep, created_by=rep, is_private=True, title="Dentist")
    assert other_api.get(url("tasks", private.pk)).status_code == 404
    titles = [t["title"] for t in other_api.get(url("tasks")).json()["results"]]
    assert "Dentist" not in titles


def test_revoked_token_is_refused(rep, mine):
    client = bearer(rep)
    assert client.get(url("companies")).status_code == 200
    token = ApiToken.objects.get(user=rep)
    from api import services

    services.token_revoke(token=token, actor=rep)
    assert client.get(url("companies")).status_code == 401


def test_unknown_and_malformed_tokens_are_refused(anonymous_api, mine):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Bearer jalon_nothing")
    assert anonymous_api.get(url("companies")).status_code == 401
    anonymous_api.credentials(HTTP_AUTHORIZATION="Bearer a b")
    assert anonymous_api.get(url("companies")).status_code == 401


def test_inactive_users_token_is_refused(rep, mine):
    client = bearer(rep)
    rep.is_active = False
    rep.save()
    assert client.get(url("companies")).status_code == 401


def test_session_of_a_logged_in_user_works_with_csrf(rep, mine):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(rep)
    assert client.get(url("companies")).status_code == 200
    refused = client.patch(url("companies", mine.company.pk), {"name": "X"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
