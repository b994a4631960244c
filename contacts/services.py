"""Writes of the contact file. Every rule of the manuals (Sage X3 third parties, Prextra
contacts) that a write carries lives here; views, admin, commands and tests call these."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    Address,
    Affiliation,
    Category,
    Company,
    CompanyRep,
    CompanySearchWord,
    Person,
    RegisterState,
)
from contacts.text import normalize
from contacts.validators import (
    check_siret_of,
    clean_naf,
    clean_phone,
    clean_siren,
    clean_siret,
    clean_vat,
    clean_website,
)
from core.db import lock_row
from core.sentences import sentence
from core.trash import trash_rows
from core.versions import check_version

ALREADY_CUSTOMER = _("This company is already a customer.")
MISSING_FIELDS = _("This company cannot become a customer yet. Missing: %(fields)s.")
CUSTOMER_CODE_TAKEN = _("customer code (the code %(code)s is already used by another company)")
VAT_NOT_SIREN = _("The VAT number does not contain this SIREN.")
AFFILIATION_EXISTS = _("%(person)s is already linked to %(company)s.")


# Company fields that company_update may change (kind and customer code go through the
# transformation, management dates through activities).
COMPANY_EDITABLE = (
    "name",
    "acronym",
    "is_natural_person",
    "siren",
    "vat_number",
    "naf_code",
    "naf_label",
    "legal_form",
    "country",
    "language",
    "currency",
    "website",
    "email",
    "phone",
    "sector",
    "origin",
    "owner",
    "active",
)
PERSON_EDITABLE = (
    "civility",
    "first_name",
    "last_name",
    "job_title",
    "department",
    "email",
    "email2",
    "phone",
    "mobile",
    "birth_date",
    "language",
    "mailing_opt_in",
    "active",
    "owner",
    # Where the data came from and on which basis it is processed (privacy app).
    *("origin", "origin_detail", "lawful_basis", "consent_at", "consent_proof"),
)


# --- search words --------------------------------------------------------------------------


def company_search_words(company: Company, addresses: Iterable[Address] | None = None) -> list[str]:
    """The distinct normalised words of the name, postal codes and cities, in order."""
    if addresses is None:
        addresses = company.addresses.all()
    parts = [company.name]
    for address in addresses:
        parts += [address.postal_code, address.city]
    words: list[str] = []
    for word in normalize(" ".join(p for p in parts if p)).split():
        word = word[:60]
        if word not in words:
            words.append(word)
    return words


@transaction.atomic
def company_reindex(*, company: Company) -> None:
    """Refresh `search_text` and the word rows the quick search reads."""
    words = company_search_words(company)
    company.search_text = " ".join(words)
    Company.all_objects.filter(pk=company.pk).update(search_text=company.search_text)
    CompanySearchWord.objects.filter(company=company).delete()
    name_key = normalize(company.name)[:80]
    CompanySearchWord.objects.bulk_create(
        CompanySearchWord(company=company, word=w, name_key=name_key) for w in words
    )


@transaction.atomic
def companies_reindex(*, queryset: models.QuerySet | None = None, batch_size: int = 2000) -> int:
    """Rebuild the search words of many companies (after bulk loads and imports)."""
    queryset = Company.all_objects.all() if queryset is None else queryset
    count = 0
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        companies = Company.all_objects.filter(pk__in=chunk).prefetch_related("addresses")
        rows = []
        for company in companies:
            words = company_search_words(company, company.addresses.all())
            company.search_text = " ".join(words)
            name_key = normalize(company.name)[:80]
            rows += [CompanySearchWord(company=company, word=w, name_key=name_key) for w in words]
        Company.all_objects.bulk_update(companies, ["search_text"], batch_size=batch_size)
        CompanySearchWord.objects.filter(company_id__in=chunk).delete()
        CompanySearchWord.objects.bulk_create(rows, batch_size=batch_size)
        count += len(chunk)
    return count


# --- companies -----------------------------------------------------------------------------


def _normalise(obj: models.Model, cleaners: dict[str, Any]) -> None:
    """Store identity fields in one canonical form (E.164 phones, SIREN without spaces...),
    collecting every field's error so that each wrong field gets its own message."""
    errors: dict[str, list] = {}
    for name, cleaner in cleaners.items():
        try:
            setattr(obj, name, cleaner(getattr(obj, name)))
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)


def _normalise_company(company: Company) -> None:
    country = str(company.country or "FR")
    _normalise(
        company,
        {
            "siren": clean_siren,
            "vat_number": clean_vat,
            "naf_code": clean_naf,
            "website": clean_website,
            "phone": lambda v: clean_phone(v, country),
        },
    )
    siren, vat = company.siren, company.vat_number
    if siren and vat.startswith("FR") and vat[4:] != siren:
        raise ValidationError({"vat_number": [VAT_NOT_SIREN]})


def _normalise_person(person: Person, country: str = "FR") -> None:
    _normalise(
        person,
        {
            "phone": lambda v: clean_phone(v, country),
            "mobile": lambda v: clean_phone(v, country),
        },
    )


def _locked_at_version(model: type[models.Model], pk: int, version: int | str | None):
    """The row locked, refused (ConcurrentEdit) unless still at the `version` the form saw."""
    current = lock_row(model.all_objects, pk, related=("updated_by",))
    check_version(current, version)
    return current


@transaction.atomic
def company_create(
    *,
    actor,
    data: dict[str, Any],
    categories: Iterable[Category] = (),
    address: dict[str, Any] | None = None,
) -> Company:
    """A new prospect company; its first address (if given) becomes the default one."""
    fields = {k: v for k, v in data.items() if k in COMPANY_EDITABLE}
    company = Company(**fields)
    if company.owner_id is None and "owner" not in data:
        company.owner = actor
    company.kind = Company.Kind.PROSPECT
    if data.get("register_state") in RegisterState.values:  # picked in the register
        company.register_state = data["register_state"]
        company.register_checked_at = timezone.now()
    company.touch(actor)
    _normalise_company(company)
    company.full_clean()
    company.save()
    if categories:
        company.categories.set(categories)
    if address:
        address_create(company=company, actor=actor, data=address)
    else:
        company_reindex(company=company)
    return company


@transaction.atomic
def company_update(
    *,
    company: Company,
    actor,
    data: dict[str, Any],
    version: int | str | None,
    categories: Iterable[Category] | None = None,
) -> Company:
    """Save an edit made on `version`; refuses (ConcurrentEdit) if someone saved since."""
    current = _locked_at_version(Company, company.pk, version)
    for name, value in data.items():
        if name in COMPANY_EDITABLE:
            setattr(current, name, value)
    current.touch(actor)
    _normalise_company(current)
    current.full_clean()
    current.save()
    if categories is not None:
        current.categories.set(categories)
    company_reindex(company=current)
    return current


@transaction.atomic
def company_trash(*, company: Company, actor) -> None:
    """Into the trash (its search words stay, so that a restore finds it again at once)."""
    trash_rows(Company.all_objects.filter(pk=company.pk), actor=actor)


def company_customer_missing(company: Company, customer_code: str) -> list[str]:
    """What still prevents `company` from becoming a customer, as labels users read."""
    missing: list[str] = []
    if not customer_code:
        missing.append(str(_("customer code")))
    elif Company.all_objects.filter(customer_code=customer_code).exclude(pk=company.pk).exists():
        missing.append(str(CUSTOMER_CODE_TAKEN % {"code": customer_code}))
    if not company.addresses.filter(is_default=True).exists():
        missing.append(str(_("default address")))
    if company.owner_id is None:
        missing.append(str(_("owner (sales representative)")))
    if str(company.country) == "FR" and not company.is_natural_person:
        if not company.siren:
            missing.append(str(_("SIREN")))
        if not company.vat_number:
            missing.append(str(_("VAT number")))
    return missing


@transaction.atomic
def company_transform_to_customer(
    *, company: Company, actor, customer_code: str | None = None
) -> Company:
    """Sage X3 "Transformer en client": refused until every mandatory customer field is set
    (unique customer code, default address, representative, SIREN and VAT for French legal
    entities); the record is then a customer and no longer a prospect."""
    current = Company.all_objects.select_for_update().get(pk=company.pk)
    if current.kind == Company.Kind.CUSTOMER:
        raise ValidationError(ALREADY_CUSTOMER, code="already_customer")
    code = (customer_code if customer_code is not None else current.customer_code or "").strip()
    missing = company_customer_missing(current, code)
    if missing:
        raise ValidationError(
            MISSING_FIELDS, code="missing_fields", params={"fields": ", ".join(missing)}
        )
    current.customer_code = code
    current.kind = Company.Kind.CUSTOMER
    current.touch(actor)
    current.full_clean()
    current.save()
    return current


# --- addresses -----------------------------------------------------------------------------


def _check_siret(address: Address, company: Company) -> None:
    """An establishment's SIRET: valid (python-stdnum) and of this company's SIREN."""
    try:
        address.siret = clean_siret(address.siret)
        check_siret_of(address.siret, company.siren)
    except ValidationError as exc:
        raise ValidationError({"siret": exc.error_list}) from exc


def _unset_other_defaults(address: Address) -> None:
    Address.objects.filter(company_id=address.company_id, is_default=True).exclude(
        pk=address.pk
    ).update(is_default=False)


@transaction.atomic
def address_create(*, company: Company, actor, data: dict[str, Any]) -> Address:
    """The first address of a company is its default; a new default unsets the old one."""
    Company.all_objects.select_for_update().filter(pk=company.pk).exists()
    address = Address(company=company, **data)
    if not company.addresses.exists():
        address.is_default = True
    _check_siret(address, company)
    address.full_clean(validate_constraints=False)
    if address.is_default:
        Address.objects.filter(company=company, is_default=True).update(is_default=False)
    address.save()
    company_reindex(company=company)
    return address


@transaction.atomic
def address_update(*, address: Address, actor, data: dict[str, Any]) -> Address:
    for name, value in data.items():
        setattr(address, name, value)
    has_other_default = (
        Address.objects.filter(company_id=address.company_id, is_default=True)
        .exclude(pk=address.pk)
        .exists()
    )
    if not address.is_default and not has_other_default:
        # Exactly one default: the only candidate stays the default.
        address.is_default = True
    _check_siret(address, address.company)
    address.full_clean(validate_constraints=False)
    if address.is_default:
        _unset_other_defaults(address)
    address.save()
    company_reindex(company=address.company)
    return address


@transaction.atomic
def address_set_default(*, address: Address, actor) -> Address:
    _unset_other_defaults(address)
    Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True
    return address


@transaction.atomic
def address_delete(*, address: Address, actor) -> None:
    """Deleting the default address makes the next remaining one the default."""
    company = address.company
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = company.addresses.order_by("id").first()
        if successor:
            Address.objects.filter(pk=successor.pk).update(is_default=True)
    company_reindex(company=company)


# --- representatives -----------------------------------------------------------------------


@transaction.atomic
def company_rep_add(*, company: Company, user, role: str, actor) -> CompanyRep:
    rep, _created = CompanyRep.objects.update_or_create(
        company=company, user=user, defaults={"role": role}
    )
    return rep


@transaction.atomic
def company_rep_remove(*, rep: CompanyRep, actor) -> None:
    rep.delete()


# --- people --------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor,
    data: dict[str, Any],
    company: Company | None = None,
    affiliation: dict[str, Any] | None = None,
) -> Person:
    """A new person, linked to `company` when given (default contact if it has none)."""
    fields = {k: v for k, v in data.items() if k in PERSON_EDITABLE}
    person = Person(**fields)
    if person.owner_id is None and "owner" not in data:
        person.owner = actor
    person.touch(actor)
    _normalise_person(person, str(company.country) if company else "FR")
    person.full_clean()
    person.save()
    if company is not None:
        affiliation_create(person=person, company=company, actor=actor, **(affiliation or {}))
    return person


@transaction.atomic
def person_update(
    *, person: Person, actor, data: dict[str, Any], version: int | str | None
) -> Person:
    """Save an edit made on `version`; refuses (ConcurrentEdit) if someone saved since."""
    current = _locked_at_version(Person, person.pk, version)
    for name, value in data.items():
        if name in PERSON_EDITABLE:
            setattr(current, name, value)
    current.touch(actor)
    _normalise_person(current)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def person_trash(*, person: Person, actor) -> None:
    trash_rows(Person.all_objects.filter(pk=person.pk), actor=actor)


@transaction.atomic
def affiliation_create(
    *,
    person: Person,
    company: Company,
    actor,
    role: str = "",
    contact_type=None,
    rank: int = 1,
    is_default: bool = False,
) -> Affiliation:
    """Link an existing person to a company (never a copy of the person). The company's
    first contact becomes its default contact; a new default replaces the old one."""
    Company.all_objects.select_for_update().filter(pk=company.pk).exists()
    if Affiliation.objects.filter(person=person, company=company).exists():
        raise ValidationError(
            sentence(AFFILIATION_EXISTS % {"person": person, "company": company}), code="exists"
        )
    if not Affiliation.objects.filter(company=company, is_default=True).exists():
        is_default = True
    elif is_default:
        Affiliation.objects.filter(company=company, is_default=True).update(is_default=False)
    affiliation = Affiliation(
        person=person,
        company=company,
        role=role,
        contact_type=contact_type,
        rank=rank,
        is_default=is_default,
    )
    affiliation.full_clean(validate_constraints=False)
    affiliation.save()
    return affiliation


@transaction.atomic
def affiliation_update(*, affiliation: Affiliation, actor, data: dict[str, Any]) -> Affiliation:
    for name in ("role", "contact_type", "rank", "is_default"):
        if name in data:
            setattr(affiliation, name, data[name])
    others = Affiliation.objects.filter(company_id=affiliation.company_id).exclude(
        pk=affiliation.pk
    )
    if affiliation.is_default:
        others.filter(is_default=True).update(is_default=False)
    elif not others.filter(is_default=True).exists():
        affiliation.is_default = True
    affiliation.full_clean(validate_constraints=False)
    affiliation.save()
    return affiliation


@transaction.atomic
def affiliation_set_default(*, affiliation: Affiliation, actor) -> Affiliation:
    return affiliation_update(affiliation=affiliation, actor=actor, data={"is_default": True})


@transaction.atomic
def affiliation_delete(*, affiliation: Affiliation, actor) -> None:
    """Unlink (the person stays); the next contact by rank becomes the default one."""
    company_id, was_default = affiliation.company_id, affiliation.is_default
    affiliation.delete()
    if was_default:
        successor = Affiliation.objects.filter(company_id=company_id).order_by("rank", "id").first()
        if successor:
            Affiliation.objects.filter(pk=successor.pk).update(is_default=True)


# --- notes and documents -------------------------------------------------------------------
