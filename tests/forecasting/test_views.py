"""The forecast page, its CSV export, the accuracy page and the dashboard's "my forecast"."""

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from forecasting.services import forecast_snapshot_take
from pipeline.models import Opportunity
from tests import factories as f

from .conftest import PARIS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def march_10(freeze):
    freeze(dt.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS))


def test_pages_need_a_login(client):
    for name in ["forecast", "forecast_export", "forecast_accuracy"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_forecast_page_shows_the_manual_example(rep_client, rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )

    response = rep_client.get(reverse("forecast"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'class="bar bar-weighted"' in html
    assert html.index("<svg") < html.index('data-month="2026-06"')
    june = response.context["table"].rows[3]
    assert (june.month, june.weighted_amount) == (dt.date(2026, 6, 1), Decimal("16000.00"))
    # French amounts: 16 000 € (a non-breaking space as thousands separator).
    assert "16\xa0000\xa0€" in html  # and a non-breaking space before the € (tests/i18n)
    assert html.count('data-month="') == 12


def test_forecast_page_marks_slipped_opportunities(rep_client, rep):
    f.OpportunityFactory(
        owner=rep,
        summary="Late deal",
        amount=Decimal("5000"),
        probability=50,
        expected_date=dt.date(2026, 1, 15),
    )

    response = rep_client.get(reverse("forecast"))

    html = response.content.decode()
    assert "1 slipped" in html
    assert "Late deal" in html and "15/01/2026" in html
    assert response.context["table"].rows[0].slipped_count == 1


def test_forecast_page_filters_by_rep_and_process(manager_client, rep, other_rep):
    other_process = f.ProcessFactory(steps=2)
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=100, expected_date=dt.date(2026, 4, 5)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("3000"), probability=100, expected_date=dt.date(2026, 4, 5)
    )
    f.OpportunityFactory(
        owner=rep,
        process=other_process,
        amount=Decimal("500"),
        probability=100,
        expected_date=dt.date(2026, 4, 5),
    )

    by_rep = manager_client.get(reverse("forecast"), {"owner": rep.pk})
    by_process = manager_client.get(reverse("forecast"), {"process": other_process.pk})
    both = manager_client.get(
        reverse("forecast"), {"owner": other_rep.pk, "process": other_process.pk}
    )

    assert by_rep.context["table"].totals.amount == Decimal("1500.00")
    assert by_process.context["table"].totals.amount == Decimal("500.00")
    assert both.context["table"].totals.count == 0


def test_forecast_page_for_htmx_answers_with_the_results_partial(rep_client, rep):
    f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 4, 5))

    response = rep_client.get(reverse("forecast"), {"months": "6"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="forecast-results"')
    assert "<html" not in html
    assert html.count('data-month="') == 6


def test_forecast_page_ignores_a_bad_months_value(rep_client):
    response = rep_client.get(reverse("forecast"), {"months": "lots"})

    assert response.status_code == 200
    assert len(response.context["table"].rows) == 12


def test_forecast_page_rejects_post(rep_client):
    assert rep_client.post(reverse("forecast")).status_code == 405


def test_forecast_page_query_count_does_not_grow(rep_client, rep, django_assert_max_num_queries):
    def page_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert rep_client.get(reverse("forecast")).status_code == 200
        return len(context.captured_queries)

    f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 1, 5))
    few = page_queries()
    for i in range(15):
        f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 1 + i % 11, 5))
    assert page_queries() == few


@override_settings(REPS_SEE_ONLY_OWN=True)
def test_reps_limited_to_their_own_records_cannot_filter_on_another_rep(rep_client, rep, other_rep):
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("3000"), probability=100, expected_date=dt.date(2026, 4, 5)
    )

    response = rep_client.get(reverse("forecast"), {"owner": other_rep.pk})

    assert response.status_code == 200
    assert response.context["table"].totals.count == 0
    assert "owner" in response.context["filterset"].form.errors


def test_export_csv_has_the_same_figures_and_filters(rep_client, rep, other_rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2026, 6, 15)
    )

    response = rep_client.get(reverse("forecast_export"), {"owner": rep.pk})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Month", "Opportunities", "Amount", "Weighted amount", "Slipped"]
    assert len(rows) == 13
    assert rows[4] == ["2026-06", "1", "20000.00", "16000.00", "0"]


def test_accuracy_shows_the_snapshot_beside_what_was_won(manager_client, rep):
    deal = f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 2, 20)
    )
    forecast_snapshot_take(day=dt.date(2026, 1, 31))
    forecast_snapshot_take(day=dt.date(2026, 2, 1))
    forecast_snapshot_take(day=dt.date(2026, 2, 2))  # later: not the one shown for February
    Opportunity.objects.filter(pk=deal.pk).update(
        status=Opportunity.Status.WON, closing_date=dt.date(2026, 2, 25), amount=Decimal("18000")
    )

    response = manager_client.get(reverse("forecast_accuracy"))

    assert response.status_code == 200
    rows = {row.month: row for row in response.context["rows"]}
    february = rows[dt.date(2026, 2, 1)]
    assert february.taken_on == dt.date(2026, 2, 1)
    assert february.forecast_weighted == Decimal("16000.00")
    assert february.won_count == 1
    assert february.won_amount == Decimal("18000.00")
    assert february.ratio == Decimal("112")
    # January: a snapshot was taken during it, with nothing expected in January.
    january = rows[dt.date(2026, 1, 1)]
    assert (january.taken_on, january.forecast_weighted, january.ratio) == (
        dt.date(2026, 1, 31),
        Decimal("0.00"),
        None,
    )
    assert rows[dt.date(2025, 12, 1)].taken_on is None
    html = response.content.decode()
    assert "<svg" in html and "bar-won" in html
    assert "01/02/2026" in html


def test_accuracy_falls_back_to_the_first_snapshot_of_the_month(manager_client, rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2026, 3, 20)
    )
    forecast_snapshot_take(day=dt.date(2026, 3, 4))
    forecast_snapshot_take(day=dt.date(2026, 3, 9))

    response = manager_client.get(reverse("forecast_accuracy"), headers={"HX-Request": "true"})

    march = response.context["rows"][-1]
    assert (march.month, march.taken_on, march.forecast_weighted) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 4),
        Decimal("500.00"),
    )
    assert response.content.decode().lstrip().startswith('<div id="accuracy-results"')


def test_accuracy_filters_by_rep(manager_client, rep, other_rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2026, 3, 20)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("4000"), probability=50, expected_date=dt.date(2026, 3, 20)
    )
    forecast_snapshot_take(day=dt.date(2026, 3, 1))

    response = manager_client.get(reverse("forecast_accuracy"), {"owner": other_rep.pk})

    assert response.context["rows"][-1].forecast_weighted == Decimal("2000.00")


def test_dashboard_shows_my_weighted_forecast_for_this_month_and_next(rep_client, rep, other_rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 3, 28)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("2500"), probability=40, expected_date=dt.date(2026, 4, 2)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("9999"), probability=100, expected_date=dt.date(2026, 3, 28)
    )

    response = rep_client.get(reverse("dashboard"))

    assert response.status_code == 200
    this_month, next_month = response.context["my_forecast"]
    assert this_month.weighted_amount == Decimal("16000.00")
    assert next_month.weighted_amount == Decimal("1000.00")
    html = response.content.decode()
    assert 'id="my-forecast-title"' in html
