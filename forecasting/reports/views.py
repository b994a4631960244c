"""The reports' pages: the list, one report (filters, chart, table, notes), its CSV export and
the list of records behind one of its numbers. Every page renders any registered report from
its `ReportResult`; every logged-in user may open them, a rep seeing only their own figures
(`ReportFilters`), and the records of a drill are checked against the user's scope once more.
"""

import csv
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, numberformat, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods

from core.access import can_view, owner_field
from core.exports import BOM, CONTENT_TYPE, csv_safe, export_audit
from core.htmx import HtmxHttpRequest
from core.params import int_param
from core.roles import is_manager
from core.users import user_label
from forecasting.reports import REPORTS
from forecasting.reports.base import (
    Cell,
    Column,
    Report,
    ReportFilterForm,
    ReportFilters,
    ReportResult,
)
from forecasting.reports.svg import chart_svg, format_value
from pipeline.models import Opportunity, Task

# The order a manager reads them in on Monday; reports registered later come after.
ORDER = ("time-in-step", "funnel", "win-rate", "slippage", "accuracy", "activity")
DRILL_PAGE_SIZE = 50
MAX_KEY_LENGTH = 200
NUMERIC = {"int", "days", "percent", "money"}
# What a CSV header says after the label, for the kinds whose cells carry a unit on the page.
UNITS = {"days": gettext_lazy("days"), "percent": "%", "money": "€"}


def registered() -> list[Report]:
    rank = {slug: index for index, slug in enumerate(ORDER)}
    slugs = sorted(REPORTS, key=lambda slug: (rank.get(slug, len(ORDER)), slug))
    return [REPORTS[slug]() for slug in slugs]


def report_or_404(slug: str) -> Report:
    if slug not in REPORTS:
        raise Http404("No such report")
    return REPORTS[slug]()


def read_filters(request, report: Report):
    """The bound filter form, the report's own form (or None) and the filters they give."""
    data = request.GET or None
    form = ReportFilterForm(data, user=request.user)
    if "owner" in form.fields:
        form.fields["owner"].label_from_instance = user_label
    extra_form = report.extra_form(data)
    filters = ReportFilters.from_form(form, request.user, extra_form)
    if not form.is_bound:
        form = ReportFilterForm(
            user=request.user, initial={"start": filters.start, "end": filters.end}
        )
        if "owner" in form.fields:
            form.fields["owner"].label_from_instance = user_label
    return form, extra_form, filters


def _cell(cell: Cell, column: Column, drill_base: str, filters: ReportFilters) -> dict:
    url = cell.url
    if not url and cell.drill and cell.value not in (None, "", 0):  # nothing behind a zero
        url = f"{drill_base}?{filters.query(key=cell.drill)}"
    return {
        "text": format_value(cell.value, column.kind),
        "url": url,
        "numeric": column.kind in NUMERIC,
        "key": cell.drill,
    }


def table(columns: list[Column], rows: list[dict[str, Cell]], slug: str, filters) -> dict:
    """The table as the template shows it: formatted texts and the links of the cells."""
    drill_base = reverse("report_drill", args=[slug])
    empty = Cell(None)
    return {
        "columns": [
            {"label": column.label, "numeric": column.kind in NUMERIC} for column in columns
        ],
        "rows": [
            [_cell(row.get(column.key, empty), column, drill_base, filters) for column in columns]
            for row in rows
        ],
    }


@login_required
@require_http_methods(["GET"])
def reports(request: HtmxHttpRequest):
    """The registered reports, each a card that leads to its page."""
    return render(request, "forecasting/reports/report_list.html", {"reports": registered()})


@login_required
@require_http_methods(["GET"])
def report_detail(request: HtmxHttpRequest, slug: str):
    """One report: its filters (kept in the URL), its chart, its table, its notes; htmx swaps
    only the results when a filter changes."""
    report = report_or_404(slug)
    form, extra_form, filters = read_filters(request, report)
    result = report.compute(filters, request.user)
    context = {
        "report": report,
        "form": form,
        "extra_form": extra_form,
        "filters": filters,
        "result": result,
        "chart": chart_svg(result.chart, title=str(report.title), prefix=f"chart-{slug}")
        if result.chart is not None and result.chart.series
        else None,
        "table": table(result.columns, result.rows, slug, filters),
        "detail": table(result.detail_columns, result.detail_rows, slug, filters)
        if result.detail_columns
        else None,
        "query": filters.query(),
        "is_manager": is_manager(request.user),
    }
    template = "forecasting/reports/report_detail.html"
    if request.htmx and request.htmx.target == "report-results":
        template += "#report-results"
    return render(request, template, context)


# CSV ----------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_number(value, kind: str, decimal_separator: str) -> str:
    """A number as a spreadsheet in the user's language reads it: no grouping, the language's
    decimal mark ("7,5" in French), one decimal for days and percents, two for money."""
    places = {"int": 0, "days": 1, "percent": 1, "money": 2}[kind]
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return numberformat.format(
        number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP),
        decimal_separator,
        places,
        grouping=0,
    )


def csv_lines(columns: list[Column], rows: list[dict[str, Cell]]):
    """The table's lines: ";" between fields and "," decimals in French (Excel with French
    regional settings), "," and "." in English; text cells guarded against formulas."""
    decimal = formats.get_format("DECIMAL_SEPARATOR", lang=get_language())
    delimiter = ";" if decimal == "," else ","
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield BOM
    yield writer.writerow(
        [
            f"{column.label} ({UNITS[column.kind]})" if column.kind in UNITS else column.label
            for column in columns
        ]
    )
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column.key, Cell(None)).value
            if value is None or value == "":
                values.append("")
            elif column.kind in NUMERIC:
                values.append(csv_number(value, column.kind, decimal))
            else:
                values.append(csv_safe(str(value)))
        yield writer.writerow(values)


@login_required
@require_http_methods(["GET"])
def report_export(request: HtmxHttpRequest, slug: str):
    """The report's table as CSV, with the page's filters, in the user's language."""
    report = report_or_404(slug)
    _form, _extra_form, filters = read_filters(request, report)
    result: ReportResult = report.compute(filters, request.user)
    response = HttpResponse(
        "".join(csv_lines(result.columns, result.rows)).encode("utf-8"), content_type=CONTENT_TYPE
    )
    filename = f"{slug}-{filters.start:%Y-%m-%d}-{filters.end:%Y-%m-%d}.csv"
    export_audit(request=request, kind="report_export", filename=filename, rows=len(result.rows))
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


# Drill --------------------------------------------------------------------------------------


def drill_caption(result: ReportResult, key: str) -> str:
    """Which number of the report the key is: "row · column", from the computed result."""
    for columns, rows in (
        (result.columns, result.rows),
        (result.detail_columns, result.detail_rows),
    ):
        for row in rows:
            for column in columns:
                cell = row.get(column.key)
                if cell is not None and cell.drill == key:
                    heading = next(iter(row.values()), None) if row else None
                    label = "" if heading is None or heading is cell else str(heading.value)
                    return f"{label} · {column.label}" if label else column.label
    return ""


# What a drill lists, by kind: the model, the related rows shown, the order.
LISTS = {
    "tasks": (Task, ("type", "assignee", "opportunity", "prospect", "company"), ("-start", "-pk")),
    "opportunities": (
        Opportunity,
        ("owner", "step", "prospect", "company", "process"),
        ("-created_at", "-pk"),
    ),
}


def scoped_ids(records: QuerySet, kind: str, user) -> list[int]:
    """The ids of the drill's records, in the list's order, within the user's scope once more
    (a report's mistake must not show a record the user may not see): visible, a rep's own.
    Ids first: the report's query runs once, for the count and the page, and only the page's
    rows are read with their related rows."""
    model, _related, order = LISTS[kind]
    allowed = model.objects.visible_to(user)
    if not is_manager(user):
        allowed = allowed.filter(**{owner_field(model): user})
    return list(
        records.filter(pk__in=allowed.values("pk")).order_by(*order).values_list("pk", flat=True)
    )


def page_records(ids: list[int], kind: str) -> list:
    model, related, _order = LISTS[kind]
    found = model.objects.select_related(*related).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def task_about(task: Task, user) -> tuple[str, str] | None:
    """What a listed task is about (label, link), when the user may see that record: a task
    of the user's may be about a colleague's opportunity that a rep who sees only their own
    records must not read."""
    for related in (task.opportunity, task.prospect, task.company):
        if related is not None and related.deleted_at is None:
            if not can_view(user, related):
                return None
            return str(related), related.get_absolute_url()
    return None


@login_required
@require_http_methods(["GET"])
def report_drill(request: HtmxHttpRequest, slug: str):
    """The records behind one number of a report (`?key=` names the cell), paginated; their
    count is the number."""
    report = report_or_404(slug)
    _form, _extra_form, filters = read_filters(request, report)
    key = request.GET.get("key", "")[:MAX_KEY_LENGTH]
    kind = report.drill_kind(key) if key else report.drills
    records = report.drill(filters, request.user, key) if key else None
    if records is None:
        records = (Task if kind == "tasks" else Opportunity).objects.none()
    ids = scoped_ids(records, kind, request.user)
    page = Paginator(ids, DRILL_PAGE_SIZE).get_page(
        int_param(request.GET, "page", 1, min_value=1, clamp=True)
    )
    page.object_list = page_records(list(page.object_list), kind)
    result = report.compute(filters, request.user) if key else None
    params = request.GET.copy()
    params.pop("page", None)
    if kind == "tasks":
        page.object_list = [(task, task_about(task, request.user)) for task in page.object_list]
    context = {
        "report": report,
        "filters": filters,
        "kind": kind,
        "page": page,
        "caption": drill_caption(result, key) if result is not None else "",
        "back": f"{reverse('report_detail', args=[slug])}?{filters.query()}",
        "query": params.urlencode(),
        "now": timezone.now(),
    }
    return render(request, "forecasting/reports/report_drill.html", context)
