"""Filing 1,000 captured e-mails (issue 15: "filing 1,000 captured messages takes under 30 s").

    .venv/bin/python -m tests.bench.bench_mail_filing [--messages 1000] [--people 5000]

On PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL's server with its own database
`jalon_mail_filing`, else postgresql://postgres@127.0.0.1:5432/jalon_mail_filing (created and
migrated when missing; its contacts and mail are made anew at each run). Each message is a
real .eml (from a person, to a prospect, from nobody known, replies in threads, a tenth with
a PDF attachment) filed through `message_capture`, as the mailbox task does: the raw file and
the documents are written to a temporary MEDIA_ROOT. Prints the total, per message, query
count and the budget.
"""

import argparse
import os
import tempfile
import time

from tests.bench._setup import ensure_database, setup

BUDGET_S = 30.0


def _url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jalon")
    return base.rsplit("/", 1)[0] + "/jalon_mail_filing"


def fill(people: int):
    from django.db import connection

    from contacts.models import Affiliation, Company, Person, Prospect
    from pipeline.models import Opportunity
    from tests import factories as f

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE mail_message, mail_messagelink, mail_messageattachment, contacts_document, "
            "pipeline_historyentry, pipeline_opportunity, contacts_affiliation, contacts_person, "
            "contacts_prospect, contacts_company CASCADE"
        )
    from django.contrib.auth import get_user_model

    rep = get_user_model().objects.filter(username="alice").first() or f.RepFactory(
        username="alice", email="alice@jalon.example"
    )
    companies = Company.objects.bulk_create(
        [
            Company(name=f"Société {n}", website=f"https://www.societe{n}.example", owner=rep)
            for n in range(people // 10)
        ]
    )
    persons = Person.objects.bulk_create(
        [
            Person(last_name=f"Martin{n}", email=f"p{n}@societe{n // 10}.example", owner=rep)
            for n in range(people)
        ]
    )
    Affiliation.objects.bulk_create(
        [Affiliation(person=p, company=companies[n // 10]) for n, p in enumerate(persons)]
    )
    prospects = Prospect.objects.bulk_create(
        [
            Prospect(last_name=f"Durand{n}", email=f"lead{n}@prospect.example", owner=rep)
            for n in range(people)
        ]
    )
    process = f.default_process()
    step = process.steps.order_by("position").first()
    Opportunity.objects.bulk_create(
        [
            Opportunity(prospect=p, process=process, step=step, summary="Projet", owner=rep)
            for p in prospects[: people // 5]
        ]
    )
    return rep


def messages(count: int, people: int, rep_email: str) -> list[bytes]:
    from tests.mail.mails import eml

    found = []
    for n in range(count):
        kind = n % 10
        references = in_reply_to = None
        if n >= 10 and kind == 3:
            in_reply_to = references = f"<m{n - 10}@bench.example>"
        attachments = [("devis.pdf", b"%PDF-1.4\n" + b"x" * 20_000, "application/pdf")]
        if kind in (0, 1, 2, 3):
            sender, to = (
                f"p{(n * 7) % people}@societe{((n * 7) % people) // 10}.example",
                [rep_email],
            )
        elif kind in (4, 5, 6):
            sender, to = rep_email, [f"lead{(n * 13) % people}@prospect.example"]
        else:
            sender, to = f"inconnu{n}@ailleurs.example", [rep_email]
        found.append(
            eml(
                sender=sender,
                to=to,
                cc=[f"p{(n * 3) % people}@societe{((n * 3) % people) // 10}.example"],
                subject=f"Message {n}",
                message_id=f"<m{n}@bench.example>",
                in_reply_to=in_reply_to,
                references=references,
                attachments=attachments if kind == 9 else (),
            )
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=5000)
    args = parser.parse_args()
    url = _url()
    ensure_database(url)
    setup(url)
    from django.conf import settings
    from django.db import connection

    from mail.capture.filing import CaptureContext, message_capture
    from mail.models import Message, MessageLink

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="jalon-bench-mail-")
    rep = fill(args.people)
    raws = messages(args.messages, args.people, rep.email)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        context = CaptureContext.load()  # once per run, as the mailbox task does
        for raw in raws:
            message_capture(raw=raw, source=Message.Source.MAILBOX, context=context)
        elapsed = time.perf_counter() - start
    budget = BUDGET_S * args.messages / 1000  # 30 s per 1,000 messages
    filed = Message.objects.filter(filed=True).count()
    print(
        f"Filing {args.messages} captured messages ({connection.vendor}, {args.people} people, "
        f"{args.people} prospects): {elapsed:.1f} s, {elapsed / args.messages * 1000:.1f} ms "
        f"per message, {queries / args.messages:.1f} queries per message; "
        f"{filed} filed, {MessageLink.objects.count()} links. Budget: {budget:.0f} s "
        f"({'OK' if elapsed < budget else 'OVER BUDGET'}); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
    )


if __name__ == "__main__":
    main()
