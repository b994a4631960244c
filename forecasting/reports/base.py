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
from django.utils.translation import pgettext_lazy

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


# A period within these days (a date further away is a typing mistake, and the day after
# 31/12/9999 does not exist).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
DATE_OUT_OF_RANGE = _("Enter a date between the years 2000 and 2100.")


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
    start = forms.DateField(
        label=pgettext_lazy("period", "From"), required=False, widget=DATE_WIDGET
    )
    end = forms.DateField(label=pgettext_lazy("period", "To"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)
        if user is not None and not is_manager(user):
            del self.fields["owner"]  # a rep's figures are the rep's own

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, DATE_OUT_OF_RANGE)
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data


def _valid_data(form: forms.Form) -> dict:
    """The values of a bound form's valid fields (the page shows the others' errors); {} for
    an unbound form."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


@dataclass
class ReportFilters:
    """The filters of one request; `start`..`end` (both included) is the period."""

    start: dt.date
    end: dt.date
    process: Process | None = None
    owner: Any = None
    channel: Channel | None = None
    category: Category | None = None
    # The report's own parameters (`Report.extra_form_class`, e.g. {"group": "month"}): plain
    # values, kept in links and exports by `query()`.
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def default_period(cls, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The last twelve months, this one included."""
        today = today or timezone.localdate()
        return add_months(month_start(today), -11), today

    @classmethod
    def from_form(
        cls, form: ReportFilterForm, user, extra_form: forms.Form | None = None
    ) -> "ReportFilters":
        """From a bound form (invalid values are dropped: the page shows the form's errors),
        and the report's own bound `extra_form` if it has one (`Report.extra_form`)."""
        data = _valid_data(form)
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
        if extra_form is not None:
            filters.extra = {
                k: v for k, v in _valid_data(extra_form).items() if v not in ("", None)
            }
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

    def months(self) -> list[dt.date]:
        """The first days of the calendar months the period touches, in order."""
        last = month_start(self.end)
        count = (last.year - self.start.year) * 12 + last.month - self.start.month + 1
        return [add_months(month_start(self.start), i) for i in range(count)]

    def query(self, **extra) -> str:
        """The URL query string of these filters (plus `extra`), for links and exports."""
        params = {
            "process": self.process.pk if self.process else "",
            "owner": self.owner.pk if self.owner else "",
            "channel": self.channel.pk if self.channel else "",
            "category": self.category.pk if self.category else "",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            **self.extra,
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
    # A direct link instead of the drill (e.g. a detail row's opportunity to its card,
    # `opportunity.get_absolute_url()`); the page checks nothing: the target checks the rights.
    url: str = ""


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
    # The report's own URL parameters beyond the shared filters (e.g. the win rate's "group
    # by"), shown with the filters and read from the same query string: see `extra_form`.
    extra_form_class: ClassVar[type[forms.Form] | None] = None

    def extra_form(self, data) -> forms.Form | None:
        """The report's own parameters bound to `data` (the query string), or None; pass it
        to `ReportFilters.from_form` so that `filters.extra` holds its valid values."""
        return self.extra_form_class(data) if self.extra_form_class is not None else None

    def drill_kind(self, key: str) -> str:
        """What the drill of `key` lists: "opportunities" or "tasks"; `drills` unless the
        report's cells lead to both (the activity report)."""
        return self.drills

    def compute(self, filters: ReportFilters, user) -> ReportResult:
        raise NotImplementedError

    def drill(self, filters: ReportFilters, user, key: str) -> QuerySet:
        """Exactly the records the cell with this `key` counts; unknown keys answer none."""
        raise NotImplementedError
