"""What every report shares: the filters read from the URL, the opportunities they select for
the user, and the shape of an answer (columns, rows of cells that link to the opportunities
behind them, chart data drawn as SVG on the server, CSV rows).

A report is a `Report` subclass registered with `@register`: `compute(filters, user)` answers
the table and the chart, in SQL (aggregates and window functions, never a Python loop over
opportunities), and `drill(filters, user, key)` answers exactly the records one cell counts."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Category, Channel
from core.forms import DATE_WIDGET
from core.roles import is_manager
from forecasting.filters import owner_choices
from forecasting.selectors import add_months, month_start
from pipeline.models import Opportunity, Process

REPORTS: dict[str, type["Report"]] = {}


def register(report: type["Report"]) -> type["Report"]:
    REPORTS[report.slug] = report
    return report


class ReportFilterForm(forms.Form):
    """The filters every report reads from its URL (all optional)."""

    process = forms.ModelChoiceField(
        label=_("Process"),
        queryset=Process.objects.all(),
        required=False,
        empty_label=_("All processes"),
    )
    owner = forms.ModelChoiceField(
        label=_("Rep"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("All reps"),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.all(),
        required=False,
        empty_label=_("All channels"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)
        if user is not None and not is_manager(user):
            del self.fields["owner"]  # a rep's figures are the rep's own

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data


@dataclass
class ReportFilters:
    """The filters of one request; `start`..`end` (both included) is the period."""

    start: dt.date
    end: dt.date
    process: Process | None = None
    owner: Any = None
    channel: Channel | None = None
    category: Category | None = None

    @classmethod
    def default_period(cls, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The last twelve months, this one included."""
        today = today or timezone.localdate()
        return add_months(month_start(today), -11), today

    @classmethod
    def from_form(cls, form: ReportFilterForm, user) -> "ReportFilters":
        """From a bound form (invalid values are dropped: the page shows the form's errors)."""
        data = form.cleaned_data if form.is_valid() else {}
        start, end = cls.default_period()
        filters = cls(
            start=data.get("start") or start,
            end=data.get("end") or end,
            process=data.get("process"),
            owner=data.get("owner"),
            channel=data.get("channel"),
            category=data.get("category"),
        )
        if not is_manager(user):
            filters.owner = user
        return filters

    def opportunities(self, user) -> QuerySet:
        """The opportunities the report may count for `user` (alive, visible, a rep's own),
        filtered by process, rep, channel and category. Period filtering is the report's:
        each report says which date the period applies to (created, closed, expected…)."""
        queryset = Opportunity.objects.visible_to(user)
        if not is_manager(user):
            queryset = queryset.filter(owner=user)
        if self.process is not None:
            queryset = queryset.filter(process=self.process)
        if self.owner is not None:
            queryset = queryset.filter(owner=self.owner)
        if self.channel is not None:
            queryset = queryset.filter(prospect__channel=self.channel)
        if self.category is not None:
            queryset = queryset.filter(
                Q(prospect__categories=self.category) | Q(company__categories=self.category)
            ).distinct()
        return queryset

    def period_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [start 00:00, day after end 00:00)."""
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after

    def query(self, **extra) -> str:
        """The URL query string of these filters (plus `extra`), for links and exports."""
        params = {
            "process": self.process.pk if self.process else "",
            "owner": self.owner.pk if self.owner else "",
            "channel": self.channel.pk if self.channel else "",
            "category": self.category.pk if self.category else "",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


@dataclass
class Column:
    key: str
    label: str
    # How the cell is shown and exported: text, int, days (one decimal), percent (0–100, one
    # decimal), money (Decimal, € in the user's format).
    kind: str = "text"


@dataclass
class Cell:
    value: Any  # None shows as "—"
    drill: str = ""  # the key `Report.drill` understands; "" when the number links nowhere


@dataclass
class Series:
    label: str
    values: list[Decimal | float | int | None]


@dataclass
class ChartData:
    """What the chart shows; the page draws it as SVG (`forecasting.reports.svg`)."""

    kind: str  # "bars" (grouped bars per category) or "lines" (one line per series)
    categories: list[str]  # x axis labels (steps, months, reps…)
    series: list[Series]
    unit: str = ""  # "days", "%", "€" or "" (counts)
    # Optional reference marks per category (e.g. the step's configured duration).
    reference: list[Decimal | float | int | None] | None = None
    reference_label: str = ""


@dataclass
class ReportResult:
    columns: list[Column]
    rows: list[dict[str, Cell]]
    chart: ChartData | None = None
    # Optional second table (e.g. "opportunities that overstay", "slipped three times"):
    # same shape, shown under the first with its own title.
    detail_title: str = ""
    detail_columns: list[Column] = field(default_factory=list)
    detail_rows: list[dict[str, Cell]] = field(default_factory=list)
    notes: str = ""


class Report:
    slug: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    # What `drill` answers: "opportunities" or "tasks" (the activity report's counts).
    drills: ClassVar[str] = "opportunities"

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        raise NotImplementedError

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        """Exactly the records the cell with this `key` counts; unknown keys answer none."""
        raise NotImplementedError
