"""File a captured e-mail (mailbox, dropped .eml/.msg) on the records it concerns.

The rules, stated once:
- **Once.** A message is stored once, keyed on its Message-ID (a unique constraint; the loser
  of a race reads the winner's row). Capturing it again only adds the record it was dropped on.
- **Owner.** The Jalon user (active, matched by e-mail) who sent it; else the one it was sent
  to; a dropped file belongs to the rep who dropped it.
- **Forwards.** A message sent by a Jalon user whose body is a forwarded message (Gmail's and
  Outlook's markers in English and French, or an attached message/rfc822) is filed on the
  original's sender and recipients, not on the rep who forwarded it.
- **Records.** People (e-mail or second e-mail) and prospects whose address is in
  From/To/Cc, Jalon users and the capture mailbox left out; the companies of those people
  (affiliations) and companies whose own e-mail matches; only when no person matches, the
  company whose e-mail or website domain is the address's domain, if exactly one company has
  it (public providers such as gmail.com or orange.fr never match).
- **Opportunities.** Each matched company, person and prospect brings its open opportunity
  when it has exactly one: with two or more open, which one the mail is about is a guess, so
  none is linked (a rep adds it from the card).
- **Attachments** become documents of every record the message is filed on, through the one
  `contacts.attachments.document_attach` (same limits and checks as uploads); one refused
  (too large, wrong type) is not kept and the message says so at the top of its text.
- **Threads** by In-Reply-To and References: a message joins the thread of the first message
  it refers to that Jalon holds; a reply that came before its parent is adopted by it later.
  A message refers to its thread's root, never to itself, so References that loop end there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from contacts.attachments import document_attach, document_check, human_size
from contacts.models import Affiliation, Company, Person, Prospect
from core.roles import SALES_MANAGER
from mail.capture.parsing import ParsedMessage, parse
from mail.models import LeadRule, Message, MessageAttachment, MessageLink
from mail.services import message_link, records_concerned, run_email_automation
from pipeline.models import AutomationRule, Opportunity

# Addresses at these domains are people's own, never a company's.
PUBLIC_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.fr",
        "live.com",
        "live.fr",
        "outlook.com",
        "outlook.fr",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.fr",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "bbox.fr",
        "numericable.fr",
        "club-internet.fr",
        "aliceadsl.fr",
        "ovh.net",
        "yandex.com",
        "mail.com",
    ]
)
ATTACHMENT_NOT_KEPT = "[Jalon] "


@dataclass
class CaptureResult:
    message: Message
    created: bool
    records: list = field(default_factory=list)


def system_actor():
    """Who acts for the capture when no rep does (a lead rule without owner): the first
    active superuser, else the first active manager."""
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    return (
        users.filter(is_superuser=True).first() or users.filter(groups__name=SALES_MANAGER).first()
    )


@dataclass
class CaptureContext:
    """What every message of a run reads the same: the team's addresses and the active lead
    rules (loaded once per mailbox run, not once per message)."""

    users: dict
    rules: list

    @classmethod
    def load(cls) -> CaptureContext:
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        rules = LeadRule.objects.filter(active=True).select_related(
            "process", "step", "owner", "channel"
        )
        return cls(users={u.email.lower(): u for u in users}, rules=list(rules))


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def _host(website: str) -> str:
    website = (website or "").strip().lower()
    if "//" not in website:
        website = "//" + website
    host = urlsplit(website).hostname or ""
    return host.removeprefix("www.")


def _companies_by_domain(addresses: list[str]) -> list[Company]:
    domains = {_domain(a) for a in addresses} - PUBLIC_DOMAINS
    found = []
    for domain in sorted(domains):
        candidates = Company.objects.filter(
            Q(email__iendswith=f"@{domain}") | Q(website__icontains=domain)
        ).only("pk", "email", "website", "name", "owner_id")
        matching = [
            c
            for c in candidates
            if (c.email and _domain(c.email) == domain) or _host(c.website) == domain
        ]
        if len(matching) == 1:
            found.append(matching[0])
    return found


def _one_open_opportunity(records: list) -> list[Opportunity]:
    """The open opportunity of each record that has exactly one."""
    by_field = {"prospect_id": [], "company_id": [], "person_id": []}
    for record in records:
        if isinstance(record, Prospect):
            by_field["prospect_id"].append(record.pk)
        elif isinstance(record, Company):
            by_field["company_id"].append(record.pk)
        elif isinstance(record, Person):
            by_field["person_id"].append(record.pk)
    query = Q()
    for name, ids in by_field.items():
        if ids:
            query |= Q(**{f"{name}__in": ids})
    if not query:
        return []
    opportunities = list(
        Opportunity.objects.open()
        .filter(query)
        .only("pk", "prospect_id", "company_id", "person_id")
    )
    found: dict[int, Opportunity] = {}
    for name, ids in by_field.items():
        for pk in ids:
            own = [o for o in opportunities if getattr(o, name) == pk]
            if len(own) == 1:
                found[own[0].pk] = own[0]
    return list(found.values())


def records_for_addresses(addresses: list[str]) -> list:
    """The companies, people, prospects and opportunities `addresses` designate (module
    docstring); several queries whatever the number of addresses."""
    if not addresses:
        return []
    addresses = list(dict.fromkeys(a.lower() for a in addresses))
    people = list(
        Person.objects.annotate(a1=Lower("email"), a2=Lower("email2"))
        .filter(Q(a1__in=addresses) | Q(a2__in=addresses))
        .only("pk", "owner_id", "first_name", "last_name")
    )
    prospects = list(
        Prospect.objects.annotate(a1=Lower("email"))
        .filter(a1__in=addresses)
        .only("pk", "owner_id", "first_name", "last_name", "company_name")
    )
    companies = {
        c.pk: c
        for c in Company.objects.annotate(a1=Lower("email"))
        .filter(a1__in=addresses)
        .only("pk", "owner_id", "name")
    }
    if people:
        for affiliation in Affiliation.objects.filter(
            person__in=people, company__deleted_at__isnull=True
        ).select_related("company"):
            companies.setdefault(affiliation.company_id, affiliation.company)
    else:
        for company in _companies_by_domain(addresses):
            companies.setdefault(company.pk, company)
    records = [*companies.values(), *people, *prospects]
    return records + _one_open_opportunity(records)


def _thread_root(parsed: ParsedMessage) -> Message | None:
    ids = [i for i in [*parsed.references, parsed.in_reply_to] if i and i != parsed.message_id]
    if not ids:
        return None
    known = {
        m.message_id: m
        for m in Message.objects.filter(message_id__in=ids).only("pk", "thread_id", "message_id")
    }
    for message_id in ids:  # References run from the root down
        if message_id in known:
            found = known[message_id]
            return Message(pk=found.thread_id) if found.thread_id else found
    return None


def _adopt_replies(message: Message) -> None:
    """Replies captured before `message` (their In-Reply-To names it) join its thread."""
    root_id = message.thread_id or message.pk
    orphans = list(
        Message.objects.filter(thread__isnull=True, in_reply_to=message.message_id)
        .exclude(pk__in=[message.pk, root_id])
        .values_list("pk", flat=True)
    )
    if orphans:
        Message.objects.filter(Q(pk__in=orphans) | Q(thread_id__in=orphans)).update(
            thread_id=root_id
        )


def _attachments_note(parsed: ParsedMessage) -> tuple[list, list[str]]:
    """The attachments that pass the upload checks, and a sentence for each refused one."""
    kept, notes = [], []
    for attachment in parsed.attachments:
        file = ContentFile(attachment.data, name=attachment.name)
        try:
            document_check(file)
        except ValidationError as refused:
            notes.append(
                _("Attachment %(name)s (%(size)s) not kept: %(reason)s")
                % {
                    "name": attachment.name,
                    "size": human_size(attachment.size),
                    "reason": " ".join(refused.messages),
                }
            )
        else:
            kept.append(attachment)
    return kept, notes


def attachments_file(*, message: Message, records, parsed: ParsedMessage | None = None) -> int:
    """Keep the message's attachments as documents of each of `records` (linked through
    MessageAttachment). The raw message is read again when `parsed` is not given."""
    records = [r for r in records if isinstance(r, (Company, Person, Prospect, Opportunity))]
    if not records:
        return 0
    if parsed is None:
        if not message.raw:
            return 0
        with message.raw.open("rb") as raw:
            parsed = parse(raw.read())
    kept, _notes = _attachments_note(parsed)
    count = 0
    for attachment in kept:
        for record in records:
            document = document_attach(
                target=record,
                uploaded_file=ContentFile(attachment.data, name=attachment.name),
                actor=message.owner,
            )
            MessageAttachment.objects.create(message=message, document=document)
            count += 1
    return count


def _effective(parsed: ParsedMessage, users: dict) -> tuple[str, list[str]]:
    """The sender and the addresses a message concerns: a Jalon user's forward stands for
    its original."""
    forwarded = parsed.forwarded
    if forwarded and forwarded.from_address and parsed.from_address in users:
        return forwarded.from_address, [
            forwarded.from_address,
            *forwarded.to,
            *forwarded.cc,
        ]
    return parsed.from_address, parsed.addresses


def expand(records) -> list:
    """`records` with what each hangs on (`mail.services.records_concerned`) and the open
    opportunity of each that has exactly one."""
    found: list = []
    for record in records:
        found += records_concerned(record)
    return found + _one_open_opportunity(found)


def message_file_on(
    *, message: Message, records, actor=None, parsed=None, expanded: bool = False
) -> list[MessageLink]:
    """File `message` on `records` (`expand`ed unless they already are): links, attachments
    kept as documents of the records newly linked, and the "e-mail received" (or "sent")
    automation of the process when an opportunity is among them."""
    links = message_link(message=message, records=records if expanded else expand(records))
    if not links:
        return links
    new_records = [
        link.company or link.person or link.prospect or link.opportunity for link in links
    ]
    attachments_file(message=message, records=new_records, parsed=parsed)
    if any(link.opportunity_id for link in links) and message.owner_id:
        event = (
            AutomationRule.Event.EMAIL_RECEIVED
            if message.direction == Message.Direction.RECEIVED
            else AutomationRule.Event.EMAIL_SENT
        )
        run_email_automation(message, event)
    return links


def _capture_address() -> str:
    user = (settings.IMAP_USER or "").lower()
    return user if "@" in user else ""


@transaction.atomic
def message_capture(
    *, raw: bytes, source: str, actor=None, record=None, context: CaptureContext | None = None
) -> CaptureResult:
    """Store and file one captured message (`source`: Message.Source.MAILBOX or UPLOAD;
    `actor`: the rep who dropped the file; `record`: the card it was dropped on; `context`:
    shared by the messages of one run)."""
    from mail.capture.leads import lead_rule_apply

    parsed = parse(raw)
    existing = Message.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        links = message_file_on(message=existing, records=[record]) if record else []
        return CaptureResult(existing, False, links)
    context = context or CaptureContext.load()
    forwarded = parsed.forwarded
    sender_users = {
        address: context.users[address]
        for address in [*parsed.addresses, *([forwarded.from_address] if forwarded else [])]
        if address in context.users
    }
    sender, addresses = _effective(parsed, sender_users)
    owner = sender_users.get(parsed.from_address)
    if owner is None and source != Message.Source.UPLOAD:
        owner = next((sender_users[a] for a in [*parsed.to, *parsed.cc] if a in sender_users), None)
    if source == Message.Source.UPLOAD and actor is not None:
        owner = actor
    kept, notes = _attachments_note(parsed)
    text, html = parsed.body_text, parsed.body_html
    if notes:
        text = "\n".join(ATTACHMENT_NOT_KEPT + n for n in notes) + "\n\n" + text
        if html:
            html = "".join(f"<p>{escape(ATTACHMENT_NOT_KEPT + n)}</p>" for n in notes) + html
    message = Message(
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        thread=_thread_root(parsed),
        direction=Message.Direction.SENT if sender in sender_users else Message.Direction.RECEIVED,
        source=source,
        subject=parsed.subject,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=parsed.to,
        cc=parsed.cc,
        sent_at=parsed.sent_at or timezone.now(),
        body_text=text,
        body_html=html,
        owner=owner,
        size=len(raw),
    )
    ignored = {*context.users, _capture_address()}
    automatic = records_for_addresses([a for a in addresses if a not in ignored])
    # Marked filed now when it will be (saves an UPDATE per message); a lead rule files it
    # through `message_link`, which marks it then.
    message.filed = bool(automatic or record)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    extension = "msg" if parsed.raw_name.endswith(".msg") else "eml"
    message.raw.save(f"{digest}.{extension}", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another worker stored the same Message-ID first: theirs is the one.
        message.raw.delete(save=False)
        existing = Message.objects.get(message_id=parsed.message_id)
        links = message_file_on(message=existing, records=[record]) if record else []
        return CaptureResult(existing, False, links)
    _adopt_replies(message)
    records = lead_rule_apply(message=message, rules=context.rules)
    records = automatic if records is None else expand(records)
    if record is not None:
        records = [*records, *expand([record])]
    parsed.attachments = kept
    message_file_on(message=message, records=records, parsed=parsed, expanded=True)
    return CaptureResult(message, True, records)


@transaction.atomic
def message_delete(*, message: Message, actor) -> None:
    """Delete a captured message and its original (its owner or a manager: the view checks).
    Documents already kept on records stay there."""
    storage, path = message.raw.storage, message.raw.name
    message.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))
