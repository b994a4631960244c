import pytest
from django.contrib.auth.models import Group

from pipeline.rights import can_delete_process_opportunities, can_modify_process_opportunities
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def installers(db):
    return Group.objects.create(name="Installers")


@pytest.fixture
def cleaners(db):
    return Group.objects.create(name="Cleaners")


def test_no_groups_any_sales_user_modifies_only_managers_delete(rep, manager):
    process = f.ProcessFactory(steps=2)
    assert can_modify_process_opportunities(rep, process)
    assert not can_delete_process_opportunities(rep, process)
    assert can_modify_process_opportunities(manager, process)
    assert can_delete_process_opportunities(manager, process)


def test_user_outside_sales_groups_may_not_modify(db):
    process = f.ProcessFactory(steps=2)
    outsider = f.UserFactory()
    assert not can_modify_process_opportunities(outsider, process)


def test_modify_group(rep, other_rep, installers):
    process = f.ProcessFactory(steps=2)
    process.modify_groups.add(installers)
    rep.groups.add(installers)
    assert can_modify_process_opportunities(rep, process)
    assert not can_delete_process_opportunities(rep, process)
    assert not can_modify_process_opportunities(other_rep, process)


def test_delete_group(rep, other_rep, installers, cleaners):
    process = f.ProcessFactory(steps=2)
    process.modify_groups.add(installers)
    process.delete_groups.add(cleaners)
    rep.groups.add(installers, cleaners)
    assert can_modify_process_opportunities(rep, process)
    assert can_delete_process_opportunities(rep, process)
    # neither
    assert not can_modify_process_opportunities(other_rep, process)
    assert not can_delete_process_opportunities(other_rep, process)


def test_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    process = f.ProcessFactory(steps=1)
    assert not can_modify_process_opportunities(AnonymousUser(), process)
    assert not can_delete_process_opportunities(AnonymousUser(), process)


# ---------------------------------------------------------------- delete right, enforced


def _opportunity(actor, process, owner):

    return opportunity_services.opportunity_create(
        actor=actor,
        process=process,
        summary="Roof",
        prospect=f.ProspectFactory(owner=owner),
        owner=owner,
    )


def test_trash_service_follows_delete_groups(rep, other_rep, manager, cleaners):
    from pipeline.models import Opportunity

    process = f.ProcessFactory(steps=2)
    mine = _opportunity(manager, process, rep)
    with pytest.raises(opportunity_services.MoveRefused) as exc:
        opportunity_services.opportunity_trash(opportunity_id=mine.pk, actor=rep)
    assert exc.value.message == str(opportunity_services.NOT_ALLOWED_DELETE)
    process.delete_groups.add(cleaners)
    rep.groups.add(cleaners)
    rep = type(rep).objects.get(pk=rep.pk)  # drop the cached group ids
    opportunity_services.opportunity_trash(opportunity_id=mine.pk, actor=rep)
    assert not Opportunity.objects.filter(pk=mine.pk).exists()
    assert Opportunity.all_objects.get(pk=mine.pk).deleted_by == rep


def test_delete_control_and_403_by_url(client, rep, manager, cleaners):
    from django.urls import reverse

    process = f.ProcessFactory(steps=2)
    opportunity = _opportunity(manager, process, rep)
    url = reverse("pipeline_opportunity_delete", args=[process.pk, opportunity.pk])
    client.force_login(rep)
    html = client.get(reverse("pipeline_steps", args=[process.pk])).content.decode()
    assert url not in html  # no control
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403
    process.delete_groups.add(cleaners)
    rep.groups.add(cleaners)
    html = client.get(reverse("pipeline_steps", args=[process.pk])).content.decode()
    assert url in html
    response = client.post(url, {"version": opportunity.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "jalon:message" in response["HX-Trigger"]
    assert not process.opportunities(manager="objects").exists()


def test_manager_deletes_without_groups(manager_client, manager, rep):
    from django.urls import reverse

    process = f.ProcessFactory(steps=2)
    opportunity = _opportunity(manager, process, rep)
    url = reverse("pipeline_opportunity_delete", args=[process.pk, opportunity.pk])
    assert manager_client.post(url).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.deleted_at is not None
