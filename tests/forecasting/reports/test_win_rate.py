"""Win rate and cycle against hand-built opportunities with known answers.

The period is the first quarter of 2025; an opportunity counts when it was won or lost with a
closing date in it. Cycle = closing date − day of creation (Paris time), over the won ones.

          rep    process channel created      closed      status cycle amount
    w1    alice  P1      X       2025-01-01   2025-01-11  won    10    1 000
    w2    alice  P1      —       2024-12-02   2025-01-21  won    50    3 000
    w3    alice  P2      X       2025-02-01   2025-02-21  won    20    2 000
    l1    alice  P1      X       2025-01-10   2025-02-09  lost   (30)
    l2    bruno  P2      —       2025-03-01   2025-03-05  lost   (4)
    w4    bruno  P1      X       2025-03-01   2025-03-31  won    30    5 000
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.http import QueryDict

from forecasting.reports import REPORTS
from forecasting.reports.base import ReportFilterForm, ReportFilters
from pipeline.models import Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
WON, LOST, OPEN = Opportunity.Status.WON, Opportunity.Status.LOST, Opportunity.Status.OPEN


def make(owner, process, channel, created, closed, status, amount=0):
    return f.OpportunityFactory(
        owner=owner,
        process=process,
        step=process.steps.first(),
        prospect=f.ProspectFactory(owner=owner, channel=channel),
        created_at=dt.datetime(*created, 12, tzinfo=PARIS),
        closing_date=dt.date(*closed) if closed else None,
        status=status,
        amount=Decimal(amount),
        loss_reason=f.LossReasonFactory() if status == LOST else None,
    )


@pytest.fixture
def world(rep, other_rep):
    p1 = f.ProcessFactory(name="P1", steps=2, position=0)
    p2 = f.ProcessFactory(name="P2", steps=2, position=1)
    x = f.ChannelFactory(name="X")
    o = {
        "w1": make(rep, p1, x, (2025, 1, 1), (2025, 1, 11), WON, 1000),
        "w2": make(rep, p1, None, (2024, 12, 2), (2025, 1, 21), WON, 3000),
        "w3": make(rep, p2, x, (2025, 2, 1), (2025, 2, 21), WON, 2000),
        "l1": make(rep, p1, x, (2025, 1, 10), (2025, 2, 9), LOST, 7000),
        "l2": make(other_rep, p2, None, (2025, 3, 1), (2025, 3, 5), LOST, 9000),
        "w4": make(other_rep, p1, x, (2025, 3, 1), (2025, 3, 31), WON, 5000),
    }
    # Out of the count: closed before or after the period, open, inactive, in the trash.
    make(rep, p1, x, (2024, 11, 1), (2024, 12, 31), WON, 100)
    make(rep, p1, x, (2025, 1, 1), (2025, 5, 2), WON, 100)
    make(rep, p1, x, (2025, 1, 1), None, OPEN, 100)
    make(rep, p1, x, (2025, 1, 1), (2025, 2, 1), Opportunity.Status.INACTIVE, 100)
    trashed = make(rep, p1, x, (2025, 1, 1), (2025, 2, 1), WON, 100)
    Opportunity.all_objects.filter(pk=trashed.pk).update(deleted_at=dt.datetime.now(PARIS))
    return {"p1": p1, "p2": p2, "x": x, **o}


def quarter(group=None, **kwargs) -> ReportFilters:
    filters = ReportFilters(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), **kwargs)
    if group:
        filters.extra = {"group": group}
    return filters


def table(result) -> dict[str, dict[str, object]]:
    return {row["group"].value: {k: c.value for k, c in row.items()} for row in result.rows}


def figures(row) -> tuple:
    return (
        row["won"],
        row["lost"],
        pytest.approx(row["win_rate"]) if row["win_rate"] is not None else None,
        pytest.approx(row["avg_cycle"]) if row["avg_cycle"] is not None else None,
        row["median_cycle"],
        row["avg_deal"],
    )


def drilled(filters, user, key) -> set[int]:
    return set(REPORTS["win-rate"]().drill(filters, user, key).values_list("pk", flat=True))


def pks(world, *names) -> set[int]:
    return {world[name].pk for name in names}


def test_by_rep_by_default(world, manager):
    result = REPORTS["win-rate"]().compute(quarter(), manager)
    rows = table(result)
    assert list(rows) == ["Alice Durand", "Bruno Lefèvre", "Total"]
    assert figures(rows["Alice Durand"]) == (3, 1, 75.0, 80 / 3, 20.0, Decimal("2000.00"))
    assert figures(rows["Bruno Lefèvre"]) == (1, 1, 50.0, 30.0, 30.0, Decimal("5000.00"))
    assert figures(rows["Total"]) == (4, 2, 100 * 4 / 6, 27.5, 25.0, Decimal("2750.00"))
    assert [c.key for c in result.columns][0] == "group"
    assert result.columns[0].label == "Rep"
    assert "closing date" in result.notes


def test_by_process(world, manager):
    rows = table(REPORTS["win-rate"]().compute(quarter("process"), manager))
    assert list(rows) == ["P1", "P2", "Total"]
    assert figures(rows["P1"]) == (3, 1, 75.0, 30.0, 30.0, Decimal("3000.00"))
    assert figures(rows["P2"]) == (1, 1, 50.0, 20.0, 20.0, Decimal("2000.00"))


def test_by_channel(world, manager):
    rows = table(REPORTS["win-rate"]().compute(quarter("channel"), manager))
    assert list(rows) == ["X", "No channel", "Total"]
    assert figures(rows["X"]) == (3, 1, 75.0, 20.0, 20.0, Decimal("2666.67"))
    assert figures(rows["No channel"]) == (1, 1, 50.0, 50.0, 50.0, Decimal("3000.00"))


def test_by_month_every_month_of_the_period(world, manager):
    filters = ReportFilters(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 4, 30), extra={"group": "month"}
    )
    result = REPORTS["win-rate"]().compute(filters, manager)
    rows = table(result)
    assert list(rows) == ["January 2025", "February 2025", "March 2025", "April 2025", "Total"]
    assert figures(rows["January 2025"]) == (2, 0, 100.0, 30.0, 30.0, Decimal("2000.00"))
    assert figures(rows["February 2025"]) == (1, 1, 50.0, 20.0, 20.0, Decimal("2000.00"))
    assert figures(rows["March 2025"]) == (1, 1, 50.0, 30.0, 30.0, Decimal("5000.00"))
    assert figures(rows["April 2025"]) == (0, 0, None, None, None, None)
    assert result.chart.kind == "lines"
    assert result.chart.categories == ["January 2025", "February 2025", "March 2025", "April 2025"]
    assert result.chart.series[0].values == [100.0, 50.0, 50.0, None]
    assert result.chart.unit == "%"
    assert result.rows[0]["won"].drill == "won:2025-01"
    assert drilled(filters, manager, "won:2025-01") == pks(world, "w1", "w2")
    assert drilled(filters, manager, "closed:2025-03") == pks(world, "w4", "l2")
    assert not drilled(filters, manager, "won:2025-04")


def test_chart_bars_of_the_win_rate_per_group(world, manager):
    chart = REPORTS["win-rate"]().compute(quarter(), manager).chart
    assert chart.kind == "bars"
    assert chart.categories == ["Alice Durand", "Bruno Lefèvre"]
    assert chart.series[0].values == [75.0, 50.0]
    assert chart.unit == "%"


def test_each_number_drills_to_the_opportunities_counted(world, manager, rep, other_rep):
    report = REPORTS["win-rate"]()
    for group, value, won, lost in (
        ("rep", rep.pk, ("w1", "w2", "w3"), ("l1",)),
        ("rep", other_rep.pk, ("w4",), ("l2",)),
        ("process", world["p1"].pk, ("w1", "w2", "w4"), ("l1",)),
        ("channel", world["x"].pk, ("w1", "w3", "w4"), ("l1",)),
        ("channel", "none", ("w2",), ("l2",)),
        ("rep", "all", ("w1", "w2", "w3", "w4"), ("l1", "l2")),
    ):
        filters = quarter(group)
        assert drilled(filters, manager, f"won:{value}") == pks(world, *won), (group, value)
        assert drilled(filters, manager, f"lost:{value}") == pks(world, *lost), (group, value)
        assert drilled(filters, manager, f"closed:{value}") == pks(world, *won, *lost)
    for group in ("rep", "process", "channel", "month"):
        filters = quarter(group)
        result = report.compute(filters, manager)
        for row in result.rows:
            for key in ("won", "lost"):
                cell = row[key]
                assert len(drilled(filters, manager, cell.drill)) == cell.value, cell.drill
            assert row["win_rate"].drill.startswith("closed:")
            assert row["median_cycle"].drill == row["won"].drill


def test_unknown_keys_answer_nothing(world, manager):
    for key in ("", "won", "won:", "won:abc", "nope:all", "won:2025-13", "won:99999"):
        assert not drilled(quarter(), manager, key), key
    assert not drilled(quarter("month"), manager, "won:abc")


def test_a_rep_sees_only_their_own(world, rep, other_rep):
    form = ReportFilterForm(
        QueryDict(f"start=2025-01-01&end=2025-03-31&owner={rep.pk}"), user=other_rep
    )
    filters = ReportFilters.from_form(form, other_rep)
    result = REPORTS["win-rate"]().compute(filters, other_rep)
    rows = table(result)
    assert list(rows) == ["Bruno Lefèvre", "Total"]
    assert figures(rows["Total"]) == (1, 1, 50.0, 30.0, 30.0, Decimal("5000.00"))
    assert drilled(filters, other_rep, f"won:{rep.pk}") == set()
    assert drilled(filters, other_rep, "closed:all") == pks(world, "w4", "l2")


def test_shared_filters_apply(world, manager, rep):
    rows = table(REPORTS["win-rate"]().compute(quarter(owner=rep), manager))
    assert list(rows) == ["Alice Durand", "Total"]
    category = f.CategoryFactory()
    world["w1"].prospect.categories.add(category)
    world["w1"].company = f.CompanyFactory()
    world["w1"].save()
    world["w1"].company.categories.add(category)  # two ways in: still counted once
    world["l1"].prospect.categories.add(category)
    filters = quarter("channel", category=category)
    rows = table(REPORTS["win-rate"]().compute(filters, manager))
    assert figures(rows["X"]) == (1, 1, 50.0, 10.0, 10.0, Decimal("1000.00"))
    assert drilled(filters, manager, "closed:all") == pks(world, "w1", "l1")
    rows = table(REPORTS["win-rate"]().compute(quarter(process=world["p2"]), manager))
    assert figures(rows["Total"]) == (1, 1, 50.0, 20.0, 20.0, Decimal("2000.00"))


def test_group_is_read_from_the_url_and_kept_in_links(world, manager):
    report = REPORTS["win-rate"]()
    query = QueryDict("start=2025-01-01&end=2025-03-31&group=process")
    filters = ReportFilters.from_form(
        ReportFilterForm(query, user=manager), manager, report.extra_form(query)
    )
    assert filters.extra == {"group": "process"}
    assert "group=process" in filters.query()
    assert list(table(report.compute(filters, manager))) == ["P1", "P2", "Total"]
    junk = QueryDict("group=nonsense")
    filters = ReportFilters.from_form(
        ReportFilterForm(junk, user=manager), manager, report.extra_form(junk)
    )
    assert filters.extra == {}
    assert "group" not in filters.query()


def test_a_constant_number_of_queries(world, manager, django_assert_max_num_queries):
    for group in ("rep", "process", "channel", "month"):
        with django_assert_max_num_queries(5):  # the manager check, 3 figures, the names
            REPORTS["win-rate"]().compute(quarter(group), manager)
