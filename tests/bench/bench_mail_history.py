"""History of a record with 500 e-mails (issue 15: "renders under 200 ms with a constant query
count"), on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_mail_history [--messages 500] [--others 20000] [--runs 30]

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
jalon_mail_bench), created and migrated when missing, filled once: a prospect of the measured
rep with one opportunity and `--messages` messages filed on both (a tenth private to another
rep), a second prospect with 50 messages, and `--others` messages on other prospects. Measures
the History tab (`history_panel`, htmx) through the real view with a rep's session: p50, p95,
query count; the count must be the same for 50 and 500 messages.
"""

import argparse
import datetime as dt
import os
import statistics
import time

from tests.bench.bench_board import ensure_database, measure, report, setup

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jalon_mail_bench"
TARGET_MS = 200


def _messages(owner, count: int, prefix: str, *, private_owner=None):
    from django.utils import timezone

    from mail.models import Message

    now = timezone.now()
    return [
        Message(
            message_id=f"<{prefix}.{i}@bench.jalon>",
            direction=Message.Direction.SENT if i % 2 else Message.Direction.RECEIVED,
            source=Message.Source.JALON if i % 2 else Message.Source.MAILBOX,
            subject=f"{prefix} message {i}",
            from_address="client@bench.example",
            from_name="Client Bench",
            to=["alice@bench.example", "bob@bench.example"],
            sent_at=now - dt.timedelta(hours=i),
            body_text="Bonjour,\n" * 40,
            owner=private_owner if (private_owner and i % 10 == 0) else owner,
            private=bool(private_owner and i % 10 == 0),
            filed=True,
        )
        for i in range(count)
    ]


def fill(count: int, others: int):
    from contacts.models import Prospect
    from mail.models import Message, MessageLink
    from tests import factories as f

    existing = Prospect.objects.filter(last_name="Bench mail").order_by("id")
    if existing.count() == 2:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username="benchmail0"), list(existing)
    rep, other = f.RepFactory(username="benchmail0"), f.RepFactory(username="benchmail1")
    big = Prospect.objects.create(last_name="Bench mail", company_name="Mail SA", owner=rep)
    small = Prospect.objects.create(last_name="Bench mail", company_name="Petit SA", owner=rep)
    opportunity = f.OpportunityFactory(prospect=big, owner=rep, summary="Bench project")
    links = []
    for prospect, number, prefix in ((big, count, "big"), (small, 50, "small")):
        messages = Message.objects.bulk_create(
            _messages(rep, number, prefix, private_owner=other), batch_size=2000
        )
        for message in messages:
            links.append(MessageLink(message=message, prospect=prospect))
            if prospect is big:
                links.append(MessageLink(message=message, opportunity=opportunity))
    crowd = [
        Prospect(last_name=f"Crowd {i}", company_name="Crowd", owner=other) for i in range(200)
    ]
    crowd = Prospect.objects.bulk_create(crowd)
    messages = Message.objects.bulk_create(_messages(other, others, "crowd"), batch_size=2000)
    links += [
        MessageLink(message=message, prospect=crowd[i % len(crowd)])
        for i, message in enumerate(messages)
    ]
    MessageLink.objects.bulk_create(links, batch_size=5000)
    return rep, [big, small]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--others", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from mail.models import Message

    setup_test_environment()
    started = time.perf_counter()
    rep, (big, small) = fill(args.messages, args.others)
    print(
        f"data ready in {time.perf_counter() - started:.1f} s: {Message.objects.count()} "
        f"messages, {Message.objects.filter(links__prospect=big).count()} on the measured prospect"
    )
    client = Client()
    client.force_login(rep)

    def get(url):
        def call():
            response = client.get(url, headers={"HX-Request": "true"})
            assert response.status_code == 200, (url, response.status_code)

        call()  # warm-up
        return call

    def cpu_ms(call) -> float:
        """The median CPU time of this process (the machine's load left out; queries' server
        time too)."""
        spent = []
        for _ in range(args.runs):
            start = time.process_time()
            call()
            spent.append((time.process_time() - start) * 1000)
        return statistics.median(spent)

    counts = {}
    for name, prospect in (("history, 500 e-mails", big), ("history, 50 e-mails", small)):
        call = get(f"{reverse('history_panel')}?prospect={prospect.pk}")
        times, queries = measure(call, args.runs)
        report(name, times, queries, TARGET_MS)
        print(f"{'':<34} CPU p50 {cpu_ms(call):7.1f} ms (os.getloadavg {os.getloadavg()[0]:.1f})")
        counts[name] = max(queries)
    detail = Message.objects.filter(links__prospect=big, private=False).first()
    times, queries = measure(get(reverse("mail_detail", args=[detail.pk])), args.runs)
    report("message page", times, queries, TARGET_MS)
    constant = len(set(counts.values())) == 1
    print(f"budget: < {TARGET_MS} ms, constant query count: {'yes' if constant else 'NO'} {counts}")
    return 0 if constant else 1


if __name__ == "__main__":
    raise SystemExit(main())
