"""Writes of the forecasting app: the nightly job and its parts.

The nightly job (Celery beat at NIGHTLY_HOUR:NIGHTLY_MINUTE, Europe/Paris; `run_nightly` at
once) stores the forecast snapshot, refreshes the stored overdue colours, e-mails each rep the
digest of their red items and empties the trash of what is older than TRASH_RETENTION_DAYS.

It may run twice for a day (a retry of the task after a stage failed, beat or a worker firing
it again, `run_nightly` beside the scheduled one, even at the same moment): each stage is safe
to run again on its own. The snapshot replaces the day's rows (one writer at a time), a series
is extended under its head's lock from its last stored occurrence, the colours are recomputed,
a digest goes at most once per user and day (`DigestSent`, recorded before it is sent) and the
purge only deletes what is still there.
"""

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import trash
from core.db import lock_name
from forecasting.models import DigestSent, ForecastSnapshot
from forecasting.selectors import (
    forecast_month_expression,
    month_start,
    open_opportunities,
    weighted_sum_expression,
)
from pipeline import clocks
from pipeline.models import Colour, Task
from pipeline.services.activities import HORIZON_DAYS, series_extend
from quotes.lifecycle import quotes_expire

logger = logging.getLogger(__name__)

# Sections that apps above this one add to the digest (privacy: the prospects due for
# anonymisation, for managers), registered from their AppConfig.ready with
# `digest_section_register`. Each is called once a run with the day and returns
# {user id: [DigestSection, ...]}; a user with a section gets a digest even with nothing late.
DIGEST_SECTIONS: list[Callable[[dt.date], dict[int, list]]] = []


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[tuple[str, str]]  # (text, path on the site or "")
    more: str = ""  # a closing line ("and 12 more") with `more_path`, or ""
    more_path: str = ""


def digest_section_register(section: Callable[[dt.date], dict[int, list]]) -> None:
    if section not in DIGEST_SECTIONS:
        DIGEST_SECTIONS.append(section)


def digest_sections(*, today: dt.date) -> dict[int, list]:
    sections: dict[int, list] = defaultdict(list)
    for section in DIGEST_SECTIONS:
        for user_id, found in section(today).items():
            sections[user_id] += found
    return dict(sections)


@transaction.atomic
def forecast_snapshot_take(*, day: dt.date) -> int:
    """Store the forecast as it stands on `day`, one row per month × rep × process (opportunities
    whose expected date has passed count in the current month, as on the forecast page).
    Taking it again the same day replaces that day's rows, one taker at a time (two at once
    would each delete the rows the other has not committed yet, then both insert). The grouping
    is the ORM query of the forecast page, wrapped in one INSERT ... SELECT: no row goes through
    Python. Returns the number of rows stored."""
    lock_name(f"forecasting.snapshot:{day.isoformat()}")
    groups = (
        open_opportunities()
        .filter(expected_date__isnull=False)
        .order_by()
        .annotate(forecast_month=forecast_month_expression(month_start(day)))
        .values("forecast_month", "owner_id", "process_id")
        .annotate(
            row_count=Count("id"), row_amount=Sum("amount"), row_weighted=weighted_sum_expression()
        )
    )
    select_sql, params = groups.query.sql_with_params()
    table = connection.ops.quote_name(ForecastSnapshot._meta.db_table)
    ForecastSnapshot.objects.filter(taken_on=day).delete()
    with connection.cursor() as cursor:
        # Only the model's table name and Django's compiled SQL are formatted in; values are params.
        cursor.execute(
            f"INSERT INTO {table} (taken_on, month, owner_id, process_id, count, amount, weighted_amount) "  # noqa: S608
            "SELECT %s, forecast_month, owner_id, process_id, row_count, COALESCE(row_amount, 0), "
            f"ROUND(COALESCE(row_weighted, 0) / 100, 2) FROM ({select_sql}) AS forecast_groups",
            (connection.ops.adapt_datefield_value(day), *params),
        )
        return cursor.rowcount


def overdue_refresh(*, today: dt.date) -> dict[str, int]:
    """Recompute the stored colour of every open opportunity (step and action clocks) and every
    open task for `today`, so that what turned orange or red at midnight shows so in lists."""
    with transaction.atomic():
        opportunities = clocks.opportunities_refresh(today=today)
        tasks = clocks.tasks_refresh(today=today)
    return {"opportunities": opportunities, "tasks": tasks}


def red_items_by_user(*, users=None) -> dict[int, dict[str, list]]:
    """Open tasks and opportunities whose stored colour is red, grouped by the rep in charge."""
    tasks = (
        Task.objects.open()
        .filter(colour=Colour.RED, assignee__isnull=False)
        .select_related("type", "opportunity", "prospect", "company", "person")
        .order_by("start", "id")
    )
    opportunities = (
        open_opportunities()
        .filter(Q(step_colour=Colour.RED) | Q(action_colour=Colour.RED), owner__isnull=False)
        .select_related("step", "process", "prospect", "company")
        .order_by("step_due", "id")
    )
    if users is not None:
        tasks = tasks.filter(assignee__in=users)
        opportunities = opportunities.filter(owner__in=users)
    items: dict[int, dict[str, list]] = defaultdict(lambda: {"tasks": [], "opportunities": []})
    for task in tasks:
        items[task.assignee_id]["tasks"].append(task)
    for opportunity in opportunities:
        items[opportunity.owner_id]["opportunities"].append(opportunity)
    return dict(items)


def digest_message(
    *, user, tasks: list, opportunities: list, today: dt.date, sections: list | None = None
) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "tasks": tasks,
        "opportunities": opportunities,
        "count": len(tasks) + len(opportunities),
        "sections": sections or [],
        "today": today,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("forecasting/email/digest_subject.txt", context).split()
        )
        text = render_to_string("forecasting/email/digest.txt", context)
        html = render_to_string("forecasting/email/digest.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def _digest_record(*, user_id: int, day: dt.date) -> bool:
    """Record the digest of `user_id` for `day`, committed at once; False when it is recorded
    already (sent by another run, or being sent by one running at the same moment)."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user_id=user_id, day=day)
    except IntegrityError:
        return False
    return True


def digest_send(*, today: dt.date) -> int:
    """E-mail each active rep with an address the list of their red items (late tasks, late
    steps, late next actions), from the stored colours, at most once per rep and day: each
    digest is recorded (`DigestSent`, unique per user and day) and committed before it goes
    out, so a second run, a retry or a run at the same moment sends nothing twice (see the
    model for what happens when the sending fails). Runs outside a transaction: a record rolled
    back after its e-mail went out would let the next run send it again. Returns the number of
    e-mails sent."""
    items = red_items_by_user()
    sections = digest_sections(today=today)
    users = (
        get_user_model()
        .objects.filter(pk__in=set(items) | set(sections), is_active=True)
        .exclude(email="")
        .exclude(pk__in=DigestSent.objects.filter(day=today).values("user_id"))
        .order_by("pk")
    )
    nothing_late = {"tasks": [], "opportunities": []}
    messages = {
        user.pk: digest_message(
            user=user,
            today=today,
            sections=sections.get(user.pk, []),
            **items.get(user.pk, nothing_late),
        )
        for user in users
    }
    recorded = [pk for pk in messages if _digest_record(user_id=pk, day=today)]
    if not recorded:
        return 0
    mail_server = get_connection()
    try:
        mail_server.open()
    except (smtplib.SMTPException, OSError):
        # Nothing can have gone out: release the records for the task's retry to send them.
        DigestSent.objects.filter(
            day=today, user_id__in=recorded, status=DigestSent.Status.RECORDED
        ).delete()
        raise
    sent = 0
    try:
        for pk in recorded:
            try:
                count = mail_server.send_messages([messages[pk]]) or 0
            except (smtplib.SMTPException, OSError) as error:
                # It may have reached the server: kept as failed, never sent again.
                logger.exception("digest of user %s for %s failed", pk, today)
                DigestSent.objects.filter(user_id=pk, day=today).update(
                    status=DigestSent.Status.FAILED, error=f"{type(error).__name__}: {error}"
                )
                continue
            DigestSent.objects.filter(user_id=pk, day=today).update(
                status=DigestSent.Status.SENT, sent_at=timezone.now()
            )
            sent += count
    finally:
        mail_server.close()
    return sent


def nightly_run(*, day: dt.date | None = None) -> dict:
    """The nightly job: forecast snapshot, recurring-task occurrences, overdue colours, quotes
    past their validity, digests of red items, trash.
    `day` is the local (Europe/Paris) date the job runs for, today by default."""
    day = day or timezone.localdate()
    summary: dict = {"day": day.isoformat()}
    summary["snapshot_rows"] = forecast_snapshot_take(day=day)
    logger.info("nightly %s: forecast snapshot stored (%d rows)", day, summary["snapshot_rows"])
    summary["occurrences"] = series_extend(through=day + dt.timedelta(days=HORIZON_DAYS))
    logger.info(
        "nightly %s: recurring series extended (%d occurrences)", day, summary["occurrences"]
    )
    summary["refreshed"] = overdue_refresh(today=day)
    logger.info(
        "nightly %s: colours refreshed (%d opportunities, %d tasks)",
        day,
        summary["refreshed"]["opportunities"],
        summary["refreshed"]["tasks"],
    )
    summary["expired_quotes"] = quotes_expire(today=day)
    logger.info("nightly %s: %d quotes expired", day, summary["expired_quotes"])
    summary["digests"] = digest_send(today=day)
    logger.info("nightly %s: %d digest e-mails sent", day, summary["digests"])
    # The trash keeps what was deleted since midnight of `day`, TRASH_RETENTION_DAYS ago.
    summary["purged"] = trash.trash_purge(
        now=timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    )
    logger.info("nightly %s: trash purged %s", day, summary["purged"] or "(nothing)")
    return summary
