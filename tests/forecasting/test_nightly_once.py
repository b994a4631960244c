"""The nightly job may run twice the same day, be retried after a stage failed, or be retried
after midnight: each stage is safe to run again and a rep gets at most one digest a day
(`forecasting.models.DigestSent`, recorded under a unique key before the e-mail goes out)."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from forecasting import services, tasks
from forecasting.models import DigestSent, ForecastSnapshot
from forecasting.services import nightly_run
from pipeline.models import Task
from pipeline.services.activities import task_create
from tests import factories as f

from .conftest import PARIS

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def late_reps(rep, other_rep):
    """Both reps have a task that is late on DAY."""
    f.TaskFactory(assignee=rep, title="Call back Mrs Héyé", start=paris(2026, 3, 5, 14, 0))
    f.TaskFactory(assignee=other_rep, title="Send the quote", start=paris(2026, 3, 6, 9, 0))
    f.OpportunityFactory(owner=rep, expected_date=dt.date(2026, 4, 1))
    return [rep, other_rep]


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def emails(users) -> list[str]:
    return sorted(user.email for user in users)


def test_a_second_run_the_same_day_sends_no_second_digest(late_reps):
    first = nightly_run(day=DAY)
    second = nightly_run(day=DAY)

    assert (first["digests"], second["digests"]) == (2, 0)
    assert recipients() == emails(late_reps)
    assert ForecastSnapshot.objects.filter(taken_on=DAY).count() == 1
    sent = DigestSent.objects.filter(day=DAY)
    assert sorted(sent.values_list("user__email", flat=True)) == emails(late_reps)
    assert {row.status for row in sent} == {DigestSent.Status.SENT}
    assert all(row.sent_at is not None for row in sent)


def test_the_next_day_sends_the_digest_again(late_reps):
    nightly_run(day=DAY)
    nightly_run(day=DAY + dt.timedelta(days=1))

    assert recipients() == sorted(emails(late_reps) * 2)


def test_a_retry_after_a_later_stage_failed_sends_no_second_digest(late_reps, monkeypatch):
    real_purge = services.trash.trash_purge
    calls = []

    def purge_failing_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise DatabaseError("connection lost while purging")
        return real_purge(**kwargs)

    monkeypatch.setattr(services.trash, "trash_purge", purge_failing_once)

    result = tasks.nightly.apply(kwargs={"day": DAY.isoformat()}, throw=False)

    assert len(calls) == 2  # the first attempt failed after the digests; the retry ran
    assert result.get()["digests"] == 0
    assert recipients() == emails(late_reps)


def test_a_retry_after_midnight_runs_for_the_day_the_job_started(late_reps, freeze, monkeypatch):
    """Beat queues the task without a day; a retry (up to half an hour later) must not take
    the next day for its own and send that day's digests too."""
    freeze(paris(2026, 3, 10, 23, 55))
    real_purge = services.trash.trash_purge
    calls = []

    def purge_failing_before_midnight(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            freeze(paris(2026, 3, 11, 0, 20))  # the retry comes after midnight
            raise DatabaseError("connection lost while purging")
        return real_purge(**kwargs)

    monkeypatch.setattr(services.trash, "trash_purge", purge_failing_before_midnight)

    result = tasks.nightly.apply(throw=False)

    assert len(calls) == 2
    assert result.get()["day"] == "2026-03-10"
    assert recipients() == emails(late_reps)
    assert set(DigestSent.objects.values_list("day", flat=True)) == {DAY}


def test_a_digest_whose_sending_fails_is_recorded_and_never_sent_twice(
    late_reps, rep, monkeypatch, admin_client
):
    real_send = EmailBackend.send_messages

    def refuse_alice(self, messages):
        if any(rep.email in message.to for message in messages):
            raise smtplib.SMTPDataError(451, b"try again later")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_alice)

    assert nightly_run(day=DAY)["digests"] == 1  # the other rep's went out

    failed = DigestSent.objects.get(user=rep, day=DAY)
    assert failed.status == DigestSent.Status.FAILED
    assert "try again later" in failed.error
    assert failed.sent_at is None
    # Alice's may have reached her (a failure after DATA says nothing sure): never resent.
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert nightly_run(day=DAY)["digests"] == 0
    assert rep.email not in recipients()

    page = admin_client.get(reverse("admin:forecasting_digestsent_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "try again later" in html
    assert str(DigestSent.Status.FAILED.label) in html


def test_when_the_mail_server_cannot_be_reached_the_retry_sends_the_digests(late_reps, monkeypatch):
    """Nothing can have gone out when the connection does not open: the records are released,
    the task is retried and sends every digest once."""
    attempts = []
    real_open = EmailBackend.open

    def open_failing_once(self):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionRefusedError("SMTP server down")
        return real_open(self)

    monkeypatch.setattr(EmailBackend, "open", open_failing_once)

    result = tasks.nightly.apply(kwargs={"day": DAY.isoformat()}, throw=False)

    assert result.get()["digests"] == 2
    assert recipients() == emails(late_reps)
    assert set(DigestSent.objects.values_list("status", flat=True)) == {DigestSent.Status.SENT}


def test_a_second_run_adds_no_occurrence_to_a_series(rep):
    start = timezone.now().replace(microsecond=0)
    series = task_create(
        actor=rep, title="Daily call", type=f.task_type("call"), start=start, frequency="daily"
    )
    stored = Task.all_objects.filter(series=series).count()
    later = timezone.localdate() + dt.timedelta(days=30)

    assert nightly_run(day=later)["occurrences"] == 30
    assert nightly_run(day=later)["occurrences"] == 0

    assert Task.all_objects.filter(series=series).count() == stored + 30
