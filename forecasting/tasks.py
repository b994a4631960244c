"""Celery tasks of the forecasting app: thin wrappers around the services."""

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from forecasting import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="forecasting.tasks.nightly",
    autoretry_for=(DatabaseError, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def nightly(self, day: str | None = None) -> dict:
    """The nightly job (beat: NIGHTLY_HOUR:NIGHTLY_MINUTE, Europe/Paris). `day` is an ISO date,
    today in Europe/Paris by default. Safe to re-run, and retried whole: each stage of
    `services.nightly_run` is safe to run again and no digest is sent twice."""
    if day is None:
        day = timezone.localdate().isoformat()
        # The retries (`autoretry_for`, up to half an hour later) re-send the request's kwargs:
        # they run for the day the job started, not for the next one after midnight.
        self.request.kwargs = {**(self.request.kwargs or {}), "day": day}
    logger.info("nightly job starting (attempt %d)", self.request.retries + 1)
    summary = services.nightly_run(day=dt.date.fromisoformat(day))
    logger.info("nightly job done: %s", summary)
    return summary
