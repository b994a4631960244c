"""The trash: deletes of companies, people, prospects, opportunities and tasks are restorable
by managers for TRASH_RETENTION_DAYS days, with what was deleted together with them."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts import services as contact_services
from contacts.models import Prospect
from core import trash
from pipeline.models import Opportunity
from pipeline.services import activities
from prospects import services as prospect_services
from tests import factories as f

pytestmark = pytest.mark.django_db


def make(kind, owner):
    if kind == "company":
        return f.CompanyFactory(owner=owner, name="Trashed Company")
    if kind == "person":
        return f.PersonFactory(owner=owner, first_name="Trashed", last_name="Person")
    if kind == "prospect":
        return f.ProspectFactory(owner=owner, first_name="Trashed", last_name="Prospect")
    if kind == "opportunity":
        return f.OpportunityFactory(
            prospect=f.ProspectFactory(owner=owner), owner=owner, summary="Trashed deal"
        )
    return f.TaskFactory(assignee=owner, title="Trashed task")


def delete(kind, obj, actor):
    """Each kind's own delete, as the views call it."""
    if kind == "company":
        contact_services.company_trash(company=obj, actor=actor)
    elif kind == "person":
        contact_services.person_trash(person=obj, actor=actor)
    elif kind == "prospect":
        prospect_services.prospects_trash(prospect_ids=[obj.pk], actor=actor)
    elif kind == "task":
        activities.task_delete(task=obj, actor=actor)
    else:
        from pipeline.services import opportunities as opportunity_services

        opportunity_services.opportunity_trash(opportunity_id=obj.pk, actor=actor)


KINDS = list(trash.KINDS)


def deleter(kind, rep, manager):
    """Reps delete their records; opportunities only the process's delete groups (managers)."""
    return manager if kind == "opportunity" else rep


@pytest.mark.parametrize("kind", KINDS)
def test_deleted_record_is_listed_and_restored_through_the_page(kind, rep, manager, manager_client):
    obj = make(kind, rep)
    model = type(obj)
    who = deleter(kind, rep, manager)
    delete(kind, obj, who)
    assert not model.objects.filter(pk=obj.pk).exists()

    page = manager_client.get(reverse("trash"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-trash="{kind}-{obj.pk}"' in html
    assert who.get_full_name() in html  # who deleted it
    assert (
        timezone.localtime(model.all_objects.get(pk=obj.pk).deleted_at).strftime("%d/%m/%Y") in html
    )

    response = manager_client.post(reverse("trash_restore"), {"kind": kind, "pk": obj.pk})
    assert response.status_code == 302
    restored = model.objects.get(pk=obj.pk)
    assert restored.deleted_by is None
    assert restored.updated_by == manager
    assert (
        f'data-trash="{kind}-{obj.pk}"' not in manager_client.get(reverse("trash")).content.decode()
    )


@pytest.mark.parametrize("kind", KINDS)
def test_restore_service_and_its_audit_entry(kind, rep, manager):
    obj = make(kind, rep)
    delete(kind, obj, deleter(kind, rep, manager))
    trash.record_restore(obj=type(obj).all_objects.get(pk=obj.pk), actor=manager)
    assert type(obj).objects.filter(pk=obj.pk).exists()
    entry = LogEntry.objects.get_for_object(obj).filter(actor=manager).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert "deleted_at" in entry.changes_dict
    assert entry.changes_dict["deleted_at"][1] == "None"


def test_restore_over_htmx_answers_with_the_rows_and_a_message(rep, manager_client):
    company = make("company", rep)
    delete("company", company, rep)
    response = manager_client.post(
        reverse("trash_restore"), {"kind": "company", "pk": company.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="trash-rows"' in response.content.decode()
    assert "jalon:message" in response["HX-Trigger"]


def test_a_prospect_comes_back_with_the_opportunities_deleted_with_it(rep, manager):
    prospect = f.ProspectFactory(owner=rep)
    earlier = f.OpportunityFactory(prospect=prospect, owner=rep, summary="Deleted before")
    delete("opportunity", earlier, manager)
    together = [f.OpportunityFactory(prospect=prospect, owner=rep) for _ in range(2)]
    delete("prospect", prospect, rep)
    assert Opportunity.objects.filter(prospect=prospect).count() == 0

    restored = trash.record_restore(obj=prospect, actor=manager)
    assert set(Opportunity.objects.filter(prospect=prospect)) == set(together)
    assert {r.pk for r in restored} == {o.pk for o in together}
    assert Opportunity.all_objects.get(pk=earlier.pk).deleted_at is not None


def test_a_series_comes_back_with_the_occurrences_deleted_with_it(rep, manager):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    head = activities.task_create(
        actor=rep,
        title="Weekly call",
        type=f.task_type(),
        start=start,
        frequency="weekly",
        count=4,
    )
    occurrences = list(head.occurrences.order_by("start"))
    assert occurrences
    activities.task_delete(task=occurrences[0], actor=rep, scope=activities.SCOPE_FOLLOWING)
    trashed = set(head.occurrences.model.all_objects.filter(series=head, deleted_at__isnull=False))
    assert len(trashed) >= 2
    trash.record_restore(obj=occurrences[0], actor=manager)
    assert not head.occurrences.model.all_objects.filter(
        series=head, deleted_at__isnull=False
    ).exists()


def test_an_opportunity_of_a_deleted_prospect_waits_for_its_prospect(rep, manager):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    delete("prospect", opportunity.prospect, rep)
    with pytest.raises(ValidationError) as refused:
        trash.record_restore(obj=opportunity, actor=manager)
    assert "first" in " ".join(refused.value.messages) or "abord" in " ".join(
        refused.value.messages
    )
    assert Opportunity.all_objects.get(pk=opportunity.pk).deleted_at is not None


def test_only_managers_see_and_restore(rep, rep_client):
    company = make("company", rep)
    delete("company", company, rep)
    assert rep_client.get(reverse("trash")).status_code == 403
    assert (
        rep_client.post(reverse("trash_restore"), {"kind": "company", "pk": company.pk}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        trash.record_restore(obj=company, actor=rep)
    assert b"/trash/" not in rep_client.get(reverse("dashboard")).content


def test_the_nav_links_managers_to_the_trash(manager_client):
    assert b'href="/trash/"' in manager_client.get(reverse("dashboard")).content


def test_records_older_than_the_retention_are_gone_from_the_trash(
    rep, manager, manager_client, settings
):
    company = make("company", rep)
    delete("company", company, rep)
    old = timezone.now() - dt.timedelta(days=settings.TRASH_RETENTION_DAYS + 1)
    type(company).all_objects.filter(pk=company.pk).update(deleted_at=old)
    assert (
        f'data-trash="company-{company.pk}"'
        not in manager_client.get(reverse("trash")).content.decode()
    )
    with pytest.raises(ValidationError):
        trash.record_restore(obj=company, actor=manager)


def test_restoring_twice_or_an_unknown_record_is_refused_cleanly(rep, manager_client):
    company = make("company", rep)
    delete("company", company, rep)
    url = reverse("trash_restore")
    assert manager_client.post(url, {"kind": "company", "pk": company.pk}).status_code == 302
    again = manager_client.post(url, {"kind": "company", "pk": company.pk}, follow=True)
    assert again.status_code == 200
    assert (
        "no longer in the trash" in again.content.decode()
        or "plus dans la corbeille" in again.content.decode()
    )
    assert manager_client.post(url, {"kind": "nothing", "pk": 1}).status_code == 404
    assert manager_client.post(url, {"kind": "company", "pk": "x"}).status_code == 404


def test_filter_by_kind(rep, manager_client):
    company, person = make("company", rep), make("person", rep)
    delete("company", company, rep)
    delete("person", person, rep)
    html = manager_client.get(reverse("trash"), {"kind": "person"}).content.decode()
    assert f'data-trash="person-{person.pk}"' in html
    assert f'data-trash="company-{company.pk}"' not in html


def test_trash_page_query_count_does_not_grow_with_rows(
    rep, manager, manager_client, django_assert_max_num_queries
):
    for kind in KINDS:
        for _ in range(3):
            obj = make(kind, rep)
            delete(kind, obj, deleter(kind, rep, manager))
    with django_assert_max_num_queries(20):
        assert manager_client.get(reverse("trash")).status_code == 200


def test_a_whole_deletion_comes_back_at_once(rep, manager, manager_client):
    """A "delete all" puts the prospect file in the trash in one go: the trash page lists that
    deletion and brings it all back, each record through `record_restore`."""
    prospects = [f.ProspectFactory(owner=rep, last_name=f"Batch{i}") for i in range(3)]
    opportunity = f.OpportunityFactory(prospect=prospects[0], owner=rep)
    other = make("company", rep)
    delete("company", other, rep)
    prospect_services.prospects_trash_all(actor=manager, confirmation="DELETE")
    deleted_at = Prospect.all_objects.get(pk=prospects[0].pk).deleted_at

    html = manager_client.get(reverse("trash"), {"kind": "prospect"}).content.decode()
    assert "3 records deleted at once" in html
    response = manager_client.post(
        reverse("trash_restore"),
        {"batch": deleted_at.isoformat(), "filter": "prospect"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "4 records restored." in response["HX-Trigger"]
    assert Prospect.objects.filter(pk__in=[p.pk for p in prospects]).count() == 3
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()
    assert "records deleted at once" not in response.content.decode()
    assert LogEntry.objects.get_for_object(prospects[1]).filter(actor=manager).exists()
    assert type(other).all_objects.get(pk=other.pk).deleted_at is not None  # another deletion


def test_a_whole_deletion_restores_what_it_may_and_says_what_it_left(rep, manager):
    prospect = f.ProspectFactory(owner=rep)
    delete("prospect", prospect, rep)
    opportunities = [
        f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep) for _ in range(2)
    ]
    waiting = f.OpportunityFactory(prospect=prospect, owner=rep)
    at = timezone.now()
    Opportunity.all_objects.filter(pk__in=[o.pk for o in [*opportunities, waiting]]).update(
        deleted_at=at
    )
    with pytest.raises(PermissionDenied):
        trash.batch_restore(deleted_at=at, actor=rep)

    count, refused = trash.batch_restore(deleted_at=at, actor=manager)

    assert count == 2 and len(refused) == 1
    assert Opportunity.objects.filter(pk__in=[o.pk for o in opportunities]).count() == 2
    assert Opportunity.all_objects.get(pk=waiting.pk).deleted_at == at


def test_one_purge_empties_every_kind_past_the_retention_and_keeps_the_younger(
    rep, manager, settings
):
    settings.TRASH_RETENTION_DAYS = 30
    now = timezone.now()
    old, young = {}, {}
    for kind in KINDS:
        old[kind], young[kind] = make(kind, rep), make(kind, rep)
        model = type(old[kind])
        model.all_objects.filter(pk=old[kind].pk).update(deleted_at=now - dt.timedelta(days=31))
        model.all_objects.filter(pk=young[kind].pk).update(deleted_at=now - dt.timedelta(days=29))

    purged = trash.trash_purge(now=now)

    for kind in KINDS:
        model = type(old[kind])
        assert not model.all_objects.filter(pk=old[kind].pk).exists(), kind
        assert model.all_objects.filter(pk=young[kind].pk).exists(), kind
        assert purged[model._meta.label] >= 1
    assert trash.trash_purge(now=now) == {}


def test_the_purge_takes_what_belongs_to_a_record_before_the_record(rep, manager):
    order = trash._parents_first(list(trash.KINDS))
    for parent, child in [
        ("prospect", "opportunity"),
        ("company", "opportunity"),
        ("person", "prospect"),
        ("opportunity", "task"),
    ]:
        assert order.index(parent) < order.index(child)

    prospect = f.ProspectFactory(owner=rep)
    f.OpportunityFactory(prospect=prospect, owner=rep)
    delete("prospect", prospect, rep)  # the prospect and its opportunity, together
    long_ago = timezone.now() - dt.timedelta(days=365)
    Opportunity.all_objects.filter(prospect=prospect).update(deleted_at=long_ago)
    Prospect.all_objects.filter(pk=prospect.pk).update(deleted_at=long_ago)

    purged = trash.trash_purge()

    assert list(purged) == ["pipeline.Opportunity", "contacts.Prospect"]
    assert not Prospect.all_objects.filter(pk=prospect.pk).exists()
