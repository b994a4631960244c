"""Celery tasks of the contact file: thin, they call the services."""

from celery import shared_task


@shared_task(ignore_result=True)
def refresh_register_task() -> dict:
    """The nightly re-check of the companies in the national register (beat entry
    "register-refresh" in config/settings.py)."""
    from contacts.register_sync import companies_refresh_register

    return companies_refresh_register()
