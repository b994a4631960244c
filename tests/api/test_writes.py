"""Writes through the API go through the pages' services: history, audit (the token's user as
actor), versions (409 on a stale one, saying who changed the record), the trash, the move rules,
origin "api" for new prospects; idempotent retries and the rate limit."""

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache

from api.models import IdempotentAnswer
from contacts.choices import Origin
from contacts.models import Company, Prospect
from pipeline.models import HistoryEntry, Opportunity
from tests import factories as f
from tests.api.conftest import bearer
from tests.api.records import records_of, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(rep, default_process):
    return records_of(rep)


def test_prospect_created_through_the_api_has_origin_api_history_and_audit(rep_api, rep):
    response = rep_api.post(
        url("prospects"),
        {"last_name": "Nouveau", "company_name": "Neuf SA", "email": "n@example.com"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    prospect = Prospect.objects.get(pk=body["id"])
    assert prospect.origin == Origin.API
    assert prospect.owner == rep
    assert body["version"] == 1
    assert HistoryEntry.objects.filter(
        prospect=prospect, kind=HistoryEntry.Kind.CREATED, actor=rep
    ).exists()
    entry = LogEntry.objects.get_for_object(prospect).get(action=LogEntry.Action.CREATE)
    assert entry.actor == rep


def test_prospect_origin_cannot_be_forged(rep_api):
    body = rep_api.post(
        url("prospects"), {"last_name": "X", "origin": "import"}, format="json"
    ).json()
    assert body["origin"] == "api"


def test_update_is_audited_with_the_tokens_user_and_bumps_the_version(rep_api, rep, mine):
    company = mine.company
    response = rep_api.patch(
        url("companies", company.pk),
        {"name": "Acme Renamed", "version": company.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == company.version + 1
    entry = (
        LogEntry.objects.get_for_object(company)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("timestamp")
    )
    assert entry.actor == rep
    assert entry.changes_dict["name"] == ["Acme Industries", "Acme Renamed"]


def test_a_stale_version_gets_409_saying_who_changed_it(rep_api, manager_api, mine):
    opportunity = mine.opportunity
    seen = opportunity.version
    first = manager_api.patch(
        url("opportunities", opportunity.pk),
        {"summary": "Manager's", "version": seen},
        format="json",
    )
    assert first.status_code == 200
    stale = rep_api.patch(
        url("opportunities", opportunity.pk),
        {"summary": "Rep's", "version": seen},
        format="json",
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version"
    assert body["version"] == seen + 1
    assert body["updated_by"] == "Marie Martin"
    assert "Marie Martin" in body["detail"]
    opportunity.refresh_from_db()
    assert opportunity.summary == "Manager's"


@pytest.mark.parametrize(
    "kind,attr",
    [("companies", "company"), ("people", "person"), ("prospects", "prospect"), ("tasks", "task")],
)
def test_stale_versions_are_refused_for_every_versioned_kind(rep_api, mine, kind, attr):
    record = getattr(mine, attr)
    field = {"companies": "name", "people": "last_name", "prospects": "city", "tasks": "title"}[
        kind
    ]
    ok = rep_api.patch(
        url(kind, record.pk), {field: "One", "version": record.version}, format="json"
    )
    assert ok.status_code == 200, ok.content
    stale = rep_api.patch(
        url(kind, record.pk), {field: "Two", "version": record.version}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["updated_by"] == "Alice Durand"


def test_move_goes_through_the_move_service(rep_api, rep, mine, default_process):
    opportunity = mine.opportunity
    step = default_process.steps.order_by("position")[1]
    response = rep_api.post(
        url("opportunities", opportunity.pk) + "move/",
        {"step": step.pk, "version": opportunity.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["step"] == step.pk
    assert HistoryEntry.objects.filter(
        opportunity=opportunity, kind=HistoryEntry.Kind.STEP, actor=rep, to_step=step
    ).exists()
    entry = (
        LogEntry.objects.get_for_object(opportunity)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("timestamp")
    )
    assert entry.actor == rep


def test_move_to_lost_needs_a_loss_reason(rep_api, mine):
    response = rep_api.post(
        url("opportunities", mine.opportunity.pk) + "move/", {"status": "lost"}, format="json"
    )
    assert response.status_code == 400
    assert "loss reason" in response.json()["detail"]
    reason = f.LossReasonFactory()
    won = rep_api.post(
        url("opportunities", mine.opportunity.pk) + "move/",
        {"status": "lost", "loss_reason": reason.pk},
        format="json",
    )
    assert won.status_code == 200
    assert won.json()["status"] == "lost"


def test_move_with_a_stale_version_gets_409(rep_api, mine):
    response = rep_api.post(
        url("opportunities", mine.opportunity.pk) + "move/",
        {"status": "won", "version": mine.opportunity.version + 5},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"


def test_move_of_another_reps_opportunity_is_refused(other_api, mine):
    response = other_api.post(
        url("opportunities", mine.opportunity.pk) + "move/", {"status": "won"}, format="json"
    )
    assert response.status_code == 403
    mine.opportunity.refresh_from_db()
    assert mine.opportunity.status == Opportunity.Status.OPEN


def test_delete_puts_the_record_in_the_trash(rep_api, rep, mine):
    assert rep_api.delete(url("companies", mine.company.pk)).status_code == 204
    trashed = Company.all_objects.get(pk=mine.company.pk)
    assert trashed.deleted_at is not None and trashed.deleted_by == rep
    assert rep_api.get(url("companies", mine.company.pk)).status_code == 404
    assert rep_api.delete(url("prospects", mine.prospect.pk)).status_code == 204
    assert Prospect.all_objects.get(pk=mine.prospect.pk).deleted_at is not None


def test_opportunity_delete_follows_the_process_delete_right(rep_api, manager_api, mine):
    # The default process names no delete group: managers only (PROSTEP "Suppression").
    refused = rep_api.delete(url("opportunities", mine.opportunity.pk))
    assert refused.status_code == 403
    assert manager_api.delete(url("opportunities", mine.opportunity.pk)).status_code == 204
    assert Opportunity.all_objects.get(pk=mine.opportunity.pk).deleted_at is not None


def test_line_added_updates_the_opportunitys_amount(rep_api, mine):
    response = rep_api.post(
        url("opportunity-lines"),
        {
            "opportunity": mine.opportunity.pk,
            "item": "Training",
            "unit_price": "250",
            "quantity": "2",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    amount = rep_api.get(url("opportunities", mine.opportunity.pk)).json()["amount"]
    assert amount == "600.00"


def test_opportunity_on_another_reps_prospect_is_refused(other_api, mine):
    response = other_api.post(
        url("opportunities"),
        {"summary": "Mine now", "prospect": mine.prospect.pk},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert not Opportunity.objects.filter(summary="Mine now").exists()


def test_validation_errors_are_400_with_the_field(rep_api):
    response = rep_api.post(url("companies"), {"name": ""}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    response = rep_api.post(url("companies"), {"name": "Bad SIREN", "siren": "123"}, format="json")
    assert response.status_code == 400
    assert "siren" in response.json()


def test_task_done_through_the_api_records_who(rep_api, rep, mine):
    response = rep_api.patch(url("tasks", mine.task.pk), {"done": True}, format="json")
    assert response.status_code == 200, response.content
    mine.task.refresh_from_db()
    assert mine.task.done and mine.task.done_by == rep


# --- idempotency ------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_makes_one_record(rep_api):
    body = {"last_name": "Once", "email": "once@example.com"}
    first = rep_api.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = rep_api.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Prospect.objects.filter(last_name="Once").count() == 1
    other = rep_api.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201
    assert Prospect.objects.filter(last_name="Once").count() == 2


def test_the_same_key_with_another_body_is_refused(rep_api):
    rep_api.post(url("prospects"), {"last_name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = rep_api.post(
        url("prospects"), {"last_name": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert not Prospect.objects.filter(last_name="B").exists()


def test_keys_belong_to_their_token(rep):
    first, second = bearer(rep, name="One"), bearer(rep, name="Two")
    body = {"last_name": "Twice"}
    first.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert Prospect.objects.filter(last_name="Twice").count() == 2


def test_stored_answers_expire_after_a_day(rep_api):
    import datetime as dt

    from django.utils import timezone

    body = {"last_name": "Later"}
    rep_api.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotentAnswer.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    rep_api.post(url("prospects"), body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert Prospect.objects.filter(last_name="Later").count() == 2
    assert IdempotentAnswer.objects.count() == 1


def test_a_refused_write_is_replayed_too(rep_api, mine):
    body = {"name": "Stale", "version": 999}
    first = rep_api.patch(
        url("companies", mine.company.pk), body, format="json", HTTP_IDEMPOTENCY_KEY="s"
    )
    again = rep_api.patch(
        url("companies", mine.company.pk), body, format="json", HTTP_IDEMPOTENCY_KEY="s"
    )
    assert first.status_code == again.status_code == 409


# --- rate limit -------------------------------------------------------------------------------


def test_over_the_rate_429_with_retry_after(rep, settings, mine):
    settings.API_RATE = "3/minute"
    cache.clear()
    client = bearer(rep)
    statuses = [client.get(url("companies")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url("companies"))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Counted per token: another token of the same user is not held back.
    assert bearer(rep, name="Other").get(url("companies")).status_code == 200


def test_prospects_follow_the_forms_rules(rep_api):
    empty = rep_api.post(url("prospects"), {"city": "Lyon"}, format="json")
    assert empty.status_code == 400
    assert not Prospect.objects.exists()
    consent = rep_api.post(
        url("prospects"), {"last_name": "Opt-in", "lawful_basis": "consent"}, format="json"
    )
    assert consent.status_code == 400
    assert set(consent.json()) == {"consent_at", "consent_proof"}
    ok = rep_api.post(
        url("prospects"),
        {
            "last_name": "Opt-in",
            "lawful_basis": "consent",
            "consent_at": "2026-11-20T10:00:00+01:00",
            "consent_proof": "Form on the website, box ticked",
        },
        format="json",
    )
    assert ok.status_code == 201, ok.content
