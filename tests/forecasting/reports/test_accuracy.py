"""The forecast accuracy report against hand-built snapshots and wins with known answers.

The period is the first quarter of 2026. Snapshots (weighted / unweighted amounts):

    taken 31/12/2025  for February: alice 4,000 / 8,000
                      for March:    alice 5,000 / 12,000, bruno 1,000 / 2,000
    taken 31/01/2026  for February: alice 3,000 / 6,000
    taken 27/02/2026  for March:    alice 99,999 (not the one that counts: a later one exists)
    taken 01/03/2026  for March:    alice 8,000 / 10,000, bruno 2,000 / 5,000

The snapshot standing for month M at M-1 is the last taken on or before M's first day (else
the first taken during M), at M-3 the last on or before the first day of M-2 (else the first
taken during M-2), as on the forecast accuracy page:

    January:  M-1 31/12 (nothing for January: 0), M-3 none
    February: M-1 31/01 (3,000 / 6,000), M-3 31/12 (first during December: 4,000 / 8,000)
    March:    M-1 01/03 (10,000 / 15,000), M-3 31/12 (6,000 / 14,000)

Won (by closing date): alice 1,000 in January, 5,000 in February, 6,000 + 4,000 in March;
bruno 3,000 in March; outside the quarter or lost: not counted.
Error = (predicted weighted − won) ÷ won.
"""

import datetime as dt
from decimal import Decimal

import pytest

from forecasting.models import ForecastSnapshot
from forecasting.reports import REPORTS
from forecasting.reports.base import ReportFilters
from pipeline.models import Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db

WON, LOST = Opportunity.Status.WON, Opportunity.Status.LOST
D = Decimal


def date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def snapshot(taken_on, month, owner, weighted, amount, process=None):
    ForecastSnapshot.objects.create(
        taken_on=taken_on,
        month=month,
        owner=owner,
        process=process or f.default_process(),
        count=1,
        amount=D(amount),
        weighted_amount=D(weighted),
    )


def closed(owner, amount, closing, status=WON, **extra):
    return f.OpportunityFactory(
        owner=owner,
        prospect=extra.pop("prospect", None) or f.ProspectFactory(owner=owner),
        status=status,
        amount=D(amount),
        closing_date=closing,
        loss_reason=f.LossReasonFactory() if status == LOST else None,
        **extra,
    )


@pytest.fixture
def history(rep, other_rep):
    feb, mar = date(2026, 2, 1), date(2026, 3, 1)
    snapshot(date(2025, 12, 31), feb, rep, 4000, 8000)
    snapshot(date(2025, 12, 31), mar, rep, 5000, 12000)
    snapshot(date(2025, 12, 31), mar, other_rep, 1000, 2000)
    snapshot(date(2026, 1, 31), feb, rep, 3000, 6000)
    snapshot(date(2026, 2, 27), mar, rep, 99999, 99999)
    snapshot(date(2026, 3, 1), mar, rep, 8000, 10000)
    snapshot(date(2026, 3, 1), mar, other_rep, 2000, 5000)
    return {
        "jan": closed(rep, 1000, date(2026, 1, 15)),
        "feb": closed(rep, 5000, date(2026, 2, 10)),
        "mar1": closed(rep, 6000, date(2026, 3, 5)),
        "mar2": closed(rep, 4000, date(2026, 3, 20)),
        "bruno": closed(other_rep, 3000, date(2026, 3, 12)),
        "lost": closed(other_rep, 7000, date(2026, 3, 12), status=LOST),
        "april": closed(rep, 2000, date(2026, 4, 2)),
        "december": closed(rep, 500, date(2025, 12, 30)),
    }


def quarter(**kwargs) -> ReportFilters:
    return ReportFilters(start=date(2026, 1, 1), end=date(2026, 3, 31), **kwargs)


def report():
    return REPORTS["accuracy"]()


def values(row: dict) -> dict:
    return {key: cell.value for key, cell in row.items()}


def drilled(filters, user, key) -> set[int]:
    return set(report().drill(filters, user, key).values_list("pk", flat=True))


def test_each_month_beside_the_forecasts_made_one_and_three_months_before(history, manager):
    result = report().compute(quarter(), manager)

    rows = [values(row) for row in result.rows]
    assert [row["month"] for row in rows] == [
        "January 2026",
        "February 2026",
        "March 2026",
        "Total",
    ]
    january, february, march, total = rows
    assert january == {
        "month": "January 2026",
        "taken_1": "12/31/2025",
        "weighted_1": D("0.00"),
        "amount_1": D("0.00"),
        "taken_3": None,
        "weighted_3": None,
        "amount_3": None,
        "won_count": 1,
        "won_amount": D("1000.00"),
        "error_1": D("-100.0"),
        "error_3": None,
    }
    assert february == {
        "month": "February 2026",
        "taken_1": "01/31/2026",
        "weighted_1": D("3000.00"),
        "amount_1": D("6000.00"),
        "taken_3": "12/31/2025",
        "weighted_3": D("4000.00"),
        "amount_3": D("8000.00"),
        "won_count": 1,
        "won_amount": D("5000.00"),
        "error_1": D("-40.0"),
        "error_3": D("-20.0"),
    }
    assert march == {
        "month": "March 2026",
        "taken_1": "03/01/2026",
        "weighted_1": D("10000.00"),
        "amount_1": D("15000.00"),
        "taken_3": "12/31/2025",
        "weighted_3": D("6000.00"),
        "amount_3": D("14000.00"),
        "won_count": 3,
        "won_amount": D("13000.00"),
        "error_1": D("-23.1"),
        "error_3": D("-53.8"),
    }
    # The total's errors compare with what was won in the months that had a snapshot.
    assert total == {
        "month": "Total",
        "taken_1": None,
        "weighted_1": D("13000.00"),
        "amount_1": D("21000.00"),
        "taken_3": None,
        "weighted_3": D("10000.00"),
        "amount_3": D("22000.00"),
        "won_count": 5,
        "won_amount": D("19000.00"),
        "error_1": D("-31.6"),
        "error_3": D("-44.4"),
    }
    assert result.chart.kind == "lines"
    assert result.chart.unit == "€"
    assert len(result.chart.categories) == 3
    assert [s.values for s in result.chart.series] == [
        [D("0.00"), D("3000.00"), D("10000.00")],
        [None, D("4000.00"), D("6000.00")],
        [D("1000.00"), D("5000.00"), D("13000.00")],
    ]


def test_per_rep_detail_when_no_rep_is_chosen(history, manager, rep, other_rep):
    result = report().compute(quarter(), manager)

    detail = {row["owner"].value: values(row) for row in result.detail_rows}
    assert list(detail) == ["Alice Durand", "Bruno Lefèvre"]
    assert detail["Alice Durand"] == {
        "owner": "Alice Durand",
        "weighted_1": D("11000.00"),
        "weighted_3": D("9000.00"),
        "won_count": 4,
        "won_amount": D("16000.00"),
        "error_1": D("-31.3"),
        "error_3": D("-40.0"),
    }
    assert detail["Bruno Lefèvre"] == {
        "owner": "Bruno Lefèvre",
        "weighted_1": D("2000.00"),
        "weighted_3": D("1000.00"),
        "won_count": 1,
        "won_amount": D("3000.00"),
        "error_1": D("-33.3"),
        "error_3": D("-66.7"),
    }
    bruno = result.detail_rows[1]
    assert drilled(quarter(), manager, bruno["won_amount"].drill) == {history["bruno"].pk}
    assert drilled(quarter(), manager, result.detail_rows[0]["won_count"].drill) == {
        history[key].pk for key in ("jan", "feb", "mar1", "mar2")
    }


def test_won_amounts_drill_to_exactly_the_won_opportunities(history, manager):
    result = report().compute(quarter(), manager)

    march, total = result.rows[2], result.rows[3]
    assert march["won_count"].drill == "won:2026-03"
    assert drilled(quarter(), manager, march["won_amount"].drill) == {
        history[key].pk for key in ("mar1", "mar2", "bruno")
    }
    assert drilled(quarter(), manager, total["won_count"].drill) == {
        history[key].pk for key in ("jan", "feb", "mar1", "mar2", "bruno")
    }
    # Snapshots hold totals, not opportunities: predictions link nowhere.
    assert march["weighted_1"].drill == ""
    assert drilled(quarter(), manager, "won:2026-13") == set()
    assert drilled(quarter(), manager, "won:2025-12") == set()
    assert drilled(quarter(), manager, "predicted:2026-03") == set()


def test_a_chosen_rep_and_no_detail(history, manager, other_rep):
    result = report().compute(quarter(owner=other_rep), manager)

    march = values(result.rows[2])
    assert (march["weighted_1"], march["weighted_3"], march["won_amount"]) == (
        D("2000.00"),
        D("1000.00"),
        D("3000.00"),
    )
    assert (march["error_1"], march["error_3"]) == (D("-33.3"), D("-66.7"))
    assert values(result.rows[0])["error_1"] is None  # nothing won: no error in %
    assert result.detail_rows == []


def test_a_rep_sees_only_their_own_figures(history, rep):
    result = report().compute(quarter(owner=rep), rep)

    march = values(result.rows[2])
    assert (march["weighted_1"], march["won_count"], march["won_amount"]) == (
        D("8000.00"),
        2,
        D("10000.00"),
    )
    assert drilled(quarter(), rep, "won:2026-03") == {history["mar1"].pk, history["mar2"].pk}
    # Even without the rep filter (a rep's filters always carry it): only their own.
    total = values(report().compute(quarter(), rep).rows[-1])
    assert (total["weighted_1"], total["won_amount"]) == (D("11000.00"), D("16000.00"))


def test_process_filter_applies_to_snapshots_and_wins(history, manager, rep):
    other = f.ProcessFactory(steps=2)
    snapshot(date(2026, 3, 1), date(2026, 3, 1), rep, 700, 900, process=other)
    won = closed(rep, 800, date(2026, 3, 8), process=other, step=other.steps.first())

    march = values(report().compute(quarter(process=other), manager).rows[2])

    assert (march["weighted_1"], march["amount_1"], march["won_amount"]) == (
        D("700.00"),
        D("900.00"),
        D("800.00"),
    )
    assert march["weighted_3"] == D("0.00")  # the 31/12 snapshot had nothing in this process
    assert drilled(quarter(process=other), manager, "won:2026-03") == {won.pk}


def test_channel_filter_keeps_the_wins_and_drops_the_predictions(history, manager, rep):
    channel = f.ChannelFactory()
    won = closed(
        rep, 2500, date(2026, 3, 9), prospect=f.ProspectFactory(owner=rep, channel=channel)
    )

    result = report().compute(quarter(channel=channel), manager)

    march = values(result.rows[2])
    assert (march["weighted_1"], march["weighted_3"], march["error_1"]) == (None, None, None)
    assert (march["won_count"], march["won_amount"]) == (1, D("2500.00"))
    assert "channel" in result.notes
    assert drilled(quarter(channel=channel), manager, "won:2026-03") == {won.pk}


def test_twelve_months_by_default(manager):
    start, end = ReportFilters.default_period(date(2026, 3, 10))

    result = report().compute(ReportFilters(start=start, end=end), manager)

    assert len(result.rows) == 13
    assert result.rows[0]["month"].value == "April 2025"
    assert result.rows[-1]["weighted_1"].value is None  # no snapshot at all


def test_chart_months_read_unambiguously_in_french(manager):
    """June and July must not both read "Jui": the chart names months as French writes them."""
    from django.utils import translation

    with translation.override("fr"):
        result = report().compute(
            ReportFilters(start=date(2026, 6, 1), end=date(2026, 7, 31)), manager
        )

    assert result.chart.categories == ["juin 2026", "juil. 2026"]
