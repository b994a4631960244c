"""`manage.py forecast` and `manage.py run_nightly`."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from forecasting.models import ForecastSnapshot
from tests import factories as f

from .conftest import PARIS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def march_10(freeze):
    freeze(dt.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS))


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_forecast_command_prints_the_table(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2026, 1, 15)
    )

    output = run("forecast", "--months", "4")

    lines = output.splitlines()
    assert lines[0].split() == ["month", "count", "amount", "weighted_amount", "slipped_count"]
    assert lines[1].split() == ["2026-03", "1", "1000.00", "500.00", "1"]
    assert lines[4].split() == ["2026-06", "1", "20000.00", "16000.00", "0"]
    assert lines[5].split() == ["total", "2", "21000.00", "16500.00", "1"]


def test_forecast_command_csv(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )

    output = run("forecast", "--format", "csv")

    assert output.startswith("\ufeff")
    lines = output.removeprefix("\ufeff").splitlines()
    assert lines[0] == "Month;Opportunities;Amount;Weighted amount;Slipped"
    assert len(lines) == 13
    assert "2026-06;1;20000.00;16000.00;0" in lines


def test_forecast_command_csv_is_the_page_export(rep, manager_client):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("-500"), probability=50, expected_date=dt.date(2026, 1, 15)
    )

    output = run("forecast", "--format", "csv", "--months", "6")
    download = manager_client.get(reverse("forecast_export"), {"months": 6})

    assert download.content.decode("utf-8") == output
    assert "2026-03;1;-500.00;-250.00;1" in output.splitlines()


def test_forecast_command_rejects_a_bad_month_count():
    with pytest.raises(CommandError):
        run("forecast", "--months", "0")


def test_run_nightly_with_a_date(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )

    output = run("run_nightly", "--date", "2026-02-01")

    assert "Nightly job for 2026-02-01" in output
    assert "forecast snapshot: 1 rows" in output
    assert ForecastSnapshot.objects.get().taken_on == dt.date(2026, 2, 1)


def test_run_nightly_defaults_to_today_in_paris(rep):
    run("run_nightly")
    run("run_nightly")

    f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 6, 15))
    output = run("run_nightly")

    assert "Nightly job for 2026-03-10" in output
    assert ForecastSnapshot.objects.filter(taken_on=dt.date(2026, 3, 10)).count() == 1


def test_run_nightly_rejects_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("run_nightly", "--date", "10/03/2026")
