import pytest
from django.contrib.auth.models import Group

from pipeline.rights import can_delete_process_opportunities, can_modify_process_opportunities
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
