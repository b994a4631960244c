"""Restoring a "this and the following" deletion of a recurring task gives the series back the
end it had before the deletion (`pipeline.models.SeriesCut`), and the series goes on
materialising as before."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.db.models import Q
from django.utils import timezone

from core import trash
from pipeline.models import Task
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, 0, tzinfo=PARIS)


def create(rep, **fields):
    return activities.task_create(
        actor=rep, assignee=rep, title="Weekly call", type=f.task_type("call"), **fields
    )


def alive(head) -> list[Task]:
    return list(Task.objects.filter(Q(pk=head.pk) | Q(series=head)).order_by("start"))


def days(tasks) -> list[dt.date]:
    return [t.start.astimezone(PARIS).date() for t in tasks]


def delete_following(task, actor):
    activities.task_delete(task=task, actor=actor, scope=activities.SCOPE_FOLLOWING)


def restore(task, actor):
    trash.record_restore(obj=Task.all_objects.get(pk=task.pk), actor=actor)


def end(head) -> tuple:
    head.refresh_from_db()
    return head.until, head.count


@pytest.mark.parametrize(
    "rule",
    [
        {"count": 8},
        {"until": dt.date(2027, 4, 26)},
        {},  # open-ended
    ],
    ids=["count", "until", "open-ended"],
)
def test_the_series_ends_where_it_ended_before_the_deletion(rule, rep, manager):
    head = create(rep, start=at(2027, 3, 1), frequency="weekly", **rule)
    before = days(alive(head))
    cut = alive(head)[3]

    delete_following(cut, rep)
    assert days(alive(head)) == before[:3]
    assert end(head) == (dt.date(2027, 3, 15), None)

    restore(cut, manager)

    assert end(head) == (rule.get("until"), rule.get("count"))
    assert days(alive(head)) == before
    assert not Task.all_objects.filter(series=head, deleted_at__isnull=False).exists()


def test_an_open_ended_series_goes_on_materialising_after_the_restore(rep, manager):
    head = create(rep, start=timezone.now().replace(microsecond=0), frequency="daily")
    horizon = timezone.localdate() + dt.timedelta(days=activities.HORIZON_DAYS)
    cut = alive(head)[5]
    delete_following(cut, rep)
    restore(cut, manager)

    later = horizon + dt.timedelta(days=10)
    assert activities.series_extend(through=later) == 10
    assert days(alive(head))[-1] == later


def test_deleting_the_whole_series_from_its_first_task_and_restoring_it(rep, manager):
    head = create(rep, start=at(2027, 3, 1), frequency="weekly", count=6)
    before = days(alive(head))

    delete_following(head, rep)
    assert alive(head) == []
    restore(head, manager)

    assert end(head) == (None, 6)
    assert days(alive(head)) == before


@pytest.mark.parametrize("order", ["latest first", "earliest first"])
def test_two_cuts_restored_in_either_order_give_the_first_end_back(order, rep, manager):
    head = create(rep, start=at(2027, 3, 1), frequency="weekly", count=10)
    before = days(alive(head))
    first_cut, second_cut = alive(head)[6], alive(head)[3]
    delete_following(first_cut, rep)
    delete_following(second_cut, rep)
    assert end(head) == (dt.date(2027, 3, 15), None)

    cuts = [second_cut, first_cut] if order == "latest first" else [first_cut, second_cut]
    restore(cuts[0], manager)
    restore(cuts[1], manager)

    assert end(head) == (None, 10)
    assert days(alive(head)) == before


def test_an_end_changed_since_the_deletion_is_left_as_it_was_set(rep, manager):
    head = create(rep, start=at(2027, 3, 1), frequency="weekly", count=8)
    cut = alive(head)[5]
    delete_following(cut, rep)
    # Whatever wrote it since (the admin, a later version of the card), it is the newer end.
    Task.all_objects.filter(pk=head.pk).update(until=dt.date(2027, 3, 22))

    restore(cut, manager)

    assert end(head) == (dt.date(2027, 3, 22), None)


def test_the_end_moves_are_in_the_audit_log(rep, manager):
    head = create(rep, start=at(2027, 3, 1), frequency="weekly", count=8)
    cut = alive(head)[3]
    delete_following(cut, rep)
    restore(cut, manager)

    entries = LogEntry.objects.get_for_object(head).filter(
        action=LogEntry.Action.UPDATE, changes__has_key="count"
    )
    assert [(e.actor, e.changes_dict["count"]) for e in entries.order_by("timestamp")] == [
        (rep, ["8", "None"]),
        (manager, ["None", "8"]),
    ]
