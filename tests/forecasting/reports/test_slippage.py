"""The slippage report against a hand-built expected-date history with known answers.

The period is the first quarter of 2026; the opportunities are created on 1 November 2025
unless said otherwise; delays in days (a "later move" pushes the expected date later):

    alice  A   before the period +32 (31/12 → 01/02); in it +10 (Jan), +4, +14 (Feb),
               then -4 (Mar, earlier)                   slipped 3 times in the period
    alice  B   +6 (Feb); a first date set from nothing (Jan): not a move
    alice  C   no change
    alice  W   won on 20/01/2026, no change; +9 recorded in Feb after it was won: not a slip
    alice  X   lost on 15/12/2025: closed before the period, counts nowhere
    bruno  D   +1, +3 (Jan), +20 (Mar), -2 (Feb, earlier)  slipped 3 times in the period

Alice: 4 opportunities, 2 slipped (A, B), later moves 10, 4, 14, 6: average 8.5, median 8,
total 34 days; 1 with an earlier move (A); 1 slipped three times (A).
Bruno: 1 opportunity, 1 slipped, moves 1, 3, 20: average 8, median 3, total 24; 1 earlier.
Team: 5 opportunities, 3 slipped (60 %), 7 moves 1, 3, 4, 6, 10, 14, 20: average 58 / 7,
median 6, total 58; 2 with an earlier move; 2 slipped three times.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from forecasting.reports import REPORTS
from forecasting.reports.base import ReportFilters
from pipeline.models import HistoryEntry, Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
WON, LOST, OPEN = Opportunity.Status.WON, Opportunity.Status.LOST, Opportunity.Status.OPEN
CREATED = dt.datetime(2025, 11, 1, 9, tzinfo=PARIS)


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=PARIS)


def date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def make(owner, *, moves=(), status=OPEN, closing=None, expected=None, summary="", **extra):
    """An opportunity with expected-date changes `moves` = [(from, to, when), ...]."""
    opportunity = f.OpportunityFactory(
        owner=owner,
        prospect=f.ProspectFactory(owner=owner),
        status=status,
        closing_date=closing,
        expected_date=expected or (moves[-1][1] if moves else date(2026, 6, 1)),
        created_at=extra.pop("created", CREATED),
        summary=summary or "Deal",
        loss_reason=f.LossReasonFactory() if status == LOST else None,
        **extra,
    )
    HistoryEntry.objects.bulk_create(
        HistoryEntry(
            opportunity=opportunity,
            prospect=opportunity.prospect,
            kind=HistoryEntry.Kind.EXPECTED,
            from_date=old,
            to_date=new,
            at=when,
        )
        for old, new, when in moves
    )
    return opportunity


@pytest.fixture
def history(rep, other_rep):
    deals = {
        "A": make(
            rep,
            summary="Deal A",
            moves=[
                (date(2025, 12, 31), date(2026, 2, 1), at(2025, 12, 20)),
                (date(2026, 2, 1), date(2026, 2, 11), at(2026, 1, 10)),
                (date(2026, 2, 11), date(2026, 2, 15), at(2026, 2, 5)),
                (date(2026, 2, 15), date(2026, 3, 1), at(2026, 2, 20)),
                (date(2026, 3, 1), date(2026, 2, 25), at(2026, 3, 3)),
            ],
        ),
        "B": make(
            rep,
            moves=[
                (None, date(2026, 2, 10), at(2026, 1, 5)),
                (date(2026, 2, 10), date(2026, 2, 16), at(2026, 2, 1)),
            ],
        ),
        "C": make(rep),
        "W": make(
            rep,
            status=WON,
            closing=date(2026, 1, 20),
            moves=[(date(2026, 1, 20), date(2026, 1, 29), at(2026, 2, 3))],
        ),
        "X": make(rep, status=LOST, closing=date(2025, 12, 15)),
        "D": make(
            other_rep,
            summary="Deal D",
            moves=[
                (date(2026, 1, 10), date(2026, 1, 11), at(2026, 1, 2)),
                (date(2026, 1, 11), date(2026, 1, 14), at(2026, 1, 9)),
                (date(2026, 1, 14), date(2026, 1, 12), at(2026, 2, 9)),
                (date(2026, 1, 12), date(2026, 2, 1), at(2026, 3, 30)),
            ],
        ),
    }
    # Outside the period: after its end, and an opportunity created after it.
    HistoryEntry.objects.create(
        opportunity=deals["C"],
        kind=HistoryEntry.Kind.EXPECTED,
        from_date=date(2026, 6, 1),
        to_date=date(2026, 7, 1),
        at=at(2026, 4, 2),
    )
    make(rep, created=at(2026, 4, 5))
    return deals


def quarter(**kwargs) -> ReportFilters:
    return ReportFilters(start=date(2026, 1, 1), end=date(2026, 3, 31), **kwargs)


def report():
    return REPORTS["slippage"]()


def values(row: dict) -> dict:
    return {key: cell.value for key, cell in row.items()}


def drilled(filters, user, key) -> set[int]:
    return set(report().drill(filters, user, key).values_list("pk", flat=True))


def ids(*deals) -> set[int]:
    return {deal.pk for deal in deals}


def test_per_rep_with_a_total_row(history, manager, rep, other_rep):
    result = report().compute(quarter(), manager)

    rows = {row["group"].value: values(row) for row in result.rows}
    assert list(rows) == ["Alice Durand", "Bruno Lefèvre", "Total"]
    assert rows["Alice Durand"] == {
        "group": "Alice Durand",
        "opportunities": 4,
        "slipped": 2,
        "share": Decimal("50.0"),
        "moves": 4,
        "average": Decimal("8.5"),
        "median": Decimal("8.0"),
        "days": 34,
        "earlier": 1,
        "slipped3": 1,
    }
    assert rows["Bruno Lefèvre"] == {
        "group": "Bruno Lefèvre",
        "opportunities": 1,
        "slipped": 1,
        "share": Decimal("100.0"),
        "moves": 3,
        "average": Decimal("8.0"),
        "median": Decimal("3.0"),
        "days": 24,
        "earlier": 1,
        "slipped3": 1,
    }
    assert rows["Total"] == {
        "group": "Total",
        "opportunities": 5,
        "slipped": 3,
        "share": Decimal("60.0"),
        "moves": 7,
        "average": Decimal("8.3"),
        "median": Decimal("6.0"),
        "days": 58,
        "earlier": 2,
        "slipped3": 2,
    }
    alice = result.rows[0]
    assert alice["slipped"].drill == f"slipped:{rep.pk}"
    assert result.rows[-1]["slipped3"].drill == "slipped3"
    assert result.chart.kind == "bars"
    assert result.chart.categories == ["Alice Durand", "Bruno Lefèvre"]
    assert [s.values for s in result.chart.series] == [[4, 3], [Decimal("8.5"), Decimal("8.0")]]


def test_the_numbers_drill_to_exactly_the_opportunities_counted(history, manager, rep, other_rep):
    filters, d = quarter(), history
    result = report().compute(filters, manager)
    keys = {row["group"].value: {k: c.drill for k, c in row.items()} for row in result.rows}

    assert drilled(filters, manager, keys["Alice Durand"]["opportunities"]) == ids(
        d["A"], d["B"], d["C"], d["W"]
    )
    assert drilled(filters, manager, keys["Alice Durand"]["slipped"]) == ids(d["A"], d["B"])
    assert drilled(filters, manager, keys["Alice Durand"]["median"]) == ids(d["A"], d["B"])
    assert drilled(filters, manager, keys["Alice Durand"]["earlier"]) == ids(d["A"])
    assert drilled(filters, manager, keys["Alice Durand"]["slipped3"]) == ids(d["A"])
    assert drilled(filters, manager, keys["Bruno Lefèvre"]["slipped"]) == ids(d["D"])
    assert drilled(filters, manager, keys["Total"]["opportunities"]) == ids(
        d["A"], d["B"], d["C"], d["W"], d["D"]
    )
    assert drilled(filters, manager, keys["Total"]["slipped"]) == ids(d["A"], d["B"], d["D"])
    assert drilled(filters, manager, "slipped3") == ids(d["A"], d["D"])
    assert drilled(filters, manager, "earlier") == ids(d["A"], d["D"])
    assert drilled(filters, manager, "nonsense") == set()
    assert drilled(filters, manager, "slipped:abc") == set()
    assert drilled(filters, manager, "slipped:2026-13") == set()
    assert drilled(filters, manager, "opportunities:2025-06") == set()
    assert drilled(filters, manager, "slipped:2026-02") == ids(d["A"], d["B"])


def test_opportunities_that_slipped_three_times_in_the_period(history, manager, rep, other_rep):
    result = report().compute(quarter(), manager)

    detail = [values(row) for row in result.detail_rows]
    assert [row["opportunity"] for row in detail] == ["Deal A", "Deal D"]
    assert detail[0]["owner"] == "Alice Durand"
    assert (detail[0]["slips"], detail[0]["days"]) == (3, 28)
    # First expected date: before any change, even one made before the period.
    assert (detail[0]["first"], detail[0]["current"]) == ("12/31/2025", "02/25/2026")
    assert (detail[1]["slips"], detail[1]["days"]) == (3, 24)
    assert (detail[1]["first"], detail[1]["current"]) == ("01/10/2026", "02/01/2026")
    key = result.detail_rows[0]["slips"].drill
    assert drilled(quarter(), manager, key) == ids(history["A"])


def test_per_month_when_a_rep_is_chosen(history, manager, rep):
    filters = quarter(owner=rep)
    result = report().compute(filters, manager)

    rows = [values(row) for row in result.rows]
    assert [row["group"] for row in rows] == [
        "January 2026",
        "February 2026",
        "March 2026",
        "Total",
    ]
    january, february, march, total = rows
    assert (january["opportunities"], january["slipped"], january["moves"]) == (4, 1, 1)
    assert (january["average"], january["days"], january["earlier"]) == (Decimal("10.0"), 10, 0)
    # W was won on 20 January: not open in February any more.
    assert (february["opportunities"], february["slipped"], february["share"]) == (
        3,
        2,
        Decimal("66.7"),
    )
    assert (february["moves"], february["average"], february["median"]) == (
        3,
        Decimal("8.0"),
        Decimal("6.0"),
    )
    assert (march["slipped"], march["moves"], march["average"], march["earlier"]) == (0, 0, None, 1)
    assert (total["opportunities"], total["slipped"], total["moves"], total["days"]) == (
        4,
        2,
        4,
        34,
    )
    assert "slipped3" not in total
    assert result.chart.kind == "lines"
    assert len(result.chart.categories) == 3
    assert [s.values for s in result.chart.series] == [
        [1, 3, 0],
        [Decimal("10.0"), Decimal("8.0"), None],
    ]
    keys = [row["opportunities"].drill for row in result.rows]
    assert drilled(filters, manager, keys[1]) == ids(history["A"], history["B"], history["C"])
    assert drilled(filters, manager, result.rows[1]["slipped"].drill) == ids(
        history["A"], history["B"]
    )
    assert drilled(filters, manager, result.rows[2]["earlier"].drill) == ids(history["A"])


def test_a_rep_sees_only_their_own_figures(history, rep):
    result = report().compute(quarter(), rep)

    total = values(result.rows[-1])
    assert (total["opportunities"], total["slipped"], total["moves"], total["days"]) == (
        4,
        2,
        4,
        34,
    )
    assert [row["opportunity"].value for row in result.detail_rows] == ["Deal A"]
    assert drilled(quarter(), rep, "slipped") == ids(history["A"], history["B"])
    assert drilled(quarter(), rep, f"opportunity:{history['D'].pk}") == set()


def test_filters_select_the_opportunities(history, manager, rep):
    other = f.ProcessFactory(steps=2)
    moved = make(
        rep,
        process=other,
        step=other.steps.first(),
        moves=[(date(2026, 1, 1), date(2026, 1, 31), at(2026, 1, 2))],
    )

    result = report().compute(quarter(process=other), manager)

    total = values(result.rows[-1])
    assert (total["opportunities"], total["slipped"], total["days"]) == (1, 1, 30)
    assert drilled(quarter(process=other), manager, "slipped") == {moved.pk}


def test_category_on_both_prospect_and_company_counts_each_move_once(history, manager, rep):
    category = f.CategoryFactory()
    history["A"].prospect.categories.add(category)
    company = f.CompanyFactory()
    company.categories.add(category)
    Opportunity.objects.filter(pk=history["A"].pk).update(company=company)

    result = report().compute(quarter(category=category), manager)

    total = values(result.rows[-1])
    assert (total["opportunities"], total["slipped"], total["moves"], total["days"]) == (
        1,
        1,
        3,
        28,
    )
    assert (total["median"], total["earlier"], total["slipped3"]) == (Decimal("10.0"), 1, 1)
    assert [row["slips"].value for row in result.detail_rows] == [3]
    assert drilled(quarter(category=category), manager, "slipped3") == ids(history["A"])


def test_nothing_in_the_period(manager):
    result = report().compute(quarter(), manager)

    total = values(result.rows[-1])
    assert (total["opportunities"], total["slipped"], total["share"], total["median"]) == (
        0,
        0,
        None,
        None,
    )
    assert result.detail_rows == []
