import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from pipeline.models import Task
from pipeline.services import activities
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour=9, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def series(head):
    return list(Task.objects.filter(Q(pk=head.pk) | Q(series=head)).order_by("start"))


def local_days(tasks):
    return [t.start.astimezone(PARIS).date() for t in tasks]


def create(rep, **fields):
    fields.setdefault("title", "Weekly call")
    fields.setdefault("type", f.task_type("call"))
    return activities.task_create(actor=rep, assignee=rep, **fields)


def test_weekly_on_monday_wednesday_friday(rep):
    # 2027-03-02 is a Tuesday: the series starts on the first matching day, the Wednesday.
    head = create(rep, start=at(2027, 3, 2), frequency="weekly", weekdays="0,2,4", count=6)
    assert local_days(series(head)) == [
        dt.date(2027, 3, 3),
        dt.date(2027, 3, 5),
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 10),
        dt.date(2027, 3, 12),
        dt.date(2027, 3, 15),
    ]
    assert all(t.start.astimezone(PARIS).hour == 9 for t in series(head))


def test_weekly_keeps_local_time_across_daylight_saving(rep):
    head = create(rep, start=at(2027, 3, 22, 9), frequency="weekly", count=3)
    assert [t.start.astimezone(PARIS).hour for t in series(head)] == [9, 9, 9]


def test_monthly_on_the_31st_skips_short_months(rep):
    # RFC 5545 / dateutil: months without a 31st have no occurrence (not moved to the 30th).
    head = create(rep, start=at(2027, 1, 31), frequency="monthly", count=4)
    assert local_days(series(head)) == [
        dt.date(2027, 1, 31),
        dt.date(2027, 3, 31),
        dt.date(2027, 5, 31),
        dt.date(2027, 7, 31),
    ]


def test_until_is_inclusive(rep):
    head = create(
        rep, start=at(2027, 4, 1), frequency="daily", interval=2, until=dt.date(2027, 4, 7)
    )
    assert local_days(series(head)) == [
        dt.date(2027, 4, 1),
        dt.date(2027, 4, 3),
        dt.date(2027, 4, 5),
        dt.date(2027, 4, 7),
    ]


def test_count(rep):
    head = create(rep, start=at(2027, 2, 28), frequency="yearly", count=3)
    # Occurrences are stored up to the horizon, later ones when the horizon moves on.
    assert local_days(series(head)) == [dt.date(2027, 2, 28), dt.date(2028, 2, 28)]
    activities.series_extend(through=dt.date(2035, 1, 1))
    assert local_days(series(head)) == [
        dt.date(2027, 2, 28),
        dt.date(2028, 2, 28),
        dt.date(2029, 2, 28),
    ]


def test_until_and_count_together_are_refused(rep):
    with pytest.raises(activities.ValidationError) as error:
        create(rep, start=at(2027, 4, 1), frequency="daily", until=dt.date(2027, 4, 7), count=3)
    assert activities.UNTIL_AND_COUNT in error.value.message_dict["count"]
    assert not Task.objects.exists()


def test_open_ended_series_is_materialised_to_the_horizon_and_extended(rep):
    head = create(rep, start=at(2027, 1, 4), frequency="weekly")
    last = series(head)[-1].start.astimezone(PARIS).date()
    assert dt.date(2027, 1, 4) + dt.timedelta(days=activities.HORIZON_DAYS - 7) <= last
    activities.series_extend(through=last + dt.timedelta(days=21))
    assert local_days(series(head))[-3:] == [last + dt.timedelta(days=7 * n) for n in (1, 2, 3)]
    # Extending again creates nothing twice.
    assert activities.series_extend(through=last + dt.timedelta(days=21)) == 0


def test_completing_one_occurrence_leaves_the_others(rep):
    head = create(rep, start=at(2027, 3, 1), frequency="daily", count=3)
    second = series(head)[1]
    activities.task_set_done(task=second, done=True, actor=rep)
    assert [t.done for t in series(head)] == [False, True, False]


def test_edit_this_occurrence_only(rep):
    head = create(rep, start=at(2027, 3, 1), frequency="daily", count=4)
    third = series(head)[2]
    activities.task_update(
        task=third, actor=rep, scope="this", title="Moved", start=at(2027, 3, 3, 15)
    )
    tasks = series(head)
    assert [t.title for t in tasks] == ["Weekly call", "Weekly call", "Moved", "Weekly call"]
    assert tasks[2].start == at(2027, 3, 3, 15)
    assert tasks[2].occurrence_start == at(2027, 3, 3, 9)
    # The series is not re-generated on the moved occurrence's day.
    activities.series_extend(through=dt.date(2027, 3, 31))
    assert len(series(head)) == 4


def test_edit_this_and_following_splits_the_series(rep):
    head = create(rep, start=at(2027, 3, 1), frequency="daily", count=5)
    third = series(head)[2]
    remaining = 5 - activities.occurrences_before(third)
    assert remaining == 3
    new_head = activities.task_update(
        task=third,
        actor=rep,
        scope="following",
        title="Later",
        start=at(2027, 3, 3, 14),
        frequency="daily",
        interval=1,
        count=remaining,
    )
    head.refresh_from_db()
    assert head.until == dt.date(2027, 3, 2) and head.count is None
    assert [t.title for t in series(head)] == ["Weekly call", "Weekly call"]
    assert new_head.series_id is None
    assert local_days(series(new_head)) == [
        dt.date(2027, 3, 3),
        dt.date(2027, 3, 4),
        dt.date(2027, 3, 5),
    ]
    assert {t.title for t in series(new_head)} == {"Later"}
    assert {t.start.astimezone(PARIS).hour for t in series(new_head)} == {14}


def test_edit_following_from_the_first_changes_the_whole_series_but_keeps_done_ones(rep):
    head = create(rep, start=at(2027, 3, 1), frequency="daily", count=3)
    activities.task_set_done(task=series(head)[1], done=True, actor=rep)
    activities.task_update(
        task=head,
        actor=rep,
        scope="following",
        title="Renamed",
        start=at(2027, 3, 1, 11),
        frequency="daily",
        interval=1,
        count=3,
    )
    tasks = series(head)
    assert [(t.title, t.done) for t in tasks] == [
        ("Renamed", False),
        ("Weekly call", True),
        ("Renamed", False),
    ]


def test_delete_this_and_following(rep):
    head = create(rep, start=at(2027, 3, 1), frequency="daily", count=5)
    activities.task_delete(task=series(head)[3], actor=rep, scope="following")
    assert local_days(series(head)) == [
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 3),
    ]
    head.refresh_from_db()
    assert head.until == dt.date(2027, 3, 3)


def test_delete_one_occurrence_is_not_generated_again(rep):
    head = create(rep, start=at(2027, 3, 1), frequency="daily", until=dt.date(2027, 3, 4))
    activities.task_delete(task=series(head)[1], actor=rep)
    activities.series_extend(through=dt.date(2027, 3, 31))
    assert local_days(series(head)) == [
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 3),
        dt.date(2027, 3, 4),
    ]


def test_lazy_extension_costs_one_query_when_nothing_lags(rep, django_assert_num_queries):
    create(rep, start=at(2027, 1, 4), frequency="daily")
    create(rep, start=at(2027, 1, 4), frequency="monthly")
    with django_assert_num_queries(1):
        assert activities.series_extend(lazy=True) == 0


def test_lazy_extension_tops_up_a_lagging_series(rep):
    head = create(rep, start=at(2027, 1, 4), frequency="weekly")
    last = series(head)[-1].start.astimezone(PARIS).date()
    later = last + dt.timedelta(days=60)
    assert activities.series_extend(through=later, lazy=True) > 0
    assert series(head)[-1].start.astimezone(PARIS).date() > last


def test_a_one_off_task_that_starts_repeating(rep):
    task = create(rep, start=at(2027, 3, 2))  # a Tuesday
    activities.task_update(
        task=task, actor=rep, frequency="weekly", weekdays="0,3", interval=1, count=3
    )
    task.refresh_from_db()
    assert task.occurrence_start == task.start == at(2027, 3, 4)  # moved to the first Thursday
    assert local_days(series(task)) == [
        dt.date(2027, 3, 4),
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 11),
    ]
    # Editing this occurrence only leaves the rule alone.
    activities.task_update(task=task, actor=rep, scope="this", title="Renamed", frequency="daily")
    task.refresh_from_db()
    assert task.frequency == "weekly" and task.title == "Renamed"


def test_a_calendar_date_out_of_reach_extends_no_series(rep, rep_client):
    """?date=9999-12-01 shows this month, as for any junk date: it neither creates the
    occurrences of a daily series up to year 9999 nor fails past the last date Python holds."""
    head = create(rep, start=at(2027, 1, 4), frequency="daily")
    before = len(series(head))
    for junk in ("9999-12-01", "9999-12-31", "0001-01-01"):
        response = rep_client.get(f"/tasks/calendar/?date={junk}")
        assert response.status_code == 200, junk
    assert len(series(head)) == before
