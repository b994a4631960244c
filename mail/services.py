"""Writes on stored e-mails shared by sending and capture: the records a message is filed on,
its privacy, and the automation rules its opportunities run."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Person, Prospect
from core.roles import is_manager
from mail.models import Message, MessageLink
from pipeline.models import AutomationRule, Opportunity
from pipeline.services.automation import automation_run
from quotes.models import Quote

LINK_FIELDS = {
    Company: "company",
    Person: "person",
    Prospect: "prospect",
    Opportunity: "opportunity",
    Quote: "quote",
}


def records_concerned(record) -> list:
    """`record` and the records it hangs on: a quote's opportunity, an opportunity's prospect,
    company and person, a prospect's company and person in the contacts, a person's default
    company; a prospect's only open opportunity. A message written from `record` is filed on all
    of them."""
    found = [record]
    if isinstance(record, Quote):
        found += records_concerned(record.opportunity)
        if record.recipient_id:
            found.append(record.recipient)
    elif isinstance(record, Opportunity):
        found += [record.company, record.person]
        if record.prospect_id:
            found += records_concerned(record.prospect)
    elif isinstance(record, Prospect):
        found += [record.company, record.person]
        # The project the e-mail is about, when the prospect has one open and only one.
        open_ones = list(record.opportunities.filter(status=Opportunity.Status.OPEN)[:2])
        if len(open_ones) == 1:
            found.append(open_ones[0])
    elif isinstance(record, Person):
        link = record.affiliations.filter(is_default=True).select_related("company").first()
        if link is not None:
            found.append(link.company)
    unique, seen = [], set()
    for obj in found:
        if obj is None or getattr(obj, "deleted_at", None):
            continue
        key = (type(obj), obj.pk)
        if key not in seen:
            seen.add(key)
            unique.append(obj)
    return unique


def message_link(*, message: Message, records) -> list[MessageLink]:
    """File `message` on each of `records` (once each: links already there are kept)."""
    existing = {
        (field, getattr(link, f"{field}_id"))
        for link in message.links.all()
        for field in LINK_FIELDS.values()
        if getattr(link, f"{field}_id")
    }
    new = []
    for record in records:
        field = LINK_FIELDS[type(record)]
        if (field, record.pk) in existing:
            continue
        existing.add((field, record.pk))
        new.append(MessageLink(message=message, **{field: record}))
    MessageLink.objects.bulk_create(new)
    if new and not message.filed:
        message.filed = True
        message.save(update_fields=["filed"])
    return new


def run_email_automation(message: Message, event: str) -> None:
    """Run the automation rules for `event` ("email_sent" or "email_received",
    `AutomationRule.Event`) on every opportunity the message is filed on."""
    if event not in (AutomationRule.Event.EMAIL_SENT, AutomationRule.Event.EMAIL_RECEIVED):
        raise ValueError(f"not an e-mail event: {event}")
    opportunity_ids = (
        MessageLink.objects.filter(message=message, opportunity__isnull=False)
        .values_list("opportunity_id", flat=True)
        .distinct()
    )
    for opportunity in Opportunity.objects.filter(pk__in=list(opportunity_ids)):
        automation_run(opportunity=opportunity, event=event, actor=message.owner)


MAY_NOT_MARK_PRIVATE = _("Only the rep the e-mail belongs to may change whether it is private.")


@transaction.atomic
def message_set_private(*, message: Message, actor, private: bool) -> Message:
    """Mark a message private (seen only by its owner and managers) or shared again. Only its
    owner, or a manager, may."""
    if message.owner_id != actor.pk and not is_manager(actor):
        raise PermissionDenied(MAY_NOT_MARK_PRIVATE)
    message.private = private
    message.save(update_fields=["private"])
    return message
