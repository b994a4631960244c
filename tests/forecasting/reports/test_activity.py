"""Activity against hand-built tasks with known answers.

Today is Monday 15/06/2026 12:00 (Paris); the period is June 2026, whose weeks start on
01, 08, 15, 22 and 29 June.

Tasks done (done_at):
    rep        call 02/06, call 03/06, meeting 09/06; call 31/05 (before the period)
    other_rep  e-mail 10/06; a private call 04/06 (only other_rep reads it)
    nobody     to-do 05/06, about a prospect only
Tasks to do (start):
    rep        01/06 (overdue)
    other_rep  12/06 (overdue), today 08:00 (due today: not overdue), 20/06
Open opportunities:
    rep        X with a task to do; Y with no task; Z with only a done task → Y, Z idle
               W won with no task (not open: not counted)
    other_rep  V with only a private task to do (a next action all the same)
"""

import datetime as dt
import zoneinfo

import pytest

from forecasting.reports import REPORTS
from forecasting.reports.base import ReportFilters
from pipeline.models import TaskType
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=PARIS)
JUNE = {"start": dt.date(2026, 6, 1), "end": dt.date(2026, 6, 30)}


def day(month: int, number: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, number, hour, tzinfo=PARIS)


def done(assignee, code, when, **kwargs):
    return f.TaskFactory(
        assignee=assignee,
        type=f.task_type(code),
        done=True,
        done_at=when,
        start=when - dt.timedelta(hours=1),
        **kwargs,
    )


def to_do(assignee, when, **kwargs):
    return f.TaskFactory(assignee=assignee, type=f.task_type("todo"), start=when, **kwargs)


@pytest.fixture
def world(freeze, rep, other_rep, default_process):
    freeze(NOW)
    deal = {
        name: f.OpportunityFactory(
            owner=owner, prospect=f.ProspectFactory(owner=owner), summary=name, status=status
        )
        for name, owner, status in (
            ("X", rep, "open"),
            ("Y", rep, "open"),
            ("Z", rep, "open"),
            ("W", rep, "won"),
            ("V", other_rep, "open"),
        )
    }
    tasks = {
        "call1": done(rep, "call", day(6, 2), opportunity=deal["X"], title="call1"),
        "call2": done(rep, "call", day(6, 3), opportunity=deal["Z"], title="call2"),
        "meeting": done(rep, "meeting", day(6, 9), opportunity=deal["X"], title="meeting"),
        "early": done(rep, "call", day(5, 31), opportunity=deal["X"], title="early"),
        "email": done(other_rep, "email", day(6, 10), opportunity=deal["V"], title="email"),
        "private": done(
            other_rep, "call", day(6, 4), opportunity=deal["V"], is_private=True, title="private"
        ),
        "nobody": done(None, "todo", day(6, 5), prospect=f.ProspectFactory(), title="nobody"),
        "late": to_do(rep, day(6, 1), opportunity=deal["X"], title="late"),
        "late2": to_do(other_rep, day(6, 12), title="late2"),
        "today": to_do(other_rep, day(6, 15, 8), title="today"),
        "later": to_do(other_rep, day(6, 20), title="later"),
        "next": to_do(other_rep, day(6, 20), opportunity=deal["V"], is_private=True, title="next"),
    }
    return {"deal": deal, "tasks": tasks}


def report():
    return REPORTS["activity"]()


def compute(user, **filters):
    return report().compute(ReportFilters(**{**JUNE, **filters}), user)


def rows(result) -> dict[str, dict]:
    """{rep: {column: value}}; the task types' columns named by their code."""
    codes = {f"type_{t.pk}": t.code for t in TaskType.objects.all()}
    columns = {c.key: codes.get(c.key, c.label) for c in result.columns}
    return {
        row["rep"].value: {columns[k]: c.value for k, c in row.items() if k != "rep"}
        for row in result.rows
    }


def drill(user, key, **filters) -> set[str]:
    records = report().drill(ReportFilters(**{**JUNE, **filters}), user, key)
    field = "title" if report().drill_kind(key) == "tasks" else "summary"
    return set(records.values_list(field, flat=True))


def test_tasks_done_per_rep_and_type(world, manager, rep, other_rep):
    table = rows(compute(manager))
    alice, bruno = table["Alice Durand"], table["Bruno Lefèvre"]
    assert (alice["call"], alice["meeting"], alice["email"]) == (2, 1, 0)
    assert alice["Done in the period"] == 3  # not the call of 31 May
    assert (bruno["email"], bruno["call"]) == (1, 0)  # the private call is not the manager's
    assert table["Unassigned"]["todo"] == 1
    assert table["All reps"]["Done in the period"] == 5


def test_overdue_means_due_before_today(world, manager):
    table = rows(compute(manager))
    assert table["Alice Durand"]["Overdue now"] == 1
    assert table["Bruno Lefèvre"]["Overdue now"] == 1  # not the one due at 08:00 today
    assert table["All reps"]["Overdue now"] == 2


def test_open_opportunities_with_no_task_to_do(world, manager):
    table = rows(compute(manager))
    alice = table["Alice Durand"]["Open opportunities with no next action"]
    assert alice == 2  # Y and Z; not X (a task to do), not W (won)
    assert table["Bruno Lefèvre"]["Open opportunities with no next action"] == 0  # private


def test_the_chart_counts_each_reps_tasks_week_by_week(world, manager):
    chart = compute(manager).chart
    assert chart.kind == "lines"
    assert len(chart.categories) == 5
    lines = {series.label: series.values for series in chart.series}
    assert lines["Alice Durand"] == [2, 1, 0, 0, 0]
    assert lines["Bruno Lefèvre"] == [0, 1, 0, 0, 0]
    assert lines["Unassigned"] == [1, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("done:{rep}:{call}", {"call1", "call2"}),
        ("done:{rep}:all", {"call1", "call2", "meeting"}),
        ("done:none:all", {"nobody"}),
        ("done:all:all", {"call1", "call2", "meeting", "email", "nobody"}),
        ("done:all:{call}", {"call1", "call2"}),
        ("overdue:{other}", {"late2"}),
        ("overdue:all", {"late", "late2"}),
        ("idle:{rep}", {"Y", "Z"}),
        ("idle:all", {"Y", "Z"}),
        ("idle:{other}", set()),
    ],
)
def test_each_number_drills_to_exactly_what_it_counts(
    world, manager, rep, other_rep, key, expected
):
    key = key.format(rep=rep.pk, other=other_rep.pk, call=f.task_type("call").pk)
    assert drill(manager, key) == expected
    cells = [cell for row in compute(manager).rows for cell in row.values() if cell.drill == key]
    assert [cell.value for cell in cells] == [len(expected)]


@pytest.mark.parametrize("key", ["", "done", "done:x:all", "done:1:x", "overdue", "idle:²", "x:1"])
def test_unknown_keys_drill_to_nothing(world, manager, key):
    assert drill(manager, key) == set()


def test_a_rep_sees_only_their_own_activity(world, rep, other_rep):
    table = rows(compute(rep))
    assert list(table) == ["Alice Durand"]
    assert drill(rep, f"done:{other_rep.pk}:all") == set()
    assert drill(rep, "overdue:all") == {"late"}
    assert drill(rep, "idle:all") == {"Y", "Z"}


def test_a_private_task_counts_for_the_rep_it_belongs_to(world, other_rep):
    table = rows(compute(other_rep))
    assert table["Bruno Lefèvre"]["call"] == 1
    assert table["Bruno Lefèvre"]["Done in the period"] == 2


def test_the_rep_filter_and_the_process_filter(world, manager, other_rep):
    assert list(rows(compute(manager, owner=other_rep))) == ["Bruno Lefèvre"]
    process = f.default_process()
    table = rows(compute(manager, process=process))
    assert "Unassigned" not in table  # a task about a prospect alone is in no process
    other = f.ProcessFactory(steps=1)
    assert rows(compute(manager, process=other)) == {}


def test_the_drill_says_what_it_lists(world, manager):
    assert report().drill_kind("idle:all") == "opportunities"
    assert report().drill_kind("done:all:all") == "tasks"
