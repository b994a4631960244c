"""Celery tasks of the privacy app: thin wrappers around the services."""

import datetime as dt
import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from privacy import services

logger = logging.getLogger(__name__)


@shared_task(
    name="privacy.tasks.retention_nightly",
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=3,
)
def retention_nightly(day: str | None = None) -> int:
    """Anonymise the prospects past RETENTION_DAYS + RETENTION_GRACE_DAYS without contact
    (beat: `privacy-retention`). Safe to run again: an anonymised prospect is never due."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return services.retention_run(today=today)
