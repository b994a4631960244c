"""Writing an e-mail from a card: what the compose form offers (addresses, templates,
documents, the quote PDF) and the one service that sends and files the message."""

import smtplib
from dataclasses import dataclass, field
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Document, Person, Prospect
from contacts.selectors import documents_for
from core.access import can_view
from core.users import user_label
from mail.merge import merge, merge_values, recipient_of
from mail.models import EmailTemplate, Message, MessageAttachment
from mail.services import message_link, records_concerned, run_email_automation
from pipeline.models import AutomationRule, Opportunity
from quotes.models import Quote
from quotes.pdf import quote_document

SEND_FAILED = _("The e-mail could not be sent (%(error)s). Nothing was sent; try again later.")
ATTACHMENTS_TOO_LARGE = _("The attachments weigh %(size)s MB; the limit is %(limit)s MB.")
NOT_ATTACHABLE = _("This document does not belong to the record.")
NO_QUOTE = _("There is no quote to attach.")
MAX_ATTACHMENTS_MB = 20


@dataclass
class Draft:
    """What the compose form starts from."""

    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""


def quote_for(record) -> Quote | None:
    """The quote whose PDF an e-mail from `record` may carry: the quote itself, or an
    opportunity's latest quote; never a draft (its PDF has no number yet: it is issued, or
    sent with the quote's own "Send by e-mail", first)."""
    if isinstance(record, Quote):
        return record if record.status != Quote.Status.DRAFT else None
    if isinstance(record, Opportunity):
        quotes = record.quotes.exclude(status=Quote.Status.DRAFT)
        return quotes.order_by("-created_at", "-id").first()
    return None


def attachable_documents(record):
    """The documents an e-mail from `record` may carry: the record's own (a quote's are its
    opportunity's)."""
    if isinstance(record, Quote):
        record = record.opportunity
    return documents_for(record)


def draft_for(record, *, sender, template: EmailTemplate | None = None) -> Draft:
    """The addresses of the record's contact and, with a template, its merged subject and text;
    without one, the sender's signature under an empty text."""
    found = recipient_of(record)
    to = []
    if found.contact is not None and found.contact.email:
        to.append(found.contact.email)
    elif isinstance(record, Company) and record.email:
        to.append(record.email)
    draft = Draft(to=to)
    if template is not None:
        values = merge_values(record, sender=sender, language=template.language)
        draft.subject = " ".join(merge(template.subject, values).split())
        draft.body = merge(template.body, values)
    elif getattr(sender, "email_signature", ""):
        draft.body = f"\n\n-- \n{sender.email_signature}"
    return draft


def _sender_address(sender) -> tuple[str, str]:
    """(name, address) the e-mail is sent from: the rep's name on DEFAULT_FROM_EMAIL's address
    (the one the SMTP server lets Jalon use); replies go to the rep."""
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return user_label(sender) or default_name, default_address


def _domain(address: str) -> str | None:
    return address.rpartition("@")[2] or None


@transaction.atomic
def message_send(
    *,
    actor,
    record,
    to: list[str],
    cc: list[str] = (),
    subject: str,
    body: str,
    documents: list[Document] = (),
    attach_quote: bool = False,
    private: bool = False,
) -> Message:
    """Send an e-mail written by `actor` from `record` and file it on every record it concerns
    (`mail.services.records_concerned`), with the rule "an e-mail is sent" run on its
    opportunities.

    Refused (PermissionDenied) when the actor may not see the record; refused (ValidationError)
    for a document of another record, no quote to attach, attachments over the limit, or an
    SMTP failure. The e-mail goes last: when it cannot be sent, nothing is kept."""
    if not can_view(actor, record):
        raise PermissionDenied
    allowed = set(attachable_documents(record).values_list("pk", flat=True))
    if any(document.pk not in allowed for document in documents):
        raise ValidationError(NOT_ATTACHABLE, code="not_attachable")
    quote = quote_for(record) if attach_quote else None
    if attach_quote and quote is None:
        raise ValidationError(NO_QUOTE, code="no_quote")

    files = []
    for document in documents:
        with document.file.open("rb") as handle:
            files.append(
                (document.name, handle.read(), document.content_type_header or None, document)
            )
    if quote is not None:
        files.append(
            (f"{quote.number or quote.pk}.pdf", quote_document(quote), "application/pdf", None)
        )
    size = sum(len(content) for _name, content, _type, _doc in files)
    if size > MAX_ATTACHMENTS_MB * 1024 * 1024:
        raise ValidationError(
            ATTACHMENTS_TOO_LARGE,
            code="too_large",
            params={"size": round(size / 1024 / 1024, 1), "limit": MAX_ATTACHMENTS_MB},
        )

    name, address = _sender_address(actor)
    message_id = make_msgid(domain=_domain(address))
    now = timezone.now()
    email = EmailMessage(
        subject,
        body,
        formataddr((name, address)),
        list(to),
        cc=list(cc),
        reply_to=[actor.email] if actor.email else None,
        headers={"Message-ID": message_id},
    )
    for filename, content, mimetype, _doc in files:
        email.attach(filename, content, mimetype)

    message = Message.objects.create(
        message_id=message_id,
        direction=Message.Direction.SENT,
        source=Message.Source.JALON,
        subject=subject,
        from_address=address,
        from_name=name,
        to=list(to),
        cc=list(cc),
        sent_at=now,
        created_at=now,
        body_text=body,
        owner=actor,
        private=private,
        size=len(body.encode()) + size,
    )
    message_link(message=message, records=records_concerned(record))
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=message, document=doc) for *_rest, doc in files if doc
    )
    run_email_automation(message, AutomationRule.Event.EMAIL_SENT)
    try:
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError(SEND_FAILED, code="send_failed", params={"error": error}) from error
    return message


RECORD_KINDS = {
    "company": Company,
    "person": Person,
    "prospect": Prospect,
    "opportunity": Opportunity,
    "quote": Quote,
}
