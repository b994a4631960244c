"""The nightly job: forecast snapshot, colour refresh, digests, trash purge."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from contacts.models import Prospect
from forecasting.models import ForecastSnapshot
from forecasting.services import (
    digest_send,
    forecast_snapshot_take,
    nightly_run,
    overdue_refresh,
)
from pipeline import clocks
from pipeline.models import Colour, Opportunity, Task
from tests import factories as f

from .conftest import PARIS

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


# Snapshot ------------------------------------------------------------------------------------


def test_snapshot_per_month_rep_and_process(rep, other_rep, default_process):
    other_process = f.ProcessFactory(steps=2)
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    f.OpportunityFactory(
        owner=rep, amount=Decimal("10000"), probability=50, expected_date=dt.date(2026, 6, 1)
    )
    f.OpportunityFactory(
        owner=other_rep, amount=Decimal("3000"), probability=10, expected_date=dt.date(2026, 6, 30)
    )
    f.OpportunityFactory(
        owner=rep,
        process=other_process,
        amount=Decimal("500"),
        probability=20,
        expected_date=dt.date(2026, 6, 2),
    )
    f.OpportunityFactory(
        owner=rep,
        status=Opportunity.Status.WON,
        amount=Decimal("999"),
        expected_date=dt.date(2026, 6, 2),
    )

    assert forecast_snapshot_take(day=DAY) == 3

    rows = {
        (s.owner_id, s.process_id): s
        for s in ForecastSnapshot.objects.filter(taken_on=DAY, month=dt.date(2026, 6, 1))
    }
    assert len(rows) == 3
    mine = rows[(rep.pk, default_process.pk)]
    assert (mine.count, mine.amount, mine.weighted_amount) == (
        2,
        Decimal("30000.00"),
        Decimal("21000.00"),
    )
    assert rows[(other_rep.pk, default_process.pk)].weighted_amount == Decimal("300.00")
    assert rows[(rep.pk, other_process.pk)].weighted_amount == Decimal("100.00")


def test_snapshot_twice_the_same_day_replaces_that_days_rows(rep):
    opportunity = f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    forecast_snapshot_take(day=DAY - dt.timedelta(days=1))
    forecast_snapshot_take(day=DAY)
    Opportunity.objects.filter(pk=opportunity.pk).update(probability=50)

    forecast_snapshot_take(day=DAY)

    today_rows = ForecastSnapshot.objects.filter(taken_on=DAY)
    assert today_rows.count() == 1
    assert today_rows.get().weighted_amount == Decimal("10000.00")
    # The previous day's snapshot is history: untouched.
    assert ForecastSnapshot.objects.get(
        taken_on=DAY - dt.timedelta(days=1)
    ).weighted_amount == Decimal("16000.00")


def test_snapshot_puts_slipped_opportunities_in_the_current_month(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2026, 1, 5)
    )

    forecast_snapshot_take(day=DAY)

    assert ForecastSnapshot.objects.get().month == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("utc_moment", "taken_on", "month"),
    [
        # 31 March 23:30 in Paris (summer time from 29 March 2026): 21:30 UTC, still March.
        (
            dt.datetime(2026, 3, 31, 21, 30, tzinfo=dt.UTC),
            dt.date(2026, 3, 31),
            dt.date(2026, 3, 1),
        ),
        # The job at 00:30 Paris on 1 April runs at 22:30 UTC on 31 March: it is April's.
        (dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC), dt.date(2026, 4, 1), dt.date(2026, 4, 1)),
    ],
)
def test_snapshot_day_and_month_are_those_of_paris(rep, freeze, utc_moment, taken_on, month):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("1000"), probability=50, expected_date=dt.date(2026, 3, 31)
    )
    freeze(utc_moment)

    summary = nightly_run()

    snapshot = ForecastSnapshot.objects.get()
    assert summary["day"] == taken_on.isoformat()
    assert (snapshot.taken_on, snapshot.month) == (taken_on, month)


# Overdue colours -----------------------------------------------------------------------------


def test_colour_refresh_after_midnight_turns_orange_to_red(rep, freeze):
    freeze(paris(2026, 3, 10, 9, 0))
    call = f.TaskFactory(assignee=rep, start=paris(2026, 3, 10, 15, 0))
    tomorrow = f.TaskFactory(assignee=rep, start=paris(2026, 3, 11, 10, 0))
    opportunity = f.OpportunityFactory(owner=rep, step_changed_at=paris(2026, 3, 7, 11, 0))
    step_days = opportunity.step.duration_days
    Opportunity.objects.filter(pk=opportunity.pk).update(
        step_changed_at=paris(2026, 3, 10, 9, 0) - dt.timedelta(days=step_days)
    )
    f.TaskFactory(assignee=rep, opportunity=opportunity, start=paris(2026, 3, 10, 17, 0))
    overdue_refresh(today=dt.date(2026, 3, 10))
    call.refresh_from_db()
    tomorrow.refresh_from_db()
    opportunity.refresh_from_db()
    assert (call.colour, tomorrow.colour) == (Colour.ORANGE, Colour.GREEN)
    assert (opportunity.step_colour, opportunity.action_colour) == (Colour.ORANGE, Colour.ORANGE)

    # Just after midnight in Paris (23:05 UTC the day before): the nightly job runs.
    freeze(dt.datetime(2026, 3, 10, 23, 5, tzinfo=dt.UTC))
    nightly_run()

    call.refresh_from_db()
    tomorrow.refresh_from_db()
    opportunity.refresh_from_db()
    assert (call.colour, tomorrow.colour) == (Colour.RED, Colour.ORANGE)
    assert (opportunity.step_colour, opportunity.action_colour) == (Colour.RED, Colour.RED)


def test_colour_refresh_leaves_done_tasks_and_closed_opportunities_alone(rep):
    done = f.TaskFactory(assignee=rep, start=paris(2026, 3, 1, 9, 0), done=True, colour="")
    won = f.OpportunityFactory(
        owner=rep, status=Opportunity.Status.WON, step_changed_at=paris(2026, 1, 1, 9, 0)
    )

    result = overdue_refresh(today=DAY)

    done.refresh_from_db()
    won.refresh_from_db()
    assert done.colour == ""
    assert won.step_colour == ""
    assert result == {"opportunities": 0, "tasks": 0}


# Digest --------------------------------------------------------------------------------------


def red_world(rep, other_rep):
    opportunity = f.OpportunityFactory(
        owner=rep,
        summary="Fleet renewal",
        amount=Decimal("20000"),
        probability=80,
        step_changed_at=paris(2026, 2, 1, 10, 0),
    )
    f.TaskFactory(assignee=rep, title="Call back Mrs Héyé", start=paris(2026, 3, 5, 14, 0))
    f.TaskFactory(assignee=rep, title="Send the brochure", start=paris(2026, 3, 20, 14, 0))
    f.TaskFactory(assignee=other_rep, title="Other rep's call", start=paris(2026, 3, 20, 14, 0))
    overdue_refresh(today=DAY)
    opportunity.refresh_from_db()
    return opportunity


def test_digest_lists_each_reps_red_items(rep, other_rep):
    opportunity = red_world(rep, other_rep)

    assert digest_send(today=DAY) == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email]
    assert "2" in message.subject and "10/03/2026" in message.subject
    assert "Call back Mrs Héyé" in message.body
    assert "05/03/2026 14:00" in message.body
    assert "Fleet renewal" in message.body
    assert opportunity.step_due.strftime("%d/%m/%Y") in message.body
    assert "Send the brochure" not in message.body
    assert "Other rep" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Call back Mrs Héyé" in html and "Fleet renewal" in html


def test_digest_links_to_the_items_when_the_site_address_is_set(rep, other_rep, settings):
    settings.SITE_URL = "https://crm.example.com/"
    opportunity = red_world(rep, other_rep)
    task = Task.objects.get(title="Call back Mrs Héyé")

    digest_send(today=DAY)

    message = mail.outbox[0]
    assert f"https://crm.example.com/tasks/{task.pk}/" in message.body
    assert f"https://crm.example.com/opportunities/{opportunity.pk}/" in message.body
    assert (
        f'href="https://crm.example.com/opportunities/{opportunity.pk}/"'
        in message.alternatives[0][0]
    )


def test_digest_escapes_user_text_in_html(rep, other_rep):
    f.TaskFactory(assignee=rep, title="<script>alert(1)</script>", start=paris(2026, 3, 5, 14, 0))
    overdue_refresh(today=DAY)

    digest_send(today=DAY)

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_no_digest_without_red_items_or_address(rep, other_rep):
    other_rep.email = ""
    other_rep.save()
    f.TaskFactory(assignee=other_rep, start=paris(2026, 3, 5, 14, 0))
    f.TaskFactory(assignee=rep, start=paris(2026, 3, 25, 14, 0))
    overdue_refresh(today=DAY)

    assert digest_send(today=DAY) == 0
    assert mail.outbox == []


def test_digest_in_english_when_the_site_is_in_english(rep, other_rep, settings):
    settings.LANGUAGE_CODE = "en"
    red_world(rep, other_rep)

    digest_send(today=DAY)

    message = mail.outbox[0]
    assert message.subject == "Jalon: 2 late items (10/03/2026)"
    assert message.body.startswith(f"Hello {rep.first_name},")
    assert "Late tasks" in message.body and "Late opportunities" in message.body


# Trash ---------------------------------------------------------------------------------------


@override_settings(TRASH_RETENTION_DAYS=30)
def test_trash_older_than_the_retention_is_purged(rep):
    """The nightly job runs the trash's one purge (`core.trash.trash_purge`), from midnight."""
    old = f.ProspectFactory(job_title="Buyer", deleted_at=paris(2026, 2, 1, 12, 0))
    recent = f.ProspectFactory(job_title="Buyer", deleted_at=paris(2026, 3, 1, 12, 0))
    alive = f.ProspectFactory(job_title="Buyer")
    old_task = f.TaskFactory(deleted_at=paris(2026, 1, 1, 12, 0))
    just_kept = f.TaskFactory(deleted_at=paris(2026, 2, 8, 0, 0))

    purged = nightly_run(day=DAY)["purged"]

    assert purged["contacts.Prospect"] == 1
    assert purged["pipeline.Task"] == 1
    assert set(Prospect.all_objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
    assert not Task.all_objects.filter(pk=old_task.pk).exists()
    assert not Prospect.all_objects.filter(pk=old.pk).exists()
    assert Task.all_objects.filter(pk=just_kept.pk).exists()


def test_nightly_run_summary(rep):
    f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 4, 1))

    summary = nightly_run(day=DAY)

    assert summary["day"] == "2026-03-10"
    assert summary["snapshot_rows"] == 1
    assert summary["refreshed"]["opportunities"] == 1
    assert set(summary) == {
        "day",
        "snapshot_rows",
        "occurrences",
        "refreshed",
        "expired_quotes",
        "digests",
        "purged",
    }


def test_nightly_run_extends_open_ended_recurring_tasks(rep):
    from pipeline.models import Task
    from pipeline.services.activities import HORIZON_DAYS, task_create

    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    series = task_create(
        actor=rep, title="Daily call", type=f.task_type("call"), start=start, frequency="daily"
    )
    last_before = (
        Task.objects.filter(series=series)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )

    later = today + dt.timedelta(days=20)
    summary = nightly_run(day=later)

    last_after = (
        Task.objects.filter(series=series)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    assert summary["occurrences"] > 0
    assert last_after > last_before
    assert timezone.localtime(last_after).date() == later + dt.timedelta(days=HORIZON_DAYS)


def test_refresh_functions_keep_their_names():
    """Other apps call these after every write that changes a step, a status or a task."""
    for name in ["colour_for", "step_due", "days_since", "opportunities_refresh", "tasks_refresh"]:
        assert callable(getattr(clocks, name))
    assert timezone.get_current_timezone_name() == "Europe/Paris"
