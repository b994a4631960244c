"""The right of access and to portability (GDPR art. 15 and 20): everything Jalon holds about a
person or a prospect, as one ZIP file.

- `data.json`: the record, the linked prospect files or person, companies it works for,
  opportunities (with their lines), tasks, notes, history entries, quotes, e-mails (headers and
  text), documents (name, size), the audit log of the record and the privacy log;
- one CSV per section (`record.csv`, `opportunities.csv`, ...), written by `core.exports`;
- `documents/`: the files attached to it; `emails/`: each e-mail as a `.eml` file (the original
  when Jalon kept it, else rebuilt from what it stored).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from contacts.models import Affiliation, Document, Note, Person, Prospect
from core.exports import csv_text
from mail.models import Message, MessageLink
from pipeline.models import HistoryEntry, Opportunity, OpportunityLine, Task
from privacy.models import PrivacyLog
from quotes.models import Quote

SKIPPED_FIELDS = {"search_text", "version", "raw", "file"}


def _value(obj, field: models.Field):
    if field.many_to_one or field.one_to_one:
        related_id = getattr(obj, field.attname)
        if related_id is None:
            return None
        return str(getattr(obj, field.name))
    value = getattr(obj, field.attname)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row(obj) -> dict:
    """A model row as JSON-ready values: its fields by name, related rows by their label."""
    data = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in SKIPPED_FIELDS:
            continue
        data[field.name] = _value(obj, field)
    return data


def _targets(model, ids) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids))


def collect(obj) -> tuple[dict, list[Document], list[Message]]:
    """What Jalon holds about `obj` (a Person or a Prospect): the sections of `data.json`, the
    documents and the e-mails."""
    if isinstance(obj, Prospect):
        prospects = [obj]
        people = [obj.person] if obj.person_id else []
    else:
        prospects = list(Prospect.objects.filter(person=obj))
        people = [obj]
    prospect_ids = [p.pk for p in prospects]
    person_ids = [p.pk for p in people]
    opportunities = list(
        Opportunity.objects.filter(Q(prospect__in=prospect_ids) | Q(person__in=person_ids))
        .select_related("process", "step", "owner")
        .order_by("pk")
    )
    opportunity_ids = [o.pk for o in opportunities]
    tasks = Task.objects.filter(
        Q(prospect__in=prospect_ids) | Q(person__in=person_ids) | Q(opportunity__in=opportunity_ids)
    ).order_by("start", "pk")
    attached = _targets(Prospect, prospect_ids) | _targets(Person, person_ids)
    notes = Note.objects.filter(attached).order_by("date", "pk")
    documents = list(Document.objects.filter(attached).order_by("pk"))
    message_ids = MessageLink.objects.filter(
        Q(prospect__in=prospect_ids) | Q(person__in=person_ids) | Q(opportunity__in=opportunity_ids)
    ).values("message_id")
    messages = list(Message.objects.filter(pk__in=message_ids).order_by("sent_at", "pk"))
    audit = LogEntry.objects.filter(
        _targets(Prospect, prospect_ids) | _targets(Person, person_ids)
    ).order_by("timestamp", "pk")
    privacy_log = PrivacyLog.objects.filter(
        Q(kind=PrivacyLog.Kind.PROSPECT, object_id__in=prospect_ids)
        | Q(kind=PrivacyLog.Kind.PERSON, object_id__in=person_ids)
    )
    sections = {
        "record": [row(obj)],
        "prospect_files": [row(p) for p in prospects if p is not obj],
        "people": [row(p) for p in people if p is not obj],
        "companies": [
            {"company": str(a.company), "role": a.role, "default_contact": a.is_default}
            for a in Affiliation.objects.filter(person__in=person_ids).select_related("company")
        ],
        "opportunities": [row(o) for o in opportunities],
        "opportunity_lines": [
            row(line) for line in OpportunityLine.objects.filter(opportunity__in=opportunity_ids)
        ],
        "tasks": [row(t) for t in tasks],
        "notes": [row(n) for n in notes],
        "history": [
            row(h)
            for h in HistoryEntry.objects.filter(
                Q(prospect__in=prospect_ids) | Q(opportunity__in=opportunity_ids)
            ).order_by("at", "pk")
        ],
        "quotes": [
            row(q)
            for q in Quote.objects.filter(
                Q(opportunity__in=opportunity_ids) | Q(recipient__in=person_ids)
            ).order_by("pk")
        ],
        "emails": [row(m) for m in messages],
        "documents": [row(d) for d in documents],
        "audit_log": [
            {
                "when": e.timestamp.isoformat(),
                "by": str(e.actor) if e.actor_id else "",
                "action": e.get_action_display(),
                "changes": e.changes,
            }
            for e in audit
        ],
        "privacy_log": [row(p) for p in privacy_log],
    }
    return sections, documents, messages


def eml(message: Message) -> bytes:
    """The e-mail as received or sent: the stored original, else rebuilt from its fields."""
    if message.raw:
        try:
            with message.raw.open("rb") as handle:
                return handle.read()
        except OSError:
            pass
    rebuilt = EmailMessage()
    rebuilt["Message-ID"] = message.message_id
    rebuilt["Subject"] = message.subject
    rebuilt["From"] = (
        f"{message.from_name} <{message.from_address}>"
        if message.from_name
        else message.from_address
    )
    if message.to:
        rebuilt["To"] = ", ".join(message.to)
    if message.cc:
        rebuilt["Cc"] = ", ".join(message.cc)
    if message.sent_at:
        rebuilt["Date"] = format_datetime(message.sent_at)
    rebuilt.set_content(message.body_text or "")
    if message.body_html:
        rebuilt.add_alternative(message.body_html, subtype="html")
    return bytes(rebuilt)


def _csv(items: list[dict]) -> str:
    header: list[str] = []
    for item in items:
        header += [key for key in item if key not in header]
    lines = (
        [
            json.dumps(item.get(k), ensure_ascii=False)
            if isinstance(item.get(k), dict | list)
            else item.get(k)
            for k in header
        ]
        for item in items
    )
    return "".join(csv_text(header, lines))


def archive(obj) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """The ZIP file (positioned at its start) and the number of rows it holds."""
    sections, documents, messages = collect(obj)
    handle = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zipped:
        data = {"exported_at": timezone.now().isoformat(), **sections}
        zipped.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for name, items in sections.items():
            if items:
                zipped.writestr(f"{name}.csv", _csv(items))
        for document in documents:
            try:
                with document.file.open("rb") as stored:
                    content = stored.read()
            except (OSError, ValueError):
                continue
            zipped.writestr(f"documents/{document.pk}-{get_valid_filename(document.name)}", content)
        for message in messages:
            zipped.writestr(f"emails/{message.pk}.eml", eml(message))
    handle.seek(0)
    return handle, sum(len(items) for items in sections.values())
