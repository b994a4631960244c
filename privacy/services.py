"""Writes of the privacy app: anonymisation (the nightly retention run and a person's erasure),
a manager keeping a prospect, and the log of each.

Anonymised means: the personal fields of the prospect or person erased (names, e-mails,
phones, address, birth date, notes, free text, extra fields, consent proof), its notes and
documents deleted, the e-mails filed only on it deleted (the others lose the link, and its
address is scrubbed from them), the names scrubbed from the text of what hangs from it
(opportunities, tasks, history entries, quotes, their audit log entries), then every copy of its
e-mail, phones and full name scrubbed from every table (`privacy.scrub`). Business figures stay:
amounts, steps, statuses, dates, owner, process, so that the forecast and the reports do not
move. Each anonymisation is logged (`PrivacyLog`, counts only) and audited (an entry naming the
fields erased, without their values).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Document, Note, Person, Prospect
from core.roles import is_manager
from core.trash import audit_change
from mail.models import Message, MessageLink
from pipeline.models import HistoryEntry, Opportunity, Task
from privacy import retention
from privacy.models import PrivacyLog, RetentionHold
from privacy.scrub import MASK, ScrubResult, identifying_values, scrub_everywhere, scrub_instances
from prospects.services import prospect_search_text
from quotes.models import Quote

logger = logging.getLogger(__name__)

MANAGERS_ONLY = _("Only managers may export or erase a person's data.")
CONFIRMATION_MISMATCH = _("Type the confirmation exactly to erase this record.")
ALREADY_ANONYMISED = _("This record has already been anonymised.")
# Retention anonymisations per night: a first run on an old file spreads over a few nights.
RETENTION_BATCH = 1000

PROSPECT_ERASED = {
    "civility": "",
    "first_name": "",
    "last_name": "",
    "job_title": "",
    "address": "",
    "postal_code": "",
    "city": "",
    "phone": "",
    "mobile": "",
    "email": "",
    "website": "",
    "birth_date": None,
    "notes": "",
    "extra": {},
    "origin_detail": "",
    "consent_proof": "",
}
PERSON_ERASED = {
    "civility": "",
    "first_name": "",
    "last_name": MASK,
    "job_title": "",
    "department": "",
    "email": "",
    "email2": "",
    "phone": "",
    "mobile": "",
    "birth_date": None,
    "mailing_opt_in": False,
    "active": False,
    "origin_detail": "",
    "consent_proof": "",
}


def confirmation_word(obj) -> str:
    """What a manager types to erase `obj`: the last name, or the word ERASE when it has none."""
    return (getattr(obj, "last_name", "") or "").strip() or "ERASE"


def kind_of(obj) -> str:
    return PrivacyLog.Kind.PROSPECT if isinstance(obj, Prospect) else PrivacyLog.Kind.PERSON


def is_anonymised(obj) -> bool:
    return PrivacyLog.objects.filter(
        kind=kind_of(obj),
        object_id=obj.pk,
        action__in=[PrivacyLog.Action.ERASE, PrivacyLog.Action.ANONYMISE],
    ).exists()


def _person_has_nothing_else(person: Person, prospect: Prospect) -> bool:
    """A prospect's person is anonymised with it by the retention rule unless something else
    of the contact file uses it: another prospect file, an opportunity or task of its own, a
    link to a customer."""
    return not (
        Prospect.all_objects.filter(person=person).exclude(pk=prospect.pk).exists()
        or Opportunity.all_objects.filter(person=person).exclude(prospect=prospect).exists()
        or Task.all_objects.filter(person=person).exists()
        or person.affiliations.filter(company__kind=Company.Kind.CUSTOMER).exists()
    )


def _values_of(record) -> set[str]:
    return identifying_values(
        first_name=record.first_name,
        last_name=record.last_name,
        emails=[record.email, getattr(record, "email2", "")],
        phones=[record.phone, record.mobile],
    )


@dataclass
class Scope:
    """Everything one anonymisation reaches."""

    prospects: list[Prospect]
    people: list[Person]
    # The prospect's person kept in the contacts (retention only): its values stay where they are.
    kept: list[Person] = field(default_factory=list)

    def values(self) -> set[str]:
        values: set[str] = set()
        for record in [*self.prospects, *self.people]:
            values |= _values_of(record)
        for record in self.kept:
            values -= _values_of(record)
        return values

    def names(self) -> set[str]:
        kept = {part for record in self.kept for part in (record.first_name, record.last_name)}
        return {
            part
            for record in [*self.prospects, *self.people]
            for part in (record.first_name, record.last_name)
            if part and len(part.strip()) >= 2 and part != MASK and part not in kept
        }


def scope_of(obj, *, erasure: bool = True) -> Scope:
    """What anonymising `obj` reaches. An erasure is the person's own request: a prospect's
    person goes with it, and a person's prospect files with her. The retention rule takes a
    prospect's person only when nothing else of the contact file uses it."""
    if isinstance(obj, Prospect):
        person = obj.person
        if person is None:
            return Scope(prospects=[obj], people=[])
        if erasure or _person_has_nothing_else(person, obj):
            return Scope(prospects=[obj], people=[person])
        return Scope(prospects=[obj], people=[], kept=[person])
    return Scope(prospects=list(Prospect.all_objects.filter(person=obj)), people=[obj])


def _targets(model, ids) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids))


def _delete_files(queryset) -> int:
    count = 0
    for record in queryset:
        stored = getattr(record, "file", None) or getattr(record, "raw", None)
        if stored:
            stored.delete(save=False)
        record.delete()
        count += 1
    return count


def _messages(
    scope: Scope, opportunity_ids: list[int], values: set[str], result: ScrubResult
) -> None:
    """Delete the e-mails filed only on what is anonymised; unlink it from the others and
    scrub its names and addresses from their text."""
    ours = (
        Q(prospect__in=[p.pk for p in scope.prospects])
        | Q(person__in=[p.pk for p in scope.people])
        | Q(opportunity__in=opportunity_ids)
    )
    links = MessageLink.objects.filter(ours)
    message_ids = set(links.values_list("message_id", flat=True))
    shared = set(
        MessageLink.objects.filter(message_id__in=message_ids)
        .exclude(ours)
        .values_list("message_id", flat=True)
    )
    only_ours = message_ids - shared
    result.add("mail.Message", _delete_files(Message.objects.filter(pk__in=only_ours)))
    # The links of the shared messages to the records anonymised go; opportunities keep theirs
    # (their figures stay, and the text of the message is scrubbed below).
    MessageLink.objects.filter(
        Q(prospect__in=[p.pk for p in scope.prospects])
        | Q(person__in=[p.pk for p in scope.people]),
        message_id__in=shared,
    ).delete()
    scrub_instances(list(Message.objects.filter(pk__in=shared)), values, result)


def _scrub_audit_log(scope: Scope, related: list, names: set[str], result: ScrubResult) -> None:
    """The audit trail stays (who changed what, when) without the values: the personal fields'
    old and new values become MASK in the entries of the records anonymised, and their names
    are scrubbed from the entries of what hangs from them."""
    personal = set(PROSPECT_ERASED) | set(PERSON_ERASED)
    for model, records in ((Prospect, scope.prospects), (Person, scope.people)):
        if not records:
            continue
        entries = LogEntry.objects.filter(_targets(model, [r.pk for r in records]))
        changed = 0
        for entry in entries:
            changes = entry.changes if isinstance(entry.changes, dict) else {}
            masked = {
                name: ([MASK if v not in (None, "", "None") else v for v in values])
                if name in personal and isinstance(values, list)
                else values
                for name, values in changes.items()
            }
            LogEntry.objects.filter(pk=entry.pk).update(
                changes=masked, object_repr=MASK, serialized_data=None, changes_text=""
            )
            changed += 1
        result.add("auditlog.LogEntry", changed)
    if related:
        by_model: dict = {}
        for record in related:
            by_model.setdefault(type(record), []).append(record.pk)
        for model, ids in by_model.items():
            scrub_instances(list(LogEntry.objects.filter(_targets(model, ids))), names, result)


def _erase_fields(model, records: list, erased: dict, actor, at: dt.datetime) -> None:
    ids = [r.pk for r in records]
    if not ids:
        return
    model.all_objects.filter(pk__in=ids).update(
        **erased, updated_at=at, updated_by=actor, version=F("version") + 1
    )
    if model is Prospect:
        for prospect in Prospect.all_objects.filter(pk__in=ids):
            Prospect.all_objects.filter(pk=prospect.pk).update(
                search_text=prospect_search_text(prospect)
            )
    for record in model.all_objects.filter(pk__in=ids):
        audit_change(
            record,
            actor=actor,
            changes={name: [MASK, MASK] for name in erased},
        )


@transaction.atomic
def record_anonymise(*, obj, actor, action: str) -> PrivacyLog:
    """Anonymise a prospect or a person (see the module docstring) and log it as `action`
    (ERASE: at the person's request; ANONYMISE: retention). Rights are the caller's."""
    scope = scope_of(obj, erasure=action == PrivacyLog.Action.ERASE)
    values, names = scope.values(), scope.names()
    result = ScrubResult()
    at = timezone.now()
    prospect_ids = [p.pk for p in scope.prospects]
    person_ids = [p.pk for p in scope.people]
    opportunities = list(
        Opportunity.all_objects.filter(Q(prospect__in=prospect_ids) | Q(person__in=person_ids))
    )
    opportunity_ids = [o.pk for o in opportunities]
    tasks = list(
        Task.all_objects.filter(
            Q(prospect__in=prospect_ids)
            | Q(person__in=person_ids)
            | Q(opportunity__in=opportunity_ids)
        )
    )
    history = list(
        HistoryEntry.objects.filter(
            Q(prospect__in=prospect_ids) | Q(opportunity__in=opportunity_ids)
        )
    )
    quotes = list(
        Quote.objects.filter(Q(opportunity__in=opportunity_ids) | Q(recipient__in=person_ids))
    )
    attached = _targets(Prospect, prospect_ids) | _targets(Person, person_ids)
    result.add("contacts.Note", Note.objects.filter(attached).delete()[0])
    result.add("contacts.Document", _delete_files(Document.objects.filter(attached)))
    _messages(scope, opportunity_ids, values | names, result)
    opportunity_notes = list(Note.objects.filter(_targets(Opportunity, opportunity_ids)))
    related = [*opportunities, *tasks, *history, *quotes, *opportunity_notes]
    scrub_instances(related, values | names, result)
    _scrub_audit_log(scope, [*opportunities, *tasks], values | names, result)
    _erase_fields(Prospect, scope.prospects, PROSPECT_ERASED, actor, at)
    _erase_fields(Person, scope.people, PERSON_ERASED, actor, at)
    # The audit entries just written name no value; the scrub then reaches every other copy.
    scrub_everywhere(values, result=result)
    result.add("contacts.Prospect", len(prospect_ids))
    result.add("contacts.Person", len(person_ids))
    detail = {"rows": result.rows, "queries": result.queries}
    log = None
    for kind, ids in (
        (PrivacyLog.Kind.PROSPECT, prospect_ids),
        (PrivacyLog.Kind.PERSON, person_ids),
    ):
        for pk in ids:
            entry = PrivacyLog.objects.create(
                action=action, kind=kind, object_id=pk, actor=actor, at=at, detail=detail
            )
            if kind == kind_of(obj) and pk == obj.pk:
                log = entry
    return log


def record_erase(*, obj, actor, confirmation: str) -> PrivacyLog:
    """The right to erasure (GDPR art. 17), from a person's or prospect's card: managers only,
    after typing the record's last name (`confirmation_word`)."""
    if not is_manager(actor):
        raise PermissionDenied(MANAGERS_ONLY)
    if (confirmation or "").strip().casefold() != confirmation_word(obj).casefold():
        raise ValidationError(CONFIRMATION_MISMATCH)
    if is_anonymised(obj):
        raise ValidationError(ALREADY_ANONYMISED)
    return record_anonymise(obj=obj, actor=actor, action=PrivacyLog.Action.ERASE)


@transaction.atomic
def prospect_keep(*, prospect: Prospect, actor, reason: str = "") -> RetentionHold:
    """A manager keeps a prospect due for anonymisation: counts as a contact today, so it
    leaves the list for another RETENTION_DAYS. Recorded (hold and log)."""
    if not is_manager(actor):
        raise PermissionDenied(MANAGERS_ONLY)
    hold = RetentionHold.objects.create(prospect=prospect, kept_by=actor, reason=reason[:250])
    PrivacyLog.objects.create(
        action=PrivacyLog.Action.KEEP,
        kind=PrivacyLog.Kind.PROSPECT,
        object_id=prospect.pk,
        actor=actor,
        detail={
            "until": (timezone.localdate() + dt.timedelta(days=settings.RETENTION_DAYS)).isoformat()
        },
    )
    return hold


def retention_run(*, today: dt.date | None = None) -> int:
    """The nightly anonymisation of the prospects with no contact for RETENTION_DAYS +
    RETENTION_GRACE_DAYS (at most RETENTION_BATCH a night, each in its own transaction: one
    failing is logged and retried the next night). Returns how many were anonymised."""
    today = today or timezone.localdate()
    ids = list(
        retention.expired_prospects(today=today)
        .order_by("pk")
        .values_list("pk", flat=True)[:RETENTION_BATCH]
    )
    done = 0
    for pk in ids:
        prospect = Prospect.objects.filter(pk=pk).first()
        if prospect is None:
            continue
        try:
            record_anonymise(obj=prospect, actor=None, action=PrivacyLog.Action.ANONYMISE)
        except Exception:  # noqa: BLE001 - one prospect must not stop the night's run
            logger.exception("retention: anonymisation of prospect %s failed", pk)
            continue
        done += 1
    logger.info("retention %s: %d prospects anonymised", today, done)
    return done
