"""Mail's Celery tasks: the capture mailbox read every five minutes (Celery beat)."""

from celery import shared_task


@shared_task(ignore_result=True)
def mailbox_fetch_task() -> int:
    """Read the capture mailbox once. Never raises for the mailbox's own failures (server
    down, login refused): they are written to MailboxStatus, shown to managers."""
    from mail.fetching import mailbox_fetch

    return mailbox_fetch().filed
