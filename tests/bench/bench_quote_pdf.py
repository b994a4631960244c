"""Quote PDF speed: a 50-line quote drawn by WeasyPrint through the real view, on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_quote_pdf [--lines 50] [--runs 20]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_quotes_bench), created and migrated when missing, filled once: a seller, a client company,
an opportunity of a rep, an issued quote and a draft of `--lines` lines each. Measures the
server time of GET /quotes/<id>/pdf/ with the rep's session (middleware, rights, queries,
template, WeasyPrint) and its query count, then the opportunity sheet. Target (the issue):
a 50-line quote in under 1 s.
"""

import argparse
import datetime as dt
import io
import os
import sys
import time

from tests.bench._setup import ensure_database, setup
from tests.bench.bench_board import measure, report

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_quotes_bench"
SUMMARY = "Bench quote PDF"


def fill(lines: int):
    """(rep, issued quote, draft quote), made once per line count."""
    from pipeline.models import Opportunity
    from quotes.models import Quote
    from quotes.parties import client_data, seller_data, seller_get
    from tests import factories as f
    from tests.quotes.factories import SellerFactory, draft_quote

    summary = f"{SUMMARY} ({lines} lines)"
    opportunity = Opportunity.objects.filter(summary=summary).first()
    if opportunity is not None:
        quotes = Quote.objects.filter(opportunity=opportunity)
        return opportunity.owner, quotes.exclude(number="").get(), quotes.get(number="")
    SellerFactory()
    rep = f.RepFactory(username=f"benchpdf{lines}", first_name="Alice", last_name="Durand")
    company = f.CompanyFactory(name="Transports Rouge SA", siren="552100554")
    f.AddressFactory(company=company, line1="3 quai Perrache", postal_code="69002", city="Lyon")
    opportunity = f.OpportunityFactory(prospect=None, company=company, owner=rep, summary=summary)
    for i in range(lines):
        opportunity.lines.create(item=f"Line {i}", quantity=2, unit_price=100, total=200)
    rows = [
        (
            f"Journée de conseil {i}",
            "2",
            "850.00",
            "5" if i % 3 else "0",
            "0.00" if i == 0 else "20",
        )
        for i in range(lines)
    ]
    issued = draft_quote(opportunity, rows)
    issued.number = f"D-2099-{lines:04d}"
    issued.status = Quote.Status.SENT
    issued.issue_date = dt.date(2099, 1, 15)
    issued.valid_until = dt.date(2099, 2, 14)
    issued.seller_snapshot = seller_data(seller_get())
    issued.client_snapshot = client_data(opportunity)
    issued.save()
    issued.lines.filter(vat_rate=0).update(vat_exemption="Exonération de TVA, art. 261 du CGI")
    return rep, issued, draft_quote(opportunity, rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from pypdf import PdfReader

    from quotes import pdf

    setup_test_environment()
    rep, issued, draft = fill(args.lines)
    client = Client()
    client.force_login(rep)

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            assert response["Content-Type"] == "application/pdf"
            return response

        return call

    first = get(reverse("quote_pdf", args=[issued.pk]))()  # warm-up: fonts, templates
    pages = len(PdfReader(io.BytesIO(first.content)).pages)
    print(f"{args.lines}-line quote: {pages} pages, {len(first.content) // 1024} KiB")
    for name, url in [
        (f"quote PDF, {args.lines} lines (issued)", reverse("quote_pdf", args=[issued.pk])),
        (f"quote PDF, {args.lines} lines (draft)", reverse("quote_pdf", args=[draft.pk])),
        ("opportunity sheet", reverse("opportunity_sheet_pdf", args=[issued.opportunity_id])),
    ]:
        times, queries = measure(get(url), args.runs)
        report(name, times, queries, 1000)
    times, queries = measure(lambda: pdf.quote_pdf(issued), args.runs)
    report("  of which quote_pdf alone", times, queries, 1000)
    print(
        f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs (figures grow with it)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    started = time.perf_counter()
    code = main()
    print(f"done in {time.perf_counter() - started:.1f} s")
    sys.exit(code)
