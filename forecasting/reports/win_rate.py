"""Win rate and cycle: over the opportunities closed in the period, won / (won + lost), the
average and median days from creation to close of the won ones, and their average amount,
grouped by rep (the default), process, channel or month (`?group=`, the report's own form).

Definitions (the notes under the table say them to the reader):
- closed in the period = won or lost with a `closing_date` in it. The closing date is the one
  date every close has: the move service sets it to the day of winning or losing and clears it
  on reopening (status history rows store a translated label, not the status value);
- cycle = closing date − the day of creation (local time), in days, over the won ones;
- the median is the average of the middle one or two cycles of each group, found with a
  window ranking (ROW_NUMBER and COUNT over the group), which SQLite and PostgreSQL both run.

Four queries whatever the volume: the counts and sums per group (the last row adds them up),
the medians per group, the median of all, and the groups' names."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel
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
from forecasting.selectors import add_months
from pipeline.models import Opportunity, Process

WON, LOST = Opportunity.Status.WON, Opportunity.Status.LOST
GROUPS = {
    "rep": _("Rep"),
    "process": _("Process"),
    "channel": _("Channel"),
    "month": _("Month"),
}
DEFAULT_GROUP = "rep"
ALL, NONE = "all", "none"
KINDS = ("won", "lost", "closed")


class WinRateForm(forms.Form):
    """The report's own parameter: what the rows are."""

    group = forms.ChoiceField(label=_("Group by"), choices=list(GROUPS.items()), required=False)


def group_of(filters: ReportFilters) -> str:
    group = filters.extra.get("group")
    return group if group in GROUPS else DEFAULT_GROUP


def _group_expression(group: str):
    return {
        "rep": F("owner"),
        "process": F("process"),
        "channel": F("prospect__channel"),
        "month": TruncMonth("closing_date"),
    }[group]


def _cycle():
    """Days from creation to close, as a duration (days on both databases)."""
    return ExpressionWrapper(
        F("closing_date") - TruncDate("created_at"), output_field=DurationField()
    )


def closed_opportunities(filters: ReportFilters, user) -> QuerySet:
    """Won or lost with a closing date in the period, each counted once (the category filter
    joins two ways in: the rows are taken by id)."""
    closed = filters.opportunities(user).filter(
        status__in=[WON, LOST], closing_date__gte=filters.start, closing_date__lte=filters.end
    )
    if closed.query.distinct:
        closed = Opportunity.objects.filter(pk__in=closed.values("pk"))
    return closed


def _median_cycles(won: QuerySet, group: str | None) -> dict:
    """{group value: median cycle} of the won opportunities ({ALL: …} when `group` is None):
    the average of the middle one or two cycles of each group, ranked by a window."""
    partition = [_group_expression(group)] if group else None
    middle = (
        won.annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=[_cycle().asc(), "pk"]),
            size=Window(Count("pk"), partition_by=partition),
        )
        .filter(rank__gte=(F("size") + 1) / 2, rank__lte=(F("size") + 2) / 2)
        .values("pk")
    )
    middle = Opportunity.objects.filter(pk__in=middle)
    if group is None:
        return {ALL: middle.aggregate(median=Avg(_cycle()))["median"]}
    medians = (
        middle.annotate(key=_group_expression(group))
        .values("key")
        .annotate(median=Avg(_cycle()))
        .order_by()
    )
    return {row["key"]: row["median"] for row in medians}


def _sums(closed: QuerySet, group: str) -> list[dict]:
    """Per group value: counts won and lost, sums of the won ones' cycles and amounts (sums,
    not averages, so that the last row adds them up without another query)."""
    won = Q(status=WON)
    return list(
        closed.annotate(key=_group_expression(group))
        .values("key")
        .annotate(
            won=Count("pk", filter=won),
            lost=Count("pk", filter=Q(status=LOST)),
            cycles=Sum(_cycle(), filter=won),
            amounts=Sum("amount", filter=won),
        )
        .order_by()
    )


def _total(rows: list[dict]) -> dict:
    return {
        "won": sum(row["won"] for row in rows),
        "lost": sum(row["lost"] for row in rows),
        "cycles": sum((row["cycles"] for row in rows if row["cycles"] is not None), dt.timedelta()),
        "amounts": sum(row["amounts"] or 0 for row in rows),
    }


def _key(group: str, value) -> str:
    """The group's value as it appears in drill keys."""
    if value is None:
        return NONE
    if group == "month":
        return value.strftime("%Y-%m")
    return str(value)


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _labelled_keys(group: str, keys: list, filters: ReportFilters) -> list[tuple[object, str]]:
    """The group values in display order, with their names (one query for reps, processes
    and channels; months are every month of the period)."""
    if group == "month":
        return [(month, date_format(month, "YEAR_MONTH_FORMAT")) for month in filters.months()]
    known = [key for key in keys if key is not None]
    if group == "rep":
        users = get_user_model().objects.filter(pk__in=known)
        labelled = sorted(((u.pk, user_label(u)) for u in users), key=lambda pair: pair[1].lower())
        missing = gettext("No rep")
    elif group == "process":
        processes = Process.objects.filter(pk__in=known).order_by("position", "name")
        labelled = [(p.pk, p.name) for p in processes]
        missing = gettext("No process")
    else:
        labelled = [(c.pk, c.name) for c in Channel.objects.filter(pk__in=known).order_by("name")]
        missing = gettext("No channel")
    if None in keys:
        labelled.append((None, missing))
    return labelled


@register
class WinRateReport(Report):
    slug = "win-rate"
    title = _("Win rate and cycle")
    description = _(
        "Won / (won + lost) over the opportunities closed in the period, days from creation "
        "to close and average deal size, by rep, process, channel or month."
    )
    extra_form_class = WinRateForm

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        group = group_of(filters)
        closed = closed_opportunities(filters, user)
        rows = _sums(closed, group)
        by_key = {_key(group, row["key"]): row for row in rows}
        won = closed.filter(status=WON)
        medians = {_key(group, k): v for k, v in _median_cycles(won, group).items()}

        table = []
        for value, label in _labelled_keys(group, [row["key"] for row in rows], filters):
            key = _key(group, value)
            table.append(self._row(label, key, by_key.get(key), medians.get(key)))
        chart_rows = list(table)
        table.append(self._row(gettext("Total"), ALL, _total(rows), _median_cycles(won, None)[ALL]))

        rates = [row["win_rate"].value for row in chart_rows]
        labels = [row["group"].value for row in chart_rows]
        return ReportResult(
            columns=[
                Column("group", str(GROUPS[group])),
                Column("won", pgettext("opportunities counted", "Won"), "int"),
                Column("lost", pgettext("opportunities counted", "Lost"), "int"),
                Column("win_rate", gettext("Win rate"), "percent"),
                Column("avg_cycle", gettext("Average cycle of the won"), "days"),
                Column("median_cycle", gettext("Median cycle of the won"), "days"),
                Column("avg_deal", gettext("Average deal size"), "money"),
            ],
            rows=table,
            chart=ChartData(
                kind="lines" if group == "month" else "bars",
                categories=labels,
                series=[Series(gettext("Win rate"), rates)],
                unit="%",
            ),
            notes=gettext(
                "Opportunities won or lost with a closing date from {start} to {end} (the day "
                "they were won or lost). Win rate: won / (won + lost). Cycle: days from the "
                "creation to the closing date, over the won ones; average deal size: their "
                "average amount."
            ).format(
                start=date_format(filters.start, "SHORT_DATE_FORMAT"),
                end=date_format(filters.end, "SHORT_DATE_FORMAT"),
            ),
        )

    def _row(self, label: str, key: str, figures: dict | None, median) -> dict[str, Cell]:
        figures = figures or {"won": 0, "lost": 0}
        won, lost = figures["won"], figures["lost"]
        cycle = figures["cycles"] / won if won else None
        deal = round(Decimal(figures["amounts"]) / won, 2) if won else None
        return {
            "group": Cell(label),
            "won": Cell(won, f"won:{key}"),
            "lost": Cell(lost, f"lost:{key}"),
            "win_rate": Cell(_percent(won, won + lost), f"closed:{key}"),
            "avg_cycle": Cell(_days(cycle), f"won:{key}"),
            "median_cycle": Cell(_days(median), f"won:{key}"),
            "avg_deal": Cell(deal, f"won:{key}"),
        }

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        kind, _sep, value = key.partition(":")
        if kind not in KINDS or not value:
            return Opportunity.objects.none()
        closed = closed_opportunities(filters, user)
        if kind != "closed":
            closed = closed.filter(status=kind)
        if value == ALL:
            return closed
        group = group_of(filters)
        if value == NONE:
            if group == "month":
                return Opportunity.objects.none()
            field = {"rep": "owner", "process": "process", "channel": "prospect__channel"}[group]
            return closed.filter(**{f"{field}__isnull": True})
        try:
            if group == "month":
                month = dt.datetime.strptime(value, "%Y-%m").date()
                return closed.filter(closing_date__gte=month, closing_date__lt=add_months(month, 1))
            field = {"rep": "owner_id", "process": "process_id", "channel": "prospect__channel"}
            return closed.filter(**{field[group]: int(value)})
        except ValueError:
            return Opportunity.objects.none()
