"""Issued quotes for the tests of sending, the public page and automation (part D), made
through the quote services from an opportunity ready to be quoted."""

import datetime as dt

from django.utils import timezone

from quotes.models import Quote
from quotes.services import quote_create, quote_issue
from tests.quotes.quote_setup import ready_opportunity


def draft_for(owner, *, language: str = "en", **kwargs) -> Quote:
    """A draft of an opportunity of `owner`, in `language` (tests read English by default)."""
    opportunity = ready_opportunity(owner, **kwargs)
    quote = quote_create(opportunity_id=opportunity.pk, actor=owner)
    Quote.objects.filter(pk=quote.pk).update(language=language)
    quote.refresh_from_db()
    return quote


def sent_for(owner, **kwargs) -> Quote:
    """An issued quote (status sent, public page open) of an opportunity of `owner`."""
    quote = draft_for(owner, **kwargs)
    return quote_issue(quote_id=quote.pk, actor=owner)


def past_validity(quote: Quote, days: int = 1) -> Quote:
    """`quote` as it is once its validity ended `days` days ago."""
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=days)
    )
    quote.refresh_from_db()
    return quote
