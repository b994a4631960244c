"""The History tab of a company, person, prospect or opportunity (Sage manual 002, "Fonctions -
Historique"): everything that happened and will happen, in one list. Actions to do come first,
the farthest first; actions done follow, the most recent first. Each row links to its detail."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contacts.models import Document, Note
from core.users import user_label
from pipeline.clocks import colour_for
from pipeline.models import HistoryEntry, Opportunity, Task

SERIES_ROWS = 1  # a recurring series shows its next occurrence; the agenda shows the rest

# Higher apps (mail) add rows of their own: `fn(*, user, target, opportunities, limit)` returns
# done HistoryItems for the record and its opportunities, in one query whatever their number.
_SOURCES: list = []


def register_history_source(fn):
    """Add a source of history rows (called from an `AppConfig.ready`); returns `fn`."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


@dataclass
class HistoryItem:
    at: dt.datetime
    kind: str  # task, note, document, change, email (from a registered source)
    label: str
    title: str
    url: str
    done: bool = True
    detail: str = ""
    who: str = ""
    colour: str = ""
    icon: str = ""
    important: bool = False
    extra: dict = field(default_factory=dict)


def _scopes(user, *, company=None, person=None, prospect=None, opportunity=None):
    """(target, its opportunities, task filter, history-entry filter) for the record."""
    if opportunity is not None:
        return opportunity, [], Q(opportunity=opportunity), Q(opportunity=opportunity)
    if prospect is not None:
        opportunities = Opportunity.objects.visible_to(user).filter(prospect=prospect)
        return (
            prospect,
            list(opportunities),
            Q(prospect=prospect) | Q(opportunity__prospect=prospect),
            Q(prospect=prospect) | Q(opportunity__prospect=prospect),
        )
    if company is not None:
        opportunities = Opportunity.objects.visible_to(user).filter(company=company)
        return (
            company,
            list(opportunities),
            Q(company=company) | Q(opportunity__company=company),
            Q(opportunity__company=company),
        )
    if person is not None:
        opportunities = Opportunity.objects.visible_to(user).filter(person=person)
        return (
            person,
            list(opportunities),
            Q(person=person) | Q(opportunity__person=person),
            Q(opportunity__person=person),
        )
    raise ValueError("history_for needs a record")


def history_for(
    *, user, company=None, person=None, prospect=None, opportunity=None, limit: int = 300
) -> dict[str, list[HistoryItem]]:
    """{"todo": [...farthest first], "done": [...newest first]} for the record, as `user` may
    see it (other users' private tasks are left out)."""
    target, opportunities, task_scope, entry_scope = _scopes(
        user, company=company, person=person, prospect=prospect, opportunity=opportunity
    )
    today = timezone.localdate()
    todo: list[HistoryItem] = []
    done: list[HistoryItem] = []

    tasks = (
        Task.objects.visible_to(user)
        .filter(task_scope)
        .select_related("type", "assignee", "done_by")
    )
    seen_series = set()
    for task in tasks.filter(done=False).order_by("start", "id")[:limit]:
        if task.is_recurring:
            if task.head_id in seen_series:
                continue
            seen_series.add(task.head_id)
        todo.append(
            HistoryItem(
                at=task.start,
                kind="task",
                label=task.type.name,
                title=task.title,
                url=task.get_absolute_url(),
                done=False,
                detail=task.first_line,
                who=user_label(task.assignee),
                colour=colour_for(task.start, today),
                icon=task.type.icon,
                important=task.important,
                extra={"recurring": task.is_recurring},
            )
        )
    for task in tasks.filter(done=True).order_by("-start", "-id")[:limit]:
        done.append(
            HistoryItem(
                at=min(task.start, task.done_at) if task.done_at else task.start,
                kind="task",
                label=task.type.name,
                title=task.title,
                url=task.get_absolute_url(),
                detail=task.first_line,
                who=user_label(task.done_by or task.assignee),
                icon=task.type.icon,
                important=task.important,
            )
        )

    # Notes and documents hang on the record or on one of its opportunities.
    urls = {}
    for obj in [target, *opportunities]:
        urls[(ContentType.objects.get_for_model(obj).pk, obj.pk)] = obj.get_absolute_url()
    targets = Q()
    for content_type_id, object_id in urls:
        targets |= Q(content_type_id=content_type_id, object_id=object_id)
    tz = timezone.get_current_timezone()
    for note in Note.objects.filter(targets).select_related("owner")[:limit]:
        at = dt.datetime.combine(note.date, timezone.localtime(note.created_at).time(), tzinfo=tz)
        url = urls[(note.content_type_id, note.object_id)]
        done.append(
            HistoryItem(
                at=at,
                kind="note",
                label=str(_("Note")),
                title=note.subject,
                url=url,
                detail=(note.text or "").strip().splitlines()[0]
                if (note.text or "").strip()
                else "",
                who=user_label(note.owner),
                icon="✎",
            )
        )
    for document in Document.objects.filter(targets).select_related("uploaded_by")[:limit]:
        # Downloads go through the contact file's view, which checks the user may see the target.
        done.append(
            HistoryItem(
                at=document.uploaded_at,
                kind="document",
                label=str(_("Document")),
                title=document.name,
                url=reverse("document_download", args=[document.pk]),
                who=user_label(document.uploaded_by),
                icon="📎",
            )
        )

    entries = HistoryEntry.objects.filter(entry_scope)
    if opportunity is None:
        entries = entries.filter(
            Q(opportunity__isnull=True) | Q(opportunity__in=[o.pk for o in opportunities])
        )
    for entry in entries.select_related("actor", "opportunity", "prospect", "rule")[:limit]:
        record = entry.opportunity or entry.prospect
        change = " → ".join(v for v in (entry.from_value, entry.to_value) if v)
        # A change without values (a creation, an edit) is named once: "Création", not
        # "création création".
        done.append(
            HistoryItem(
                at=entry.at,
                kind="change",
                label=entry.get_kind_display() if change else "",
                title=change or capfirst(entry.get_kind_display()),
                url=record.get_absolute_url() if record else "",
                detail=str(entry.opportunity)
                if entry.opportunity and target != entry.opportunity
                else "",
                who=user_label(entry.actor) or (str(_("automation rule")) if entry.rule_id else ""),
                icon="⇢",
            )
        )

    for source in _SOURCES:
        done.extend(source(user=user, target=target, opportunities=opportunities, limit=limit))

    todo.sort(key=lambda item: item.at, reverse=True)
    done.sort(key=lambda item: item.at, reverse=True)
    return {"todo": todo, "done": done[:limit]}
