"""What the quote card writes: a draft made from an opportunity's lines, its edits (lines,
overall discount, validity, notes, title, recipient), its issue (numbered, frozen, recorded)
and its revisions. Sending, acceptance, refusal and expiry are in `quotes.lifecycle`.

The contract:
- a rep quotes what they may modify: the opportunity's object right (`core.access.can_change`)
  and its process's modify right (`pipeline.services.cards.modify_right_or_403`), else
  PermissionDenied; managers quote everything;
- a draft is the only quote that changes; every change locks its row, checks the version the
  client saw (`core.versions.check_version`) and stores the totals `quotes.totals` computes;
- a frozen quote (issued: sent, accepted, refused, expired) is never changed: a change is a
  revision, a new draft numbered `<original number>-R<n>` when it is issued;
- issuing is refused, with everything to fix, while a legal mention is missing
  (`quotes.parties.missing_mentions`), the quote has no line or a 0 % line says no exemption;
  numbers `D-<year>-<NNNN>` follow each other without gap or duplicate within a year, as the
  year's `QuoteSequence` row is locked until the issuing transaction ends.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import VatRate
from contacts.models import Person
from core.access import can_change
from core.db import lock_row
from core.versions import check_version
from pipeline.models import Opportunity
from pipeline.services.cards import modify_right_or_403
from quotes.events import quote_event
from quotes.models import Quote, QuoteLine, QuoteSequence
from quotes.parties import client_data, missing_mentions, seller_data, seller_get
from quotes.totals import CENT, line_net, quote_totals

# What users read when a change is refused (tests assert them).
QUOTE_FROZEN = _("This quote is issued and can no longer be changed: make a revision instead.")
QUOTE_NOT_FROZEN = _("Only an issued quote can be revised; this one is still a draft.")
REVISION_DRAFT_EXISTS = _(
    "A draft revision of this quote already exists: change it, or issue it before making another."
)
NO_LINES = _("the quote has no line")
EXEMPTION_MISSING = _(
    "line %(position)s (“%(item)s”) is at 0 %% VAT: give its VAT exemption mention"
)
LINE_PROBLEM = _("line %(position)s (“%(item)s”): %(problem)s")
LINE_NEEDS_ITEM = _("A line needs a description.")
QUANTITY_NEGATIVE = _("A quantity cannot be negative.")
PRICE_NEGATIVE = _("A price cannot be negative.")
PRICE_DECIMALS = _("A price has at most two decimals (the cents).")
DISCOUNT_RANGE = _("A discount is between 0 and 100 %.")
VAT_RATE_UNKNOWN = _("Unknown VAT rate: choose 20 %, 10 %, 5.5 %, 2.1 % or 0 %.")
VALIDITY_RANGE = _("The validity is between 1 and 365 days.")
RECIPIENT_NOT_CLIENT = _("The recipient must be a person of the client company.")
ISSUED_TEXT = _("%(number)s issued")

VAT_RATES = frozenset(Decimal(value) for value in VatRate.values)
MAX_VALIDITY_DAYS = 365
LINE_FIELDS = ("item", "details", "unit", "quantity", "unit_price", "discount", "vat_rate")
LINE_FIELDS += ("vat_exemption", "product")
NUMBER_FIELDS = ("quantity", "unit_price", "discount", "vat_rate")
QUOTE_FIELDS = ("title", "recipient", "validity_days", "discount", "notes")


# --- Rights and locks ----------------------------------------------------------------------


def may_quote(user, opportunity: Opportunity) -> bool:
    """Whether `user` may make and change the quotes of `opportunity` (the rule of
    `_rights_or_403`, without raising: for the pages' buttons)."""
    from pipeline.rights import can_modify_process_opportunities

    return can_change(user, opportunity) and can_modify_process_opportunities(
        user, opportunity.process
    )


def _rights_or_403(actor, opportunity: Opportunity) -> None:
    if not can_change(actor, opportunity):
        raise PermissionDenied
    modify_right_or_403(actor, opportunity)


def _lock_quote(quote_id: int, actor, *, expected_version=None) -> Quote:
    """The quote, locked, once the actor's right is checked (PermissionDenied) and the version
    the client saw (ConcurrentEdit)."""
    quote = lock_row(Quote.objects, quote_id, related=("opportunity__process",))
    _rights_or_403(actor, quote.opportunity)
    check_version(quote, expected_version)
    return quote


def _lock_draft(quote_id: int, actor, *, expected_version=None) -> Quote:
    quote = _lock_quote(quote_id, actor, expected_version=expected_version)
    if quote.is_frozen:
        raise ValidationError(QUOTE_FROZEN, code="frozen")
    return quote


# --- Lines and totals ------------------------------------------------------------------------


def line_errors(line: QuoteLine) -> dict[str, str]:
    """What is wrong with a line, by field, in words that say what to fix (empty: nothing)."""
    errors = {}
    if not (line.item or "").strip():
        errors["item"] = LINE_NEEDS_ITEM
    if line.quantity is not None and line.quantity < 0:
        errors["quantity"] = QUANTITY_NEGATIVE
    if line.unit_price is not None:
        if line.unit_price < 0:
            errors["unit_price"] = PRICE_NEGATIVE
        elif line.unit_price != line.unit_price.quantize(CENT):
            errors["unit_price"] = PRICE_DECIMALS
    if line.discount is not None and not 0 <= line.discount <= 100:
        errors["discount"] = DISCOUNT_RANGE
    if line.vat_rate is None or Decimal(line.vat_rate) not in VAT_RATES:
        errors["vat_rate"] = VAT_RATE_UNKNOWN
    return errors


def _decimal(value):
    return value if value is None or isinstance(value, Decimal) else Decimal(str(value))


def _line_save(line: QuoteLine, data: dict[str, Any]) -> QuoteLine:
    for name in LINE_FIELDS:
        if name in data:
            value = data[name]
            if name in NUMBER_FIELDS:
                value = _decimal(value)
            setattr(line, name, value)
    line.item = (line.item or "").strip()
    errors = line_errors(line)
    if errors:
        raise ValidationError(errors)
    line.total_excl_vat = line_net(line.quantity, line.unit_price, line.discount)
    line.full_clean(exclude=["quote"])
    line.save()
    return line


def _totals_set(quote: Quote) -> None:
    totals = quote_totals(quote)
    quote.total_excl_vat = totals.total_excl_vat
    quote.total_vat = totals.total_vat
    quote.total_incl_vat = totals.total_incl_vat


def _totals_store(quote: Quote) -> Quote:
    """Store the totals `quotes.totals` computes, and mark the quote changed."""
    _totals_set(quote)
    quote.touch()
    quote.save()
    return quote


def _renumber(quote: Quote, order: list[int] | None = None) -> None:
    """Number the lines 0, 1, 2… in `order` (line ids; default: their present order), in one
    query for the lines whose place changes."""
    current = dict(quote.lines.order_by("position", "id").values_list("pk", "position"))
    moved = [
        QuoteLine(pk=pk, position=position)
        for position, pk in enumerate(order or current)
        if current[pk] != position
    ]
    QuoteLine.objects.bulk_update(moved, ["position"])


# --- Reads the writes share ----------------------------------------------------------------


def client_company(opportunity: Opportunity):
    """The company the quote is for: the opportunity's, or its prospect's in the contacts."""
    if opportunity.company_id:
        return opportunity.company
    return opportunity.prospect.company if opportunity.prospect_id else None


def default_recipient_id(opportunity: Opportunity) -> int | None:
    """The opportunity's person, else its prospect's person in the contacts."""
    if opportunity.person_id:
        return opportunity.person_id
    return opportunity.prospect.person_id if opportunity.prospect_id else None


def client_people(opportunity: Opportunity, user=None):
    """The people a quote of `opportunity` may be addressed to: those of the client company
    and the opportunity's own person (seen by `user`, when given)."""
    company = client_company(opportunity)
    person_id = default_recipient_id(opportunity)
    condition = Q(pk=person_id) if person_id else Q(pk__in=[])
    if company is not None:
        condition |= Q(affiliations__company=company)
    people = Person.objects.visible_to(user) if user is not None else Person.objects.all()
    return people.filter(condition).distinct().order_by("last_name", "first_name", "pk")


def issue_problems(quote: Quote) -> list[str]:
    """Everything that keeps `quote` from being issued, in words a rep can act on."""
    problems = [str(problem) for problem in missing_mentions(quote)]
    lines = list(quote.lines.all())
    if not lines:
        problems.append(str(NO_LINES))
    for position, line in enumerate(lines, start=1):
        names = {"position": position, "item": line.item}
        for problem in line_errors(line).values():
            problems.append(str(LINE_PROBLEM) % {**names, "problem": problem})
        if line.vat_rate is not None and Decimal(line.vat_rate) == 0 and not line.vat_exemption:
            problems.append(str(EXEMPTION_MISSING) % names)
    return problems


# --- The writes ------------------------------------------------------------------------------


@transaction.atomic
def quote_create(*, opportunity_id: int, actor) -> Quote:
    """A draft made from the opportunity's lines (each at its adjusted price when it has one,
    with its product's VAT exemption mention), addressed to the opportunity's person, valid
    for the seller's default number of days (30 when the seller is not set up)."""
    opportunity = lock_row(
        Opportunity.objects, opportunity_id, related=("process", "company", "prospect")
    )
    _rights_or_403(actor, opportunity)
    seller = seller_get()
    company = client_company(opportunity)
    quote = Quote.objects.create(
        opportunity=opportunity,
        recipient_id=default_recipient_id(opportunity),
        title=opportunity.summary[:200],
        validity_days=seller.validity_days if seller else 30,
        language=(company.language if company else "fr") or "fr",
        created_by=actor,
    )
    lines = []
    for position, source in enumerate(opportunity.lines.select_related("product")):
        price = source.adjusted_price if source.adjusted_price is not None else source.unit_price
        lines.append(
            QuoteLine(
                quote=quote,
                position=position,
                product=source.product,
                item=source.item,
                unit=source.unit,
                quantity=source.quantity,
                unit_price=price,
                discount=source.discount,
                vat_rate=source.vat_rate,
                vat_exemption=source.product.vat_exemption if source.product else "",
                total_excl_vat=line_net(source.quantity, price, source.discount),
            )
        )
    QuoteLine.objects.bulk_create(lines)
    _totals_set(quote)
    quote.save(update_fields=["total_excl_vat", "total_vat", "total_incl_vat"])
    return quote


@transaction.atomic
def quote_update(*, quote_id: int, actor, data: dict[str, Any], expected_version=None) -> Quote:
    """Change a draft's title, recipient (a person of the client company), validity, overall
    discount or notes; the totals are recomputed."""
    quote = _lock_draft(quote_id, actor, expected_version=expected_version)
    errors = {}
    if "recipient" in data and data["recipient"] is not None:
        recipient = data["recipient"]
        if not client_people(quote.opportunity, actor).filter(pk=recipient.pk).exists():
            errors["recipient"] = RECIPIENT_NOT_CLIENT
    if "discount" in data and not 0 <= (data["discount"] or 0) <= 100:
        errors["discount"] = DISCOUNT_RANGE
    if "validity_days" in data and not 1 <= (data["validity_days"] or 0) <= MAX_VALIDITY_DAYS:
        errors["validity_days"] = VALIDITY_RANGE
    if errors:
        raise ValidationError(errors)
    for name in QUOTE_FIELDS:
        if name in data:
            value = data[name]
            if name == "discount":
                value = Decimal(0) if value is None else _decimal(value)
            setattr(quote, name, value)
    quote.full_clean(exclude=["opportunity", "recipient", "revision_of", "issued_by"])
    return _totals_store(quote)


@transaction.atomic
def quote_line_add(*, quote_id: int, actor, data: dict[str, Any], expected_version=None):
    quote = _lock_draft(quote_id, actor, expected_version=expected_version)
    position = quote.lines.aggregate(last=Max("position"))["last"]
    line = _line_save(
        QuoteLine(quote=quote, position=0 if position is None else position + 1), data
    )
    _totals_store(quote)
    return line


@transaction.atomic
def quote_line_update(*, line_id: int, actor, data: dict[str, Any], expected_version=None):
    quote_id = QuoteLine.objects.values_list("quote_id", flat=True).get(pk=line_id)
    quote = _lock_draft(quote_id, actor, expected_version=expected_version)
    line = _line_save(quote.lines.get(pk=line_id), data)
    _totals_store(quote)
    return line


@transaction.atomic
def quote_line_delete(*, line_id: int, actor, expected_version=None) -> Quote:
    quote_id = QuoteLine.objects.values_list("quote_id", flat=True).get(pk=line_id)
    quote = _lock_draft(quote_id, actor, expected_version=expected_version)
    quote.lines.filter(pk=line_id).delete()
    _renumber(quote)
    return _totals_store(quote)


@transaction.atomic
def quote_line_move(*, line_id: int, actor, direction: str, expected_version=None) -> Quote:
    """Move a line one place "up" or "down" (at either end it stays)."""
    quote_id = QuoteLine.objects.values_list("quote_id", flat=True).get(pk=line_id)
    quote = _lock_draft(quote_id, actor, expected_version=expected_version)
    ids = list(quote.lines.order_by("position", "id").values_list("pk", flat=True))
    if line_id not in ids:
        raise QuoteLine.DoesNotExist
    index = ids.index(line_id)
    other = index - 1 if direction == "up" else index + 1
    if direction in ("up", "down") and 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        _renumber(quote, ids)
    quote.touch()
    quote.save(update_fields=["updated_at", "version"])
    return quote


def _next_sequence(year: int) -> int:
    """The year's next number. The year's row is created if need be by INSERT … ON CONFLICT DO
    NOTHING (two first quotes of a year never both create it), then locked until the caller's
    transaction ends: numbers are given one after the other, and one given by a transaction
    that rolls back is given again (no gap)."""
    QuoteSequence.objects.bulk_create([QuoteSequence(year=year)], ignore_conflicts=True)
    sequence = QuoteSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


@transaction.atomic
def quote_issue(*, quote_id: int, actor, expected_version=None) -> Quote:
    """Number, freeze and send out a draft (status "sent"), once nothing is missing: the
    parties are frozen into the quote, the date is today, the validity runs from it."""
    quote = _lock_draft(quote_id, actor, expected_version=expected_version)
    problems = issue_problems(quote)
    if problems:
        raise ValidationError(problems, code="incomplete")
    today = timezone.localdate()
    if quote.revision_of_id:
        original = Quote.objects.get(pk=quote.revision_of_id)
        quote.number = f"{original.number}-R{quote.revision}"
        quote.year = original.year
    else:
        quote.year = today.year
        quote.sequence = _next_sequence(today.year)
        quote.number = f"D-{today.year}-{quote.sequence:04d}"
    quote.seller_snapshot = seller_data(seller_get())
    quote.client_snapshot = client_data(quote.opportunity, quote.recipient)
    quote.issue_date = today
    quote.valid_until = today + dt.timedelta(days=quote.validity_days)
    quote.issued_at = timezone.now()
    quote.issued_by = actor
    quote.status = Quote.Status.SENT
    quote = _totals_store(quote)
    quote_event(
        quote, event="issued", actor=actor, text=str(ISSUED_TEXT) % {"number": quote.number}
    )
    return quote


@transaction.atomic
def quote_revise(*, quote_id: int, actor) -> Quote:
    """A new draft revision of a frozen quote, its lines copied; the quote revised stays as it
    is. Revisions chain to the first quote (R2, R3… of its number); one draft at a time."""
    quote = _lock_quote(quote_id, actor)
    if not quote.is_frozen:
        raise ValidationError(QUOTE_NOT_FROZEN, code="draft")
    # The original's row is locked too: two revisions made at once get different numbers.
    original = lock_row(Quote.objects, quote.revision_of_id or quote.pk)
    family = Quote.objects.filter(Q(pk=original.pk) | Q(revision_of=original))
    if family.filter(status=Quote.Status.DRAFT).exists():
        raise ValidationError(REVISION_DRAFT_EXISTS, code="draft_exists")
    revision = Quote.objects.create(
        opportunity=quote.opportunity,
        revision_of=original,
        revision=(family.aggregate(last=Max("revision"))["last"] or 1) + 1,
        recipient=quote.recipient,
        title=quote.title,
        validity_days=quote.validity_days,
        discount=quote.discount,
        notes=quote.notes,
        language=quote.language,
        created_by=actor,
        total_excl_vat=quote.total_excl_vat,
        total_vat=quote.total_vat,
        total_incl_vat=quote.total_incl_vat,
    )
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                quote=revision,
                position=line.position,
                product_id=line.product_id,
                item=line.item,
                details=line.details,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                vat_rate=line.vat_rate,
                vat_exemption=line.vat_exemption,
                total_excl_vat=line.total_excl_vat,
            )
            for line in quote.lines.all()
        ]
    )
    return revision
