"""The reports' pages: the list, any registered report's page (filters, SVG chart, table,
notes), its CSV export in the user's language, the list of records behind a number, the rights
of reps, and the chart's drawing."""

import csv
import datetime as dt
import io
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from forecasting.reports import REPORTS
from forecasting.reports.base import (
    Cell,
    ChartData,
    Column,
    Report,
    ReportFilters,
    ReportResult,
    Series,
)
from forecasting.reports.svg import chart_svg, format_value, nice_ticks
from forecasting.reports.views import csv_lines
from pipeline.models import HistoryEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=PARIS)
JUNE = "start=2026-06-01&end=2026-06-30"


def opportunity(owner, step, entered, *, summary, created=None):
    """An open opportunity created in `step` at `entered` (its step clock) with its history."""
    item = f.OpportunityFactory(
        owner=owner,
        prospect=f.ProspectFactory(owner=owner),
        summary=summary,
        step=step,
        step_changed_at=entered,
        created_at=created or entered,
    )
    HistoryEntry.objects.create(
        opportunity=item, kind="created", to_step=step, to_value=step.label, at=entered
    )
    return item


def move(item, source, target, when):
    HistoryEntry.objects.create(
        opportunity=item, kind="step", from_step=source, to_step=target, at=when
    )
    type(item).objects.filter(pk=item.pk).update(step=target, step_changed_at=when)


@pytest.fixture
def world(freeze, rep, other_rep, default_process):
    """The rep's deal left step 1 after 7 days and overstays in step 2; the other rep's deal
    ("Zq-other") too; each rep has a task done in June and one overdue."""
    freeze(NOW)
    s1, s2, *_rest = default_process.steps.order_by("position")
    mine = opportunity(rep, s1, dt.datetime(2026, 6, 1, 10, tzinfo=PARIS), summary="My deal")
    move(mine, s1, s2, dt.datetime(2026, 6, 8, 10, tzinfo=PARIS))
    theirs = opportunity(
        other_rep, s1, dt.datetime(2026, 6, 1, 9, tzinfo=PARIS), summary="Zq-other"
    )
    move(theirs, s1, s2, dt.datetime(2026, 6, 2, 9, tzinfo=PARIS))
    for owner, deal in ((rep, mine), (other_rep, theirs)):
        f.TaskFactory(
            assignee=owner,
            opportunity=deal,
            title=f"Done by {owner.username}",
            done=True,
            done_at=dt.datetime(2026, 6, 10, 15, tzinfo=PARIS),
        )
        f.TaskFactory(
            assignee=owner,
            opportunity=deal,
            title=f"Zq-late {owner.username}" if owner == other_rep else "Late call",
            start=dt.datetime(2026, 6, 12, 9, tzinfo=PARIS),
        )
    return {"steps": (s1, s2), "mine": mine, "theirs": theirs}


def drill_links(html: str) -> list[tuple[str, str]]:
    """(href, number shown) of the links to the records behind the numbers."""
    return [
        (href.replace("&amp;", "&"), text.strip())
        for href, text in re.findall(
            r'<a href="([^"]*/list/\?[^"]*)" data-drill="[^"]*">([^<]*)<', html
        )
    ]


# The list and the navigation --------------------------------------------------------------


def test_the_list_shows_every_registered_report(manager_client):
    response = manager_client.get(reverse("reports"))
    assert response.status_code == 200
    html = response.content.decode()
    for slug, report in REPORTS.items():
        assert reverse("report_detail", args=[slug]) in html
        assert str(report.title) in html
    assert {"time-in-step", "activity"} <= set(REPORTS)


def test_every_page_links_to_the_reports_for_everyone(rep_client):
    html = rep_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("reports")}"' in html


def test_the_pages_need_a_login(client):
    for url in (
        reverse("reports"),
        reverse("report_detail", args=["time-in-step"]),
        reverse("report_export", args=["time-in-step"]),
        reverse("report_drill", args=["time-in-step"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["report_detail", "report_export", "report_drill"])
def test_an_unknown_report_is_not_found(manager_client, name):
    assert manager_client.get(reverse(name, args=["no-such-report"])).status_code == 404


# Any registered report --------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(REPORTS))
@pytest.mark.parametrize("who", ["manager", "rep"])
def test_every_report_renders_its_page_export_and_drills(world, client, manager, rep, slug, who):
    """Whatever the report: the page with its chart and table, the htmx swap of the results,
    the CSV, and for every whole number that links somewhere, a list of that many records."""
    client.force_login(manager if who == "manager" else rep)
    url = reverse("report_detail", args=[slug])
    response = client.get(f"{url}?{JUNE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-results"' in html
    assert "<table" in html
    if (
        REPORTS[slug]()
        .compute(ReportFilters(dt.date(2026, 6, 1), dt.date(2026, 6, 30)), manager)
        .chart
    ):
        assert "<svg" in html
    swap = client.get(f"{url}?{JUNE}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="report-results")
    assert swap.status_code == 200
    assert "<html" not in swap.content.decode()
    assert swap.content.decode().lstrip().startswith('<div id="report-results"')

    export = client.get(f"{reverse('report_export', args=[slug])}?{JUNE}")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    assert f'filename="{slug}-2026-06-01-2026-06-30.csv"' in export["Content-Disposition"]
    assert export.content.startswith("\ufeff".encode())

    for href, number in drill_links(html):
        answer = client.get(href)
        assert answer.status_code == 200, href
        if re.fullmatch(r"[0-9\s\u202f\u00a0]+", number):
            count = int(re.search(r'data-count="(\d+)"', answer.content.decode()).group(1))
            assert count == int(re.sub(r"\D", "", number)), (href, number, count)
        if who == "rep":
            assert "Zq-" not in answer.content.decode(), href
    if who == "rep":
        assert "Zq-" not in html


@pytest.mark.parametrize("slug", sorted(REPORTS))
@pytest.mark.parametrize(
    "query",
    [
        "start=abc&end=2026-13-45&owner=999999&process=x&channel=-1&category=%C2%B2",
        "start=2026-06-30&end=2026-06-01",
        "start=9999-12-31&end=9999-12-31",
        "key=%00&page=-1",
        "key=" + "9" * 40 + "&page=" + "9" * 30,
        "key=done:²:²&key=idle:",
    ],
)
def test_junk_filters_show_errors_and_never_fail(world, manager_client, slug, query):
    for name in ("report_detail", "report_export", "report_drill"):
        response = manager_client.get(f"{reverse(name, args=[slug])}?{query}")
        assert response.status_code in (200, 400), (name, query, response.status_code)


def test_invalid_filters_show_their_errors_and_the_valid_ones_apply(world, manager_client):
    s1, s2 = world["steps"]
    url = reverse("report_detail", args=["time-in-step"])
    response = manager_client.get(f"{url}?start=2026-06-01&end=not-a-date&owner=999999")
    html = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" in html
    assert "Zq-other" in html  # computed: the owner was dropped, the start kept


def test_a_reversed_period_says_so(world, manager_client):
    url = reverse("report_detail", args=["time-in-step"])
    html = manager_client.get(f"{url}?start=2026-06-30&end=2026-06-01").content.decode()
    assert "The end of the period comes before its start." in html


def test_htmx_swaps_show_the_filter_errors_in_the_results(world, manager_client):
    url = reverse("report_detail", args=["time-in-step"])
    response = manager_client.get(
        f"{url}?start=bad", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="report-results"
    )
    assert "data-filter-errors" in response.content.decode()


def test_the_page_keeps_a_constant_number_of_queries(
    world, manager_client, django_assert_max_num_queries
):
    url = reverse("report_detail", args=["time-in-step"])
    with django_assert_max_num_queries(20):
        manager_client.get(f"{url}?{JUNE}")
    s1, s2 = world["steps"]
    for i in range(10):
        deal = opportunity(
            f.RepFactory(), s1, dt.datetime(2026, 6, 1, 8, tzinfo=PARIS), summary=f"More {i}"
        )
        move(deal, s1, s2, dt.datetime(2026, 6, 3, 8, tzinfo=PARIS))
    with django_assert_max_num_queries(20):
        manager_client.get(f"{url}?{JUNE}")


# Rights -----------------------------------------------------------------------------------


def test_a_rep_sees_only_their_own_figures_without_a_rep_filter(world, rep_client, rep, other_rep):
    url = reverse("report_detail", args=["time-in-step"])
    html = rep_client.get(f"{url}?{JUNE}&owner={other_rep.pk}").content.decode()
    assert 'name="owner"' not in html
    assert "Zq-other" not in html
    assert "My deal" in html  # overstaying in step 2 (7 days > 5)
    s2 = world["steps"][1]
    drill = reverse("report_drill", args=["time-in-step"])
    for key in (f"now:{s2.pk}", f"overstaying:{s2.pk}", f"left:{world['steps'][0].pk}"):
        listing = rep_client.get(f"{drill}?{JUNE}&owner={other_rep.pk}&key={key}")
        text = listing.content.decode()
        assert "Zq-other" not in text
        assert "My deal" in text
        assert 'data-count="1"' in text


def test_a_manager_sees_the_team_and_filters_by_rep(world, manager_client, other_rep):
    url = reverse("report_detail", args=["time-in-step"])
    html = manager_client.get(f"{url}?{JUNE}").content.decode()
    assert 'name="owner"' in html
    assert "Zq-other" in html and "My deal" in html
    html = manager_client.get(f"{url}?{JUNE}&owner={other_rep.pk}").content.decode()
    assert "Zq-other" in html and "My deal" not in html


def test_a_drill_never_shows_what_the_user_may_not_see(world, rep_client, rep, settings):
    """Even a report whose drill forgot the scope shows a rep only their own records."""

    class Leaky(Report):
        slug = "leaky"
        title = "Leaky"
        description = ""

        def compute(self, filters, user):
            return ReportResult(columns=[], rows=[])

        def drill(self, filters, user, key):
            return type(world["theirs"]).objects.all()

    REPORTS["leaky"] = Leaky
    try:
        text = rep_client.get(f"{reverse('report_drill', args=['leaky'])}?key=x").content.decode()
    finally:
        del REPORTS["leaky"]
    assert "Zq-other" not in text
    assert "My deal" in text


def test_the_drill_lists_tasks_for_task_counts(world, manager_client, rep):
    drill = reverse("report_drill", args=["activity"])
    text = manager_client.get(f"{drill}?{JUNE}&key=overdue:{rep.pk}").content.decode()
    assert "Late call" in text
    assert "Zq-late" not in text
    assert 'data-count="1"' in text


def test_the_drill_is_paginated(world, manager_client):
    s1, s2 = world["steps"]
    for i in range(55):
        opportunity(
            f.RepFactory(), s2, dt.datetime(2026, 6, 1, 8, tzinfo=PARIS), summary=f"Stuck {i}"
        )
    drill = reverse("report_drill", args=["time-in-step"])
    first = manager_client.get(f"{drill}?{JUNE}&key=now:{s2.pk}").content.decode()
    assert 'data-count="57"' in first
    assert first.count("<tr data-opportunity=") == 50
    second = manager_client.get(f"{drill}?{JUNE}&key=now:{s2.pk}&page=2").content.decode()
    assert second.count("<tr data-opportunity=") == 7
    assert "In the step now" in first  # the title says which number


# CSV --------------------------------------------------------------------------------------


COLUMNS = [
    Column("label", "Label"),
    Column("count", "Count", "int"),
    Column("days", "Median", "days"),
    Column("rate", "Rate", "percent"),
    Column("amount", "Average", "money"),
]
ROWS = [
    {
        "label": Cell("=HYPERLINK(1)"),
        "count": Cell(1234),
        "days": Cell(7.25),
        "rate": Cell(-12.5),
        "amount": Cell(Decimal("12150.5")),
    },
    {"label": Cell("Plain"), "count": Cell(0), "days": Cell(None), "rate": Cell(None)},
]


def read(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter)), delimiter


def test_the_csv_reads_as_an_english_spreadsheet():
    with translation.override("en"):
        rows, delimiter = read(csv_lines(COLUMNS, ROWS))
    assert delimiter == ","
    assert rows[0] == ["Label", "Count", "Median (days)", "Rate (%)", "Average (€)"]
    assert rows[1] == ["'=HYPERLINK(1)", "1234", "7.3", "-12.5", "12150.50"]
    assert rows[2] == ["Plain", "0", "", "", ""]


def test_the_csv_reads_as_a_french_spreadsheet():
    with translation.override("fr"):
        rows, delimiter = read(csv_lines(COLUMNS, ROWS))
    assert delimiter == ";"
    assert rows[1] == ["'=HYPERLINK(1)", "1234", "7,3", "-12,5", "12150,50"]


def test_the_export_follows_the_users_language(world, manager_client):
    url = f"{reverse('report_export', args=['time-in-step'])}?{JUNE}"
    english = manager_client.get(url).content.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Step,Duration (days),")
    manager_client.cookies["django_language"] = "fr"
    french = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode("utf-8-sig")
    assert ";" in french.splitlines()[0]
    step = world["steps"][0].label
    assert f"{step};2;2;4,0;6,4;" in french  # stays of 7 and 1 days in step 1


# Values and the chart ---------------------------------------------------------------------


def test_values_read_in_the_users_language():
    with translation.override("en"):
        assert format_value(None, "int") == "—"
        assert format_value(1234, "int") == "1,234"
        assert format_value(7, "days") == "7.0 d"
        assert format_value(45.26, "percent") == "45.3\u00a0%"
        assert format_value(Decimal("12150.40"), "money") == "12,150\u00a0€"
    with translation.override("fr"):
        assert format_value(Decimal("12150.40"), "money").replace("\u202f", " ") in (
            "12 150\u00a0€",
            "12\u00a0150\u00a0€",
        )
        assert format_value(45.26, "percent").startswith("45,3")
        assert format_value(7, "days").startswith("7,0")


def test_ticks_are_round_and_cover_the_values():
    assert nice_ticks(0, 37) == [0, 10, 20, 30, 40]
    assert nice_ticks(0, 3, whole=True) == [0, 1, 2, 3]
    ticks = nice_ticks(-12.5, 40)
    assert ticks[0] <= -12.5 and ticks[-1] >= 40 and 0 in ticks


def chart(**overrides) -> ChartData:
    values = {
        "kind": "bars",
        "categories": ["New", "Estimate <b>", "Quote"],
        "series": [Series("Median", [3, 7.5, None]), Series("90th percentile", [6, 12, None])],
        "unit": "days",
        "reference": [2, 5, 10],
        "reference_label": "Configured duration",
    }
    return ChartData(**{**values, **overrides})


def test_the_chart_is_readable_without_colour():
    with translation.override("en"):
        svg = str(chart_svg(chart(), title="Time in step", prefix="t"))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-label="Time in step"' in svg
    assert "<title>Time in step</title>" in svg
    assert "<desc>Median — New: 3.0 d; Estimate &lt;b&gt;: 7.5 d; Quote: —." in svg
    assert 'fill="url(#t-p1)"' in svg  # the second series is hatched, not only coloured
    assert svg.count('class="bar"') == 4
    assert ">7.5 d<" in svg  # values written on the bars
    assert svg.count('stroke-dasharray="5 3"') == 1 + 3  # legend sample + one mark per step
    assert "Configured duration" in svg and "90th percentile" in svg
    assert "<b>" not in svg  # every text is escaped
    assert "style=" not in svg  # nothing the Content-Security-Policy refuses


def test_lines_have_markers_and_break_where_a_value_is_missing():
    svg = str(
        chart_svg(
            chart(
                kind="lines",
                unit="",
                reference=None,
                series=[Series("Alice", [1, None, 3]), Series("Bruno", [2, 2, 2])],
            ),
            title="Activity",
        )
    )
    assert svg.count("<polyline") == 1  # Alice's line is broken: only Bruno's runs
    assert svg.count('class="point"') == 5 + 2  # the points and the legend's samples
    assert 'stroke-dasharray="7 4"' in svg  # Bruno's line is dashed


def test_a_chart_without_values_says_so():
    with translation.override("en"):
        svg = str(chart_svg(chart(series=[Series("Median", [None, None, None])]), title="x"))
    assert "Nothing to show for this period." in svg


def test_many_categories_get_slanted_labels_one_in_k():
    svg = str(
        chart_svg(
            ChartData(
                kind="lines",
                categories=[f"Week of {i} June" for i in range(53)],
                series=[Series("Done", list(range(53)))],
            ),
            title="x",
        )
    )
    assert svg.count("rotate(-30") == 14  # one week in four: 0, 4, … 52


def test_the_reports_own_options_show_with_the_filters_and_stay_in_the_links(world, manager_client):
    url = reverse("report_detail", args=["time-in-step"])
    html = manager_client.get(f"{url}?{JUNE}&by=rep").content.decode()
    assert 'name="by"' in html
    assert "Alice Durand" in html and "Bruno Lefèvre" in html
    links = drill_links(html)
    assert links and all("by=rep" in href for href, _number in links)
    assert "by=rep" in re.search(r'id="report-export" href="([^"]*)"', html).group(1)
    for href, number in links:
        text = manager_client.get(href).content.decode()
        if number.isdigit():
            assert f'data-count="{number}"' in text


def test_a_listed_task_does_not_name_a_record_the_rep_may_not_see(world, rep_client, rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    f.TaskFactory(
        assignee=rep,
        opportunity=world["theirs"],
        title="Helping Bruno",
        done=True,
        done_at=dt.datetime(2026, 6, 11, 15, tzinfo=PARIS),
    )
    drill = reverse("report_drill", args=["activity"])
    text = rep_client.get(f"{drill}?{JUNE}&key=done:{rep.pk}:all").content.decode()
    assert "Helping Bruno" in text
    assert "My deal" in text  # the rep's own task is about the rep's own deal
    assert "Zq-other" not in text
