"""A quote after its issue: e-mailed to the client, accepted or refused by the client on its
public page, expired by the nightly job, and the opportunity won from an accepted quote.

    quote_send(*, quote_id, actor, to_email, message="", base_url="") -> Quote
        issues a draft first (`quotes.services.quote_issue`), e-mails the PDF with the public
        link, records sent_at / sent_to; the status stays `sent`.
    quote_accept(*, quote_id, name, ip, base_url="") -> Quote
    quote_refuse(*, quote_id, reason, ip, base_url="") -> Quote
        the client's answer, once: who (the typed name), when, from which address; the PDF the
        client accepted is frozen into `accepted_pdf`; the owner is told by e-mail and by a task.
    quotes_expire(*, today=None) -> int
        the nightly job: sent quotes past their validity become `expired`.
    quote_win_opportunity(*, quote_id, actor) -> Opportunity
        an accepted quote wins its opportunity (amount: the quote's total excl. VAT).

Each refuses with `QuoteRefused(message)`, the message shown as is; the writes made on a user's
behalf raise PermissionDenied without the right to change the opportunity. Every step is
recorded by `quotes.events.quote_event` (history of the opportunity, its prospect, person and
company; the process's "quote sent / accepted / refused" automation rules). `base_url` is the
address the request came to: the links in the e-mails use SITE_URL when it is set, else it.
"""

import ipaddress
import logging
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.access import can_change
from core.db import lock_row
from core.events import emit
from core.users import user_label
from pipeline.models import Opportunity, TaskType
from pipeline.services.activities import task_create
from pipeline.services.cards import modify_right_or_403, opportunity_update
from pipeline.services.opportunities import Refused
from quotes.events import quote_event
from quotes.models import Quote
from quotes.parties import parties_of
from quotes.pdf import quote_pdf
from quotes.services import quote_issue

logger = logging.getLogger(__name__)

# Where the links of the e-mails point when neither SITE_URL nor a request says (development).
DEFAULT_SITE_URL = "http://127.0.0.1:8000"

# Messages shown to users as they are (tests assert them).
EMAIL_INVALID = _("Enter a valid e-mail address to send the quote to.")
NOT_SENDABLE = _("Only a draft or a sent quote can be sent: make a revision of this one.")
VALIDITY_PASSED = _("This quote's validity has passed: make a revision to send a new one.")
SEND_FAILED = _("The e-mail could not be sent; nothing was changed. Try again later.")
ALREADY_ACCEPTED = _("This quote has already been accepted.")
ALREADY_REFUSED = _("This quote has already been refused.")
QUOTE_EXPIRED = _("This quote has expired: it can no longer be accepted or refused.")
NOT_ANSWERABLE = _("This quote cannot be answered.")
QUOTE_REPLACED_SEND = _("This quote was replaced by %(number)s: send that one.")
QUOTE_REPLACED = _("This quote was replaced by %(number)s: answer the newer version.")
NAME_REQUIRED = _("Type your full name to accept the quote.")
WIN_NEEDS_ACCEPTED = _("Only an accepted quote can win its opportunity.")
ALREADY_WON = _("The opportunity is already won.")

# History lines, in the site's language (they are stored).
SENT_TEXT = _("%(number)s sent to %(email)s")
ACCEPTED_TEXT = _("%(number)s accepted online by %(name)s")
REFUSED_TEXT = _("%(number)s refused online")
REFUSED_REASON_TEXT = _("%(number)s refused online: %(reason)s")
EXPIRED_TEXT = _("%(number)s expired (valid until %(day)s)")
WON_TEXT = _("%(number)s won the opportunity")
# The task the owner finds on the dashboard.
ACCEPTED_TASK = _("Quote %(number)s accepted by %(name)s: confirm the order")
REFUSED_TASK = _("Quote %(number)s refused: call the client")

REASON_MAX = 2000


class QuoteRefused(Refused):
    """A quote's rule refused the change; `message` is shown to the user as is."""


def site_url(base_url: str = "") -> str:
    """The site's public address, without a trailing slash: SITE_URL, else the address the
    request came to, else the development server's."""
    return (settings.SITE_URL or base_url or DEFAULT_SITE_URL).rstrip("/")


def public_url(quote: Quote, base_url: str = "") -> str:
    """The absolute address of the quote's public page (/q/<token>/)."""
    return site_url(base_url) + reverse("quote_public", args=[quote.token])


def is_past_validity(quote: Quote, today=None) -> bool:
    today = today or timezone.localdate()
    return quote.valid_until is not None and quote.valid_until < today


def newer_revision(quote: Quote) -> Quote | None:
    """The latest issued revision that replaces `quote`, if any (a draft replaces nothing)."""
    first = quote.revision_of_id or quote.pk
    return (
        Quote.objects.filter(Q(pk=first) | Q(revision_of_id=first), revision__gt=quote.revision)
        .exclude(status=Quote.Status.DRAFT)
        .order_by("-revision")
        .first()
    )


def is_answerable(quote: Quote) -> bool:
    """Whether the client may still accept or refuse the quote on its public page."""
    return (
        quote.status == Quote.Status.SENT
        and not is_past_validity(quote)
        and newer_revision(quote) is None
    )


def _site_text(message, **values) -> str:
    """A history or task text in the site's language, whoever triggered it."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % values


def _lock(quote_id: int) -> Quote:
    return lock_row(Quote.objects, quote_id, related=("opportunity", "opportunity__owner"))


def _check_change_rights(actor, quote: Quote) -> None:
    if not can_change(actor, quote.opportunity):
        raise PermissionDenied
    modify_right_or_403(actor, quote.opportunity)


def _sender(seller: dict) -> str:
    """DEFAULT_FROM_EMAIL's address, under the seller's name: the client sees who writes."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = (seller.get("legal_name") or name).replace("\\", "").replace('"', "")
    return f'"{name}" <{address}>' if name and address else settings.DEFAULT_FROM_EMAIL


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("quote e-mail to %s not sent: %s", message.to, error)
        raise QuoteRefused(SEND_FAILED) from error


# --------------------------------------------------------------------------- sending


def quote_message(
    quote: Quote, *, to_email: str, message: str = "", actor=None, base_url: str = ""
) -> EmailMessage:
    """The e-mail carrying the quote, in the quote's language: the rep's note, the amount and
    validity, the public link, and the PDF attached. Replies go to the rep."""
    seller, client = parties_of(quote)
    context = {
        "quote": quote,
        "seller": seller,
        "client": client,
        "message": message.strip(),
        "link": public_url(quote, base_url),
        "signature": user_label(actor),
    }
    with translation.override(quote.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("quotes/email/quote_subject.txt", context).split())
        body = render_to_string("quotes/email/quote.txt", context)
    email = EmailMessage(
        subject,
        body,
        _sender(seller),
        [to_email],
        reply_to=[actor.email] if actor is not None and actor.email else None,
    )
    email.attach(f"{quote.number}.pdf", quote_pdf(quote), "application/pdf")
    return email


@transaction.atomic
def quote_send(
    *, quote_id: int, actor, to_email: str, message: str = "", base_url: str = ""
) -> Quote:
    """E-mail the quote to `to_email`, issuing it first when it is still a draft.

    Rights: those of editing the quote (the opportunity's object right and its process's
    modify right). Refused for an invalid address, for a quote already accepted, refused or
    expired, and for a sent quote past its validity (a revision is sent instead). The e-mail
    goes last: when it cannot be sent, nothing is kept (not even the issue)."""
    quote = _lock(quote_id)
    _check_change_rights(actor, quote)
    to_email = (to_email or "").strip()
    try:
        validate_email(to_email)
    except ValidationError as error:
        raise QuoteRefused(EMAIL_INVALID) from error
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise QuoteRefused(NOT_SENDABLE)
    if quote.status == Quote.Status.SENT and is_past_validity(quote):
        raise QuoteRefused(VALIDITY_PASSED)
    newer = newer_revision(quote) if quote.status == Quote.Status.SENT else None
    if newer is not None:
        raise QuoteRefused(QUOTE_REPLACED_SEND % {"number": newer.number})
    if quote.status == Quote.Status.DRAFT:
        quote_issue(quote_id=quote.pk, actor=actor)
        quote = _lock(quote_id)
    quote.sent_at = timezone.now()
    quote.sent_to = to_email
    quote.touch()
    quote.save(update_fields=["sent_at", "sent_to", "updated_at", "version"])
    quote_event(
        quote,
        event="sent",
        actor=actor,
        text=_site_text(SENT_TEXT, number=quote.number, email=to_email),
    )
    _send(quote_message(quote, to_email=to_email, message=message, actor=actor, base_url=base_url))
    return quote


# --------------------------------------------------------------------------- the client's answer


def _check_answerable(quote: Quote) -> None:
    if quote.status == Quote.Status.ACCEPTED:
        raise QuoteRefused(ALREADY_ACCEPTED)
    if quote.status == Quote.Status.REFUSED:
        raise QuoteRefused(ALREADY_REFUSED)
    if quote.status == Quote.Status.EXPIRED or (
        quote.status == Quote.Status.SENT and is_past_validity(quote)
    ):
        raise QuoteRefused(QUOTE_EXPIRED)
    if quote.status != Quote.Status.SENT:
        raise QuoteRefused(NOT_ANSWERABLE)
    newer = newer_revision(quote)
    if newer is not None:
        raise QuoteRefused(QUOTE_REPLACED % {"number": newer.number})


def _address(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def _tell_owner(quote: Quote, *, base_url: str) -> None:
    """The opportunity's owner learns the answer: a task due now (the dashboard's "today")
    and, once the answer is committed, an e-mail. A failed e-mail loses nothing: the answer,
    the history line and the task are there."""
    opportunity = quote.opportunity
    owner = opportunity.owner
    if owner is None:
        return
    accepted = quote.status == Quote.Status.ACCEPTED
    title = (
        _site_text(ACCEPTED_TASK, number=quote.number, name=quote.accepted_name)
        if accepted
        else _site_text(REFUSED_TASK, number=quote.number)
    )
    task_create(
        actor=None,
        title=title[:200],
        type=TaskType.objects.get(code="todo"),
        start=timezone.now(),
        assignee=owner,
        important=accepted,
        opportunity=opportunity,
        notes=quote.refusal_reason,
    )
    if not owner.email:
        return
    context = {
        "quote": quote,
        "owner": owner,
        "opportunity": opportunity,
        "card": site_url(base_url) + quote.get_absolute_url(),
        "site_url": site_url(base_url),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("quotes/email/answer_subject.txt", context).split())
        body = render_to_string("quotes/email/answer.txt", context)
    email = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])

    def send() -> None:
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("quote answer notice to %s not sent: %s", owner.email, error)

    transaction.on_commit(send)


@transaction.atomic
def quote_accept(*, quote_id: int, name: str, ip: str | None, base_url: str = "") -> Quote:
    """The client accepts the quote on its public page, once: refused when it is already
    answered, expired or past its validity. Records the typed name, the time and the client's
    address; freezes the PDF the client accepted; runs the "quote accepted" rules."""
    quote = _lock(quote_id)
    _check_answerable(quote)
    name = " ".join((name or "").split())[:200]
    if not name:
        raise QuoteRefused(NAME_REQUIRED)
    quote.status = Quote.Status.ACCEPTED
    quote.accepted_at = timezone.now()
    quote.accepted_name = name
    quote.accepted_ip = _address(ip)
    quote.accepted_pdf.save(f"{quote.number}.pdf", ContentFile(quote_pdf(quote)), save=False)
    quote.touch()
    quote.save()
    quote_event(
        quote,
        event="accepted",
        actor=None,
        text=_site_text(ACCEPTED_TEXT, number=quote.number, name=name),
    )
    _tell_owner(quote, base_url=base_url)
    emit("quote.accepted", quote)
    return quote


@transaction.atomic
def quote_refuse(*, quote_id: int, reason: str, ip: str | None, base_url: str = "") -> Quote:
    """The client refuses the quote on its public page, once, with an optional reason (the same
    checks as `quote_accept`); runs the "quote refused" rules."""
    quote = _lock(quote_id)
    _check_answerable(quote)
    reason = (reason or "").strip()[:REASON_MAX]
    quote.status = Quote.Status.REFUSED
    quote.refused_at = timezone.now()
    quote.refusal_reason = reason
    quote.touch()
    quote.save()
    logger.info("quote %s refused from %s", quote.number, _address(ip) or "an unknown address")
    text = (
        _site_text(REFUSED_REASON_TEXT, number=quote.number, reason=" ".join(reason.split()))
        if reason
        else _site_text(REFUSED_TEXT, number=quote.number)
    )
    quote_event(quote, event="refused", actor=None, text=text)
    _tell_owner(quote, base_url=base_url)
    return quote


# --------------------------------------------------------------------------- the nightly job


def quotes_expire(*, today=None) -> int:
    """Sent quotes whose validity ended before `today` (local date) become expired; returns
    how many. Each quote in its own transaction, re-checked under its lock: safe to re-run,
    and a client answering at that moment wins or loses cleanly."""
    today = today or timezone.localdate()
    candidates = Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=today)
    count = 0
    for quote_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            quote = _lock(quote_id)
            if quote.status != Quote.Status.SENT or not is_past_validity(quote, today):
                continue
            quote.status = Quote.Status.EXPIRED
            quote.expired_at = timezone.now()
            quote.touch()
            quote.save(update_fields=["status", "expired_at", "updated_at", "version"])
            day = quote.valid_until.strftime("%d/%m/%Y")
            quote_event(
                quote,
                event="expired",
                actor=None,
                text=_site_text(EXPIRED_TEXT, number=quote.number, day=day),
            )
            count += 1
    return count


# --------------------------------------------------------------------------- winning


@transaction.atomic
def quote_win_opportunity(*, quote_id: int, actor) -> Opportunity:
    """An accepted quote wins its opportunity through the card's own service (the status
    change, closing date, probability and history of `opportunity_move`), its amount becoming
    the quote's total excl. VAT. An opportunity with lines keeps the sum of its lines as its
    amount (the lines' rule, `pipeline.services.lines`)."""
    quote = _lock(quote_id)
    _check_change_rights(actor, quote)
    if quote.status != Quote.Status.ACCEPTED:
        raise QuoteRefused(WIN_NEEDS_ACCEPTED)
    if quote.opportunity.status == Opportunity.Status.WON:
        raise QuoteRefused(ALREADY_WON)
    opportunity = opportunity_update(
        opportunity_id=quote.opportunity_id,
        actor=actor,
        data={"amount": quote.total_excl_vat},
        expected_version=None,
        to_status=Opportunity.Status.WON,
    )
    quote_event(quote, event="won", actor=actor, text=_site_text(WON_TEXT, number=quote.number))
    return opportunity
