"""Two nightly jobs at once (beat fired twice, a worker redelivering a task it had started, an
operator's `run_nightly` beside the scheduled one), each on its own database connection: still
one digest per rep, one snapshot of the day, one occurrence per date of a series. Needs
PostgreSQL (SQLite runs one writer at a time); CI runs it with DATABASE_URL set."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Count
from django.utils import timezone

from forecasting import services
from forecasting.models import DigestSent, ForecastSnapshot
from pipeline.models import Task
from pipeline.services.activities import HORIZON_DAYS, series_extend, task_create
from tests import factories as f
from tests.concurrency import in_threads, postgresql_only

from .conftest import PARIS

RUNS = 4
DAY = dt.date(2026, 3, 10)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def test_runs_racing_send_one_digest_per_rep(rep, other_rep, monkeypatch):
    f.TaskFactory(assignee=rep, start=dt.datetime(2026, 3, 5, 14, 0, tzinfo=PARIS))
    f.TaskFactory(assignee=other_rep, start=dt.datetime(2026, 3, 6, 9, 0, tzinfo=PARIS))
    # Every run has read who is late before any of them records a digest: they all try to
    # send the same ones at the same moment.
    together = threading.Barrier(RUNS)
    real_items = services.red_items_by_user

    def items_then_wait(**kwargs):
        items = real_items(**kwargs)
        together.wait(timeout=60)
        return items

    monkeypatch.setattr(services, "red_items_by_user", items_then_wait)

    results = in_threads(lambda i: services.nightly_run(day=DAY), RUNS)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r["digests"] for r in results) == 2
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([rep.email, other_rep.email])
    assert DigestSent.objects.filter(day=DAY, status=DigestSent.Status.SENT).count() == 2


def test_snapshots_racing_leave_one_snapshot_of_the_day(rep):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )

    results = in_threads(lambda i: services.forecast_snapshot_take(day=DAY), RUNS)

    assert results == [1] * RUNS
    assert ForecastSnapshot.objects.filter(taken_on=DAY).count() == 1


def test_series_extensions_racing_add_each_occurrence_once(rep):
    series = task_create(
        actor=rep,
        title="Daily call",
        type=f.task_type("call"),
        start=dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS),
        frequency="daily",
    )
    later = timezone.localdate() + dt.timedelta(days=HORIZON_DAYS + 30)

    results = in_threads(lambda i: series_extend(through=later), RUNS)

    assert [r for r in results if isinstance(r, Exception)] == []
    doubles = (
        Task.all_objects.filter(series=series)
        .values("occurrence_start")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(doubles) == []
    assert sum(results) == 30


def test_purges_racing_delete_each_record_once(rep):
    from auditlog.models import LogEntry

    from core import trash

    long_ago = timezone.now() - dt.timedelta(days=400)
    old = [f.ProspectFactory(owner=rep, deleted_at=long_ago) for _ in range(3)]
    results = in_threads(lambda i: trash.trash_purge(), RUNS)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r.get("contacts.Prospect", 0) for r in results) == 3
    deletions = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, object_id__in=[p.pk for p in old]
    )
    assert deletions.count() == 3  # the audit log records each deletion for good once
