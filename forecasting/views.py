from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.exports import csv_response, export_counted
from core.htmx import HtmxHttpRequest
from core.params import int_param
from forecasting import selectors
from forecasting.charts import bar_chart
from forecasting.filters import ForecastFilter
from forecasting.selectors import (
    FORECAST_HEADERS,
    forecast_rows,
    forecast_table,
    open_opportunities,
    slipped_opportunities,
)
from pipeline.models import Opportunity

DEFAULT_MONTHS = 12
MAX_MONTHS = 36
ACCURACY_MONTHS = 12
MONTH_CHOICES = [3, 6, 12, 18, 24, 36]


def months_param(request, default: int = DEFAULT_MONTHS) -> int:
    return int_param(request.GET, "months", default, min_value=1, max_value=MAX_MONTHS, clamp=True)


def filtered_forecast(request):
    """The page's FilterSet over the open opportunities the user may see."""
    return ForecastFilter(
        request.GET or None, queryset=open_opportunities(user=request.user), user=request.user
    )


@login_required
@require_http_methods(["GET"])
def forecast(request: HtmxHttpRequest):
    """Months ahead: count, amount and weighted amount of open opportunities by expected month,
    slipped ones counted in the current month; a bar chart above the table."""
    months = months_param(request)
    filterset = filtered_forecast(request)
    queryset = filterset.qs
    table = forecast_table(user=request.user, months=months, queryset=queryset)
    chart = bar_chart(
        [
            (row.month, {"amount": row.amount, "weighted": row.weighted_amount})
            for row in table.rows
        ],
        ["amount", "weighted"],
    )
    context = {
        "filterset": filterset,
        "table": table,
        "chart": chart,
        "months": months,
        "slipped": slipped_opportunities(queryset=queryset) if table.slipped_count else [],
        "query": request.GET.urlencode(),
        "month_choices": MONTH_CHOICES,
        "legend": [("amount", _("Amount")), ("weighted", _("Weighted amount"))],
        "today": timezone.localdate(),
    }
    template = "forecasting/forecast.html"
    if request.htmx:
        template += "#forecast-results"
    return render(request, template, context)


@login_required
@require_http_methods(["GET"])
def forecast_export(request: HtmxHttpRequest):
    """The forecast table as CSV, with the page's filters."""
    filterset = filtered_forecast(request)
    table = forecast_table(user=request.user, months=months_param(request), queryset=filterset.qs)
    filename = f"forecast-{timezone.localdate():%Y-%m-%d}.csv"
    rows = export_counted(
        forecast_rows(table), request=request, kind="forecast_export", filename=filename
    )
    return csv_response(filename, FORECAST_HEADERS, rows)


@login_required
@require_http_methods(["GET"])
def forecast_accuracy(request: HtmxHttpRequest):
    """Past forecasts (the nightly snapshots) beside what was actually won in each month."""
    filterset = ForecastFilter(
        request.GET or None, queryset=open_opportunities(user=request.user), user=request.user
    )
    # Snapshots are stored per rep and process only: no category filter here.
    del filterset.form.fields["category"]
    owner = process = None
    if filterset.is_valid():
        owner = filterset.form.cleaned_data.get("owner")
        process = filterset.form.cleaned_data.get("process")
    won_queryset = Opportunity.objects.visible_to(request.user)
    if owner is not None:
        won_queryset = won_queryset.filter(owner=owner)
    if process is not None:
        won_queryset = won_queryset.filter(process=process)
    rows = selectors.forecast_accuracy(
        user=request.user,
        months=ACCURACY_MONTHS,
        owner=owner,
        process=process,
        won_queryset=won_queryset,
    )
    chart = bar_chart(
        [(row.month, {"weighted": row.forecast_weighted, "won": row.won_amount}) for row in rows],
        ["weighted", "won"],
    )
    context = {
        "filterset": filterset,
        "rows": rows,
        "chart": chart,
        "legend": [("weighted", _("Forecast (weighted)")), ("won", _("Won"))],
    }
    template = "forecasting/forecast_accuracy.html"
    if request.htmx:
        template += "#accuracy-results"
    return render(request, template, context)
