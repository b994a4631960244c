"""Celery runs tasks eagerly without a broker and through a real worker with one."""

import os

import pytest
from django.conf import settings

from config.celery import app, ping


def test_without_broker_tasks_run_eagerly_in_process():
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured: tasks are not eager")
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert ping.delay().get(timeout=1) == "pong"


def test_beat_schedule_names_the_nightly_task():
    assert settings.CELERY_BEAT_SCHEDULE["nightly"]["task"] == "forecasting.tasks.nightly"


@pytest.mark.celery_worker
@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="no CELERY_BROKER_URL: no real worker to test"
)
def test_a_task_runs_through_a_real_worker():
    from celery.contrib.testing.worker import start_worker

    assert app.conf.task_always_eager is False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
        assert result.successful()
