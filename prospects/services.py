"""Writes on the prospect file (Gestan PROSPECTS) and on opportunities' fields and lines.

Moves between steps and statuses follow the process rules in `pipeline.services`
(`opportunity_create`, `opportunity_move`, `automation_run`); this module calls them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import PROSPECT_EDITABLE, Category, Company, Person, Prospect
from contacts.phones import phone_search_word
from contacts.text import normalize
from core.access import can_change
from core.db import lock_row
from core.events import emit
from core.roles import is_manager
from core.trash import restore_rows, trash_limit, trash_rows
from core.versions import check_version
from pipeline.models import HistoryEntry, Opportunity
from pipeline.services.cards import owner_change_entry

MANAGERS_ONLY = _("Only managers may do this.")
CONFIRMATION_MISMATCH = _("Type the confirmation word exactly to delete the whole file.")
NOT_IN_TRASH = _("Nothing to restore: the trash keeps deleted prospects for {days} days.")

# Where a new prospect's data came from (contacts.models.DataOrigin): set at creation only.
PROSPECT_ORIGIN = ("origin", "origin_detail", "lawful_basis", "consent_at", "consent_proof")
# Of these, what the card edits (the origin itself stays as recorded at creation).
PROSPECT_BASIS = ("lawful_basis", "consent_at", "consent_proof")
# The word a manager types to delete the whole file, in the manager's language ("DELETE",
# « SUPPRIMER »): checked against the active language's word.
CONFIRMATION_WORD = pgettext_lazy("the word typed to delete every prospect", "DELETE")
BATCH_SIZE = 1000


def prospect_search_text(prospect: Prospect) -> str:
    """Normalised words searched by the list's quick search."""
    return normalize(
        " ".join(
            [
                prospect.last_name,
                prospect.first_name,
                prospect.company_name,
                prospect.email,
                prospect.city,
                prospect.postal_code,
                prospect.phone.replace(" ", ""),
                phone_search_word(prospect.phone),
            ]
        )
    )


def _lock_prospect(prospect_id: int, expected_version: int | str | None) -> Prospect:
    """The prospect locked, refused (ConcurrentEdit) unless still at `expected_version`."""
    current = lock_row(Prospect.objects, prospect_id, related=("updated_by", "owner"))
    check_version(current, expected_version)
    return current


def _touched(actor, now) -> dict[str, Any]:
    """What `Tracked.touch` sets, for a queryset UPDATE: author, time and a version bump (so a
    form opened before the change is refused as stale and the audit sees who did it)."""
    return {"updated_by": actor, "updated_at": now, "version": F("version") + 1}


# --------------------------------------------------------------------------- prospects


@transaction.atomic
def prospect_create(
    *, actor, data: dict[str, Any] | None = None, categories: Iterable[Category] = (), **fields
) -> Prospect:
    """A new prospect; its owner is the actor unless one is given. Values come in `data`
    (a form's cleaned data) or as keyword arguments, with its origin (`PROSPECT_ORIGIN`)."""
    data = {**(data or {}), **fields}
    prospect = Prospect(
        **{k: v for k, v in data.items() if k in PROSPECT_EDITABLE or k in PROSPECT_ORIGIN}
    )
    if "owner" not in data:
        prospect.owner = actor
    prospect.touch(actor)
    prospect.search_text = prospect_search_text(prospect)
    prospect.full_clean()
    prospect.save()
    if categories:
        prospect.categories.set(categories)
    HistoryEntry.objects.create(
        prospect=prospect, kind=HistoryEntry.Kind.CREATED, actor=actor, at=prospect.created_at
    )
    emit("prospect.created", prospect, actor=actor)
    return prospect


@transaction.atomic
def prospect_update(
    *,
    prospect_id: int,
    actor,
    data: dict[str, Any],
    expected_version: int | str | None,
    categories: Iterable[Category] | None = None,
) -> Prospect:
    """Save the card's details. A stale version (someone saved in between) is refused with
    `ConcurrentEdit`; an owner change is recorded in the history."""
    prospect = _lock_prospect(prospect_id, expected_version)
    if not can_change(actor, prospect):
        raise PermissionDenied
    old_owner = prospect.owner
    for name, value in data.items():
        if name in PROSPECT_EDITABLE or name in PROSPECT_BASIS:
            setattr(prospect, name, value)
    prospect.touch(actor)
    prospect.search_text = prospect_search_text(prospect)
    prospect.full_clean()
    prospect.save()
    if categories is not None:
        prospect.categories.set(categories)
    if old_owner != prospect.owner:
        owner_change_entry(
            prospect=prospect,
            old=old_owner,
            new=prospect.owner,
            actor=actor,
            at=prospect.updated_at,
        ).save()
    emit("prospect.updated", prospect, actor=actor)
    return prospect


@transaction.atomic
def prospect_extra_update(
    *, prospect_id: int, actor, extra: dict[str, Any], expected_version: int | str | None
) -> Prospect:
    """Save the values of the manager-defined extra fields (keys are the fields' ids)."""
    prospect = _lock_prospect(prospect_id, expected_version)
    if not can_change(actor, prospect):
        raise PermissionDenied
    prospect.extra = {str(k): v for k, v in extra.items() if v not in (None, "")}
    prospect.touch(actor)
    prospect.save()
    emit("prospect.updated", prospect, actor=actor)
    return prospect


def _changeable(prospect_ids: Iterable[int], actor):
    return Prospect.objects.changeable_by(actor).filter(pk__in=list(prospect_ids))


@transaction.atomic
def prospects_assign(*, prospect_ids: Iterable[int], owner, actor) -> int:
    """Bulk action: give the prospects (and their open opportunities) to `owner`; each change
    of owner is recorded. Opportunities of a process whose opportunities the actor may not
    modify keep their owner."""
    from pipeline.models import Process
    from pipeline.rights import can_modify_process_opportunities

    now = timezone.now()
    prospects = list(_changeable(prospect_ids, actor).select_related("owner"))
    entries = [
        owner_change_entry(prospect=p, old=p.owner, new=owner, actor=actor, at=now)
        for p in prospects
        if p.owner_id != (owner.pk if owner else None)
    ]
    ids = [p.pk for p in prospects]
    Prospect.objects.filter(pk__in=ids).update(owner=owner, **_touched(actor, now))
    opportunities = Opportunity.objects.filter(prospect_id__in=ids, status=Opportunity.Status.OPEN)
    allowed = [
        p.pk
        for p in Process.objects.filter(opportunities__in=opportunities).distinct()
        if can_modify_process_opportunities(actor, p)
    ]
    opportunities = opportunities.filter(process_id__in=allowed)
    for opportunity in opportunities.select_related("owner"):
        if opportunity.owner_id != (owner.pk if owner else None):
            entries.append(
                owner_change_entry(
                    opportunity=opportunity, old=opportunity.owner, new=owner, actor=actor, at=now
                )
            )
    opportunities.update(owner=owner, **_touched(actor, now))
    HistoryEntry.objects.bulk_create(entries)
    return len(ids)


@transaction.atomic
def prospects_categorize(*, prospect_ids: Iterable[int], category: Category, actor) -> int:
    """Bulk action: add a category to the prospects the actor may change."""
    ids = list(_changeable(prospect_ids, actor).values_list("pk", flat=True))
    through = Prospect.categories.through
    existing = set(
        through.objects.filter(category=category, prospect_id__in=ids).values_list(
            "prospect_id", flat=True
        )
    )
    through.objects.bulk_create(
        [through(prospect_id=pk, category=category) for pk in ids if pk not in existing]
    )
    return len(ids)


def _trash(queryset, actor, now) -> int:
    """The prospects and their opportunities into the trash as one deletion (same time), each
    recorded in the audit log (`core.trash.trash_rows`)."""
    trash_rows(
        Opportunity.objects.filter(prospect_id__in=queryset.values("pk")), actor=actor, at=now
    )
    return len(trash_rows(queryset, actor=actor, at=now))


@transaction.atomic
def prospects_trash(*, prospect_ids: Iterable[int], actor) -> int:
    """Bulk delete: the prospects the actor may change, with their opportunities, go to the
    trash (restorable by a manager for TRASH_RETENTION_DAYS days)."""
    return _trash(_changeable(prospect_ids, actor), actor, timezone.now())


@transaction.atomic
def prospects_trash_all(*, actor, confirmation: str) -> int:
    """Gestan's "delete all" (managers only, typed confirmation): the whole prospect file goes
    to the trash in one go, so a wrong click loses nothing."""
    if not is_manager(actor):
        raise PermissionDenied(MANAGERS_ONLY)
    if (confirmation or "").strip() != str(CONFIRMATION_WORD):
        raise ValidationError(CONFIRMATION_MISMATCH)
    return _trash(Prospect.objects.all(), actor, timezone.now())


@transaction.atomic
def prospects_restore(*, prospect_ids: Iterable[int], actor) -> int:
    """Bring prospects back from the trash (managers only), with the opportunities that were
    deleted with them."""
    if not is_manager(actor):
        raise PermissionDenied(MANAGERS_ONLY)
    trashed = Prospect.all_objects.trashed().filter(
        pk__in=list(prospect_ids), deleted_at__gte=trash_limit()
    )
    pairs = list(trashed.values_list("pk", "deleted_at"))
    if not pairs:
        raise ValidationError(str(NOT_IN_TRASH).format(days=settings.TRASH_RETENTION_DAYS))
    for pk, deleted_at in pairs:
        restore_rows(
            Opportunity.all_objects.filter(prospect_id=pk, deleted_at=deleted_at), actor=actor
        )
    restore_rows(Prospect.all_objects.filter(pk__in=[pk for pk, _ in pairs]), actor=actor)
    return len(pairs)


# --------------------------------------------------------------------------- contacts


def _country_code(name: str) -> str:
    from django_countries import countries

    if not name:
        return "FR"
    if len(name) == 2 and name.upper() in dict(countries):
        return name.upper()
    return countries.by_name(name) or countries.by_name(name, language="fr") or "FR"


def _valid_phone(value: str) -> str:
    """The contact file only keeps valid numbers; a prospect's unreadable one stays on the prospect."""
    from contacts.validators import clean_phone

    try:
        return clean_phone(value)
    except ValidationError:
        return ""


def _company_by_name(name: str) -> Company | None:
    """A company whose normalised name is `name`'s (also when its search index is not built)."""
    wanted = normalize(name)
    if not wanted:
        return None
    for company in Company.objects.filter(name__istartswith=name.strip()[:3]).order_by("pk")[:500]:
        if normalize(company.name) == wanted:
            return company
    return None


@transaction.atomic
def prospect_add_to_contacts(*, prospect_id: int, actor) -> tuple[Company | None, Person | None]:
    """Gestan's "add to contacts": the prospect becomes a Company and a Person of the contact
    file, reusing a matching company (SIREN, e-mail or normalised name) and person (e-mail or
    normalised name); idempotent: the link is kept on the prospect and a second call only
    returns it. Its opportunities get the company and person too."""
    from contacts import selectors as contact_selectors
    from contacts import services as contact_services

    prospect = Prospect.objects.select_for_update(of=("self",)).get(pk=prospect_id)
    if not can_change(actor, prospect):
        raise PermissionDenied
    company, person = prospect.company, prospect.person
    if company is None and prospect.company_name:
        matches = contact_selectors.company_duplicates(
            name=prospect.company_name, siren=prospect.siren, email=""
        )
        company = matches[0][0] if matches else _company_by_name(prospect.company_name)
        if company is None:
            address = None
            if prospect.address:
                address = {
                    "line1": prospect.address,
                    "postal_code": prospect.postal_code,
                    "city": prospect.city,
                    "country": _country_code(prospect.country),
                    "is_default": True,
                }
            company = contact_services.company_create(
                actor=actor,
                data={
                    "name": prospect.company_name,
                    "siren": prospect.siren,
                    "sector": prospect.sector,
                    "website": prospect.website
                    if prospect.website.startswith(("http://", "https://"))
                    else "",
                    "owner": prospect.owner or actor,
                    "country": _country_code(prospect.country),
                    "origin": str(prospect.channel or ""),
                },
                categories=list(prospect.categories.all()),
                address=address,
            )
    if person is None and (prospect.last_name or prospect.email):
        matches = contact_selectors.person_duplicates(
            first_name=prospect.first_name, last_name=prospect.last_name, email=prospect.email
        )
        if matches:
            person = matches[0][0]
        else:
            person = contact_services.person_create(
                actor=actor,
                data={
                    "civility": prospect.civility,
                    "first_name": prospect.first_name,
                    "last_name": prospect.last_name or prospect.email.split("@")[0],
                    "job_title": prospect.job_title,
                    "email": prospect.email,
                    "phone": _valid_phone(prospect.phone),
                    "mobile": _valid_phone(prospect.mobile),
                    "birth_date": prospect.birth_date,
                    "owner": prospect.owner or actor,
                    # The person's data came from the prospect's origin, on the same basis.
                    **{name: getattr(prospect, name) for name in PROSPECT_ORIGIN},
                },
            )
    if (
        company is not None
        and person is not None
        and not person.affiliations.filter(company=company).exists()
    ):
        contact_services.affiliation_create(
            person=person, company=company, actor=actor, role=prospect.job_title
        )
    changed = (company and prospect.company_id != company.pk) or (
        person and prospect.person_id != person.pk
    )
    if changed:
        prospect.company, prospect.person = company, person
        prospect.touch(actor)
        prospect.save()
        Opportunity.objects.filter(prospect=prospect, company__isnull=True).update(
            company=company, person=person
        )
        HistoryEntry.objects.create(
            prospect=prospect,
            kind=HistoryEntry.Kind.CONVERTED,
            actor=actor,
            at=timezone.now(),
            to_value=" / ".join(str(x) for x in (company, person) if x)[:200],
        )
    return company, person


@transaction.atomic
def prospect_from_person(*, person_id: int, actor, company: Company | None = None) -> Prospect:
    """Gestan's "import a contact": a person of the contact file becomes a prospect, linked to
    it (and to `company`, or the person's default company), followed by the user who imported
    it. Idempotent: a person already in the prospect file gives back that prospect."""
    person = Person.objects.get(pk=person_id)
    existing = Prospect.objects.filter(person=person).first()
    if existing is not None:
        return existing
    if company is None:
        affiliation = (
            person.affiliations.select_related("company")
            .order_by("-is_default", "rank", "id")
            .first()
        )
        company = affiliation.company if affiliation else None
    address = company.default_address if company else None
    data = {
        "civility": person.civility,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "job_title": person.job_title,
        "email": person.email,
        "phone": person.phone,
        "mobile": person.mobile,
        "birth_date": person.birth_date,
        "owner": actor,
        **{name: getattr(person, name) for name in PROSPECT_ORIGIN},
    }
    if company is not None:
        data.update(
            company_name=company.name,
            siren=company.siren,
            sector=company.sector,
            website=company.website,
            country=str(company.country.name) if company.country else "",
        )
    if address is not None:
        data.update(address=address.line1, postal_code=address.postal_code, city=address.city)
    prospect = prospect_create(actor=actor, data=data)
    prospect.person, prospect.company = person, company
    prospect.save(update_fields=["person", "company"])
    return prospect
