"""The prospect's stored next action (`Prospect.next_action_at`, the list's sort) stays the
earliest next action of its open opportunities through every write that moves it."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts.merge import record_merge
from contacts.models import Prospect
from core.trash import record_restore
from pipeline.models import Opportunity
from pipeline.services import activities
from pipeline.services.opportunities import opportunity_create, opportunity_move, opportunity_trash
from tests import factories as f

pytestmark = pytest.mark.django_db


def stored(prospect) -> dt.datetime | None:
    return Prospect.all_objects.values_list("next_action_at", flat=True).get(pk=prospect.pk)


@pytest.fixture
def deal(rep, default_process):
    prospect = f.ProspectFactory(owner=rep)
    return opportunity_create(actor=rep, prospect=prospect, summary="Fit-out", owner=rep)


NOW = timezone.now().replace(microsecond=0)


def soon(days: int) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


def add_task(actor, opportunity, days: int):
    return activities.task_create(
        actor=actor,
        title=f"Call in {days} days",
        type=f.task_type(),
        start=soon(days),
        opportunity=opportunity,
    )


def test_created_moved_done_and_deleted_tasks_move_it(rep, deal):
    assert stored(deal.prospect) is None
    later = add_task(rep, deal, 5)
    assert stored(deal.prospect) == later.start
    sooner = add_task(rep, deal, 2)
    assert stored(deal.prospect) == sooner.start
    activities.task_update(task=sooner, actor=rep, start=soon(9))
    assert stored(deal.prospect) == later.start  # moved after the other one
    activities.task_set_done(task=later, done=True, actor=rep)
    assert stored(deal.prospect) == soon(9)
    activities.task_set_done(task=later, done=False, actor=rep)
    assert stored(deal.prospect) == later.start
    activities.task_delete(task=later, actor=rep)
    assert stored(deal.prospect) == soon(9)


def test_a_restored_task_brings_it_back(rep, manager, deal):
    task = add_task(rep, deal, 3)
    activities.task_delete(task=task, actor=rep)
    assert stored(deal.prospect) is None
    record_restore(obj=task, actor=manager)
    assert stored(deal.prospect) == task.start


def test_the_earliest_open_opportunity_counts_closed_and_trashed_ones_do_not(
    rep, manager, deal, default_process
):
    other = opportunity_create(actor=rep, prospect=deal.prospect, summary="Maintenance", owner=rep)
    add_task(rep, deal, 6)
    early = add_task(rep, other, 1)
    assert stored(deal.prospect) == early.start
    opportunity_move(opportunity_id=other.pk, actor=rep, to_status=Opportunity.Status.WON)
    assert stored(deal.prospect) == soon(6)
    opportunity_move(opportunity_id=other.pk, actor=rep, to_status=Opportunity.Status.OPEN)
    assert stored(deal.prospect) == early.start
    opportunity_trash(opportunity_id=other.pk, actor=manager)
    assert stored(deal.prospect) == soon(6)
    record_restore(obj=Opportunity.all_objects.get(pk=other.pk), actor=manager)
    assert stored(deal.prospect) == early.start


def test_a_merge_keeps_the_earlier_of_the_two(rep, deal, default_process):
    other_prospect = f.ProspectFactory(owner=rep)
    other = opportunity_create(actor=rep, prospect=other_prospect, summary="Other", owner=rep)
    add_task(rep, deal, 8)
    early = add_task(rep, other, 2)
    record_merge(kept=deal.prospect, other=other_prospect, actor=rep)
    assert stored(deal.prospect) == early.start
    assert stored(other_prospect) is None  # in the trash, without its opportunities


def test_the_nightly_refresh_repairs_it(rep, deal):
    from pipeline.clocks import opportunities_refresh

    task = add_task(rep, deal, 4)
    Prospect.objects.filter(pk=deal.prospect_id).update(next_action_at=None)
    opportunities_refresh()
    assert stored(deal.prospect) == task.start


def test_the_migration_fills_it_from_the_opportunities(rep, deal):
    from importlib import import_module

    from django.apps import apps

    task = add_task(rep, deal, 4)
    Prospect.objects.update(next_action_at=None)
    migration = import_module("pipeline.migrations.0008_perf_lists_prospect_next_action")
    migration.fill(apps, None)
    assert stored(deal.prospect) == task.start
