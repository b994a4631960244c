"""Forecast accuracy: for each month M of the period, what the nightly forecast snapshot
predicted for M one month ahead (M-1) and three months ahead (M-3), weighted and unweighted,
against what was actually won in M (won opportunities by closing date); per rep.

- The snapshot standing for M is chosen as on the forecast accuracy page
  (`forecasting.selectors.snapshot_standing_for`): at M-1, the last one taken on or before M's
  first day (the nightly run of the 1st records the turn of the month), else the first one
  taken during M; at M-3, the same rule two months earlier (on or before the first day of M-2,
  i.e. the end of M-3). The snapshot dates are shown beside the figures.
- Snapshots are stored per month × rep × process (aggregates, not opportunities): the rep and
  process filters apply to them, the channel and category filters cannot (the predictions are
  then left out), and a predicted amount links to no list. Won amounts link to the won
  opportunities.
- Error = (predicted weighted − won) ÷ won, in %: above 0 the forecast was too optimistic; none
  when nothing was won. A total compares the predictions with what was won in the months that
  had a snapshot.
- With no rep chosen, the rows are the team's, and a detail table gives each rep's figures
  over the period."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import is_manager
from core.users import user_label
from forecasting.reports.base import (
    Cell,
    ChartData,
    Column,
    Report,
    ReportFilters,
    ReportResult,
    Series,
    register,
)
from forecasting.selectors import (
    add_months,
    snapshot_days,
    snapshot_standing_for,
    snapshots_visible_to,
    to_cents,
)
from pipeline.models import Opportunity

LEADS = (1, 3)  # months ahead
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")
NO_OWNER = "none"
ALL = object()  # every owner


def error(predicted: Decimal | None, won: Decimal) -> Decimal | None:
    """(predicted − won) ÷ won in %, to one decimal; None when nothing was won."""
    if predicted is None or not won:
        return None
    return ((predicted - won) * 100 / won).quantize(TENTH, rounding=ROUND_HALF_UP)


def won_opportunities(filters: ReportFilters, user, first: dt.date, after: dt.date) -> QuerySet:
    """The selected opportunities won with a closing date in [first, after)."""
    return Opportunity.objects.filter(
        pk__in=filters.opportunities(user).values("pk"),
        status=Opportunity.Status.WON,
        closing_date__gte=first,
        closing_date__lt=after,
    )


@dataclass
class Figures:
    """What the queries answered, by (month, owner id): the predictions at each lead
    (weighted, unweighted) and the wins (count, amount)."""

    standing: dict[int, dict[dt.date, dt.date | None]]
    predictable: bool
    predicted: dict[int, dict[tuple, tuple[Decimal, Decimal]]] = field(default_factory=dict)
    won: dict[tuple, tuple[int, Decimal]] = field(default_factory=dict)

    def summary(self, months: list[dt.date], owner: Any = ALL) -> dict[str, Any]:
        """The figures of `months` for one owner id (or all): sums over the months, the
        predictions over those that had a snapshot, each error against what was won in them."""

        def chosen(key: tuple, among) -> bool:
            return key[0] in among and (owner is ALL or key[1] == owner)

        won = [value for key, value in self.won.items() if chosen(key, months)]
        result: dict[str, Any] = {
            "won_count": sum(count for count, _amount in won),
            "won_amount": sum((amount for _count, amount in won), ZERO),
        }
        for lead in LEADS:
            counted = {month for month in months if self.standing[lead][month] is not None}
            if not self.predictable or not counted:
                result |= {f"weighted_{lead}": None, f"amount_{lead}": None, f"error_{lead}": None}
                continue
            predicted = [v for key, v in self.predicted[lead].items() if chosen(key, counted)]
            weighted = sum((w for w, _a in predicted), ZERO)
            won_then = sum((a for key, (_c, a) in self.won.items() if chosen(key, counted)), ZERO)
            result |= {
                f"weighted_{lead}": weighted,
                f"amount_{lead}": sum((a for _w, a in predicted), ZERO),
                f"error_{lead}": error(weighted, won_then),
            }
        return result


def short_day(day: dt.date | None) -> str | None:
    return date_format(day, "SHORT_DATE_FORMAT") if day else None


@register
class AccuracyReport(Report):
    slug = "accuracy"
    title = gettext_lazy("Forecast accuracy")
    description = gettext_lazy(
        "What the forecast of the month before, and of three months before, predicted for "
        "each month, against what was won; per rep, month by month."
    )

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        months = filters.months()
        after = add_months(months[-1], 1)
        days = snapshot_days(until=after)
        figures = Figures(
            standing={
                lead: {month: snapshot_standing_for(days, month, lead=lead) for month in months}
                for lead in LEADS
            },
            # Snapshots know the rep and the process of what they counted, nothing else.
            predictable=filters.channel is None and filters.category is None,
        )
        if figures.predictable:
            figures.predicted = self.predictions(filters, user, figures.standing)
        wins = (
            won_opportunities(filters, user, months[0], after)
            .annotate(month=TruncMonth("closing_date", output_field=DateField()))
            .order_by()
            .values_list("month", "owner")
            .annotate(count=Count("pk"), amount=Sum("amount"))
        )
        figures.won = {(month, owner): (n, to_cents(amount)) for month, owner, n, amount in wins}

        rows = [self.month_row(month, figures) for month in months]
        rows.append(self.row({"month": Cell(_("Total"))}, figures.summary(months), "won"))
        detail_rows = [] if filters.owner is not None else self.rep_rows(months, figures)
        notes = _(
            "Predicted: the forecast of the month as the nightly snapshot recorded it one month "
            "before (M-1: the last snapshot taken on or before the month's first day, else the "
            "first one taken during the month) and three months before (M-3: the same, two "
            "months earlier). Won: won opportunities by closing date. Error: (predicted "
            "weighted − won) ÷ won; above 0, the forecast was too optimistic; a total's error "
            "counts only the months that had a snapshot. Snapshots keep totals per rep and "
            "process, not opportunities: a predicted amount links to no list."
        )
        if not figures.predictable:
            notes += " " + _(
                "Snapshots are not kept per channel or category: with a channel or category "
                "filter, only what was won is shown."
            )
        return ReportResult(
            columns=[
                Column("month", _("Month")),
                Column("taken_1", _("Snapshot M-1")),
                Column("weighted_1", _("Predicted at M-1 (weighted)"), "money"),
                Column("amount_1", _("Predicted at M-1 (unweighted)"), "money"),
                Column("taken_3", _("Snapshot M-3")),
                Column("weighted_3", _("Predicted at M-3 (weighted)"), "money"),
                Column("amount_3", _("Predicted at M-3 (unweighted)"), "money"),
                Column("won_count", _("Won deals"), "int"),
                Column("won_amount", _("Won amount"), "money"),
                Column("error_1", _("Error at M-1"), "percent"),
                Column("error_3", _("Error at M-3"), "percent"),
            ],
            rows=rows,
            chart=ChartData(
                kind="lines",
                categories=[date_format(month, "N Y") for month in months],
                series=[
                    Series(label, [row[key].value for row in rows[:-1]])
                    for key, label in (
                        ("weighted_1", _("Predicted at M-1")),
                        ("weighted_3", _("Predicted at M-3")),
                        ("won_amount", _("Won amount")),
                    )
                ],
                unit="€",
            ),
            detail_title=_("Per rep, over the period") if detail_rows else "",
            detail_columns=[
                Column("owner", _("Rep")),
                Column("weighted_1", _("Predicted at M-1 (weighted)"), "money"),
                Column("weighted_3", _("Predicted at M-3 (weighted)"), "money"),
                Column("won_count", _("Won deals"), "int"),
                Column("won_amount", _("Won amount"), "money"),
                Column("error_1", _("Error at M-1"), "percent"),
                Column("error_3", _("Error at M-3"), "percent"),
            ]
            if detail_rows
            else [],
            detail_rows=detail_rows,
            notes=notes,
        )

    @staticmethod
    def predictions(filters: ReportFilters, user, standing: dict) -> dict[int, dict]:
        """Σ weighted and unweighted amounts by (month, owner) of the snapshot standing for
        each month at each lead, in one grouped query over exactly those (month, day) pairs."""
        pairs = Q()
        for days in standing.values():
            for month, day in days.items():
                if day is not None:
                    pairs |= Q(month=month, taken_on=day)
        predicted: dict[int, dict] = {lead: {} for lead in LEADS}
        if not pairs:
            return predicted
        snapshots = snapshots_visible_to(user).filter(pairs)
        if not is_manager(user):  # as `ReportFilters.opportunities`: a rep's own figures
            snapshots = snapshots.filter(owner=user)
        if filters.owner is not None:
            snapshots = snapshots.filter(owner=filters.owner)
        if filters.process is not None:
            snapshots = snapshots.filter(process=filters.process)
        groups = (
            snapshots.order_by()
            .values_list("month", "taken_on", "owner")
            .annotate(weighted=Sum("weighted_amount"), amount=Sum("amount"))
        )
        for month, taken_on, owner, weighted, amount in groups:
            for lead in LEADS:  # one snapshot may stand for both leads
                if standing[lead][month] == taken_on:
                    predicted[lead][(month, owner)] = (to_cents(weighted), to_cents(amount))
        return predicted

    def month_row(self, month: dt.date, figures: Figures) -> dict[str, Cell]:
        head = {
            "month": Cell(capfirst(date_format(month, "F Y"))),
            "taken_1": Cell(short_day(figures.standing[1][month])),
            "taken_3": Cell(short_day(figures.standing[3][month])),
        }
        return self.row(head, figures.summary([month]), f"won:{month:%Y-%m}")

    @staticmethod
    def row(head: dict[str, Cell], summary: dict[str, Any], won_key: str) -> dict[str, Cell]:
        row = {"taken_1": Cell(None), "taken_3": Cell(None), **head}
        for key, value in summary.items():
            row[key] = Cell(value, won_key if key.startswith("won") and value else "")
        order = ["month", "owner", "taken_1", "weighted_1", "amount_1", "taken_3"]
        order += ["weighted_3", "amount_3", "won_count", "won_amount", "error_1", "error_3"]
        return {key: row[key] for key in order if key in row}

    def rep_rows(self, months: list[dt.date], figures: Figures) -> list[dict[str, Cell]]:
        """Each rep's figures over the period (the reps with a prediction or a win)."""
        owners = {owner for _month, owner in figures.won}
        for predicted in figures.predicted.values():
            owners |= {owner for _month, owner in predicted}
        labels = {
            user.pk: user_label(user)
            for user in get_user_model().objects.filter(pk__in=[pk for pk in owners if pk])
        }
        rows = []
        for owner in sorted(owners, key=lambda pk: (pk is None, labels.get(pk, "").casefold())):
            head = {"owner": Cell(labels.get(owner) or _("Unassigned"))}
            key = f"won:rep:{owner or NO_OWNER}"
            row = self.row(head, figures.summary(months, owner), key)
            rows.append({k: v for k, v in row.items() if not k.startswith(("taken", "amount"))})
        return rows

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        """`won` (the period), `won:<yyyy-mm>` (a month of it), `won:rep:<id|none>`."""
        months = filters.months()
        first, after = months[0], add_months(months[-1], 1)
        parts = key.split(":")
        if parts[0] != "won" or len(parts) > 3:
            return Opportunity.objects.none()
        won = won_opportunities(filters, user, first, after)
        if len(parts) == 1:
            return won
        if parts[1] == "rep" and len(parts) == 3:
            if parts[2] == NO_OWNER:
                return won.filter(owner__isnull=True)
            return won.filter(owner_id=int(parts[2])) if parts[2].isdigit() else won.none()
        try:
            month = dt.datetime.strptime(parts[1], "%Y-%m").date()
        except ValueError:
            return won.none()
        if len(parts) != 2 or not first <= month < after:
            return won.none()
        return won.filter(closing_date__gte=month, closing_date__lt=add_months(month, 1))
