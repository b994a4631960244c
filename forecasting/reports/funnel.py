"""Conversion funnel: per step of one process, how many opportunities entered it, moved on,
were won or lost from it, are still in it, and how many of those that entered were won.

Definitions (the notes under the table say them to the reader):
- the opportunities are those of the process (the filter's, else the default process) whose
  entry into the funnel — their creation — falls in the period;
- an opportunity *reached* (entered) a step when its history puts it there or in a later step
  at some time: created in it, moved into it, or created or moved beyond it (a skipped step
  and, in step-by-step processes, a passed step count as entered: the funnel only narrows).
  The furthest step reached is the highest step rank among the `to_step` of its creation and
  step-change history rows and its current step;
- *moved on* from a step: reached a later one, or was won while in it;
- *won*, *lost*, *still in*: the opportunity is now won, lost, open in that step. Won and lost
  leave `Opportunity.step` where it was (pipeline.services.opportunities), so the current step
  of a closed opportunity is the step it was closed from. (Status history rows store the
  status's translated label, not its value: the current status and step are the reliable
  source.) An opportunity moved back counts as moved on from the steps it went beyond and as
  still in the step it is back in: the columns are not a partition;
- *conversion to won*: won (from any step) among those that entered the step, in percent.

One query: the furthest step per opportunity is a grouped join on its creation and step
history rows, and the figures are conditional counts over it."""

from django.db.models import (
    Case,
    Count,
    FilteredRelation,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from pipeline.models import HistoryEntry, Opportunity, Process, Step

WON, LOST, OPEN = Opportunity.Status.WON, Opportunity.Status.LOST, Opportunity.Status.OPEN
KINDS = ("entered", "moved", "won", "lost", "open", "converted")
ALL = "all"


def funnel_process(filters: ReportFilters) -> Process | None:
    return filters.process or Process.objects.filter(is_default=True).first()


def funnel_steps(process: Process | None) -> list[Step]:
    return list(process.steps.order_by("position", "pk")) if process is not None else []


def _rank(field: str, steps: list[Step]) -> Case:
    """The step's rank in the process (0 for the first), -1 for no step or another's."""
    return Case(
        *[When(**{field: step.pk}, then=Value(rank)) for rank, step in enumerate(steps)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def funnel_opportunities(filters: ReportFilters, user, process, steps) -> QuerySet:
    """The opportunities in the funnel, annotated with `reached`: the rank of the furthest
    step they reached (-1 when none). Grouped by opportunity over its creation and step-change
    history rows (a grouped query: PostgreSQL cannot inline it into the counts above it)."""
    if process is None:
        return Opportunity.objects.none()
    first, after = filters.period_bounds()
    return (
        filters.opportunities(user)
        .filter(process=process, created_at__gte=first, created_at__lt=after)
        .annotate(
            moves=FilteredRelation(
                "history",
                condition=Q(history__kind__in=[HistoryEntry.Kind.CREATED, HistoryEntry.Kind.STEP]),
            )
        )
        .annotate(reached=Greatest(Max(_rank("moves__to_step_id", steps)), _rank("step_id", steps)))
    )


def _condition(kind: str, rank: int | None, step: Step | None) -> Q:
    """What a cell counts: for the step of `rank`, or for the whole funnel when None."""
    if step is None:
        return {
            "entered": Q(),
            "won": Q(status=WON),
            "converted": Q(status=WON),
            "lost": Q(status=LOST),
            "open": Q(status=OPEN),
        }[kind]
    return {
        "entered": Q(reached__gte=rank),
        "moved": Q(reached__gt=rank) | Q(status=WON, step=step),
        "won": Q(status=WON, step=step),
        "lost": Q(status=LOST, step=step),
        "open": Q(status=OPEN, step=step),
        "converted": Q(reached__gte=rank, status=WON),
    }[kind]


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@register
class FunnelReport(Report):
    slug = "funnel"
    title = _("Conversion funnel")
    description = _(
        "Per step: how many opportunities entered, moved on, were won or lost from it, and "
        "how many of them were won."
    )

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        process = funnel_process(filters)
        steps = funnel_steps(process)
        opportunities = funnel_opportunities(filters, user, process, steps)
        counts = {
            f"{kind}_{rank}": Count("pk", filter=_condition(kind, rank, step))
            for rank, step in enumerate(steps)
            for kind in KINDS
        }
        counts.update(
            {f"{kind}_all": Count("pk", filter=_condition(kind, None, None)) for kind in KINDS[2:]}
        )
        counts["entered_all"] = Count("pk")
        figures = opportunities.aggregate(**counts) if process is not None else {}

        rows = []
        for rank, step in enumerate(steps):
            rows.append(self._row(step.label, str(step.pk), figures, str(rank)))
        total = self._row(gettext("All steps"), ALL, figures, ALL)
        total["moved"] = Cell(None)
        rows.append(total)
        return ReportResult(
            columns=[
                Column("step", gettext("Step")),
                Column("entered", gettext("Entered"), "int"),
                Column("moved", gettext("Moved on"), "int"),
                Column("won", gettext("Won from it"), "int"),
                Column("lost", gettext("Lost from it"), "int"),
                Column("open", gettext("Still in it"), "int"),
                Column("conversion", gettext("Conversion to won"), "percent"),
            ],
            rows=rows,
            chart=ChartData(
                kind="bars",
                categories=[step.label for step in steps],
                series=[
                    Series(
                        gettext("Entered"), [figures[f"entered_{r}"] for r in range(len(steps))]
                    ),
                    Series(
                        gettext("Won from the step"),
                        [figures[f"won_{r}"] for r in range(len(steps))],
                    ),
                ],
            ),
            notes=self._notes(filters, process),
        )

    def _row(self, label: str, target: str, figures: dict, suffix: str) -> dict[str, Cell]:
        def cell(kind: str) -> Cell:
            return Cell(figures.get(f"{kind}_{suffix}", 0), f"{kind}:{target}")

        entered = figures.get(f"entered_{suffix}", 0)
        return {
            "step": Cell(label),
            **{kind: cell(kind) for kind in KINDS[:5]},
            "conversion": Cell(
                _percent(figures.get(f"converted_{suffix}", 0), entered), f"converted:{target}"
            ),
        }

    def _notes(self, filters: ReportFilters, process: Process | None) -> str:
        if process is None:
            return gettext("No process to show: choose one.")
        return gettext(
            "Opportunities of the process “{process}” created from {start} to {end}. A step "
            "counts as entered when the opportunity was created or moved into it or beyond "
            "it; won, lost and still in count the step the opportunity is in now (closing "
            "leaves it in the step it was closed from); the conversion is the share of those "
            "that entered the step which were won."
        ).format(
            process=process.name,
            start=date_format(filters.start, "SHORT_DATE_FORMAT"),
            end=date_format(filters.end, "SHORT_DATE_FORMAT"),
        )

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        kind, _sep, target = key.partition(":")
        process = funnel_process(filters)
        steps = funnel_steps(process)
        if kind not in KINDS:
            return Opportunity.objects.none()
        if target == ALL and kind != "moved":
            rank, step = None, None
        else:
            found = [(r, s) for r, s in enumerate(steps) if str(s.pk) == target]
            if not found:
                return Opportunity.objects.none()
            rank, step = found[0]
        counted = funnel_opportunities(filters, user, process, steps).filter(
            _condition(kind, rank, step)
        )
        return Opportunity.objects.filter(pk__in=counted.values("pk"))
