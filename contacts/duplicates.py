"""Reads that find duplicates across the contact file, for the duplicates page and the merge
screens: same SIREN, same e-mail, same phone number (stored in E.164, so one form whatever was
typed), similar names (accents, case and punctuation aside) in the same postal code. Each
reason is one GROUP BY over the records the user may see, never a comparison of every pair."""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, CompanySearchWord, Person, Prospect
from contacts.phones import phone_query
from contacts.selectors import company_duplicates, company_search, person_duplicates
from contacts.text import normalize

GROUPS_PER_REASON = 30
REASONS = {
    "siren": _("same SIREN"),
    "email": _("same e-mail"),
    "phone": _("same phone number"),
    "name": _("similar names in the same postal code"),
    "person_name": _("same first and last name"),
}


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str
    value: str
    records: list

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


def _groups(queryset: models.QuerySet, reason: str, key) -> list[DuplicateGroup]:
    """Records of `queryset` sharing the value of `key` (a field name or an expression)."""
    rows = (
        queryset.annotate(dup_key=key if not isinstance(key, str) else models.F(key))
        .exclude(dup_key="")
        .exclude(dup_key__isnull=True)
        .values("dup_key")
        .annotate(n=Count("pk", distinct=True))
        .filter(n__gt=1)
        .order_by("dup_key")[:GROUPS_PER_REASON]
    )
    values = [row["dup_key"] for row in rows]
    if not values:
        return []
    members: dict[str, list] = {value: [] for value in values}
    records = queryset.annotate(dup_key=key if not isinstance(key, str) else models.F(key))
    for record in records.filter(dup_key__in=values).order_by("pk"):
        members[record.dup_key].append(record)
    return [DuplicateGroup(reason, value, members[value]) for value in values]


def _company_name_groups(queryset: models.QuerySet) -> list[DuplicateGroup]:
    """Companies whose normalised names are equal and that share a postal code (read from the
    search words: the name key and the postal codes are there, indexed)."""
    visible = queryset.values("pk")
    rows = (
        CompanySearchWord.objects.filter(company_id__in=visible, word__regex=r"^[0-9]{5}$")
        .values("name_key", "word")
        .annotate(n=Count("company_id", distinct=True))
        .filter(n__gt=1)
        .order_by("name_key", "word")[:GROUPS_PER_REASON]
    )
    groups = []
    for row in rows:
        ids = CompanySearchWord.objects.filter(
            company_id__in=visible, name_key=row["name_key"], word=row["word"]
        ).values("company_id")
        records = list(queryset.filter(pk__in=ids).order_by("pk"))
        groups.append(DuplicateGroup("name", row["word"], records))
    return groups


def company_duplicate_groups(user) -> list[DuplicateGroup]:
    companies = Company.objects.visible_to(user).select_related("owner")
    return [
        *_groups(companies, "siren", "siren"),
        *_groups(companies, "email", Lower("email")),
        *_groups(companies, "phone", "phone"),
        *_company_name_groups(companies),
    ]


def person_duplicate_groups(user) -> list[DuplicateGroup]:
    people = Person.objects.visible_to(user).select_related("owner")
    return [
        *_groups(people, "email", Lower("email")),
        *_groups(people, "phone", "phone"),
        *_groups(people, "phone", "mobile"),
        *_groups(
            people.exclude(first_name=""),
            "person_name",
            models.functions.Concat(Lower("first_name"), models.Value(" "), Lower("last_name")),
        ),
    ]


def prospect_duplicate_groups(user) -> list[DuplicateGroup]:
    prospects = Prospect.objects.visible_to(user).select_related("owner")
    return [
        *_groups(prospects, "siren", "siren"),
        *_groups(prospects, "email", Lower("email")),
        *_groups(
            prospects.exclude(last_name=""),
            "person_name",
            models.functions.Concat(
                Lower("first_name"),
                models.Value(" "),
                Lower("last_name"),
                models.Value(" "),
                "postal_code",
            ),
        ),
    ]


# --- candidates on a merge screen ----------------------------------------------------------

CANDIDATES = 15


def company_merge_candidates(company: Company, user, query: str = "") -> list[Company]:
    """The likely duplicates of `company` the user may change, or the companies `query` finds."""
    changeable = Company.objects.changeable_by(user).exclude(pk=company.pk)
    if query.strip():
        return list(company_search(changeable, query).order_by("name", "pk")[:CANDIDATES])
    found = [
        c
        for c, _reasons in company_duplicates(
            name=company.name, siren=company.siren, email=company.email, exclude_pk=company.pk
        )
    ]
    condition = Q()
    if company.phone:
        condition |= Q(phone=company.phone)
    postal_codes = list(company.addresses.exclude(postal_code="").values_list("postal_code"))
    if postal_codes:
        condition |= Q(
            search_words__name_key=normalize(company.name)[:80],
            addresses__postal_code__in=[code for (code,) in postal_codes],
        )
    if condition:
        found += list(changeable.filter(condition).distinct()[:CANDIDATES])
    ids = {c.pk for c in changeable.filter(pk__in=[c.pk for c in found])}
    return [c for c in dict.fromkeys(found) if c.pk in ids][:CANDIDATES]


def person_merge_candidates(person: Person, user, query: str = "") -> list[Person]:
    changeable = Person.objects.changeable_by(user).exclude(pk=person.pk)
    if query.strip():
        phone = phone_query(query)
        if phone:
            found = changeable.filter(Q(phone__startswith=phone) | Q(mobile__startswith=phone))
        else:
            found = changeable
            for word in query.split()[:6]:
                found = found.filter(
                    Q(last_name__icontains=word)
                    | Q(first_name__icontains=word)
                    | Q(email__icontains=word)
                )
        return list(found.order_by("last_name", "first_name", "pk")[:CANDIDATES])
    found = [
        p
        for p, _reasons in person_duplicates(
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            exclude_pk=person.pk,
        )
    ]
    numbers = [n for n in (person.phone, person.mobile) if n]
    if numbers:
        found += list(changeable.filter(Q(phone__in=numbers) | Q(mobile__in=numbers))[:CANDIDATES])
    ids = {p.pk for p in changeable.filter(pk__in=[p.pk for p in found])}
    return [p for p in dict.fromkeys(found) if p.pk in ids][:CANDIDATES]


def prospect_merge_candidates(prospect: Prospect, user, query: str = "") -> list[Prospect]:
    changeable = Prospect.objects.changeable_by(user).exclude(pk=prospect.pk)
    if query.strip():
        phone = phone_query(query)
        words = [phone[1:]] if phone else normalize(query).split()[:6]
        found = changeable
        for word in words:
            found = found.filter(search_text__contains=word)
        return list(found.order_by("last_name", "first_name", "pk")[:CANDIDATES])
    condition = Q()
    if prospect.email:
        condition |= Q(email__iexact=prospect.email)
    if prospect.siren:
        condition |= Q(siren=prospect.siren)
    if prospect.last_name:
        condition |= Q(last_name__iexact=prospect.last_name, first_name__iexact=prospect.first_name)
    if prospect.company_name:
        condition |= Q(company_name__iexact=prospect.company_name, postal_code=prospect.postal_code)
    if not condition:
        return []
    return list(changeable.filter(condition).order_by("pk")[:CANDIDATES])
