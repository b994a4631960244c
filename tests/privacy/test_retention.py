"""Retention of the prospect file (CNIL): a prospect with no contact for RETENTION_DAYS is
listed (page and managers' digest), then anonymised by the nightly job after the grace period,
its forecast figures unchanged; any contact, or a manager keeping it, starts the period again."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from contacts.models import Note, Prospect
from forecasting import services as forecasting_services
from forecasting.selectors import forecast_rows, forecast_table
from pipeline.models import Opportunity, Task
from privacy import retention, services
from privacy.models import PrivacyLog, RetentionHold
from privacy.tasks import retention_nightly
from tests import factories as f
from tests.privacy.conftest import EMAIL, FIRST, LAST, find_everywhere

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _periods(settings):
    settings.RETENTION_DAYS = 3 * 365
    settings.RETENTION_GRACE_DAYS = 30


def _aged(prospect, days: int):
    when = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(10)))
    Prospect.all_objects.filter(pk=prospect.pk).update(created_at=when, updated_at=when)
    return when


def _old_prospect(owner, days=3 * 365 + 5, **kw):
    prospect = f.ProspectFactory(
        owner=owner,
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        mobile="",
        notes="Met at a fair",
        **kw,
    )
    _aged(prospect, days)
    opportunity = f.OpportunityFactory(
        prospect=prospect,
        owner=owner,
        amount=Decimal("40000.00"),
        expected_date=TODAY + dt.timedelta(days=45),
        summary=f"Boat for {LAST}",
    )
    return prospect, opportunity


def test_only_the_prospect_without_contact_is_due(rep, default_process):
    due, _ = _old_prospect(rep)
    recent = f.ProspectFactory(owner=rep, mobile="")  # created today
    with_task, _ = _old_prospect(rep)
    f.TaskFactory(
        prospect=with_task,
        done=True,
        done_at=timezone.now() - dt.timedelta(days=400),
        assignee=rep,
    )
    with_note, _ = _old_prospect(rep)
    note = Note.objects.create(target=with_note, subject="Call", text="…")
    Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    customer, _ = _old_prospect(rep, company=f.CompanyFactory(kind="customer", customer_code="C9"))
    won, opportunity = _old_prospect(rep)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        status="won", closing_date=TODAY - dt.timedelta(days=200)
    )
    contacted, _ = _old_prospect(rep)
    Prospect.objects.filter(pk=contacted.pk).update(
        last_contact_at=timezone.now() - dt.timedelta(days=100)
    )

    ids = set(retention.due_prospects(today=TODAY).values_list("pk", flat=True))

    assert ids == {due.pk}
    assert recent.pk not in ids and customer.pk not in ids and won.pk not in ids


def test_due_prospects_are_one_query(rep, default_process, django_assert_num_queries):
    for _ in range(5):
        _old_prospect(rep)
    ContentType.objects.get_for_model(Prospect)  # cached, as in any running process

    with django_assert_num_queries(1):
        assert len(list(retention.due_prospects(today=TODAY))) == 5


def test_listed_on_the_page_and_in_the_managers_digest(
    manager_client, manager, rep, default_process, mailoutbox, settings
):
    settings.SITE_URL = "https://crm.example.com"
    prospect, _ = _old_prospect(rep)

    page = manager_client.get(reverse("privacy_retention"))
    forecasting_services.digest_send(today=timezone.localdate())

    assert page.status_code == 200
    assert f'data-due="{prospect.pk}"'.encode() in page.content
    digests = [m for m in mailoutbox if m.to == [manager.email]]
    assert len(digests) == 1
    assert LAST.upper() in digests[0].body
    assert f"https://crm.example.com/prospects/{prospect.pk}/" in digests[0].body
    assert "https://crm.example.com/privacy/retention/" in digests[0].body
    assert not [m for m in mailoutbox if m.to == [rep.email]]  # reps: nothing late, no digest


def test_reps_cannot_see_the_retention_page(rep_client):
    assert rep_client.get(reverse("privacy_retention")).status_code == 403


def test_anonymised_after_the_grace_period_forecast_unchanged(manager, rep, default_process):
    prospect, opportunity = _old_prospect(rep, days=3 * 365 + 10)
    other, _ = _old_prospect(f.RepFactory(), days=3 * 365 + 40)
    before = forecast_rows(forecast_table(user=manager, today=TODAY))

    assert retention_nightly(day=TODAY.isoformat()) == 1  # only the one past the grace period

    anonymised = Prospect.objects.get(pk=other.pk)
    assert (anonymised.first_name, anonymised.last_name, anonymised.email) == ("", "", "")
    assert anonymised.notes == "" and anonymised.phone == ""
    assert Prospect.objects.get(pk=prospect.pk).last_name == LAST  # still in its grace period
    assert forecast_rows(forecast_table(user=manager, today=TODAY)) == before
    assert PrivacyLog.objects.get(object_id=other.pk).action == PrivacyLog.Action.ANONYMISE

    # Later, the first one's grace period is over too; the night's run is safe to repeat.
    later = TODAY + dt.timedelta(days=30)
    assert retention_nightly(day=later.isoformat()) == 1
    assert retention_nightly(day=later.isoformat()) == 0
    assert find_everywhere([EMAIL, LAST]) == []
    assert Opportunity.objects.get(pk=opportunity.pk).amount == Decimal("40000.00")
    assert forecast_rows(forecast_table(user=manager, today=TODAY)) == before


def test_a_manager_keeps_a_prospect_for_another_period(
    manager_client, manager, rep, default_process
):
    prospect, _ = _old_prospect(rep, days=3 * 365 + 40)

    response = manager_client.post(reverse("privacy_keep", args=[prospect.pk]))

    assert response.status_code == 302
    assert RetentionHold.objects.get(prospect=prospect).kept_by == manager
    assert PrivacyLog.objects.get(object_id=prospect.pk).action == PrivacyLog.Action.KEEP
    assert not retention.due_prospects().filter(pk=prospect.pk).exists()
    assert services.retention_run() == 0


def test_any_contact_starts_the_period_again(rep, default_process):
    prospect, opportunity = _old_prospect(rep, days=3 * 365 + 40)
    f.TaskFactory(opportunity=opportunity, done=True, done_at=timezone.now(), assignee=rep)

    assert not retention.due_prospects().filter(pk=prospect.pk).exists()
    assert Task.objects.filter(opportunity=opportunity).exists()


def test_the_page_shows_the_latest_contact_of_any_kind(manager_client, rep, default_process):
    prospect, opportunity = _old_prospect(rep, days=6 * 365)
    for years in (5, 4):  # two old done tasks: the latest counts
        f.TaskFactory(
            opportunity=opportunity,
            done=True,
            done_at=timezone.now() - dt.timedelta(days=years * 365),
            assignee=rep,
        )
    note = Note.objects.create(target=prospect, subject="Old call", text="…")
    latest = timezone.now() - dt.timedelta(days=3 * 365 + 20)
    Note.objects.filter(pk=note.pk).update(created_at=latest)

    row = retention.with_last_contact(retention.due_prospects()).get(pk=prospect.pk)
    page = manager_client.get(reverse("privacy_retention")).content.decode()

    assert row.last_contact == latest
    assert timezone.localtime(latest).strftime("%d/%m/%Y") in page
