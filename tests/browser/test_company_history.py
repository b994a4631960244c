"""The company's History tab in Chromium: its people's, prospect files' and opportunities' rows
in one timeline (to do farthest first, then done newest first), each naming what it concerns."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Note
from pipeline.models import HistoryEntry
from pipeline.services import activities
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(days, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_company_history_reads_from_the_future_down_to_the_past(page, live_server, login):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    company = f.CompanyFactory(name="Transports Martin", owner=alice)
    paul = f.PersonFactory(first_name="Paul", last_name="Martin", owner=alice)
    f.AffiliationFactory(person=paul, company=company)
    deal = f.OpportunityFactory(company=company, owner=alice, summary="Fleet renewal")
    call = f.task_type("call")
    for title, days, about in (
        ("Visit the depot", 30, {"company": company}),
        ("Call Paul back", 3, {"person": paul}),
        ("First call", -10, {"person": paul}),
    ):
        task = activities.task_create(
            actor=alice, type=call, assignee=alice, title=title, start=at(days), **about
        )
        if days < 0:
            activities.task_set_done(task=task, done=True, actor=alice)
    Note.objects.create(
        content_type=ContentType.objects.get_for_model(paul),
        object_id=paul.pk,
        subject="Prefers e-mail",
        date=timezone.localdate() - dt.timedelta(days=5),
        owner=alice,
    )
    HistoryEntry.objects.create(
        opportunity=deal,
        kind=HistoryEntry.Kind.STEP,
        from_value="New",
        to_value="Quote",
        actor=alice,
        at=at(-2),
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/{company.pk}/?tab=history")
    items = page.locator(".history-item")
    expect(items).to_have_count(5)
    titles = [items.nth(i).locator("a").first.inner_text() for i in range(5)]
    assert titles == [
        "Visit the depot",
        "Call Paul back",
        "New → Quote",
        "Prefers e-mail",
        "First call",
    ]
    # Each row says whom or what it concerns, with a link to its card.
    note = page.locator(".history-item", has_text="Prefers e-mail")
    expect(note.locator("[data-about]")).to_have_text("Paul MARTIN")
    expect(note.locator("[data-about]")).to_have_attribute("href", paul.get_absolute_url())
    step = page.locator(".history-item", has_text="New → Quote")
    expect(step.locator("[data-about]")).to_have_text("Fleet renewal")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
