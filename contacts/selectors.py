"""Reads of the contact file: quick search, duplicates, notes, documents, history."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q

from contacts.models import Affiliation, Company, CompanySearchWord, Document, Note, Person
from contacts.phones import phone_query
from contacts.text import normalize

MAX_SEARCH_WORDS = 6


def search_terms(query: str) -> list[str]:
    """The normalised words typed, longest first (the most selective lookups first)."""
    words = sorted(set(normalize(query).split()), key=len, reverse=True)
    return [w[:60] for w in words[:MAX_SEARCH_WORDS]]


def company_search(queryset: models.QuerySet, query: str) -> models.QuerySet:
    """Companies where every typed word starts a word of the name, a postal code or a city
    (accent- and case-insensitive): `dup 35` finds DUPONT in 35000.

    One prefix lookup per word in the indexed (word, company) table, intersected; never a scan
    of the companies. A phone number, however typed, matches the start of the stored E.164
    number (indexed).
    """
    phone = phone_query(query)
    if phone:
        return queryset.filter(phone__startswith=phone)
    for term in search_terms(query):
        ids = CompanySearchWord.objects.filter(word__startswith=term).values("company_id")
        queryset = queryset.filter(pk__in=ids)
    return queryset


SEARCH_COUNT_CAP = 1000


def company_search_hits(query: str) -> models.QuerySet | None:
    """The company ids of the word rows matching `query` (one per matching word: a company may
    appear twice), sorted by name; read from the word index alone, no company row is touched.
    None when nothing was typed.

    Trashed companies keep their words (a restore needs nothing more); the few in the trash
    are left out through the indexed `deleted_at`.
    """
    terms = search_terms(query)
    if not terms or phone_query(query):
        return None  # a phone number: company_search reads the phone column instead
    first, *others = terms
    trashed = Company.all_objects.filter(deleted_at__isnull=False).values("pk")
    hits = CompanySearchWord.objects.filter(word__startswith=first).exclude(company_id__in=trashed)
    for term in others:
        hits = hits.filter(
            company_id__in=CompanySearchWord.objects.filter(word__startswith=term).values(
                "company_id"
            )
        )
    return hits.values_list("company_id", flat=True).order_by("name_key", "company_id")


def _hit_ids(hits: models.QuerySet, *, offset: int, limit: int) -> list[int]:
    """Distinct company ids offset..offset+limit: a top-N read of the sorted word rows,
    de-duplicated here (cheaper than a DISTINCT over every match)."""
    fetch = (offset + limit) * 2
    while True:
        rows = list(hits[:fetch])
        ids = list(dict.fromkeys(rows))
        if len(ids) >= offset + limit or len(rows) < fetch:
            return ids[offset : offset + limit]
        fetch *= 4


def _page_number(page_number) -> int | None:
    """The page asked for; None when it is not a whole number from 1 (left to
    `Paginator.get_page`)."""
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None  # the paginator answers its last page


def company_page(
    *, queryset: models.QuerySet, query: str, page_number, per_page: int, scoped: bool
):
    """One page of the company list, its rows as `queryset` reads them (the list reads
    `.values()` dicts).

    A plain quick search (`scoped` False: no other filter, no per-user restriction) reads the
    sorted word rows once, up to SEARCH_COUNT_CAP of them: the count, and one page of ids,
    then loads only that page's companies; the count stops at SEARCH_COUNT_CAP
    (`page.capped`: "more than 1,000, type more"). Anything else filters the companies with
    the same word-start rule.
    """
    hits = None if scoped else company_search_hits(query)
    if hits is None:
        if query.strip():
            queryset = company_search(queryset, query)
        page = Paginator(queryset.order_by("name", "pk"), per_page).get_page(page_number)
        page.capped = False
        return page
    # One query for both: whether more word rows than the cap match, else how many companies
    # (a company matching by two words has two rows), and the page's ids.
    rows = list(hits[: SEARCH_COUNT_CAP + 1])
    found = list(dict.fromkeys(rows))
    capped = len(rows) > SEARCH_COUNT_CAP
    total = SEARCH_COUNT_CAP if capped else len(found)
    paginator = Paginator(hits, per_page)
    paginator.__dict__["count"] = total  # cached_property: no COUNT query
    page = paginator.get_page(page_number)
    offset = page.start_index() - 1 if total else 0
    if offset + per_page <= len(found) or not capped:
        ids = found[offset : offset + per_page]
    else:  # a page past the word rows read: companies matching by several words
        ids = _hit_ids(hits, offset=offset, limit=per_page)
    companies = {row["pk"]: row for row in queryset.filter(pk__in=ids)} if ids else {}
    page.object_list = [companies[pk] for pk in ids if pk in companies]
    page.capped = capped
    return page


def person_page(*, queryset: models.QuerySet, page_number, per_page: int, searched: bool):
    """One page of the person list (`queryset` sorted), its rows as `queryset` reads them.

    A searched list counts its matches in the query reading the page (`COUNT(*) OVER ()`):
    the search's ids are computed once, not once for the count and again for the page. The
    whole list keeps a COUNT and a read of the first rows in the index's order.
    """
    paginator = Paginator(queryset, per_page)
    number = _page_number(page_number)
    if searched and number is not None:
        offset = (number - 1) * per_page
        counted = queryset.annotate(found=models.Window(models.Count("*")))
        rows = list(counted[offset : offset + per_page])
        if rows or number == 1:
            paginator.__dict__["count"] = rows[0]["found"] if rows else 0
            page = paginator.get_page(number)
            page.object_list = rows
            return page
    # Not searched, or a page past the last one: the paginator counts, then reads the page.
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    return page


def person_search_ids(word: str) -> models.QuerySet:
    """The ids of the people whose last name, first name or e-mail contains `word`, or linked
    to a company whose name does (case-insensitive), trashed or not: the caller's queryset
    scopes them.

    A union of ids rather than a join to the companies and a DISTINCT: each side reads its
    trigram index on PostgreSQL (migration 0007), and the list reads each person once.
    """
    named = Person.all_objects.filter(
        Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(email__icontains=word)
    )
    linked = Affiliation.objects.filter(company__name__icontains=word)
    return named.order_by().values("pk").union(linked.order_by().values("person_id"))


def company_duplicates(
    *, name: str = "", siren: str = "", email: str = "", exclude_pk: int | None = None, user=None
) -> list[tuple[Company, list[str]]]:
    """Likely duplicates of a company being saved: same SIREN, same e-mail or same
    normalised name; each with the reasons it matched."""
    normalized = normalize(name)
    condition = Q()
    if siren:
        condition |= Q(siren=siren)
    if email:
        condition |= Q(email__iexact=email)
    if normalized:
        # The name's words are the first words of search_text, in order (the exact name
        # too, for companies whose words were not built yet).
        condition |= Q(search_text__startswith=normalized) | Q(name__iexact=name.strip())
    if not condition:
        return []
    queryset = Company.objects.filter(condition)
    if user is not None:
        queryset = queryset.visible_to(user)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    found = []
    for company in queryset.select_related("owner")[:10]:
        reasons = []
        if siren and company.siren == siren:
            reasons.append("siren")
        if email and company.email.lower() == email.lower():
            reasons.append("email")
        if normalized and company.normalized_name == normalized:
            reasons.append("name")
        if reasons:
            found.append((company, reasons))
    return found


def person_duplicates(
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    exclude_pk: int | None = None,
    user=None,
) -> list[tuple[Person, list[str]]]:
    """Likely duplicates of a person: same e-mail, or same normalised first and last name."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email) | Q(email2__iexact=email)
    if last_name:
        condition |= Q(last_name__iexact=last_name.strip())
    if not condition:
        return []
    queryset = Person.objects.filter(condition)
    if user is not None:
        queryset = queryset.visible_to(user)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    wanted = normalize(f"{first_name} {last_name}")
    found = []
    for person in queryset.prefetch_related("companies")[:20]:
        reasons = []
        if email and email.lower() in (person.email.lower(), person.email2.lower()):
            reasons.append("email")
        if wanted and normalize(f"{person.first_name} {person.last_name}") == wanted:
            reasons.append("name")
        if reasons:
            found.append((person, reasons))
    return found[:10]


def _for_target(model: type[models.Model], target: models.Model) -> models.QuerySet:
    return model.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    )


def notes_for(target: models.Model) -> models.QuerySet:
    return _for_target(Note, target).select_related("owner")


def documents_for(target: models.Model) -> models.QuerySet:
    return _for_target(Document, target).select_related("uploaded_by")


def reminders_due(user, day: dt.date) -> models.QuerySet:
    """The user's notes whose reminder falls on `day` (shown on the dashboard)."""
    return (
        Note.objects.filter(owner=user, reminder_date=day)
        .select_related("content_type")
        .order_by("id")
    )
