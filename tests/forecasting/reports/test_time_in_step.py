"""Time in step against a hand-built history with known answers.

The default process: S1 (2 days) → S2 (5 days) → S3 (7 days) → S4 (10 days). Today is
15/06/2026 12:00 (Paris); the period is June 2026. Times are Paris times.

    A (rep)    created in S1 20/05 10:00, → S2 01/06 10:00, → S3 08/06 10:00, open in S3
               S1 12 days, S2 7 days (day 1 to day 8), in S3 for 7 days: not over its 7
    B (rep)    created in S1 02/06 09:00, → S2 03/06 09:00, won 13/06 09:00
               S1 1 day, S2 10 days (ended by the win)
    C (other)  created in S1 01/05 00:00, → S2 05/06 12:00, back → S1 06/06 12:00,
               → S2 07/06 12:00, open in S2
               S1 35.5 days then 1 day (two stays, one opportunity), S2 1 day,
               in S2 for 8 days: over its 5
    D (rep)    created in S1 01/04, → S2 10/04, lost 01/05: ended before the period
    F (rep)    created in S3 01/06 10:00, won 02/06 10:00, reopened 04/06 ("en cours", the
               French label), → S4 09/06 10:00, open in S4: S3 1 day; in S4 for 6 days

Stays ended in June: S1 [1, 1, 12, 35.5] (A, B, C twice); S2 [1, 7, 10] (C, A, B);
S3 [1] (F).
"""

import datetime as dt
import zoneinfo

import pytest

from forecasting.reports import REPORTS
from forecasting.reports.base import ReportFilters
from pipeline.models import HistoryEntry, Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=PARIS)
JUNE = {"start": dt.date(2026, 6, 1), "end": dt.date(2026, 6, 30)}


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=PARIS)


def make(owner, entries, *, status="open", summary=""):
    """An opportunity whose history is `entries` = [(kind, step or status label, when)]: its
    current step is the last step entered, its step clock the time it entered it."""
    steps = [(step, when) for kind, step, when in entries if kind in ("created", "step")]
    closing = [when for kind, _v, when in entries if kind == "status" and status != "open"]
    opportunity = f.OpportunityFactory(
        owner=owner,
        prospect=f.ProspectFactory(owner=owner),
        summary=summary,
        step=steps[-1][0],
        step_changed_at=steps[-1][1],
        status=status,
        created_at=entries[0][2],
        closing_date=closing[-1].date() if closing else None,
        loss_reason=f.LossReasonFactory() if status == "lost" else None,
    )
    previous = None
    rows = []
    for kind, value, when in entries:
        if kind == "status":
            rows.append(HistoryEntry(opportunity=opportunity, kind=kind, to_value=value, at=when))
            continue
        rows.append(
            HistoryEntry(
                opportunity=opportunity,
                kind=kind,
                from_step=previous,
                to_step=value,
                to_value=value.label,
                at=when,
            )
        )
        previous = value
    HistoryEntry.objects.bulk_create(rows)
    return opportunity


@pytest.fixture
def world(freeze, rep, other_rep, default_process):
    freeze(NOW)
    s1, s2, s3, s4 = default_process.steps.order_by("position")
    opportunities = {
        "A": make(
            rep,
            [("created", s1, at(5, 20)), ("step", s2, at(6, 1)), ("step", s3, at(6, 8))],
            summary="Deal A",
        ),
        "B": make(
            rep,
            [
                ("created", s1, at(6, 2, 9)),
                ("step", s2, at(6, 3, 9)),
                ("status", "won", at(6, 13, 9)),
            ],
            status="won",
            summary="Deal B",
        ),
        "C": make(
            other_rep,
            [
                ("created", s1, at(5, 1, 0)),
                ("step", s2, at(6, 5, 12)),
                ("step", s1, at(6, 6, 12)),
                ("step", s2, at(6, 7, 12)),
            ],
            summary="Deal C",
        ),
        "D": make(
            rep,
            [
                ("created", s1, at(4, 1)),
                ("step", s2, at(4, 10)),
                ("status", "lost", at(5, 1)),
            ],
            status="lost",
            summary="Deal D",
        ),
        "F": make(
            rep,
            [
                ("created", s3, at(6, 1)),
                ("status", "won", at(6, 2)),
                ("status", "en cours", at(6, 4)),
                ("step", s4, at(6, 9)),
            ],
            summary="Deal F",
        ),
    }
    return {"steps": (s1, s2, s3, s4), **opportunities}


def compute(user, **filters):
    report = REPORTS["time-in-step"]()
    return report.compute(ReportFilters(**{**JUNE, **filters}), user)


def figures(result) -> dict:
    return {row["step"].value: {k: c.value for k, c in row.items()} for row in result.rows}


def drill(user, key, **filters) -> set[str]:
    report = REPORTS["time-in-step"]()
    records = report.drill(ReportFilters(**{**JUNE, **filters}), user, key)
    return set(records.values_list("summary", flat=True))


def test_a_stay_from_day_1_to_day_8_counts_7_days(world, manager):
    s2 = world["steps"][1]
    row = figures(compute(manager))[s2.label]
    assert row["duration"] == 5
    assert row["left"] == 3  # A, B, C
    assert row["median"] == pytest.approx(7.0)  # [1, 7, 10]
    assert row["p90"] == pytest.approx(7 + 0.8 * 3)  # between 7 and 10, as percentile_cont
    assert row["over"] == 2  # A (7 > 5) and B (10 > 5)


def test_two_stays_of_one_opportunity_count_once_in_left_and_twice_in_the_median(world, manager):
    s1 = world["steps"][0]
    row = figures(compute(manager))[s1.label]
    assert row["left"] == 3  # A, B, C (twice)
    assert row["median"] == pytest.approx(6.5)  # [1, 1, 12, 35.5]
    assert row["p90"] == pytest.approx(12 + 0.7 * (35.5 - 12))
    assert row["over"] == 2  # A (12 days), C (35.5 days)


def test_a_reopening_does_not_end_a_stay_and_a_win_does(world, manager):
    s3, s4 = world["steps"][2:]
    rows = figures(compute(manager))
    assert rows[s3.label]["left"] == 1  # F, won after a day
    assert rows[s3.label]["median"] == pytest.approx(1.0)
    assert rows[s4.label]["left"] == 0
    assert rows[s4.label]["median"] is None


def test_stays_that_ended_outside_the_period_do_not_count(world, manager):
    s2 = world["steps"][1]
    row = figures(compute(manager, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 7)))[s2.label]
    assert row["left"] == 1  # C's 1 day (06/06); A left 08/06, B 13/06; D in April
    assert row["median"] == pytest.approx(1.0)


def test_in_the_step_now_and_overstaying_follow_the_board_clock(world, manager):
    rows = figures(compute(manager))
    s1, s2, s3, s4 = (step.label for step in world["steps"])
    assert (rows[s2]["now"], rows[s2]["overstaying"]) == (1, 1)  # C, 8 days > 5
    assert (rows[s3]["now"], rows[s3]["overstaying"]) == (1, 0)  # A, 7 days, not > 7
    assert (rows[s4]["now"], rows[s4]["overstaying"]) == (1, 0)  # F
    assert rows[s1]["now"] == 0


def test_the_detail_lists_who_overstays_now(world, manager):
    result = compute(manager)
    assert [row["opportunity"].value for row in result.detail_rows] == ["Deal C"]
    row = result.detail_rows[0]
    assert row["days"].value == 8
    assert row["duration"].value == 5
    assert row["opportunity"].url == world["C"].get_absolute_url()


def test_chart_shows_median_and_p90_against_the_duration(world, manager):
    chart = compute(manager).chart
    assert chart.kind == "bars"
    assert chart.unit == "days"
    assert chart.categories == [step.label for step in world["steps"]]
    assert chart.reference == [2, 5, 7, 10]
    assert [pytest.approx(v) if v is not None else None for v in chart.series[0].values] == [
        6.5,
        7.0,
        1.0,
        None,
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("left:{s2}", {"Deal A", "Deal B", "Deal C"}),
        ("over:{s2}", {"Deal A", "Deal B"}),
        ("left:{s1}", {"Deal A", "Deal B", "Deal C"}),
        ("over:{s1}", {"Deal A", "Deal C"}),
        ("left:{s3}", {"Deal F"}),
        ("now:{s2}", {"Deal C"}),
        ("overstaying:{s2}", {"Deal C"}),
        ("now:{s3}", {"Deal A"}),
        ("overstaying:{s3}", set()),
    ],
)
def test_each_number_drills_to_exactly_the_opportunities_it_counts(world, manager, key, expected):
    s1, s2, s3, _s4 = world["steps"]
    key = key.format(s1=s1.pk, s2=s2.pk, s3=s3.pk)
    assert drill(manager, key) == expected
    kind, _sep, step = key.partition(":")
    row = next(r for r in compute(manager).rows if r[kind].drill == key)
    assert row[kind].value == len(expected)


@pytest.mark.parametrize(
    "key", ["", "left", "left:", "left:abc", "left:²", "nope:1", "left:9" * 30]
)
def test_unknown_keys_drill_to_nothing(world, manager, key):
    assert drill(manager, key) == set()


def test_a_rep_sees_only_their_own_stays(world, rep):
    rows = figures(compute(rep))
    s1, s2, _s3, _s4 = (step.label for step in world["steps"])
    assert rows[s1]["left"] == 2  # A, B: not C
    assert rows[s1]["median"] == pytest.approx(6.5)  # [1, 12]
    assert rows[s2]["now"] == 0  # C is the other rep's
    assert compute(rep).detail_rows == []
    s2_step = world["steps"][1]
    assert drill(rep, f"left:{s2_step.pk}") == {"Deal A", "Deal B"}
    assert drill(rep, f"now:{s2_step.pk}") == set()


def test_the_owner_filter_gives_one_reps_figures(world, manager, other_rep):
    rows = figures(compute(manager, owner=other_rep))
    s1, s2, _s3, _s4 = (step.label for step in world["steps"])
    assert rows[s1]["left"] == 1
    assert rows[s1]["median"] == pytest.approx((1 + 35.5) / 2)
    assert rows[s2]["overstaying"] == 1


def test_another_process_has_its_own_steps(world, manager):
    process = f.ProcessFactory(steps=[("Only", 4, 50)])
    result = compute(manager, process=process)
    assert [row["step"].value for row in result.rows] == ["Only"]
    assert result.rows[0]["left"].value == 0
    assert Opportunity.objects.filter(process=process).count() == 0


def test_one_row_per_rep_gives_each_reps_median_per_step(world, manager, rep, other_rep):
    s1, s2, s3, s4 = world["steps"]
    result = compute(manager, extra={"by": "rep"})
    table = {row["rep"].value: row for row in result.rows}
    assert list(table) == ["Alice Durand", "Bruno Lefèvre"]
    alice, bruno = table["Alice Durand"], table["Bruno Lefèvre"]
    assert alice[f"step_{s1.pk}"].value == pytest.approx(6.5)  # A 12, B 1
    assert alice[f"step_{s2.pk}"].value == pytest.approx(8.5)  # A 7, B 10
    assert alice[f"step_{s3.pk}"].value == pytest.approx(1.0)  # F
    assert alice[f"step_{s4.pk}"].value is None
    assert bruno[f"step_{s1.pk}"].value == pytest.approx(18.25)  # C 35.5 and 1
    assert (alice["overstaying"].value, bruno["overstaying"].value) == (0, 1)
    assert result.chart.categories == ["Alice Durand", "Bruno Lefèvre"]
    assert [series.label for series in result.chart.series] == [s.label for s in world["steps"]]
    assert drill(manager, alice[f"step_{s1.pk}"].drill) == {"Deal A", "Deal B"}
    assert drill(manager, bruno["overstaying"].drill) == {"Deal C"}
    assert drill(manager, f"left:{s1.pk}:none") == set()
    assert drill(manager, f"now:all:{rep.pk}") == {"Deal A", "Deal F"}


def test_a_rep_per_rep_is_one_row(world, rep):
    result = compute(rep, extra={"by": "rep"})
    assert [row["rep"].value for row in result.rows] == ["Alice Durand"]
