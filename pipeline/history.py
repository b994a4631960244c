"""The History tab of a company, person, prospect or opportunity (Sage manual 002, "Fonctions -
Historique"): everything that happened and will happen, in one list. Actions to do come first,
the farthest first; actions done follow, the most recent first: one timeline read from the
future down to the past. Each row links to its detail."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Document, Note, Person, Prospect
from core.users import user_label
from pipeline.clocks import colour_for
from pipeline.models import HistoryEntry, Opportunity, Task

SERIES_ROWS = 1  # a recurring series shows its next occurrence; the agenda shows the rest

# Higher apps (mail) add rows of their own: `fn(*, user, target, opportunities, limit, related)`
# returns done HistoryItems for the record, its opportunities and the `related` records
# ({"person": [ids], "prospect": [ids]}: a company's people and prospect files), in one query
# whatever their number.
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
    important: bool = False
    # The related record the row concerns (a person, prospect file or opportunity of the
    # record whose history this is), named and linked on the row.
    about: str = ""
    about_url: str = ""
    # From a registered source: the (model, pk) pairs the row may concern, the first one the
    # history knows named on the row (`about`, `about_url`).
    about_keys: tuple = ()
    extra: dict = field(default_factory=dict)


@dataclass
class _Scope:
    """What a record's history reads: the record, its related records (named on each row they
    concern) and the filters of each kind of row, all of constant size in queries."""

    target: object
    opportunities: list
    tasks: Q
    entries: Q
    attached: Q  # notes and documents
    related: dict = field(default_factory=dict)  # {"person": [ids], "prospect": [ids]}
    names: dict = field(default_factory=dict)  # (model, pk) -> (label, url)


def _attached_to(model, ids) -> Q:
    content_type = ContentType.objects.get_for_model(model)
    return Q(content_type_id=content_type.pk, object_id__in=list(ids))


def _named(scope: _Scope, records) -> None:
    for record in records:
        scope.names[(type(record), record.pk)] = (str(record), record.get_absolute_url())


def _scope(user, *, company=None, person=None, prospect=None, opportunity=None) -> _Scope:
    if opportunity is not None:
        return _Scope(
            opportunity,
            [],
            Q(opportunity=opportunity),
            Q(opportunity=opportunity),
            _attached_to(Opportunity, [opportunity.pk]),
        )
    visible = Opportunity.objects.visible_to(user).only("id", "summary")
    if prospect is not None:
        opportunities = list(visible.filter(prospect=prospect))
        ids = [o.pk for o in opportunities]
        scope = _Scope(
            prospect,
            opportunities,
            Q(prospect=prospect) | Q(opportunity__in=ids),
            Q(prospect=prospect, opportunity__isnull=True) | Q(opportunity__in=ids),
            _attached_to(Prospect, [prospect.pk]) | _attached_to(Opportunity, ids),
        )
    elif company is not None:
        # The company and everything around it (Sage's "ensemble de l'activité" of the third
        # party): its people, the prospect files linked to it, and all their opportunities.
        people = list(
            Person.objects.visible_to(user)
            .filter(affiliations__company=company)
            .only("id", "first_name", "last_name")
        )
        prospects = list(
            Prospect.objects.visible_to(user)
            .filter(company=company)
            .only("id", "first_name", "last_name", "company_name")
        )
        person_ids, prospect_ids = [p.pk for p in people], [p.pk for p in prospects]
        opportunities = list(
            visible.filter(
                Q(company=company)
                | Q(company__isnull=True, person__in=person_ids)
                | Q(prospect__in=prospect_ids)
            )
        )
        ids = [o.pk for o in opportunities]
        scope = _Scope(
            company,
            opportunities,
            Q(company=company)
            | Q(person__in=person_ids)
            | Q(prospect__in=prospect_ids)
            | Q(opportunity__in=ids),
            Q(prospect__in=prospect_ids, opportunity__isnull=True) | Q(opportunity__in=ids),
            _attached_to(Company, [company.pk])
            | _attached_to(Person, person_ids)
            | _attached_to(Prospect, prospect_ids)
            | _attached_to(Opportunity, ids),
            related={"person": person_ids, "prospect": prospect_ids},
        )
        _named(scope, people)
        _named(scope, prospects)
    elif person is not None:
        opportunities = list(visible.filter(person=person))
        ids = [o.pk for o in opportunities]
        scope = _Scope(
            person,
            opportunities,
            Q(person=person) | Q(opportunity__in=ids),
            Q(opportunity__in=ids),
            _attached_to(Person, [person.pk]) | _attached_to(Opportunity, ids),
        )
    else:
        raise ValueError("history_for needs a record")
    _named(scope, opportunities)
    return scope


def _about(scope: _Scope, *pairs) -> tuple[str, str]:
    """(label, url) of the first related record among (model, pk) `pairs` the row names."""
    for model, pk in pairs:
        if pk is not None and (model, pk) in scope.names:
            return scope.names[(model, pk)]
    return "", ""


def history_for(
    *, user, company=None, person=None, prospect=None, opportunity=None, limit: int = 300
) -> dict:
    """{"todo": [...farthest first], "done": [...newest first], "more": bool} for the record,
    as `user` may see it (other users' private tasks are left out). A company's history holds
    its people's, its prospect files' and all their opportunities' rows, each naming the record
    it concerns; `more` says rows were left out beyond `limit`."""
    scope = _scope(user, company=company, person=person, prospect=prospect, opportunity=opportunity)
    target, opportunities = scope.target, scope.opportunities
    today = timezone.localdate()
    todo: list[HistoryItem] = []
    done: list[HistoryItem] = []

    def task_about(task):
        return _about(
            scope,
            (Opportunity, task.opportunity_id),
            (Person, task.person_id),
            (Prospect, task.prospect_id),
        )

    tasks = (
        Task.objects.visible_to(user)
        .filter(scope.tasks)
        .select_related("type", "assignee", "done_by")
    )
    seen_series = set()
    for task in tasks.filter(done=False).order_by("start", "id")[:limit]:
        if task.is_recurring:
            if task.head_id in seen_series:
                continue
            seen_series.add(task.head_id)
        about, about_url = task_about(task)
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
                important=task.important,
                about=about,
                about_url=about_url,
                extra={"recurring": task.is_recurring},
            )
        )
    for task in tasks.filter(done=True).order_by("-start", "-id")[: limit + 1]:
        about, about_url = task_about(task)
        done.append(
            HistoryItem(
                at=min(task.start, task.done_at) if task.done_at else task.start,
                kind="task",
                label=task.type.name,
                title=task.title,
                url=task.get_absolute_url(),
                detail=task.first_line,
                who=user_label(task.done_by or task.assignee),
                important=task.important,
                about=about,
                about_url=about_url,
            )
        )

    # Notes and documents hang on the record or on one of its related records.
    models_by_type = {
        ContentType.objects.get_for_model(model).pk: model
        for model in (Company, Person, Prospect, Opportunity)
    }
    target_url = target.get_absolute_url()
    tz = timezone.get_current_timezone()
    notes = Note.objects.filter(scope.attached).select_related("owner")
    for note in notes.order_by("-date", "-id")[: limit + 1]:
        at = dt.datetime.combine(note.date, timezone.localtime(note.created_at).time(), tzinfo=tz)
        about, about_url = _about(scope, (models_by_type.get(note.content_type_id), note.object_id))
        text = (note.text or "").strip()
        done.append(
            HistoryItem(
                at=at,
                kind="note",
                label=str(_("Note")),
                title=note.subject,
                url=about_url or target_url,
                detail=text.splitlines()[0] if text else "",
                who=user_label(note.owner),
                about=about,
                about_url=about_url,
            )
        )
    documents = Document.objects.filter(scope.attached).select_related("uploaded_by")
    for document in documents.order_by("-uploaded_at", "-id")[: limit + 1]:
        about, about_url = _about(
            scope, (models_by_type.get(document.content_type_id), document.object_id)
        )
        # Downloads go through the contact file's view, which checks the user may see the target.
        done.append(
            HistoryItem(
                at=document.uploaded_at,
                kind="document",
                label=str(_("Document")),
                title=document.name,
                url=reverse("document_download", args=[document.pk]),
                who=user_label(document.uploaded_by),
                about=about,
                about_url=about_url,
            )
        )

    entries = HistoryEntry.objects.filter(scope.entries).select_related("actor", "prospect")
    for entry in entries.order_by("-at", "-id")[: limit + 1]:
        change = " → ".join(v for v in (entry.from_value, entry.to_value) if v)
        about, about_url = _about(
            scope, (Opportunity, entry.opportunity_id), (Prospect, entry.prospect_id)
        )
        if entry.opportunity_id:
            url = reverse("opportunity_detail", args=[entry.opportunity_id])
        else:
            url = entry.prospect.get_absolute_url() if entry.prospect else ""
        # A change without values (a creation, an edit) is named once: "Création", not
        # "création création".
        done.append(
            HistoryItem(
                at=entry.at,
                kind="change",
                label=entry.get_kind_display() if change else "",
                title=change or capfirst(entry.get_kind_display()),
                url=url,
                who=user_label(entry.actor) or (str(_("automation rule")) if entry.rule_id else ""),
                about=about,
                about_url=about_url,
            )
        )

    for source in _SOURCES:
        for item in source(
            user=user,
            target=target,
            opportunities=opportunities,
            limit=limit + 1,
            related=scope.related,
        ):
            if item.about_keys and not item.about:
                item.about, item.about_url = _about(scope, *item.about_keys)
            done.append(item)

    todo.sort(key=lambda item: item.at, reverse=True)
    done.sort(key=lambda item: item.at, reverse=True)
    return {"todo": todo, "done": done[:limit], "more": len(done) > limit}
