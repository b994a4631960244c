"""forecast_table: amount × probability of open opportunities by month of expected date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from forecasting.selectors import add_months, forecast_table, my_forecast
from pipeline.models import Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


def row(table, year, month):
    return next(r for r in table.rows if r.month == dt.date(year, month, 1))


def test_manual_example_hot_deal_of_20000_at_80_percent_adds_16000_to_june(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )

    table = forecast_table(user=rep, today=TODAY)

    june = row(table, 2026, 6)
    assert june.count == 1
    assert june.amount == Decimal("20000.00")
    assert june.weighted_amount == Decimal("16000.00")
    assert row(table, 2026, 5).weighted_amount == Decimal("0.00")


def test_weighted_amounts_sum_to_the_cent(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1234.56"), probability=33, expected_date=dt.date(2026, 4, 2)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("999.99"), probability=7, expected_date=dt.date(2026, 4, 30)
    )

    april = row(forecast_table(user=rep, today=TODAY), 2026, 4)

    # 1234.56 × 0.33 + 999.99 × 0.07 = 407.4048 + 69.9993 = 477.4041
    assert april.count == 2
    assert april.amount == Decimal("2234.55")
    assert april.weighted_amount == Decimal("477.40")


def test_twelve_months_from_the_current_one_by_default(rep):
    table = forecast_table(user=rep, today=TODAY)

    assert [r.month for r in table.rows] == [add_months(dt.date(2026, 3, 1), i) for i in range(12)]
    assert len(forecast_table(user=rep, today=TODAY, months=3).rows) == 3


def test_month_boundaries_31_march_is_march_and_1_april_is_april(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("100"), probability=50, expected_date=dt.date(2026, 3, 31)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("300"), probability=50, expected_date=dt.date(2026, 4, 1)
    )

    table = forecast_table(user=rep, today=TODAY)

    assert (row(table, 2026, 3).count, row(table, 2026, 3).weighted_amount) == (1, Decimal("50.00"))
    assert (row(table, 2026, 4).count, row(table, 2026, 4).weighted_amount) == (
        1,
        Decimal("150.00"),
    )


def test_the_current_month_follows_paris_late_on_31_march(rep, freeze):
    """31 March 23:30 in Paris is 21:30 UTC: still March. 00:30 on 1 April in Paris is still
    31 March in UTC, yet April has begun: the March deal has slipped into April."""
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=100, expected_date=dt.date(2026, 3, 31)
    )

    freeze(dt.datetime(2026, 3, 31, 21, 30, tzinfo=dt.UTC))
    table = forecast_table(user=rep)
    assert table.rows[0].month == dt.date(2026, 3, 1)
    assert (table.rows[0].count, table.rows[0].slipped_count) == (1, 0)

    freeze(dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC))
    table = forecast_table(user=rep)
    assert table.rows[0].month == dt.date(2026, 4, 1)
    assert (table.rows[0].count, table.rows[0].slipped_count) == (1, 1)


def test_slipped_opportunities_count_in_the_current_month(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2025, 11, 20)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("2000"), probability=50, expected_date=dt.date(2026, 2, 28)
    )
    # Earlier this month: also slipped (its day has passed), already in the current month.
    f.OpportunityFactory(
        owner=rep, amount=Decimal("4000"), probability=50, expected_date=dt.date(2026, 3, 1)
    )
    # Due today: not slipped yet.
    f.OpportunityFactory(owner=rep, amount=Decimal("8000"), probability=50, expected_date=TODAY)

    table = forecast_table(user=rep, today=TODAY)

    march = row(table, 2026, 3)
    assert march.count == 4
    assert march.amount == Decimal("15000.00")
    assert march.weighted_amount == Decimal("7500.00")
    assert march.slipped_count == 3
    assert march.slipped_amount == Decimal("7000.00")
    assert table.totals.slipped_count == 3


def test_won_lost_inactive_and_trashed_opportunities_are_excluded(rep):
    june = dt.date(2026, 6, 10)
    for status in [Opportunity.Status.WON, Opportunity.Status.LOST, Opportunity.Status.INACTIVE]:
        f.OpportunityFactory(
            owner=rep, status=status, amount=Decimal("5000"), probability=50, expected_date=june
        )
    f.OpportunityFactory(
        owner=rep,
        amount=Decimal("5000"),
        probability=50,
        expected_date=june,
        deleted_at=timezone.now(),
    )
    f.OpportunityFactory(owner=rep, amount=Decimal("100"), probability=10, expected_date=june)

    june_row = row(forecast_table(user=rep, today=TODAY), 2026, 6)

    assert (june_row.count, june_row.amount, june_row.weighted_amount) == (
        1,
        Decimal("100.00"),
        Decimal("10.00"),
    )


def test_beyond_the_horizon_is_left_out_and_undated_is_counted_apart(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("100"), probability=50, expected_date=dt.date(2027, 3, 1)
    )
    f.OpportunityFactory(owner=rep, amount=Decimal("250"), probability=50, expected_date=None)

    table = forecast_table(user=rep, today=TODAY)

    assert table.totals.count == 0
    assert (table.undated_count, table.undated_amount) == (1, Decimal("250.00"))


def test_category_filter_does_not_double_count(rep):
    from forecasting.filters import ForecastFilter
    from forecasting.selectors import open_opportunities

    hot, cold = f.CategoryFactory(name="Hot"), f.CategoryFactory(name="Cold")
    company = f.CompanyFactory()
    company.categories.add(hot, cold)
    prospect = f.ProspectFactory(company=company)
    prospect.categories.add(hot)
    f.OpportunityFactory(
        owner=rep,
        prospect=prospect,
        company=company,
        amount=Decimal("1000"),
        probability=50,
        expected_date=dt.date(2026, 4, 5),
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("9000"), probability=50, expected_date=dt.date(2026, 4, 5)
    )

    filterset = ForecastFilter(
        {"category": hot.pk}, queryset=open_opportunities(user=rep), user=rep
    )
    april = row(forecast_table(user=rep, today=TODAY, queryset=filterset.qs), 2026, 4)

    assert (april.count, april.amount, april.weighted_amount) == (
        1,
        Decimal("1000.00"),
        Decimal("500.00"),
    )
    april = row(forecast_table(user=rep, today=TODAY, filters={"category": str(hot.pk)}), 2026, 4)
    assert april.count == 1


@override_settings(REPS_SEE_ONLY_OWN=True)
def test_reps_limited_to_their_own_records_see_only_their_forecast(rep, other_rep, manager):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=100, expected_date=dt.date(2026, 4, 5)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("3000"), probability=100, expected_date=dt.date(2026, 4, 5)
    )

    assert row(forecast_table(user=rep, today=TODAY), 2026, 4).amount == Decimal("1000.00")
    assert row(forecast_table(user=manager, today=TODAY), 2026, 4).amount == Decimal("4000.00")


def test_my_forecast_is_this_month_and_next_for_my_own_opportunities(rep, other_rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 3, 20)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=10, expected_date=dt.date(2026, 4, 2)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("5000"), probability=50, expected_date=dt.date(2026, 3, 20)
    )

    this_month, next_month = my_forecast(user=rep, today=TODAY)

    assert (this_month.month, this_month.weighted_amount) == (
        dt.date(2026, 3, 1),
        Decimal("16000.00"),
    )
    assert (next_month.month, next_month.weighted_amount) == (
        dt.date(2026, 4, 1),
        Decimal("100.00"),
    )


def test_query_count_does_not_grow_with_opportunities(rep, django_assert_max_num_queries):
    for i in range(30):
        f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 3 + i % 9, 1))

    # The role check, the per-month GROUP BY, the slipped and the undated totals.
    with django_assert_max_num_queries(4):
        forecast_table(user=rep, today=TODAY)
