"""Every move to the trash is in the audit log (django-auditlog) with who made it: one entry
per record, an UPDATE of `deleted_at` / `deleted_by` (as the restore records the way back),
written in bulk for a "delete all" (`core.trash.trash_rows`, the one soft delete)."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from contacts.models import Company, Prospect
from core import trash
from pipeline.models import Opportunity
from pipeline.services import activities
from prospects import services as prospect_services
from tests import factories as f
from tests.trust.test_trash import delete, deleter, make

pytestmark = pytest.mark.django_db


def deletion_entries(obj):
    return LogEntry.objects.get_for_object(obj).filter(
        action=LogEntry.Action.UPDATE, changes__has_key="deleted_at"
    )


def assert_trashed_by(obj, actor):
    """One audit entry says `actor` put `obj` in the trash, at the time the record carries."""
    record = type(obj).all_objects.get(pk=obj.pk)
    assert record.deleted_at is not None
    entries = [e for e in deletion_entries(obj) if e.changes_dict["deleted_at"][0] == "None"]
    assert len(entries) == 1, f"{obj._meta.label} {obj.pk}: {len(entries)} deletion entries"
    entry = entries[0]
    assert entry.actor == actor
    assert entry.object_repr == str(record)
    assert entry.changes_dict["deleted_by"] == ["None", str(actor)]
    assert entry.timestamp == record.deleted_at


@pytest.mark.parametrize("kind", ["company", "person", "prospect", "opportunity", "task"])
def test_each_kind_moved_to_the_trash_is_in_the_audit_log_with_its_actor(kind, rep, manager):
    obj = make(kind, rep)
    who = deleter(kind, rep, manager)

    delete(kind, obj, who)

    assert_trashed_by(obj, who)


def test_a_prospect_goes_to_the_trash_with_its_opportunities_each_logged(rep):
    prospect = f.ProspectFactory(owner=rep)
    opportunities = [f.OpportunityFactory(prospect=prospect, owner=rep) for _ in range(2)]

    prospect_services.prospects_trash(prospect_ids=[prospect.pk], actor=rep)

    for record in [prospect, *opportunities]:
        assert_trashed_by(record, rep)


def test_this_and_the_following_occurrences_each_logged(rep):
    head = activities.task_create(
        actor=rep,
        title="Weekly call",
        type=f.task_type(),
        start=timezone.now().replace(microsecond=0) + dt.timedelta(days=1),
        frequency="weekly",
        count=5,
    )
    occurrences = list(head.occurrences.order_by("start"))

    activities.task_delete(task=occurrences[1], actor=rep, scope=activities.SCOPE_FOLLOWING)

    for occurrence in occurrences[1:]:
        assert_trashed_by(occurrence, rep)
    assert not deletion_entries(occurrences[0]).exists()


def test_delete_all_logs_every_record_in_a_few_queries(
    rep, manager, default_process, django_assert_max_num_queries
):
    prospects = f.ProspectFactory.create_batch(60, owner=rep)
    for prospect in prospects[:20]:
        f.OpportunityFactory(prospect=prospect, owner=rep)

    with django_assert_max_num_queries(20):
        count = prospect_services.prospects_trash_all(actor=manager, confirmation="DELETE")

    assert count == 60
    entries = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, actor=manager)
    assert entries.filter(content_type__model="prospect").count() == 60
    assert entries.filter(content_type__model="opportunity").count() == 20
    assert_trashed_by(prospects[0], manager)


def test_the_admin_move_to_the_trash_is_logged_with_the_manager(rep, manager, manager_client):
    companies = [f.CompanyFactory(owner=rep) for _ in range(2)]

    response = manager_client.post(
        reverse("admin:contacts_company_changelist"),
        {"action": "move_to_trash", "_selected_action": [c.pk for c in companies]},
    )

    assert response.status_code == 302
    assert Company.all_objects.trashed().count() == 2
    for company in companies:
        assert_trashed_by(company, manager)


def test_the_page_delete_is_logged_with_the_user_and_address(rep, rep_client):
    company = f.CompanyFactory(owner=rep)

    rep_client.post(reverse("company_trash", args=[company.pk]), REMOTE_ADDR="203.0.113.7")

    assert_trashed_by(company, rep)
    assert deletion_entries(company).get().remote_addr == "203.0.113.7"


def test_restoring_a_prospect_logs_its_opportunities_coming_back_too(rep, manager):
    prospect = f.ProspectFactory(owner=rep)
    opportunity = f.OpportunityFactory(prospect=prospect, owner=rep)
    prospect_services.prospects_trash(prospect_ids=[prospect.pk], actor=rep)

    trash.record_restore(obj=Prospect.all_objects.get(pk=prospect.pk), actor=manager)

    for record in [prospect, opportunity]:
        back = [e for e in deletion_entries(record) if e.changes_dict["deleted_at"][1] == "None"]
        assert len(back) == 1, record._meta.label
        assert back[0].actor == manager
        assert back[0].changes_dict["deleted_by"] == [str(rep), "None"]
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_every_record_in_the_trash_has_its_deletion_in_the_log(rep, manager):
    for kind in ["company", "person", "prospect", "opportunity", "task"]:
        delete(kind, make(kind, rep), deleter(kind, rep, manager))
    rows = trash.trashed_records(user=manager)
    assert len(rows) == 5
    for row in rows:
        assert deletion_entries(row.record).filter(actor=row.record.deleted_by).exists()


def test_the_audit_viewer_shows_who_deleted_what(rep, admin_client):
    company = f.CompanyFactory(owner=rep, name="Gone Tomorrow SA")
    delete("company", company, rep)
    entry = deletion_entries(company).get()

    page = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Gone Tomorrow SA" in html
    changes = html[html.index("Deleted by") :]
    assert changes.split("</tr>")[0].count(str(rep)) == 1  # "None → alice", not an id
