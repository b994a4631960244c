"""An opportunity's item lines (Prextra): each line's total and the opportunity's amount, which
is the sum of its lines once it has any, are computed here and nowhere else. A line picks a
product of the catalogue or stays free text, and carries its VAT rate."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product, VatRate
from core.access import can_change
from core.db import lock_row
from core.numbers import line_net
from pipeline.models import Opportunity, OpportunityLine
from pipeline.services.cards import modify_right_or_403

LINE_NEEDS_ITEM = _("A line needs an item.")
LINE_PRODUCT_INACTIVE = _(
    "This product is no longer sold: pick an active product or type the line freely."
)
LINE_VAT_RATE_INVALID = _("The VAT rate must be one of 20 %, 10 %, 5.5 %, 2.1 % or 0 %.")
VAT_RATES = frozenset(Decimal(value) for value in VatRate.values)
# Once an opportunity has lines its amount is their sum: the card says so beforehand and after.
LINES_REPLACE_AMOUNT = _(
    "Adding a line replaces the amount typed by hand (%(amount)s €) with the sum of the lines."
)
AMOUNT_IS_SUM = _("Sum of the lines.")


def line_total(line: OpportunityLine) -> Decimal:
    """Quantity × (adjusted price, else unit price) less the discount, rounded to the cent
    (Prextra's line: Qté, Prix, Prix ajusté, Esc., Total)."""
    price = line.adjusted_price if line.adjusted_price is not None else line.unit_price
    return line_net(line.quantity, price, line.discount)


def _amount_refresh(opportunity: Opportunity, actor) -> Opportunity:
    total = opportunity.lines.aggregate(total=Sum("total"))["total"]
    opportunity.amount = total or Decimal(0)
    opportunity.touch(actor)
    opportunity.save(update_fields=["amount", "updated_at", "updated_by", "version"])
    return opportunity


def _lock_opportunity(opportunity_id: int, actor) -> Opportunity:
    opportunity = lock_row(Opportunity.objects, opportunity_id, related=("process",))
    if not can_change(actor, opportunity):
        raise PermissionDenied
    modify_right_or_403(actor, opportunity)
    return opportunity


LINE_FIELDS = (
    "item",
    "unit",
    "quantity",
    "unit_cost",
    "unit_price",
    "adjusted_price",
    "discount",
    "position",
    "vat_rate",
)
# What a line copies from the product it picks (line field, product field).
PRODUCT_COPIED = (
    ("item", "label"),
    ("unit", "unit"),
    ("unit_price", "unit_price"),
    ("vat_rate", "vat_rate"),
)


def _given(data: dict[str, Any], name: str) -> bool:
    return data.get(name) not in (None, "")


def _vat_rate(value) -> Decimal | None:
    """`value` as one of the French VAT rates (`VatRate`), None when it is none of them."""
    try:
        rate = Decimal(str(value))
        return rate if rate.is_finite() and rate in VAT_RATES else None
    except (InvalidOperation, ValueError, TypeError):
        return None


def _line_save(line: OpportunityLine, data: dict[str, Any]) -> None:
    """Picking a product (`data["product"]`, another one than the line's) copies its label,
    unit, price and VAT rate into the fields `data` leaves empty; an inactive product cannot be
    picked. From then on the line keeps its own values: a change in the catalogue never alters
    what was sold. `vat_rate`: one of the `VatRate` values; None keeps the line's."""
    for name in LINE_FIELDS:
        if name in data and not (name == "vat_rate" and data[name] is None):
            setattr(line, name, data[name])
    if "product" in data:
        product = data["product"]
        if product is not None and product.pk != line.product_id:
            # As stored now, whatever the caller's copy says.
            product = Product.objects.filter(pk=product.pk, active=True).first()
            if product is None:
                raise ValidationError({"product": LINE_PRODUCT_INACTIVE})
            for name, source in PRODUCT_COPIED:
                if not _given(data, name):
                    setattr(line, name, getattr(product, source))
        line.product = product
    if not (line.item or "").strip():
        raise ValidationError({"item": LINE_NEEDS_ITEM})
    rate = _vat_rate(line.vat_rate)
    if rate is None:
        raise ValidationError({"vat_rate": LINE_VAT_RATE_INVALID})
    line.vat_rate = rate
    line.total = line_total(line)
    line.full_clean()
    line.save()


@transaction.atomic
def opportunity_line_add(*, opportunity_id: int, actor, data: dict[str, Any]) -> OpportunityLine:
    """Add a line; the total and the opportunity's amount (sum of its lines) are computed here;
    the process's `line_added` automation rules then run."""
    from pipeline.services.automation import automation_run

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
