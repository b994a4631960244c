"""What follows each step of a quote's life, in one place: the line in the history of the
opportunity (and so of its prospect, person and company), the "last quote" management date,
and the process's automation rules ("quote issued / sent / accepted / refused")."""

from django.utils import timezone

from contacts.models import Company, Prospect
from pipeline.models import AutomationRule, HistoryEntry, Opportunity
from pipeline.services.automation import automation_run
from quotes.models import Quote

EVENTS = {
    "issued": AutomationRule.Event.QUOTE_ISSUED,
    "sent": AutomationRule.Event.QUOTE_SENT,
    "accepted": AutomationRule.Event.QUOTE_ACCEPTED,
    "refused": AutomationRule.Event.QUOTE_REFUSED,
}


def quote_event(quote: Quote, *, event: str, actor, text: str = "") -> None:
    """Record `event` ("issued", "sent", "accepted", "refused", "expired") of `quote`.

    `text` is what the history shows (e.g. "D-2026-0007 sent to jeanne@client.fr"); `actor` is
    None for the client on the public page and for the nightly job. Call inside the service's
    transaction, after the quote is saved."""
    opportunity = quote.opportunity
    now = timezone.now()
    HistoryEntry.objects.create(
        opportunity=opportunity,
        prospect=opportunity.prospect,
        kind=HistoryEntry.Kind.QUOTE,
        from_value=quote.number or "",
        to_value=(text or event)[:200],
        actor=actor,
        at=now,
    )
    if event == "issued":
        Opportunity.objects.filter(pk=opportunity.pk).update(last_quote_at=now)
        if opportunity.company_id:
            Company.objects.filter(pk=opportunity.company_id).update(last_quote_at=now)
        if opportunity.prospect_id:
            Prospect.objects.filter(pk=opportunity.prospect_id).update(last_quote_at=now)
    if event in EVENTS:
        automation_run(opportunity=opportunity, event=EVENTS[event], actor=actor)
