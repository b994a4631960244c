"""Writes that come from the national register (contacts.register): a company completed from
the establishment picked in it, and the nightly re-check of every company with a SIREN
(`manage.py refresh_register`), throttled to the API's published rate."""

import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from contacts.models import Address, Company, RegisterState
from contacts.register import (
    REGISTER_RATE,
    RegisterCompany,
    RegisterUnavailable,
    register_company,
)
from contacts.services import address_create, company_reindex

logger = logging.getLogger(__name__)


def _state(found: RegisterCompany) -> str:
    return RegisterState.CLOSED if found.closed else RegisterState.ACTIVE


@transaction.atomic
def company_fill_from_register(
    *, company: Company, found: RegisterCompany, siret: str, actor
) -> Company:
    """Complete `company` with what the register knows (empty fields only: what a rep typed
    wins) and give the chosen establishment's SIRET to the matching address, or add its
    address when the company has none."""
    current = Company.all_objects.select_for_update().get(pk=company.pk)
    if current.siren and current.siren != found.siren:
        return current  # another company: nothing to take
    fields = {
        "siren": found.siren,
        "naf_code": found.naf_code,
        "naf_label": found.naf_label,
        "legal_form": found.legal_form,
    }
    for name, value in fields.items():
        if not getattr(current, name) and value:
            setattr(current, name, value)
    current.register_state = _state(found)
    current.register_checked_at = timezone.now()
    current.touch(actor)
    current.save()
    place = found.establishment(siret)
    if place is not None:
        same = current.addresses.filter(postal_code=place.postal_code, siret="").first()
        if same is not None:
            Address.objects.filter(pk=same.pk).update(siret=place.siret)
        elif not current.addresses.exists():
            address_create(
                company=current,
                actor=actor,
                data={
                    "line1": place.line1 or place.city,
                    "line2": place.line2,
                    "postal_code": place.postal_code,
                    "city": place.city,
                    "siret": place.siret,
                },
            )
    company_reindex(company=current)
    return current


def company_register_check(*, company: Company, fresh: bool = True) -> str | None:
    """Ask the register about `company` (by its SIREN) and record its state; None when the
    register does not know the SIREN. Raises RegisterUnavailable."""
    found = register_company(company.siren, fresh=fresh)
    if found is None:
        return None
    state = _state(found)
    updates = {"register_state": state, "register_checked_at": timezone.now()}
    current = Company.all_objects.only("naf_code", "naf_label", "legal_form").get(pk=company.pk)
    for name in ("naf_code", "naf_label", "legal_form"):
        if not getattr(current, name) and getattr(found, name):
            updates[name] = getattr(found, name)
    Company.all_objects.filter(pk=company.pk).update(**updates)
    return state


def companies_refresh_register(
    *,
    rate: float = REGISTER_RATE,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, int]:
    """Re-check every company with a SIREN, at most `rate` requests a second (the API allows
    7 per second and answers 429 beyond); a 429 waits a second and asks again once. Returns
    counts: checked, closed, unknown, failed."""
    counts = {"checked": 0, "closed": 0, "unknown": 0, "failed": 0}
    interval = 1.0 / rate
    last = None
    companies = Company.objects.exclude(siren="").order_by("pk").only("pk", "siren")
    for company in companies.iterator(chunk_size=500):
        for attempt in (1, 2):
            if last is not None:
                wait = interval - (clock() - last)
                if wait > 0:
                    sleep(wait)
            last = clock()
            try:
                state = company_register_check(company=company)
            except RegisterUnavailable as exc:
                if attempt == 1 and exc.status == 429:
                    sleep(1.0)
                    continue
                logger.warning("register check failed for %s: %s", company.siren, exc)
                counts["failed"] += 1
                break
            counts["checked"] += 1
            if state is None:
                counts["unknown"] += 1
            elif state == RegisterState.CLOSED:
                counts["closed"] += 1
            break
    return counts
