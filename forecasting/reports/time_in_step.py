"""Time in step: for each step of one process, the days opportunities spent in it (median and
90th percentile) against the step's configured duration, and who is overstaying now.

Definitions (the notes under the table say them to the reader):
- the process is the filter's, else the default process;
- a *stay* starts at the history entry that put the opportunity in the step (its creation in
  it, or a step change into it) and ends at the opportunity's next step change or at the
  status change that closed it (won, lost, inactive); a reopening does not end it. The end is
  the next such entry of the same opportunity (a window `Lead` over its entries ordered by
  time), so a stay that ended in the period may have started long before;
- the stays counted are those that *ended* in the period; their days are exact (entering on
  day 1 at 10:00 and leaving on day 8 at 10:00 is 7 days);
- *left the step*: the opportunities with such a stay (one that went through the step twice
  counts once, both stays count in the median); *over the duration*: those with a stay longer
  than the step's duration;
- *in the step now*: the open opportunities in the step today; *overstaying*: those in it for
  more whole days than its duration since their last step change, the Kanban's red step clock
  (`pipeline.clocks`), with the step list's day count (NbJ).

Median and 90th percentile interpolate between the two nearest stays (`percentile_cont`),
in SQL on both databases: PostgreSQL's `percentile_cont`; SQLite has none, so there the stays
are ranked per step by a window function and only the (at most four) stays around the two
percentiles come back to Python. On PostgreSQL the entries are read from the index
`history_stays` alone, in the window's order (the benchmark: tests/bench/bench_reports.py)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lead
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.params import parse_int
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
from pipeline.clocks import days_since
from pipeline.models import HistoryEntry, Opportunity, Process, Step

OPEN = Opportunity.Status.OPEN
PERCENTILES = {"median": Decimal("0.5"), "p90": Decimal("0.9")}
KINDS = ("left", "over", "now", "overstaying")
ALL = "all"
NOBODY = "none"
DETAIL_LIMIT = 50
# The stay's days, from the columns of the entries' window query.
DAYS_SQL = {
    "postgresql": 'date_part(\'epoch\', e."left_at" - e."at") / 86400',
    "sqlite": 'julianday(e."left_at") - julianday(e."at")',
}


# The stays that ended in the period, from the entries' window query (`_entries`), with the
# duration of their step (a CASE over the process's steps).
STAYS = (
    "SELECT e.opportunity_id, e.to_step_id AS step_id, {owner} AS owner_id, {days} AS days, "
    "{duration} AS duration FROM ({entries}) e{join} "
    'WHERE e.to_step_id IN ({steps}) AND e."left_at" >= %s AND e."left_at" < %s'
)
OWNER_JOIN = " INNER JOIN pipeline_opportunity o ON o.id = e.opportunity_id"
# The ranks around the median and the 90th percentile: 1 + floor((n - 1) × p) and the next.
POSITIONS = " OR ".join(
    f"r.rn - {offset} = (r.cnt - 1) * {int(fraction * 10)} / 10"
    for fraction in PERCENTILES.values()
    for offset in (1, 2)
)
# Per step: the opportunities that left it and overstayed, the number of stays and the two
# percentiles; PostgreSQL has `percentile_cont`, elsewhere the stays at the ranks around them
# (POSITIONS, FIGURES) come back to be interpolated.
FIGURES_POSTGRESQL = (
    "SELECT owner_id, step_id, COUNT(DISTINCT opportunity_id), "
    "COUNT(DISTINCT CASE WHEN days > duration THEN opportunity_id END), COUNT(*), "
    "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY days) "
    "FROM ({stays}) s GROUP BY owner_id, step_id"
)
FIGURES = (
    "WITH stays AS ({stays}), "
    "ranked AS (SELECT owner_id, step_id, days, "
    "ROW_NUMBER() OVER (PARTITION BY owner_id, step_id ORDER BY days) AS rn, "
    "COUNT(*) OVER (PARTITION BY owner_id, step_id) AS cnt FROM stays) "
    "SELECT 'rank', r.owner_id, r.step_id, r.cnt, r.rn, r.days FROM ranked r WHERE {positions} "
    "UNION ALL "
    "SELECT 'count', owner_id, step_id, COUNT(DISTINCT opportunity_id), "
    "COUNT(DISTINCT CASE WHEN days > duration THEN opportunity_id END), NULL "
    "FROM stays GROUP BY owner_id, step_id"
)


def report_process(filters: ReportFilters) -> Process | None:
    return filters.process or Process.objects.filter(is_default=True).first()


def open_labels() -> list[str]:
    """What a status history entry stores when an opportunity is reopened: the status's label
    in the language of the one who did it (pipeline.services.opportunities), or its value."""
    from django.conf import settings

    labels = {OPEN.value}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(OPEN.label))
    return sorted(labels)


def _entries(filters: ReportFilters, user, process: Process) -> QuerySet:
    """The history entries that start or end stays, of the opportunities the report counts,
    each with `left_at`: the time of the opportunity's next such entry (None for the last).
    Only opportunities alive in the period (created before its end, not closed before its
    start) and entries before its end can end a stay in it."""
    first, after = filters.period_bounds()
    opportunities = (
        filters.opportunities(user)
        .filter(process=process, created_at__lt=after)
        .filter(Q(closing_date__isnull=True) | Q(closing_date__gte=filters.start))
    )
    return (
        HistoryEntry.objects.filter(
            opportunity__in=opportunities.values("pk"),
            at__lt=after,
            kind__in=[HistoryEntry.Kind.CREATED, HistoryEntry.Kind.STEP, HistoryEntry.Kind.STATUS],
        )
        .exclude(kind=HistoryEntry.Kind.STATUS, to_value__in=open_labels())
        .annotate(
            left_at=Window(
                Lead("at"),
                partition_by=[F("opportunity_id")],
                order_by=[F("at").asc(), F("id").asc()],
            )
        )
        .order_by()
        .values_list("opportunity_id", "to_step_id", "at", "left_at")
    )


def stays_sql(filters: ReportFilters, user, process: Process, steps: list[Step], by_owner=False):
    """SQL of the stays in `steps` (not empty) that ended in the period, and its parameters:
    opportunity_id, step_id, owner_id (None unless `by_owner`), days, duration. Entries with a
    step (creations and step changes) start stays; a status entry has none."""
    entries, params = _entries(filters, user, process).query.sql_with_params()
    first, after = filters.period_bounds()
    adapt = connection.ops.adapt_datetimefield_value
    duration = "CASE e.to_step_id " + "WHEN %s THEN %s " * len(steps) + "END"
    durations = [value for step in steps for value in (step.pk, step.duration_days)]
    # Only the ORM's compiled SQL and constants go into the text; values are parameters.
    sql = STAYS.format(  # noqa: S608
        entries=entries,
        days=DAYS_SQL[connection.vendor],
        duration=duration,
        steps=", ".join(["%s"] * len(steps)),
        owner="o.owner_id" if by_owner else "NULL",
        join=OWNER_JOIN if by_owner else "",
    )
    return sql, [*durations, *params, *(s.pk for s in steps), adapt(first), adapt(after)]


def stay_figures(filters, user, process: Process, steps: list[Step], by_owner=False) -> dict:
    """Per (owner id or None, step id): left, over (distinct opportunities), stays, median and
    p90 (days); per owner only `by_owner`."""
    if not steps:
        return {}
    stays, params = stays_sql(filters, user, process, steps, by_owner)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(FIGURES_POSTGRESQL.format(stays=stays), params)  # noqa: S608
            return {
                (owner, step): {"left": left, "over": over, "stays": n, "median": p50, "p90": p90}
                for owner, step, left, over, n, (p50, p90) in cursor.fetchall()
            }
    sql = FIGURES.format(stays=stays, positions=POSITIONS)  # noqa: S608 - constants
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    figures: dict[tuple, dict] = {}
    ranked: dict[tuple, dict[int, float]] = {}
    for kind, owner, step, first, second, days in rows:
        if kind == "count":
            figures.setdefault((owner, step), {}).update(left=first, over=second)
        else:
            figures.setdefault((owner, step), {})["stays"] = first
            ranked.setdefault((owner, step), {})[second] = float(days)
    for group, values in ranked.items():  # at most four values per group
        for name, fraction in PERCENTILES.items():
            figures[group][name] = _interpolate(values, figures[group]["stays"], float(fraction))
    return figures


def _interpolate(values: dict[int, float], count: int, fraction: float) -> float:
    """`percentile_cont(fraction)` from the 1-based ranked values around it."""
    position = (count - 1) * fraction
    low = int(position)
    below = values[low + 1]
    above = values.get(low + 2, below)
    return below + (above - below) * (position - low)


def _overstaying(steps: list[Step], today: dt.date) -> Q:
    """Open in a step for more whole days than its duration: the step clock is red."""
    zone = timezone.get_current_timezone()
    condition = Q(pk__in=[])
    for step in steps:
        day = today - dt.timedelta(days=step.duration_days)
        condition |= Q(step=step, step_changed_at__lt=dt.datetime.combine(day, dt.time.min, zone))
    return condition


def _current(filters: ReportFilters, user, process: Process) -> QuerySet:
    return filters.opportunities(user).filter(process=process, status=OPEN, step__isnull=False)


class TimeInStepOptions(forms.Form):
    by = forms.ChoiceField(
        label=_("Rows"),
        choices=[("step", _("One per step")), ("rep", _("One per rep"))],
        required=False,
    )


def _owner_condition(part: str) -> Q | None:
    """A drill key's owner part: a user id or "none" (no owner); None when junk."""
    if part == NOBODY:
        return Q(owner__isnull=True)
    owner_id = parse_int(part, min_value=1)
    return None if owner_id is None else Q(owner_id=owner_id)


@register
class TimeInStepReport(Report):
    slug = "time-in-step"
    extra_form_class = TimeInStepOptions
    title = _("Time in step")
    description = _(
        "For each step of a process: the median and 90th percentile of the days spent in it, "
        "against its configured duration, and the opportunities overstaying now."
    )

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        process = report_process(filters)
        if process is None:
            return ReportResult(columns=[], rows=[], notes=gettext("No process to show."))
        steps = list(process.steps.order_by("position", "pk"))
        today = timezone.localdate()
        if filters.extra.get("by") == "rep":
            return self._per_rep(filters, user, process, steps, today)
        figures = {
            step: row for (_owner, step), row in stay_figures(filters, user, process, steps).items()
        }
        now = {
            row["step"]: row
            for row in _current(filters, user, process)
            .values("step")
            .annotate(now=Count("pk"), overstaying=Count("pk", filter=_overstaying(steps, today)))
            .order_by()
        }
        rows = []
        for step in steps:
            stay = figures.get(step.pk, {})
            current = now.get(step.pk, {})
            rows.append(
                {
                    "step": Cell(step.label),
                    "duration": Cell(step.duration_days),
                    "left": Cell(stay.get("left", 0), f"left:{step.pk}"),
                    "median": Cell(stay.get("median")),
                    "p90": Cell(stay.get("p90")),
                    "over": Cell(stay.get("over", 0), f"over:{step.pk}"),
                    "now": Cell(current.get("now", 0), f"now:{step.pk}"),
                    "overstaying": Cell(current.get("overstaying", 0), f"overstaying:{step.pk}"),
                }
            )
        detail = self._detail(filters, user, process, steps, today)
        return ReportResult(
            columns=[
                Column("step", gettext("Step")),
                Column("duration", gettext("Duration (days)"), "int"),
                Column("left", gettext("Left the step"), "int"),
                Column("median", gettext("Median"), "days"),
                Column("p90", gettext("90th percentile"), "days"),
                Column("over", gettext("Over the duration"), "int"),
                Column("now", gettext("In the step now"), "int"),
                Column("overstaying", gettext("Overstaying now"), "int"),
            ],
            rows=rows,
            chart=ChartData(
                kind="bars",
                categories=[step.label for step in steps],
                series=[
                    Series(gettext("Median"), [figures.get(s.pk, {}).get("median") for s in steps]),
                    Series(
                        gettext("90th percentile"),
                        [figures.get(s.pk, {}).get("p90") for s in steps],
                    ),
                ],
                unit="days",
                reference=[step.duration_days for step in steps],
                reference_label=gettext("Configured duration"),
            ),
            detail_title=gettext("Overstaying now"),
            detail_columns=self._detail_columns(),
            detail_rows=detail,
            notes=self._notes(filters, process),
        )

    def _per_rep(self, filters, user, process, steps, today) -> ReportResult:
        """One row per rep: the median days of their stays in each step, and how many of
        their opportunities overstay now; the chart compares the reps step by step."""
        figures = stay_figures(filters, user, process, steps, by_owner=True)
        overstaying = dict(
            _current(filters, user, process)
            .filter(_overstaying(steps, today))
            .values("owner")
            .annotate(count=Count("pk"))
            .order_by()
            .values_list("owner", "count")
        )
        owners = {owner for owner, _step in figures} | set(overstaying)
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=owners - {None})}
        order = sorted(owners, key=lambda pk: (pk is None, user_label(users.get(pk)).lower()))
        labels = {pk: user_label(users[pk]) if pk in users else gettext("No owner") for pk in order}
        rows = []
        for owner in order:
            who = NOBODY if owner is None else str(owner)
            row = {"rep": Cell(labels[owner])}
            for step in steps:
                median = figures.get((owner, step.pk), {}).get("median")
                row[f"step_{step.pk}"] = Cell(median, f"left:{step.pk}:{who}")
            row["overstaying"] = Cell(overstaying.get(owner, 0), f"overstaying:{ALL}:{who}")
            rows.append(row)
        columns = [Column("rep", gettext("Rep"))]
        columns += [
            Column(f"step_{s.pk}", gettext("{step}: median").format(step=s.label), "days")
            for s in steps
        ]
        columns.append(Column("overstaying", gettext("Overstaying now"), "int"))
        return ReportResult(
            columns=columns,
            rows=rows,
            chart=ChartData(
                kind="bars",
                categories=[labels[owner] for owner in order],
                series=[
                    Series(step.label, [figures.get((o, step.pk), {}).get("median") for o in order])
                    for step in steps
                ],
                unit="days",
            ),
            detail_title=gettext("Overstaying now"),
            detail_columns=self._detail_columns(),
            detail_rows=self._detail(filters, user, process, steps, today),
            notes=self._notes(filters, process),
        )

    def _detail_columns(self) -> list[Column]:
        return [
            Column("opportunity", gettext("Opportunity")),
            Column("owner", gettext("Rep")),
            Column("step", gettext("Step")),
            Column("days", gettext("Days in the step"), "int"),
            Column("duration", gettext("Duration (days)"), "int"),
        ]

    def _detail(self, filters, user, process, steps, today) -> list[dict[str, Cell]]:
        """The longest overstays now, longest first (the count's link lists them all)."""

        overstaying = (
            _current(filters, user, process)
            .filter(_overstaying(steps, today))
            .select_related("owner", "step")
            .order_by("step_changed_at", "pk")[:DETAIL_LIMIT]
        )
        return [
            {
                "opportunity": Cell(opportunity.summary, url=opportunity.get_absolute_url()),
                "owner": Cell(user_label(opportunity.owner) if opportunity.owner else "—"),
                "step": Cell(opportunity.step.label),
                "days": Cell(days_since(opportunity.step_changed_at, today)),
                "duration": Cell(opportunity.step.duration_days),
            }
            for opportunity in overstaying
        ]

    def _notes(self, filters: ReportFilters, process: Process) -> str:
        return gettext(
            "Process “{process}”. Stays that ended from {start} to {end}: a stay starts when "
            "the opportunity is created in or moved into the step and ends at its next step "
            "change or when it is won, lost or made inactive. An opportunity that went through "
            "a step twice counts once in “Left the step”, and both stays count in the median. "
            "In the step now and overstaying: today, by the step clock of the board."
        ).format(
            process=process.name,
            start=date_format(filters.start, "SHORT_DATE_FORMAT"),
            end=date_format(filters.end, "SHORT_DATE_FORMAT"),
        )

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        """Keys: `kind:step` or `kind:step:owner` (the per-rep rows; owner "none" for no
        owner); `now` and `overstaying` also take the step "all"."""
        kind, *parts = key.split(":")
        process = report_process(filters)
        if process is None or kind not in KINDS or not 1 <= len(parts) <= 2:
            return Opportunity.objects.none()
        owner = _owner_condition(parts[1]) if len(parts) == 2 else Q()
        if owner is None:
            return Opportunity.objects.none()
        if parts[0] == ALL and kind in ("now", "overstaying"):
            steps = list(process.steps.all())
        else:
            step_id = parse_int(parts[0], min_value=1)
            steps = list(process.steps.filter(pk=step_id)) if step_id is not None else []
        if not steps:
            return Opportunity.objects.none()
        if kind in ("now", "overstaying"):
            current = _current(filters, user, process).filter(owner, step__in=steps)
            if kind == "overstaying":
                current = current.filter(_overstaying(steps, timezone.localdate()))
            return current
        stays, params = stays_sql(filters, user, process, steps)
        condition = " WHERE days > duration" if kind == "over" else ""
        ids = RawSQL(  # noqa: S611 - the SQL above and constants; values are parameters
            f"SELECT opportunity_id FROM ({stays}) stays{condition}",  # noqa: S608
            params,
        )
        return filters.opportunities(user).filter(owner, pk__in=ids)
