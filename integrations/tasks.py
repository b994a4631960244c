"""Celery tasks of the webhooks: thin wrappers around `integrations.webhooks`.

`deliver` makes a delivery's first attempt, queued right after the commit. A failed attempt
records when the next one is due (`Delivery.next_retry_at`, after the backoff) and the beat
sweep `deliveries_retry_due` (every minute) sends whatever is due: no message waits hours in
Redis (an ETA longer than the broker's visibility timeout would be handed out again and again),
and a restarted worker loses nothing. Each attempt claims its delivery under a row lock first,
so the same delivery is never sent twice at once. Without a broker (tasks run in-process),
`manage.py webhooks_retry` sends the retries due.
"""

from celery import shared_task

from integrations import webhooks


@shared_task(ignore_result=True, name="integrations.tasks.deliver")
def deliver(delivery_id: int) -> None:
    webhooks.attempt(delivery_id)


@shared_task(ignore_result=True, name="integrations.tasks.deliveries_retry_due")
def deliveries_retry_due() -> int:
    """Send the deliveries whose retry is due (Celery beat, every minute)."""
    count = 0
    for delivery_id in webhooks.due_ids():
        if webhooks.attempt(delivery_id) is not None:
            count += 1
    return count


@shared_task(ignore_result=True, name="integrations.tasks.deliveries_purge")
def deliveries_purge() -> int:
    """Delete the deliveries older than 30 days (Celery beat, nightly)."""
    return webhooks.deliveries_purge()
