"""Company quick-search speed: 100,000 companies on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_contacts_search [--companies 100000] [--runs 200]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_contacts), created and migrated when missing, filled once (the company count is checked).
Measures what the list view runs for a search (`contacts.selectors.company_page`: the match
count, capped at 1,000, one page of 50 ids from the word index, those companies with their owner
and default address) for a mix of typed queries (one letter, one word, several words, postal code
prefixes, accents), prints p50/p95 and the EXPLAIN ANALYZE plan of a typical query.
Target (issue 3): p95 < 50 ms.
"""

import argparse
import os
import random
import statistics
import time

from tests.bench._setup import ensure_database, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_contacts"

PREFIXES = [
    "Dup",
    "Mart",
    "Ber",
    "Lef",
    "Gar",
    "Rou",
    "Fab",
    "Mor",
    "Lam",
    "Fou",
    "Gir",
    "Bon",
    "Mer",
    "Chev",
    "Dub",
]
SUFFIXES = [
    "ont",
    "in",
    "nard",
    "evre",
    "nier",
    "ssel",
    "re",
    "eau",
    "bert",
    "cault",
    "ard",
    "net",
    "cier",
    "alier",
    "ois",
]
FORMS = [
    "SA",
    "SARL",
    "SAS",
    "& Fils",
    "Industrie",
    "Services",
    "Conseil",
    "Bâtiment",
    "Transports",
    "École",
    "Hôtel",
]
CITIES = [
    ("35000", "Rennes"),
    ("75011", "Paris"),
    ("44000", "Nantes"),
    ("69003", "Lyon"),
    ("13001", "Marseille"),
    ("31000", "Toulouse"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
    ("29200", "Brest"),
    ("35400", "Saint-Malo"),
    ("06000", "Nice"),
    ("34000", "Montpellier"),
    ("21000", "Dijon"),
    ("76000", "Rouen"),
]
QUERIES = [
    "dup",
    "dup 35",
    "mart paris",
    "ecole",
    "école nan",
    "35",
    "350",
    "lef 29",
    "saint malo",
    "berna",
    "hotel ly",
    "gar sa",
    "transports 13",
    "fou",
    "xyz",
    "chevalier 06000",
    "m",
    "d 75",
    "bonnet conseil",
    "rou",
]


def fill(count: int) -> None:
    """`count` companies with one default address each, and their search words."""
    from django.db import connection, transaction

    from contacts.models import Address, Company, CompanySearchWord
    from contacts.services import company_search_words
    from contacts.text import normalize

    if (
        Company.all_objects.filter(origin="bench").count() == count
        and not CompanySearchWord.objects.filter(name_key="").exists()
    ):
        print(f"{count} bench companies already present")
        return
    started = time.perf_counter()
    with transaction.atomic():
        # Raw deletes: the ORM's would write an audit entry per company.
        with connection.cursor() as cursor:
            for table in ("contacts_companysearchword", "contacts_address"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE company_id IN (SELECT id FROM contacts_company WHERE origin = 'bench')"
                )
            cursor.execute("DELETE FROM contacts_company WHERE origin = 'bench'")
        rng = random.Random(3)
        batch = 5000
        for start in range(0, count, batch):
            companies, addresses = [], []
            for i in range(start, min(count, start + batch)):
                name = f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)} {rng.choice(FORMS)} {i}"
                code, city = rng.choice(CITIES)
                code = code[:2] + f"{rng.randint(0, 999):03d}"
                companies.append(Company(name=name, origin="bench"))
                addresses.append(
                    Address(
                        line1=f"{i} rue de la Paix", postal_code=code, city=city, is_default=True
                    )
                )
            Company.objects.bulk_create(companies)
            words = []
            for company, address in zip(companies, addresses, strict=True):
                address.company = company
                company_words = company_search_words(company, [address])
                company.search_text = " ".join(company_words)
                name_key = normalize(company.name)[:80]
                words += [
                    CompanySearchWord(company=company, word=w, name_key=name_key)
                    for w in company_words
                ]
            Address.objects.bulk_create(addresses)
            CompanySearchWord.objects.bulk_create(words, batch_size=10000)
            Company.objects.bulk_update(companies, ["search_text"], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"filled {count} companies in {time.perf_counter() - started:.1f} s")


def trash_some(count: int = 200) -> None:
    """A realistic trash: the search leaves these out."""
    from django.utils import timezone

    from contacts.models import Company

    ids = list(
        Company.all_objects.filter(origin="bench")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    Company.all_objects.filter(pk__in=ids, deleted_at__isnull=True).update(
        deleted_at=timezone.now()
    )


def measure(runs: int) -> None:
    from django.db import connection
    from django.db.models import Prefetch

    from accounts.models import User
    from contacts.models import Address, Company
    from contacts.selectors import company_page, company_search, company_search_hits

    user, _created = User.objects.get_or_create(
        username="bench-contacts", defaults={"is_superuser": True}
    )

    def page(query: str) -> list:
        """What the list view runs: the match count, one page of ids, its companies."""
        queryset = (
            Company.objects.visible_to(user)
            .select_related("owner")
            .prefetch_related(
                Prefetch(
                    "addresses",
                    queryset=Address.objects.filter(is_default=True),
                    to_attr="default_addresses",
                )
            )
        )
        result = company_page(
            queryset=queryset, query=query, page_number=1, per_page=50, scoped=False
        )
        result.paginator.count  # noqa: B018 (the page shows it)
        return list(result.object_list)

    for query in QUERIES:  # warm the caches
        page(query)
    timings = {q: [] for q in QUERIES}
    counts = {}
    for run in range(runs):
        query = QUERIES[run % len(QUERIES)]
        started = time.perf_counter()
        rows = page(query)
        timings[query].append((time.perf_counter() - started) * 1000)
        counts[query] = len(rows)
    every = sorted(t for values in timings.values() for t in values)
    p50 = statistics.median(every)
    p95 = every[int(len(every) * 0.95) - 1]
    print(
        f"\n{len(every)} searches (capped match count + page of 50 companies with owner and default address)"
    )
    print(f"p50 {p50:.1f} ms   p95 {p95:.1f} ms   max {every[-1]:.1f} ms   target p95 < 50 ms")
    print("\nper query (median ms, rows on the first page, total matches):")
    for query in QUERIES:
        total = company_search(Company.objects.all(), query).count()
        print(
            f"  {query!r:22} {statistics.median(timings[query]):7.1f} ms  {counts[query]:3d} rows  {total:6d} matches"
        )
    queryset = company_search_hits("dup 35")[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\nEXPLAIN ANALYZE for 'dup 35':\n" + plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)
    fill(args.companies)
    trash_some()
    measure(args.runs)


if __name__ == "__main__":
    main()
