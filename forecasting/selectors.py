"""Reads of the forecast: amount × probability of open opportunities, by month of their
expected date (Gestan PROSTEP: a "hot" deal of 20,000 EUR at 80 % expected in June adds
16,000 EUR to June's forecast).

Months are calendar months of Europe/Paris: `expected_date` is a plain date, and "today" (which
decides the current month and what has slipped) is the local date.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from core.access import view_reach
from forecasting.models import ForecastSnapshot
from pipeline.models import Opportunity

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, count: int) -> list[dt.date]:
    return [add_months(first, i) for i in range(count)]


def weighted_from_product_sum(total: Decimal | None) -> Decimal:
    """Sum of amount × probability (in %) → amount weighted by probability, to the cent."""
    return ((total or Decimal(0)) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value) -> Decimal:
    return (
        Decimal(value or 0).quantize(CENT)
        if not isinstance(value, Decimal)
        else value.quantize(CENT)
    )


def open_opportunities(*, user=None) -> QuerySet:
    """Open opportunities the user may see (the whole team's when `user` is None: commands,
    the nightly job)."""
    queryset = Opportunity.objects.all()
    if user is not None:
        queryset = queryset.visible_to(user)
    return queryset.open()


def forecast_month_expression(current_month: dt.date):
    """The month an open opportunity counts in: the month of its expected date, or the current
    month when that date has passed (it has "slipped")."""
    return Case(
        When(expected_date__lt=current_month, then=Value(current_month)),
        default=TruncMonth("expected_date", output_field=DateField()),
        output_field=DateField(),
    )


def weighted_sum_expression():
    """Σ amount × probability, divided by 100 afterwards so the sum stays exact."""
    return Sum(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )


@dataclass
class ForecastRow:
    month: dt.date
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted_amount: Decimal = Decimal("0.00")
    slipped_count: int = 0
    slipped_amount: Decimal = Decimal("0.00")

    @property
    def is_current(self) -> bool:
        return self.month == month_start(timezone.localdate())


@dataclass
class ForecastTable:
    rows: list[ForecastRow]
    undated_count: int = 0
    undated_amount: Decimal = Decimal("0.00")
    totals: ForecastRow = field(default_factory=lambda: ForecastRow(month=dt.date.min))

    @property
    def slipped_count(self) -> int:
        return sum(row.slipped_count for row in self.rows)


def forecast_table(
    *,
    user=None,
    months: int = 12,
    today: dt.date | None = None,
    filters: dict | None = None,
    queryset: QuerySet | None = None,
) -> ForecastTable:
    """Count, amount and weighted amount of open opportunities per month, for `months` months
    from the current one. `filters` are the page's (`owner`, `process`, `category`: ids), or
    `queryset` (already scoped to the user) replaces the default `open_opportunities(user=user)`.
    Three SQL queries whatever the number of opportunities."""
    if filters is not None and queryset is None:
        from forecasting.filters import ForecastFilter

        queryset = ForecastFilter(filters, queryset=open_opportunities(user=user), user=user).qs
    today = today or timezone.localdate()
    first = month_start(today)
    horizon = add_months(first, months)
    base = (queryset if queryset is not None else open_opportunities(user=user)).open()
    dated = base.filter(expected_date__isnull=False, expected_date__lt=horizon).order_by()
    by_month = (
        dated.annotate(forecast_month=forecast_month_expression(first))
        .values("forecast_month")
        .annotate(
            row_count=Count("id"), row_amount=Sum("amount"), row_weighted=weighted_sum_expression()
        )
    )
    # Slipped: still open although the expected day has passed (earlier this month included).
    slipped = dated.filter(expected_date__lt=today).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    undated = (
        base.filter(expected_date__isnull=True)
        .order_by()
        .aggregate(count=Count("id"), total=Sum("amount"))
    )
    rows = _month_rows(first, months, by_month)
    if months:
        rows[first].slipped_count = slipped["count"] or 0
        rows[first].slipped_amount = to_cents(slipped["total"])
    ordered = list(rows.values())
    totals = ForecastRow(
        month=first,
        count=sum(r.count for r in ordered),
        amount=sum((r.amount for r in ordered), Decimal("0.00")),
        weighted_amount=sum((r.weighted_amount for r in ordered), Decimal("0.00")),
        slipped_count=slipped["count"] or 0,
        slipped_amount=to_cents(slipped["total"]),
    )
    return ForecastTable(
        rows=ordered,
        undated_count=undated["count"] or 0,
        undated_amount=to_cents(undated["total"]),
        totals=totals,
    )


FORECAST_COLUMNS = ["month", "count", "amount", "weighted_amount", "slipped_count"]
# The CSV's headers, in the user's language (the command's table keeps the column keys).
FORECAST_HEADERS = [
    pgettext_lazy("export header", "Month"),
    pgettext_lazy("export header", "Opportunities"),
    pgettext_lazy("export header", "Amount"),
    pgettext_lazy("export header", "Weighted amount"),
    pgettext_lazy("export header", "Slipped"),
]


def forecast_rows(table: ForecastTable) -> list[list]:
    """The table as the page's CSV and `manage.py forecast` give it, one list per month in the
    order of `FORECAST_COLUMNS` (slipped deals count in the current month's row)."""
    return [
        [f"{row.month:%Y-%m}", row.count, row.amount, row.weighted_amount, row.slipped_count]
        for row in table.rows
    ]


def _month_rows(first: dt.date, months: int, by_month) -> dict[dt.date, ForecastRow]:
    """A row for each of `months` months from `first`, filled from the groups of `by_month`
    (`forecast_month`, `row_count`, `row_amount`, `row_weighted`)."""
    rows = {month: ForecastRow(month=month) for month in month_range(first, months)}
    for group in by_month:
        month = group["forecast_month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        row = rows.get(month)
        if row is None:
            continue
        row.count = group["row_count"]
        row.amount = to_cents(group["row_amount"])
        row.weighted_amount = weighted_from_product_sum(group["row_weighted"])
        row.slipped_count = group.get("slipped_count") or 0
        row.slipped_amount = to_cents(group.get("slipped_amount"))
    return rows


def my_forecast(*, user, today: dt.date | None = None) -> list[ForecastRow]:
    """The dashboard's figures: the user's own weighted forecast for this month and the next,
    as `forecast_table` counts them, in one query: the slipped ones all fall in this month's
    group, which counts them apart."""
    today = today or timezone.localdate()
    first = month_start(today)
    slipped = Q(expected_date__lt=today)
    by_month = (
        open_opportunities(user=user)
        .filter(owner=user, expected_date__isnull=False, expected_date__lt=add_months(first, 2))
        .order_by()
        .annotate(forecast_month=forecast_month_expression(first))
        .values("forecast_month")
        .annotate(
            row_count=Count("id"),
            row_amount=Sum("amount"),
            row_weighted=weighted_sum_expression(),
            slipped_count=Count("id", filter=slipped),
            slipped_amount=Sum("amount", filter=slipped),
        )
    )
    return list(_month_rows(first, 2, by_month).values())


def slipped_opportunities(*, queryset: QuerySet, today: dt.date | None = None, limit: int = 50):
    """Open opportunities whose expected date has passed: they count in the current month."""
    return list(
        queryset.open()
        .filter(expected_date__lt=today or timezone.localdate())
        .select_related("owner", "process", "prospect", "company")
        .order_by("expected_date", "id")[:limit]
    )


# Forecast accuracy --------------------------------------------------------------------------


@dataclass
class AccuracyRow:
    month: dt.date
    taken_on: dt.date | None = None
    forecast_count: int = 0
    forecast_amount: Decimal = Decimal("0.00")
    forecast_weighted: Decimal = Decimal("0.00")
    won_count: int = 0
    won_amount: Decimal = Decimal("0.00")

    @property
    def ratio(self) -> Decimal | None:
        """Won ÷ weighted forecast, in %: 100 means the forecast was exactly right."""
        if self.taken_on is None or not self.forecast_weighted:
            return None
        return (self.won_amount * HUNDRED / self.forecast_weighted).quantize(Decimal("1"))

    @property
    def difference(self) -> Decimal:
        return self.won_amount - self.forecast_weighted


def snapshots_visible_to(user) -> QuerySet:
    """Snapshot rows carry their rep: reps limited to their own records see only those."""
    queryset = ForecastSnapshot.objects.all()
    if user is None:
        return queryset
    return view_reach(user).filter(queryset, user, "owner")


def snapshot_days(*, until: dt.date) -> list[dt.date]:
    """The days a snapshot was taken before `until`, in order (a day with nothing open still
    counts: the forecast was 0). One SQL query."""
    return sorted(
        ForecastSnapshot.objects.filter(taken_on__lt=until)
        .order_by()
        .values_list("taken_on", flat=True)
        .distinct()
    )


def snapshot_standing_for(days: list[dt.date], month: dt.date, *, lead: int = 1) -> dt.date | None:
    """Of the snapshot `days`, the one that stands for the forecast of `month` made `lead`
    months ahead: the last one taken on or before the first day of month M-lead+1 (lead 1: the
    forecast as M began, the nightly run of the 1st recording the turn of the month), else the
    first one taken during that month; None when there is neither."""
    anchor = add_months(month, 1 - lead)
    before = [day for day in days if day <= anchor]
    during = [day for day in days if anchor < day < add_months(anchor, 1)]
    return before[-1] if before else (during[0] if during else None)


def forecast_accuracy(
    *,
    user=None,
    months: int = 12,
    today: dt.date | None = None,
    owner=None,
    process=None,
    won_queryset: QuerySet | None = None,
) -> list[AccuracyRow]:
    """For each of the last `months` months (the current one included): the forecast as first
    recorded for that month (the last snapshot taken on or before its first day, else the first
    one taken during it) beside what was actually won in it (won opportunities by closing date).
    Three SQL queries."""
    today = today or timezone.localdate()
    current = month_start(today)
    first = add_months(current, -(months - 1))
    end = add_months(current, 1)
    days = snapshot_days(until=end)
    rows = {month: AccuracyRow(month=month) for month in month_range(first, months)}
    for row in rows.values():
        row.taken_on = snapshot_standing_for(days, row.month)
    snapshots = snapshots_visible_to(user).filter(
        month__gte=first,
        month__lte=current,
        taken_on__in={row.taken_on for row in rows.values() if row.taken_on},
    )
    if owner is not None:
        snapshots = snapshots.filter(owner=owner)
    if process is not None:
        snapshots = snapshots.filter(process=process)
    per_day = (
        snapshots.values("month", "taken_on")
        .annotate(
            row_count=Sum("count"), row_amount=Sum("amount"), row_weighted=Sum("weighted_amount")
        )
        .order_by("month", "taken_on")
    )
    for group in per_day:
        row = rows.get(group["month"])
        if row is None or group["taken_on"] != row.taken_on:
            continue
        row.forecast_count = group["row_count"] or 0
        row.forecast_amount = to_cents(group["row_amount"])
        row.forecast_weighted = to_cents(group["row_weighted"])
    if won_queryset is None:
        won_queryset = (
            Opportunity.objects.all() if user is None else Opportunity.objects.visible_to(user)
        )
    won = (
        won_queryset.filter(
            status=Opportunity.Status.WON,
            closing_date__gte=first,
            closing_date__lt=add_months(current, 1),
        )
        .order_by()
        .annotate(closing_month=TruncMonth("closing_date", output_field=DateField()))
        .values("closing_month")
        .annotate(row_count=Count("id"), row_amount=Sum("amount"))
    )
    for group in won:
        month = group["closing_month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        if month in rows:
            rows[month].won_count = group["row_count"]
            rows[month].won_amount = to_cents(group["row_amount"])
    return list(rows.values())
