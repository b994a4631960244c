"""Writes of the catalogue. Only managers change it (reps read it and pick from it); a line that
picked a product copied its values, so a change here never alters what was already sold."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from catalogue.models import Product
from core.db import lock_row
from core.roles import is_manager
from core.versions import ConcurrentEdit

PRODUCT_EDITABLE = (
    "code",
    "label",
    "description",
    "unit",
    "unit_price",
    "vat_rate",
    "vat_exemption",
    "family",
    "active",
)


def _manager_or_403(actor) -> None:
    if not is_manager(actor):
        raise PermissionDenied


def _product_save(product: Product, data: dict[str, Any]) -> Product:
    for name in PRODUCT_EDITABLE:
        if name in data:
            value = data[name]
            setattr(product, name, value.strip() if isinstance(value, str) else value)
    product.updated_at = timezone.now()
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_create(*, actor, data: dict[str, Any]) -> Product:
    """A new product or service; 0 % VAT needs its exemption mention (`Product.clean`)."""
    _manager_or_403(actor)
    return _product_save(Product(), data)


@transaction.atomic
def product_update(
    *, product_id: int, actor, data: dict[str, Any], seen: dt.datetime | None = None
) -> Product:
    """Change a product. `seen`: its `updated_at` when the form was opened; a change saved since
    is refused (ConcurrentEdit), never overwritten."""
    _manager_or_403(actor)
    product = lock_row(Product.objects, product_id)
    if seen is not None and seen != product.updated_at:
        raise ConcurrentEdit(product)
    return _product_save(product, data)
