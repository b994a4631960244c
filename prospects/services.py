"""Writes on the prospect file (Gestan PROSPECTS) and on opportunities' fields and lines.

Moves between steps and statuses follow the process rules in `pipeline.services`
(`opportunity_create`, `opportunity_move`, `automation_run`); this module calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.access import can_change
from config.roles import is_manager
from contacts.models import Category, Company, Person
from contacts.text import normalize
from prospects import importing
from prospects.models import HistoryEntry, Opportunity, OpportunityLine, Prospect

STALE_VERSION = _(
    "This record was changed by {user} at {time} while you were editing it. "
    "Its current values are shown below; your changes were not saved."
)
MANAGERS_ONLY = _("Only managers may do this.")
CONFIRMATION_MISMATCH = _("Type the confirmation word exactly to delete the whole file.")
NOT_IN_TRASH = _("Nothing to restore: the trash keeps deleted prospects for {days} days.")
LINE_NEEDS_ITEM = _("A line needs an item.")

PROSPECT_EDITABLE = (
    "civility",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "address",
    "postal_code",
    "city",
    "country",
    "phone",
    "mobile",
    "email",
    "website",
    "birth_date",
    "external_ref",
    "siren",
    "sector",
    "customer_type",
    "channel",
    "direct_approach",
    "owner",
    "notes",
)
OPPORTUNITY_EDITABLE = (
    "summary",
    "probability",
    "amount",
    "expected_date",
    "interest",
    "rating",
    "project_notes",
    "competitor",
    "owner",
    "closing_date",
)
CONFIRMATION_WORD = "DELETE"
BATCH_SIZE = 1000


class ConcurrentEdit(Exception):
    """The record changed since the form was shown; `current` holds its current values."""

    def __init__(self, current):
        self.current = current
        who = (
            current.updated_by.get_full_name() or current.updated_by.get_username()
            if current.updated_by
            else "—"
        )
        when = timezone.localtime(current.updated_at).strftime("%d/%m/%Y %H:%M")
        self.message = str(STALE_VERSION).format(user=who, time=when)
        super().__init__(self.message)


def _user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


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
            ]
        )
    )


def _lock_prospect(prospect_id: int, expected_version: int | None) -> Prospect:
    current = (
        Prospect.objects.select_for_update(of=("self",))
        .select_related("updated_by", "owner")
        .get(pk=prospect_id)
    )
    if expected_version is not None and int(expected_version) != current.version:
        raise ConcurrentEdit(current)
    return current


def _touched(actor, now) -> dict[str, Any]:
    """What `Tracked.touch` sets, for a queryset UPDATE: author, time and a version bump (so a
    form opened before the change is refused as stale and the audit sees who did it)."""
    return {"updated_by": actor, "updated_at": now, "version": F("version") + 1}


def _modify_right_or_403(actor, opportunity: Opportunity) -> None:
    """The process's modify right (PROSTEP "Modif") on top of the object right."""
    from pipeline.rights import can_modify_process_opportunities

    if not can_modify_process_opportunities(actor, opportunity.process):
        raise PermissionDenied


def _owner_history(*, prospect=None, opportunity=None, old, new, actor, at) -> HistoryEntry:
    return HistoryEntry(
        prospect=prospect or (opportunity.prospect if opportunity else None),
        opportunity=opportunity,
        kind=HistoryEntry.Kind.OWNER,
        from_value=_user_label(old) or "—",
        to_value=_user_label(new) or "—",
        actor=actor,
        at=at,
    )


# --------------------------------------------------------------------------- prospects


@transaction.atomic
def prospect_create(
    *, actor, data: dict[str, Any] | None = None, categories: Iterable[Category] = (), **fields
) -> Prospect:
    """A new prospect; its owner is the actor unless one is given. Values come in `data`
    (a form's cleaned data) or as keyword arguments."""
    data = {**(data or {}), **fields}
    prospect = Prospect(**{k: v for k, v in data.items() if k in PROSPECT_EDITABLE})
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
    return prospect


@transaction.atomic
def prospect_update(
    *,
    prospect_id: int,
    actor,
    data: dict[str, Any],
    expected_version: int | None,
    categories: Iterable[Category] | None = None,
) -> Prospect:
    """Save the card's details. A stale version (someone saved in between) is refused with
    `ConcurrentEdit`; an owner change is recorded in the history."""
    prospect = _lock_prospect(prospect_id, expected_version)
    if not can_change(actor, prospect):
        raise PermissionDenied
    old_owner = prospect.owner
    for name, value in data.items():
        if name in PROSPECT_EDITABLE:
            setattr(prospect, name, value)
    prospect.touch(actor)
    prospect.search_text = prospect_search_text(prospect)
    prospect.full_clean()
    prospect.save()
    if categories is not None:
        prospect.categories.set(categories)
    if old_owner != prospect.owner:
        _owner_history(
            prospect=prospect,
            old=old_owner,
            new=prospect.owner,
            actor=actor,
            at=prospect.updated_at,
        ).save()
    return prospect


@transaction.atomic
def prospect_extra_update(
    *, prospect_id: int, actor, extra: dict[str, Any], expected_version: int | None
) -> Prospect:
    """Save the values of the manager-defined extra fields (keys are the fields' ids)."""
    prospect = _lock_prospect(prospect_id, expected_version)
    if not can_change(actor, prospect):
        raise PermissionDenied
    prospect.extra = {str(k): v for k, v in extra.items() if v not in (None, "")}
    prospect.touch(actor)
    prospect.save()
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
        _owner_history(prospect=p, old=p.owner, new=owner, actor=actor, at=now)
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
                _owner_history(
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
    ids = list(queryset.values_list("pk", flat=True))
    Opportunity.objects.filter(prospect_id__in=ids).update(
        deleted_at=now, deleted_by=actor, **_touched(actor, now)
    )
    return Prospect.objects.filter(pk__in=ids).update(
        deleted_at=now, deleted_by=actor, **_touched(actor, now)
    )


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
    if (confirmation or "").strip() != CONFIRMATION_WORD:
        raise ValidationError(CONFIRMATION_MISMATCH)
    return _trash(Prospect.objects.all(), actor, timezone.now())


def trash_limit() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.TRASH_RETENTION_DAYS)


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
    now = timezone.now()
    for pk, deleted_at in pairs:
        Opportunity.all_objects.filter(prospect_id=pk, deleted_at=deleted_at).update(
            deleted_at=None, deleted_by=None, **_touched(actor, now)
        )
    Prospect.all_objects.filter(pk__in=[pk for pk, _ in pairs]).update(
        deleted_at=None, deleted_by=None, **_touched(actor, now)
    )
    return len(pairs)


@transaction.atomic
def prospects_purge_trash(*, now: dt.datetime | None = None) -> int:
    """Remove for good what has been in the trash longer than TRASH_RETENTION_DAYS."""
    limit = (now or timezone.now()) - dt.timedelta(days=settings.TRASH_RETENTION_DAYS)
    deleted, _ = Prospect.all_objects.filter(deleted_at__lt=limit).delete()
    return deleted


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


# --------------------------------------------------------------------------- opportunities


@transaction.atomic
def opportunity_add(*, prospect_id: int, actor, process=None, step=None, **fields) -> Opportunity:
    """A new opportunity of a prospect, created by the process rules of `pipeline.services`."""
    from pipeline.services import opportunity_create

    prospect = Prospect.objects.get(pk=prospect_id)
    if not can_change(actor, prospect):
        raise PermissionDenied
    fields.setdefault("owner", prospect.owner or actor)
    return opportunity_create(actor=actor, process=process, step=step, prospect=prospect, **fields)


@transaction.atomic
def opportunity_update(
    *,
    opportunity_id: int,
    actor,
    data: dict[str, Any],
    expected_version: int | None,
    to_status: str | None = None,
    to_step=None,
    loss_reason=None,
) -> Opportunity:
    """Save the opportunity card. Field edits and owner changes (recorded) are made here;
    a change of status or step goes through `pipeline.services.opportunity_move` (loss reason
    required for lost, closing date, history, colours). A stale version raises ConcurrentEdit;
    without the object right or the process's modify right, PermissionDenied."""
    from pipeline.services import opportunity_move

    current = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("updated_by", "owner", "prospect", "process")
        .get(pk=opportunity_id)
    )
    if expected_version is not None and int(expected_version) != current.version:
        raise ConcurrentEdit(current)
    if not can_change(actor, current):
        raise PermissionDenied
    _modify_right_or_403(actor, current)
    old_owner = current.owner
    has_lines = current.lines.exists()
    for name, value in data.items():
        if name not in OPPORTUNITY_EDITABLE or (name == "amount" and has_lines):
            continue
        if name == "probability" and value is not None and int(value) != current.probability:
            current.probability_is_manual = True
        setattr(current, name, value)
    current.touch(actor)
    current.full_clean()
    current.save()
    if old_owner != current.owner:
        _owner_history(
            opportunity=current,
            old=old_owner,
            new=current.owner,
            actor=actor,
            at=current.updated_at,
        ).save()
    status_changes = to_status is not None and to_status != current.status
    step_changes = to_step is not None and to_step.pk != current.step_id
    if (
        status_changes
        or step_changes
        or (
            to_status == Opportunity.Status.LOST
            and loss_reason
            and loss_reason != current.loss_reason
        )
    ):
        current = opportunity_move(
            opportunity_id=current.pk,
            actor=actor,
            to_step=to_step if step_changes else None,
            to_status=to_status if status_changes or to_status == Opportunity.Status.LOST else None,
            loss_reason=loss_reason,
        )
    return current


def probability_from_step(opportunity: Opportunity) -> int:
    """The probability the opportunity has when it is not set by hand: 100 won, 0 lost, else
    its step's (the rule `pipeline.services.opportunity_move` applies)."""
    if opportunity.status == Opportunity.Status.WON:
        return 100
    if opportunity.status == Opportunity.Status.LOST:
        return 0
    return opportunity.step.probability if opportunity.step_id else opportunity.probability


@transaction.atomic
def opportunity_probability_follow_step(
    *, opportunity_id: int, actor, expected_version: int | None = None
) -> Opportunity:
    """Undo a probability typed by hand: it follows the step again (and later moves). The
    change of value is recorded in the history."""
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("updated_by", "process", "step")
        .get(pk=opportunity_id)
    )
    if expected_version is not None and int(expected_version) != opportunity.version:
        raise ConcurrentEdit(opportunity)
    if not can_change(actor, opportunity):
        raise PermissionDenied
    _modify_right_or_403(actor, opportunity)
    old = opportunity.probability
    if not opportunity.probability_is_manual and old == probability_from_step(opportunity):
        return opportunity  # it already follows the step
    opportunity.probability = probability_from_step(opportunity)
    opportunity.probability_is_manual = False
    opportunity.touch(actor)
    opportunity.save(
        update_fields=[
            "probability",
            "probability_is_manual",
            "updated_at",
            "updated_by",
            "version",
        ]
    )
    HistoryEntry.objects.create(
        prospect_id=opportunity.prospect_id,
        opportunity=opportunity,
        kind=HistoryEntry.Kind.PROBABILITY,
        from_value=f"{old} %",
        to_value=f"{opportunity.probability} %",
        actor=actor,
        at=opportunity.updated_at,
    )
    return opportunity


def line_total(line: OpportunityLine) -> Decimal:
    """Quantity × (adjusted price, else unit price) less the discount, rounded to the cent
    (Prextra's line: Qté, Prix, Prix ajusté, Esc., Total)."""
    price = line.adjusted_price if line.adjusted_price is not None else line.unit_price
    gross = (line.quantity or Decimal(0)) * (price or Decimal(0))
    net = gross * (Decimal(100) - (line.discount or Decimal(0))) / Decimal(100)
    return net.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _amount_refresh(opportunity: Opportunity, actor) -> Opportunity:
    total = opportunity.lines.aggregate(total=Sum("total"))["total"]
    opportunity.amount = total or Decimal(0)
    opportunity.touch(actor)
    opportunity.save(update_fields=["amount", "updated_at", "updated_by", "version"])
    return opportunity


def _lock_opportunity(opportunity_id: int, actor) -> Opportunity:
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("process")
        .get(pk=opportunity_id)
    )
    if not can_change(actor, opportunity):
        raise PermissionDenied
    _modify_right_or_403(actor, opportunity)
    return opportunity


def _line_save(line: OpportunityLine, data: dict[str, Any]) -> None:
    for name in (
        "item",
        "unit",
        "quantity",
        "unit_cost",
        "unit_price",
        "adjusted_price",
        "discount",
        "position",
    ):
        if name in data:
            setattr(line, name, data[name])
    if not (line.item or "").strip():
        raise ValidationError({"item": LINE_NEEDS_ITEM})
    line.total = line_total(line)
    line.full_clean()
    line.save()


@transaction.atomic
def opportunity_line_add(*, opportunity_id: int, actor, data: dict[str, Any]) -> OpportunityLine:
    """Add a line; the total and the opportunity's amount (sum of its lines) are computed here;
    the process's `line_added` automation rules then run."""
    from pipeline.services import automation_run

    opportunity = _lock_opportunity(opportunity_id, actor)
    line = OpportunityLine(opportunity=opportunity, position=opportunity.lines.count())
    _line_save(line, data)
    _amount_refresh(opportunity, actor)
    automation_run(opportunity=opportunity, event="line_added", actor=actor)
    return line


@transaction.atomic
def opportunity_line_update(*, line_id: int, actor, data: dict[str, Any]) -> OpportunityLine:
    line = OpportunityLine.objects.select_related("opportunity").get(pk=line_id)
    opportunity = _lock_opportunity(line.opportunity_id, actor)
    _line_save(line, data)
    _amount_refresh(opportunity, actor)
    return line


@transaction.atomic
def opportunity_line_delete(*, line_id: int, actor) -> Opportunity:
    line = OpportunityLine.objects.get(pk=line_id)
    opportunity = _lock_opportunity(line.opportunity_id, actor)
    line.delete()
    return _amount_refresh(opportunity, actor)


# --------------------------------------------------------------------------- import


PREVIEW_ROWS = 50
PREVIEW_REFUSED = 200


@dataclass
class ImportReport:
    """What an import did or would do: counts, a preview and the refused rows."""

    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""
    total: int = 0
    valid: int = 0
    refused: int = 0
    duplicates: int = 0
    created: int = 0
    opportunities: int = 0
    batches: int = 0
    written: bool = False
    preview: list[dict] = field(default_factory=list)
    refused_rows: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "total": self.total,
            "valid": self.valid,
            "refused": self.refused,
            "duplicates": self.duplicates,
            "created": self.created,
            "opportunities": self.opportunities,
            "written": self.written,
            "preview": self.preview,
            "refused_rows": self.refused_rows,
        }

    def lines(self) -> list[str]:
        """The text report printed by the command."""
        out = [
            f"rows: {self.total}  valid: {self.valid}  refused: {self.refused}  "
            f"created: {self.created}  opportunities: {self.opportunities}"
        ]
        out += [f"row {r['row']}: {r['reason']}" for r in self.refused_rows]
        if self.refused > len(self.refused_rows):
            out.append(f"... {self.refused - len(self.refused_rows)} more refused rows")
        return out


def count_rows(path: str | Path, filename: str = "") -> int:
    """Data rows of a file, counted cheaply (for the progress bar)."""
    path = Path(path)
    if importing.is_xlsx(path, filename):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            return max(0, (workbook.worksheets[0].max_row or 1) - 1)
        finally:
            workbook.close()
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(0, lines - 1)


def extra_labels() -> dict[str, int]:
    from contacts.text import compact
    from prospects.models import ExtraField

    return {compact(label): pk for pk, label in ExtraField.objects.values_list("pk", "label")}


def prospects_import(
    *,
    path: str | Path,
    actor,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    owner=None,
    valid_only: bool = False,
    dry_run: bool = False,
    report_file=None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a prospect file (the wizard and `import_prospects` both call this).

    The file is streamed and written in batches. Each row is checked (e-mail, phone, dates,
    amount, probability, owner, channel, categories) and compared with the existing prospects
    and contacts (same e-mail, or same name and company) and with the earlier rows of the file.
    All-or-nothing by default: one refused row and nothing is written (the whole run is one
    transaction, rolled back); `valid_only` writes the valid rows. Refused rows go to
    `report_file` (CSV: row number, reason, original values). A row with a project, amount,
    probability or expected date also gets an opportunity in the default process.
    """
    source = importing.open_source(path, filename)
    report = ImportReport(
        headers=source.headers, encoding=source.encoding, delimiter=source.delimiter
    )
    report.mapping = (
        mapping if mapping is not None else importing.guess_mapping(source.headers, extra_labels())
    )
    lookups = importing.Lookups.load()
    writer = (
        importing.ReportWriter(report_file, source.headers) if report_file is not None else None
    )
    seen_emails: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    context = _WriteContext.load(actor=actor, owner=owner)
    try:
        with transaction.atomic():
            batch: list[importing.Row] = []
            for number, raw in enumerate(source.rows, start=2):
                if not any(importing.text(v) for v in raw):
                    continue
                row = importing.check_row(number, raw, report.mapping, lookups)
                report.total += 1
                _duplicate_in_file(row, seen_emails, seen_names)
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    _flush(batch, report, context, writer, valid_only, dry_run)
                    batch = []
                    if progress:
                        progress(report.total)
            _flush(batch, report, context, writer, valid_only, dry_run)
            if progress:
                progress(report.total)
            if dry_run or (report.refused and not valid_only):
                transaction.set_rollback(True)
                report.created = report.opportunities = 0
            else:
                report.written = report.created > 0
    finally:
        source.close()
    return report


def _duplicate_in_file(row: importing.Row, seen_emails: dict, seen_names: dict) -> None:
    email = row.values.get("email")
    key = importing.name_key(row.values)
    earlier = (seen_emails.get(email) if email else None) or (seen_names.get(key) if key else None)
    if earlier:
        row.duplicate = str(importing.DUPLICATE_IN_FILE).format(row=earlier)
        return
    if email:
        seen_emails[email] = row.number
    if key:
        seen_names[key] = row.number


def _duplicates_in_database(rows: list[importing.Row]) -> None:
    """Mark rows matching an existing prospect or person (e-mail, or name and company)."""
    candidates = [r for r in rows if not r.duplicate]
    emails = {r.values["email"] for r in candidates if r.values.get("email")}
    last_names = {r.values["last_name"] for r in candidates if r.values.get("last_name")}
    by_email: dict[str, str] = {}
    by_name: dict[str, str] = {}
    if emails:
        for pk, email in (
            Person.objects.filter(email__in=emails).order_by().values_list("pk", "email")
        ):
            by_email[email.lower()] = str(importing.DUPLICATE_PERSON).format(id=pk)
        for pk, email in (
            Prospect.objects.filter(email__in=emails).order_by().values_list("pk", "email")
        ):
            by_email[email.lower()] = str(importing.DUPLICATE_PROSPECT).format(id=pk)
    if last_names:
        variants = set()
        for name in last_names:
            variants |= {name, name.upper(), name.title()}
        existing = (
            Prospect.objects.filter(last_name__in=variants)
            .order_by()
            .values_list("pk", "last_name", "first_name", "company_name")
        )
        for pk, last, first, company in existing:
            key = importing.name_key(
                {"last_name": last, "first_name": first, "company_name": company}
            )
            by_name[key] = str(importing.DUPLICATE_PROSPECT).format(id=pk)
    for row in candidates:
        email = row.values.get("email")
        found = by_email.get(email) if email else None
        found = found or by_name.get(importing.name_key(row.values))
        if found:
            row.duplicate = found


@dataclass
class _WriteContext:
    actor: Any
    owner_id: int | None
    process: Any
    step: Any

    @classmethod
    def load(cls, *, actor, owner) -> _WriteContext:
        from pipeline.models import Process

        process = Process.objects.filter(is_default=True).first()
        step = process.steps.order_by("position", "id").first() if process else None
        return cls(actor=actor, owner_id=owner.pk if owner else None, process=process, step=step)


def _flush(
    batch, report: ImportReport, context: _WriteContext, writer, valid_only, dry_run
) -> None:
    if not batch:
        return
    _duplicates_in_database(batch)
    valid = []
    for row in batch:
        if row.ok:
            report.valid += 1
            valid.append(row)
        else:
            report.refused += 1
            if row.duplicate:
                report.duplicates += 1
            if writer:
                writer.writerow(row)
            if len(report.refused_rows) < PREVIEW_REFUSED:
                report.refused_rows.append(
                    {
                        "row": row.number,
                        "reason": row.reason,
                        "values": [importing.text(v) for v in row.raw],
                    }
                )
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": row.number,
                    "ok": row.ok,
                    "reason": row.reason,
                    "values": [importing.text(v) for v in row.raw],
                }
            )
    if dry_run or (report.refused and not valid_only):
        return  # all-or-nothing: once a row is refused, nothing more is written
    _write(valid, report, context)


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert new rows (dicts of column attnames; the model's defaults fill the rest) and
    return their ids. On PostgreSQL through COPY, ids drawn from the table's sequence first:
    several times faster than INSERT, and no model instances are built. Elsewhere bulk_create."""
    from django.db import connection

    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        return [obj.pk for obj in objects]
    from django.db.models import JSONField
    from psycopg.types.json import Jsonb

    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, JSONField)}
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in ["id", *(f.column for f in fields)])
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = {**defaults, **row}
                for name in json_fields:
                    values[name] = Jsonb(values[name])
                copy.write_row([pk, *(values[name] for name in names)])
    return ids


def _write(rows: list[importing.Row], report: ImportReport, context: _WriteContext) -> None:
    now = timezone.now()
    actor_id = context.actor.pk if context.actor else None
    stamp = {
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor_id,
        "updated_by_id": actor_id,
    }
    prospects = []
    for row in rows:
        values = row.values
        prospect = {
            k: v
            for k, v in values.items()
            if k in PROSPECT_EDITABLE and k not in ("owner", "channel")
        }
        prospect.update(
            stamp,
            owner_id=values.get("owner_id", context.owner_id),
            channel_id=values.get("channel_id"),
            extra=values.get("extra", {}),
        )
        prospect["search_text"] = importing.search_words(values)
        prospects.append(prospect)
    ids = _insert(Prospect, prospects)
    through = Prospect.categories.through
    links = [
        through(prospect_id=pk, category_id=cid)
        for row, pk in zip(rows, ids, strict=True)
        for cid in set(row.values.get("category_ids", []))
    ]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    # The prospect's creation shows in its card header (created by/at); the opportunities get
    # their "created" history entry below.
    opportunities, owners = [], []
    if context.process is not None:
        from pipeline.clocks import colour_for, step_due

        step = context.step
        step_probability = step.probability if step else 0
        due = step_due(now, step.duration_days) if step else None
        for row, pk, prospect in zip(rows, ids, prospects, strict=True):
            if not row.has_opportunity:
                continue
            values = row.values
            probability = values.get("probability")
            name = " ".join(
                p for p in [values.get("first_name", ""), values.get("last_name", "").upper()] if p
            )
            opportunities.append(
                {
                    **stamp,
                    "prospect_id": pk,
                    "process_id": context.process.pk,
                    "step_id": step.pk if step else None,
                    "step_changed_at": now,
                    "summary": (values.get("project") or values.get("company_name") or name or "—")[
                        :200
                    ],
                    "amount": values.get("amount") or Decimal(0),
                    "expected_date": values.get("expected_date"),
                    "probability": step_probability if probability is None else probability,
                    "probability_is_manual": probability is not None
                    and probability != step_probability,
                    "owner_id": prospect["owner_id"],
                    "step_due": due,
                    "step_colour": colour_for(due),
                }
            )
            owners.append(pk)
        opportunity_ids = _insert(Opportunity, opportunities)
        _insert(
            HistoryEntry,
            [
                {
                    "prospect_id": prospect_id,
                    "opportunity_id": opportunity_id,
                    "kind": HistoryEntry.Kind.CREATED,
                    "actor_id": actor_id,
                    "at": now,
                    "to_value": step.label if step else "",
                }
                for prospect_id, opportunity_id in zip(owners, opportunity_ids, strict=True)
            ],
        )
    report.created += len(prospects)
    report.opportunities += len(opportunities)
    report.batches += 1
    _refresh_statistics(report.batches)


def _refresh_statistics(batches: int) -> None:
    """A large import grows the tables faster than autovacuum notices: without fresh
    statistics PostgreSQL keeps planning the duplicate look-ups as for a tiny table (scanning
    everything). ANALYZE after the first batches, then every 50 batches."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    if batches in (1, 5, 20) or batches % 50 == 0:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE prospects_prospect")
            cursor.execute("ANALYZE prospects_opportunity")


# --------------------------------------------------------------------------- import wizard


def import_job_create(*, uploaded_file, actor, owner=None):
    """Keep an uploaded file for the wizard and read its header row (the mapping's start)."""
    from prospects.models import ImportJob

    job = ImportJob(filename=uploaded_file.name[:255], actor=actor, owner=owner)
    job.file.save(
        f"{timezone.now():%Y%m%d%H%M%S}-{Path(uploaded_file.name).name}", uploaded_file, save=False
    )
    try:
        source = importing.open_source(job.file.path, job.filename)
    except ValueError as exc:
        job.file.delete(save=False)
        raise ValidationError(str(exc)) from exc
    sample = []
    for raw in source.rows:
        sample.append([importing.text(v) for v in raw][: len(source.headers)])
        if len(sample) >= 3:
            break
    source.close()
    job.preview = {"sample": sample}
    job.headers = source.headers
    job.mapping = importing.guess_mapping(source.headers, extra_labels())
    job.total = count_rows(job.file.path, job.filename)
    job.save()
    return job


def import_job_start(*, job, actor, dry_run: bool) -> None:
    """Queue the check (dry run) or the import of a wizard file as a Celery task."""
    from prospects import tasks
    from prospects.models import ImportJob

    job.state = ImportJob.State.CHECKING if dry_run else ImportJob.State.RUNNING
    job.error = ""
    job.save(update_fields=["state", "error", "mapping", "valid_only"])

    def queue() -> None:
        result = tasks.import_prospects_task.delay(job.pk, dry_run)
        # The progress bar reads the task's progress; a finished (eager) run has moved on.
        ImportJob.objects.filter(pk=job.pk, state=job.state).update(task_id=result.id or "")

    transaction.on_commit(queue)


def import_job_execute(
    *, job_id: int, dry_run: bool, progress: Callable[[int], None] | None = None
):
    """The check or the import of a wizard file (the Celery task calls this). The refused rows'
    report is written next to the file; counts and a preview are kept on the job."""
    from django.core.files.storage import default_storage

    from prospects.models import ImportJob

    job = ImportJob.objects.select_related("actor", "owner").get(pk=job_id)
    report_name = f"imports/{Path(job.file.name).stem}-refused.csv"
    report_path = Path(default_storage.path(report_name))
    report_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(report_path, "w", encoding="utf-8-sig", newline="") as handle:
            report = prospects_import(
                path=job.file.path,
                filename=job.filename,
                actor=job.actor,
                mapping=job.mapping,
                owner=job.owner,
                valid_only=job.valid_only,
                dry_run=dry_run,
                report_file=handle,
                progress=progress,
            )
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, error=str(exc)[:2000]
        )
        raise
    if dry_run:
        state = ImportJob.State.CHECKED
    elif report.refused and not job.valid_only:
        state = ImportJob.State.REFUSED
    else:
        state = ImportJob.State.DONE
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        total=report.total,
        valid=report.valid,
        refused=report.refused,
        created=report.created,
        preview={**report.as_dict(), "sample": (job.preview or {}).get("sample", [])},
        report=report_name if report.refused else "",
    )
    return report
