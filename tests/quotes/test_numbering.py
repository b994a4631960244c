"""Quote numbers issued at the same moment, as gunicorn workers issue them: each on its own
database connection. Every quote gets a number, D-<year>-0001 up, without gap or duplicate,
even when the year's numbering row does not exist yet. Needs PostgreSQL (SQLite lets one
transaction write at a time: there is no race to show); CI runs it."""

import pytest
from django.utils import timezone

from quotes import services
from quotes.models import Quote, QuoteSequence
from tests.concurrency import in_threads, postgresql_only
from tests.quotes.quote_setup import client_company, ready_opportunity

WRITERS = 8

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def drafts(owner, count: int) -> list[int]:
    company = client_company()
    ids = []
    for _ in range(count):
        opportunity = ready_opportunity(owner, company=company)
        ids.append(services.quote_create(opportunity_id=opportunity.pk, actor=owner).pk)
    return ids


def test_simultaneous_first_issues_of_the_year_give_consecutive_numbers(rep):
    assert not QuoteSequence.objects.exists()
    ids = drafts(rep, WRITERS)

    results = in_threads(lambda i: services.quote_issue(quote_id=ids[i], actor=rep), WRITERS)

    assert [r for r in results if isinstance(r, Exception)] == []
    year = timezone.localdate().year
    numbers = sorted(Quote.objects.filter(pk__in=ids).values_list("number", flat=True))
    assert numbers == [f"D-{year}-{n:04d}" for n in range(1, WRITERS + 1)]
    assert sorted(Quote.objects.values_list("sequence", flat=True)) == list(range(1, WRITERS + 1))
    assert QuoteSequence.objects.get(year=year).last == WRITERS


def test_simultaneous_issues_some_refused_leave_no_gap(rep):
    """Half of the drafts lose their lines before issuing: they are refused (nothing to quote)
    while the others are numbered; the numbers given still follow each other."""
    ids = drafts(rep, WRITERS)
    refused_ids = set(ids[::2])
    for quote_id in refused_ids:
        for line in Quote.objects.get(pk=quote_id).lines.all():
            services.quote_line_delete(line_id=line.pk, actor=rep)

    results = in_threads(lambda i: services.quote_issue(quote_id=ids[i], actor=rep), WRITERS)

    failures = [ids[i] for i, r in enumerate(results) if isinstance(r, Exception)]
    assert set(failures) == refused_ids
    year = timezone.localdate().year
    issued = WRITERS - len(refused_ids)
    numbers = sorted(Quote.objects.exclude(number="").values_list("number", flat=True))
    assert numbers == [f"D-{year}-{n:04d}" for n in range(1, issued + 1)]
    assert QuoteSequence.objects.get(year=year).last == issued


def test_the_same_draft_issued_twice_at_once_is_numbered_once(rep):
    (quote_id,) = drafts(rep, 1)

    results = in_threads(lambda i: services.quote_issue(quote_id=quote_id, actor=rep), 4)

    issued = [r for r in results if isinstance(r, Quote)]
    assert len(issued) == 1
    assert all(str(services.QUOTE_FROZEN) in str(r) for r in results if not isinstance(r, Quote))
    year = timezone.localdate().year
    assert Quote.objects.get(pk=quote_id).number == f"D-{year}-0001"
    assert QuoteSequence.objects.get(year=year).last == 1
