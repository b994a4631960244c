"""The Celery task `forecasting.tasks.nightly`: eager without a broker, retried on failure,
and through a real worker on Redis when CELERY_BROKER_URL is set."""

import datetime as dt
import os
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import DatabaseError, connection

from forecasting import services, tasks
from forecasting.models import ForecastSnapshot
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_task_name_matches_the_beat_schedule():
    assert tasks.nightly.name == settings.CELERY_BEAT_SCHEDULE["nightly"]["task"]
    schedule = settings.CELERY_BEAT_SCHEDULE["nightly"]["schedule"]
    assert schedule.hour == {settings.NIGHTLY_HOUR}
    assert schedule.minute == {settings.NIGHTLY_MINUTE}
    assert settings.CELERY_TIMEZONE == "Europe/Paris"


def test_task_runs_the_job_and_logs_it(rep, caplog):
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    caplog.set_level("INFO")

    summary = tasks.nightly.apply(kwargs={"day": "2026-03-10"}).get()

    assert summary["day"] == "2026-03-10"
    assert summary["snapshot_rows"] == 1
    assert ForecastSnapshot.objects.get().weighted_amount == Decimal("16000.00")
    assert "nightly 2026-03-10: forecast snapshot stored (1 rows)" in caplog.text
    assert "nightly job done" in caplog.text


def test_task_retries_on_a_database_error(monkeypatch):
    calls = []
    real_run = services.nightly_run

    def flaky_run(*, day=None):
        calls.append(day)
        if len(calls) == 1:
            raise DatabaseError("connection lost")
        return real_run(day=day)

    monkeypatch.setattr(services, "nightly_run", flaky_run)

    result = tasks.nightly.apply(kwargs={"day": "2026-03-10"}, throw=False)

    assert len(calls) == 2
    assert result.get()["day"] == "2026-03-10"


def test_task_retry_policy():
    task = tasks.nightly
    assert DatabaseError in task.autoretry_for
    assert task.max_retries == 5
    assert task.retry_backoff


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return (
        f"postgresql://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.mark.celery_worker
@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="no CELERY_BROKER_URL: no real worker to test"
)
@pytest.mark.django_db(transaction=True)
def test_nightly_through_a_real_worker_on_redis(rep):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker is another process: it needs a database it can share with the test "
            "(PostgreSQL through DATABASE_URL), not SQLite's in-memory test database"
        )
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    f.OpportunityFactory(
        owner=rep, amount=Decimal("20000"), probability=80, expected_date=dt.date(2026, 6, 15)
    )
    queue = f"forecast-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "DB_CONN_MAX_AGE": "0"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = tasks.nightly.apply_async(kwargs={"day": "2026-03-10"}, queue=queue)
        summary = result.get(timeout=120)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert result.successful(), output
    assert summary["day"] == "2026-03-10"
    assert summary["snapshot_rows"] == 1
    snapshot = ForecastSnapshot.objects.get(taken_on=dt.date(2026, 3, 10))
    assert snapshot.weighted_amount == Decimal("16000.00")
    assert "nightly 2026-03-10: forecast snapshot stored (1 rows)" in output
