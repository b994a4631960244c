"""The forecast page in Chromium: chart above the table, filters swapping the results."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """These pages are checked in French, the interface's default language."""
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture(autouse=True)
def groups(live_server):
    # Transactional tests flush the tables between tests: recreate the groups migrations seed.
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)


def test_filtering_the_forecast_by_process_swaps_the_results(page, live_server, login):
    rep = f.RepFactory(username="alice")
    roofs = f.ProcessFactory(name="Roofs", steps=2)
    windows = f.ProcessFactory(name="Windows", steps=2)
    in_two_months = timezone.localdate().replace(day=1) + dt.timedelta(days=62)
    f.OpportunityFactory(
        owner=rep,
        process=roofs,
        amount=Decimal("20000"),
        probability=80,
        expected_date=in_two_months,
    )
    f.OpportunityFactory(
        owner=rep,
        process=windows,
        amount=Decimal("5000"),
        probability=20,
        expected_date=in_two_months,
    )

    login(page, "alice")
    page.goto(f"{live_server.url}/forecast/")
    month = page.locator(f"tr[data-month='{in_two_months:%Y-%m}']")
    assert page.locator("#forecast-results svg rect.bar-weighted").count() == 12
    assert "17 000" in month.inner_text().replace("\u202f", " ").replace("\xa0", " ")

    page.select_option("#id_process", label="Roofs")
    page.wait_for_url(f"**/forecast/?*process={roofs.pk}*")
    key = f"{in_two_months:%Y-%m}"
    # (Not wait_for_function: its string is evaluated, which the page's CSP refuses.)
    expect(page.locator(f"tr[data-month='{key}']")).to_contain_text("16")
    text = month.inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert "16 000 €" in text and "20 000 €" in text
    assert f"process={roofs.pk}" in page.locator("#forecast-export").get_attribute("href")
