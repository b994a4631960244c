"""Issue 20: the team's month calendar and the day view read a constant number of queries, and a
month cell shows its first tasks and counts the others."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pipeline.services import activities
from tests import factories as f
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 3, 10)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def fill(people, per_day: int) -> None:
    for person in people:
        for offset in range(-3, 4):
            for hour in range(per_day):
                activities.task_create(
                    actor=person,
                    title=f"Call {person.username} {offset} {hour}",
                    type=f.task_type("call"),
                    start=at(DAY + dt.timedelta(days=offset), 8 + hour),
                    is_private=hour == 0,
                )


def queries(client, params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("task_calendar") + params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_calendar_queries_do_not_grow_with_the_tasks(client, rep, other_rep, role, request):
    user = request.getfixturevalue(role)
    sign_in(client, user)
    fill([rep, other_rep], 1)
    month, team, day = (
        f"?date={DAY}",
        f"?date={DAY}&who=all",
        f"?view=day&date={DAY}&who=all",
    )
    few = [queries(client, p) for p in (month, team, day)]
    fill([rep, other_rep], 4)
    many = [queries(client, p) for p in (month, team, day)]
    assert many == few
    assert max(few) <= 12


def test_a_month_cell_shows_four_tasks_and_counts_the_others(client, rep, other_rep):
    fill([rep, other_rep], 3)  # 6 tasks a day for the team, 2 of them private
    sign_in(client, rep)
    response = client.get(reverse("task_calendar") + f"?date={DAY}&who=all")
    cell = next(c for week in response.context["weeks"] for c in week if c[0] == DAY)
    _date, tasks, in_month, more = cell
    assert in_month and len(tasks) == 4 and more == 2
    assert [t.start for t in tasks] == sorted(t.start for t in tasks)
    busy = [t for t in tasks if t.busy_only]
    assert [t.assignee for t in busy] == [other_rep]  # the colleague's private task
    page = response.content.decode()
    assert "2 more" in page and f"Call {other_rep.username} 0 0" not in page
