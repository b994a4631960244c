"""Slippage: how often and by how much the expected dates of the selected opportunities move
later, read from their expected-date changes (`HistoryEntry` kind `expected`) made in the period.

- A *move* is a change with both dates known: later (a slip, delay = new − old date in days) or
  earlier (counted apart). Setting a first date or clearing it is not a move, nor is a change
  made after the opportunity was won or lost (its closing day included), nor one dated before
  its creation: those are bookkeeping, not slippage.
- *Opportunities* (the denominator of the share) are those open at some time in the period:
  created before its end and not won or lost before its start (an inactive one counts: when it
  went inactive is not recorded on it). Every slipped opportunity is among them.
- Rows: one per rep (the opportunity's current owner, as the rep filter reads it) with a total
  row; when a rep is chosen (a rep always sees their own figures), one per month of the period
  instead, with the same total row.
- The detail table lists the opportunities that slipped three times or more in the period.

Computed in one SQL statement over the moves (`FIGURES_SQL`), the same on SQLite and
PostgreSQL; medians from the histogram of the delays with running counts (window functions),
as SQLite has no percentile_cont."""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from pipeline.models import HistoryEntry, Opportunity

SLIPS = 3  # "slipped three times or more"
DETAIL_LIMIT = 100
TENTH = Decimal("0.1")
MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
NOT_CLOSED = (Opportunity.Status.OPEN, Opportunity.Status.INACTIVE)
LATER = Q(delay__gt=0)
EARLIER = Q(delay__lt=0)


class DaysBetween(Func):
    """Whole days from the date `earlier` to the date `later` (negative when before)."""

    arity = 2
    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date - date is an integer of days
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def tenth(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    return tenth(Decimal(part) * 100 / whole) if whole else None


def aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def open_during(first: dt.date, after: dt.date) -> Q:
    """Opportunities open at some time in [first, after): created before its end, not won or
    lost before its start."""
    return Q(created_at__lt=aware(after)) & (
        Q(status__in=NOT_CLOSED) | Q(closing_date__isnull=True) | Q(closing_date__gte=first)
    )


def selected(filters: ReportFilters, user) -> QuerySet:
    """The opportunities the filters select, as a plain queryset (no join nor DISTINCT)."""
    return Opportunity.objects.filter(pk__in=filters.opportunities(user).values("pk"))


def moves(filters: ReportFilters, user, first: dt.date, after: dt.date) -> QuerySet:
    """One row per move of a selected opportunity made in [first, after): the opportunity
    (its filters applied on it directly, no IN list) joined to its history in ONE `filter()`
    call, so that every condition holds for the same entry; `delay` and `move` (the entry id)
    annotated."""
    return (
        filters.opportunities(user)
        .filter(
            Q(status__in=NOT_CLOSED)
            | Q(closing_date__isnull=True)
            | Q(closing_date__gte=TruncDate("history__at")),
            history__kind=HistoryEntry.Kind.EXPECTED,
            history__at__gte=aware(first),
            history__at__lt=aware(after),
            history__from_date__isnull=False,
            history__to_date__isnull=False,
            created_at__lte=F("history__at"),
        )
        .annotate(
            delay=DaysBetween("history__to_date", "history__from_date"), move=F("history__id")
        )
        .order_by()
    )


def repeated(period_moves: QuerySet) -> QuerySet:
    """Ids of the opportunities with `SLIPS` later moves or more among `period_moves`."""
    return (
        period_moves.filter(LATER)
        .values("pk")
        .annotate(slips=Count("move", distinct=True))
        .filter(slips__gte=SLIPS)
        .values("pk")
    )


# One pass over the moves (a CTE, materialised by PostgreSQL as it is read several times),
# hash aggregates only (no sort of the moves): per group and opportunity, then per group, per
# opportunity and in all: later moves, slipped and moved-earlier opportunities, days. Medians
# from the histogram of the delays (a few hundred rows): its running count by window function
# finds the one or two values in the middle, averaged. Last, the opportunities with SLIPS
# later moves or more, counted and the first listed.
FIGURES_SQL = """
WITH moves AS ({moves}),
per_pair AS (
    SELECT grp, opp,
           SUM(CASE WHEN delay > 0 THEN 1 ELSE 0 END) AS slips,
           SUM(CASE WHEN delay > 0 THEN delay ELSE 0 END) AS days,
           MAX(CASE WHEN delay < 0 THEN 1 ELSE 0 END) AS earlier
    FROM moves GROUP BY grp, opp
),
per_opportunity AS (
    SELECT opp, MIN(grp) AS grp, SUM(slips) AS slips, SUM(days) AS days,
           MAX(earlier) AS earlier
    FROM per_pair GROUP BY opp
),
histogram AS (SELECT grp, delay, COUNT(*) AS n FROM moves WHERE delay > 0 GROUP BY grp, delay),
running AS (
    SELECT grp, delay, n, SUM(n) OVER (PARTITION BY grp ORDER BY delay) AS upto,
           SUM(n) OVER (PARTITION BY grp) AS cnt
    FROM histogram
),
histogram_all AS (SELECT delay, SUM(n) AS n FROM histogram GROUP BY delay),
running_all AS (
    SELECT delay, n, SUM(n) OVER (ORDER BY delay) AS upto, SUM(n) OVER () AS cnt
    FROM histogram_all
)
SELECT 'group' AS part, grp, SUM(slips) AS a, SUM(CASE WHEN slips > 0 THEN 1 ELSE 0 END) AS b,
       SUM(days) AS c, SUM(earlier) AS d
FROM per_pair GROUP BY grp
UNION ALL
SELECT 'all', NULL, SUM(slips), SUM(CASE WHEN slips > 0 THEN 1 ELSE 0 END), SUM(days),
       SUM(earlier)
FROM per_opportunity
UNION ALL
SELECT 'median', grp, AVG(delay), NULL, NULL, NULL FROM running
WHERE 2 * upto >= cnt AND 2 * (upto - n) <= cnt GROUP BY grp
UNION ALL
SELECT 'median all', NULL, AVG(delay), NULL, NULL, NULL FROM running_all
WHERE 2 * upto >= cnt AND 2 * (upto - n) <= cnt
UNION ALL
SELECT 'repeated', grp, COUNT(*), NULL, NULL, NULL FROM per_opportunity
WHERE slips >= {slips} GROUP BY grp
UNION ALL
SELECT 'repeated all', NULL, COUNT(*), NULL, NULL, NULL FROM per_opportunity
WHERE slips >= {slips}
UNION ALL
SELECT 'detail', NULL, opp, slips, days, NULL FROM (
    SELECT opp, slips, days FROM per_opportunity
    WHERE slips >= {slips} ORDER BY slips DESC, days DESC, opp LIMIT {limit}
) AS detail
"""


@dataclass
class Figures:
    """The figures of the moves, per group key (owner id or "yyyy-mm") and in all (`total`):
    moves, slipped, days, earlier, median, repeated (slipped `SLIPS` times or more; by owner
    only); `detail`: (opportunity id, later moves, days) of the first of those."""

    groups: dict = field(default_factory=lambda: defaultdict(dict))
    total: dict = field(default_factory=dict)
    detail: list[tuple[int, int, int]] = field(default_factory=list)


def figures(period_moves: QuerySet, group) -> Figures:
    """`FIGURES_SQL` over `period_moves` grouped by `group()`: one query."""
    # The entry id keeps two equal moves apart when a category filter makes the query DISTINCT.
    selected_moves = period_moves.values("delay", "move", opp=F("pk"), grp=group())
    inner, params = selected_moves.query.sql_with_params()
    sql = FIGURES_SQL.format(moves=inner, slips=SLIPS, limit=DETAIL_LIMIT)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = Figures()
    for part, grp, a, b, c, d in rows:  # a few rows per group, and the detail
        if part == "detail":
            result.detail.append((int(a), int(b), int(c)))
            continue
        key = grp if grp is None or isinstance(grp, int) else str(grp)[:7]  # "yyyy-mm"
        target = (
            result.total if part in ("all", "median all", "repeated all") else result.groups[key]
        )
        if part in ("group", "all"):
            target.update(moves=int(a or 0), slipped=int(b or 0), days=int(c or 0))
            target["earlier"] = int(d or 0)
        elif part.startswith("median"):
            target["median"] = a
        else:
            target["repeated"] = int(a)
    return result


def by_owner():
    return F("owner")


def by_month():
    return TruncMonth("history__at", output_field=DateField())  # read back as "yyyy-mm"


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


@register
class SlippageReport(Report):
    slug = "slippage"
    title = gettext_lazy("Slippage")
    description = gettext_lazy(
        "How often and by how much expected dates move later, per rep; the opportunities "
        "that slipped three times or more."
    )

    def columns(self, *, per_month: bool) -> list[Column]:
        columns = [
            Column("group", _("Month") if per_month else _("Rep")),
            Column("opportunities", _("Opportunities"), "int"),
            Column("slipped", _("Slipped"), "int"),
            Column("share", _("Share slipped"), "percent"),
            Column("moves", _("Later moves"), "int"),
            Column("average", _("Average delay"), "days"),
            Column("median", _("Median delay"), "days"),
            Column("days", _("Days slipped"), "int"),
            Column("earlier", _("Moved earlier"), "int"),
        ]
        if not per_month:
            columns.append(Column("slipped3", _("Slipped 3 times or more"), "int"))
        return columns

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        per_month = filters.owner is not None
        if per_month:
            rows, total, detail = self.month_rows(filters, user)
        else:
            rows, total, detail = self.rep_rows(filters, user)
        labels = [row["group"].value for row in rows]
        series = [
            Series(_("Later moves"), [row["moves"].value for row in rows]),
            Series(_("Average delay (days)"), [row["average"].value for row in rows]),
        ]
        return ReportResult(
            columns=self.columns(per_month=per_month),
            rows=[*rows, total],
            chart=ChartData(
                kind="lines" if per_month else "bars",
                categories=[date_format(month, "N Y") for month in filters.months()]
                if per_month
                else labels,
                series=series,
            ),
            detail_title=_("Opportunities that slipped three times or more in the period"),
            detail_columns=[
                Column("opportunity", _("Opportunity")),
                Column("company", _("Company")),
                Column("owner", _("Rep")),
                Column("slips", _("Later moves"), "int"),
                Column("days", _("Days slipped"), "int"),
                Column("first", _("First expected date")),
                Column("current", _("Current expected date")),
            ],
            detail_rows=self.detail_rows(detail),
            notes=_(
                "A move is a change of expected date with both dates known, made in the period "
                "before the opportunity was won or lost; delays are in days, per later move. "
                "Opportunities: those open at some time in the period. Rows per rep (the current "
                "owner), or per month when a rep is chosen. The detail lists at most %(limit)d "
                "opportunities, those with the most moves first; its first expected date is the "
                "one before any recorded change."
            )
            % {"limit": DETAIL_LIMIT},
        )

    def row(self, label, group, *, opportunities, stats, repeated=None) -> dict:
        suffix = f":{group}" if group else ""

        def cell(value, measure):
            return Cell(value, f"{measure}{suffix}" if value else "")

        later = stats.get("moves") or 0
        days = stats.get("days") or 0
        slipped = stats.get("slipped") or 0
        row = {
            "group": Cell(label),
            "opportunities": cell(opportunities, "opportunities"),
            "slipped": cell(slipped, "slipped"),
            "share": cell(share(slipped, opportunities), "slipped"),
            "moves": cell(later, "slipped"),
            "average": cell(tenth(Decimal(days) / later) if later else None, "slipped"),
            "median": cell(tenth(stats.get("median")), "slipped"),
            "days": cell(days, "slipped"),
            "earlier": cell(stats.get("earlier") or 0, "earlier"),
        }
        if repeated is not None:
            row["slipped3"] = cell(repeated, "slipped3")
        return row

    def rep_rows(self, filters: ReportFilters, user) -> tuple[list[dict], dict, list]:
        """One row per rep with an opportunity open in the period, the total row, the
        detail's (opportunity id, later moves, days)."""
        first, after = filters.start, filters.end + dt.timedelta(days=1)
        counts = dict(
            selected(filters, user)
            .filter(open_during(first, after))
            .order_by()
            .values_list("owner")
            .annotate(n=Count("pk"))
        )
        found = figures(moves(filters, user, first, after), by_owner)
        owners = {
            user.pk: user_label(user)
            for user in get_user_model().objects.filter(pk__in=[pk for pk in counts if pk])
        }
        ordered = sorted(counts, key=lambda pk: (pk is None, owners.get(pk, "").casefold()))
        rows = [
            self.row(
                owners.get(pk) or _("Unassigned"),
                pk or "none",
                opportunities=counts[pk],
                stats=found.groups.get(pk, {}),
                repeated=found.groups.get(pk, {}).get("repeated", 0),
            )
            for pk in ordered
        ]
        total = self.row(
            _("Total"),
            "",
            opportunities=sum(counts.values()),
            stats=found.total,
            repeated=found.total.get("repeated", 0),
        )
        return rows, total, found.detail

    def month_rows(self, filters: ReportFilters, user) -> tuple[list[dict], dict, list]:
        """One row per month of the period, the total row (an opportunity may slip in
        several months: counted apart), the detail's (opportunity id, later moves, days)."""
        months = filters.months()
        first, after = filters.start, filters.end + dt.timedelta(days=1)
        counts = selected(filters, user).aggregate(
            total=Count("pk", filter=open_during(first, after)),
            **{
                month_key(month): Count(
                    "pk",
                    filter=open_during(max(first, month), min(after, add_months(month, 1))),
                )
                for month in months
            },
        )
        found = figures(moves(filters, user, first, after), by_month)
        rows = [
            self.row(
                capfirst(date_format(month, "F Y")),
                month_key(month),
                opportunities=counts[month_key(month)],
                stats=found.groups.get(month_key(month), {}),
            )
            for month in months
        ]
        total = self.row(_("Total"), "", opportunities=counts["total"], stats=found.total)
        return rows, total, found.detail

    @staticmethod
    def detail_rows(detail: list[tuple[int, int, int]]) -> list[dict]:
        """The opportunities of `detail` (id, later moves, days), in its order."""
        first_expected = (
            HistoryEntry.objects.filter(opportunity=OuterRef("pk"), kind=HistoryEntry.Kind.EXPECTED)
            .order_by("at", "pk")
            .values(first=Coalesce("from_date", "to_date"))[:1]
        )
        opportunities = Opportunity.objects.filter(pk__in=[pk for pk, _n, _d in detail])
        opportunities = opportunities.annotate(
            first_expected=Subquery(first_expected, output_field=DateField())
        ).select_related("owner", "company", "prospect")
        found = {opportunity.pk: opportunity for opportunity in opportunities}
        rows = []
        for pk, slips, days in detail:  # at most DETAIL_LIMIT
            opportunity, key = found.get(pk), f"opportunity:{pk}"
            if opportunity is None:  # deleted since
                continue
            rows.append(
                {
                    "opportunity": Cell(opportunity.summary, key),
                    "company": Cell(opportunity.display_company),
                    "owner": Cell(user_label(opportunity.owner) or None),
                    "slips": Cell(slips, key),
                    "days": Cell(days, key),
                    "first": Cell(SlippageReport.day(opportunity.first_expected)),
                    "current": Cell(SlippageReport.day(opportunity.expected_date)),
                }
            )
        return rows

    @staticmethod
    def day(value: dt.date | None) -> str | None:
        return date_format(value, "SHORT_DATE_FORMAT") if value else None

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        scope = selected(filters, user)
        measure, _sep, group = key.partition(":")
        if measure == "opportunity":
            return scope.filter(pk=int(group)) if group.isdigit() else scope.none()
        first, after = filters.start, filters.end + dt.timedelta(days=1)
        if match := MONTH_KEY.match(group):
            if not 1 <= int(match[2]) <= 12:
                return scope.none()
            month = dt.date(int(match[1]), int(match[2]), 1)
            first, after = max(first, month), min(after, add_months(month, 1))
            if first >= after:  # a month outside the period
                return scope.none()
        elif group == "none":
            scope = scope.filter(owner__isnull=True)
        elif group.isdigit():
            scope = scope.filter(owner_id=int(group))
        elif group:
            return scope.none()
        period_moves = moves(filters, user, first, after)
        if measure == "opportunities":
            return scope.filter(open_during(first, after))
        if measure == "slipped":
            return scope.filter(pk__in=period_moves.filter(LATER).values("pk"))
        if measure == "earlier":
            return scope.filter(pk__in=period_moves.filter(EARLIER).values("pk"))
        if measure == "slipped3":
            return scope.filter(pk__in=repeated(period_moves))
        return scope.none()
