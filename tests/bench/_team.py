"""A real team's data for the list benchmarks, on a fresh database each run.

`fresh_database(url)` drops the benchmark's database and recreates it from a migrated template
(`<name>_template`, migrated first, so a new migration is applied there once): no row of the
last run survives, and a run does not pay for the whole migration history each time.
`fill_team(prospects=N)` then writes, with `bulk_create`, what a sales team's file looks like:
8 reps and a manager, three processes with their steps, N prospects spread over the reps (a few
unassigned), an opportunity on most prospects (a second one on some, a quarter of them closed),
open and done tasks on most opportunities, companies with their default address, search words
and people. The stored clocks and the prospects' next action are then computed by the same SQL
the application runs (`pipeline.clocks.opportunities_refresh`).
"""

import datetime as dt
import random
import subprocess
import sys
import time

FIRST_NAMES = [
    "Camille", "Léa", "Louis", "Hugo", "Chloé", "Jules", "Manon", "Lucas", "Inès", "Nathan",
    "Zoé", "Théo", "Emma", "Arthur", "Jade", "Paul", "Alice", "Adam", "Lina", "Raphaël",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
]  # fmt: skip
COMPANY_WORDS = [
    "Bâtiment", "Conseil", "Transports", "Industrie", "Services", "Hôtel", "Boulangerie",
    "Menuiserie", "Informatique", "Imprimerie", "Garage", "Pharmacie", "Architectes", "Énergie",
]  # fmt: skip
FORMS = ["SA", "SARL", "SAS", "& Fils", "EURL", ""]
CITIES = [
    ("35000", "Rennes"), ("75011", "Paris"), ("44000", "Nantes"), ("69003", "Lyon"),
    ("13001", "Marseille"), ("31000", "Toulouse"), ("33000", "Bordeaux"), ("59000", "Lille"),
    ("67000", "Strasbourg"), ("29200", "Brest"), ("35400", "Saint-Malo"), ("06000", "Nice"),
]  # fmt: skip
REPS = 8
BATCH = 5000


def fresh_database(url: str) -> None:
    """Drop the database of `url` and recreate it from its migrated template."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    template = f"{name}_template"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template]
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{template}"')
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env={**_environ(), "DATABASE_URL": url.rsplit("/", 1)[0] + f"/{template}"},
        check=True,
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    print(f"fresh database {name} in {time.perf_counter() - started:.1f} s")


def _environ() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}


def _batched(model, rows: list, **kwargs) -> list:
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH], **kwargs)
    return created


def fill_team(*, prospects: int, companies: int | None = None, seed: int = 20) -> dict:
    """Write a team's file (see the module docstring); returns the users by role."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from contacts.models import (
        Address,
        Affiliation,
        Channel,
        Company,
        CompanySearchWord,
        Person,
        Prospect,
    )
    from contacts.services import company_search_words
    from contacts.text import normalize
    from core.roles import SALES_MANAGER, SALES_REP
    from pipeline.clocks import opportunities_refresh, tasks_refresh
    from pipeline.models import Opportunity, Process, Step, Task, TaskType
    from prospects.services import prospect_search_text

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    companies = prospects // 5 if companies is None else companies

    reps = [User.objects.create_user(f"rep{i}", password="bench") for i in range(1, REPS + 1)]
    Group.objects.get(name=SALES_REP).user_set.add(*reps)
    manager = User.objects.create_user("boss", password="bench")
    Group.objects.get(name=SALES_MANAGER).user_set.add(manager)
    channels = [Channel.objects.get_or_create(name=n)[0] for n in ("Trade show", "Web", "Referral")]

    processes = [Process.objects.get(is_default=True)]
    for name in ("Public tenders", "Renewals"):
        process = Process.objects.create(name=name, position=len(processes))
        for position in range(5):
            Step.objects.create(
                process=process,
                label=f"{name} {position + 1}",
                position=position,
                duration_days=3 + position,
                probability=20 * (position + 1) - 10,
            )
        processes.append(process)
    steps = {p.pk: list(p.steps.order_by("position")) for p in processes}
    types = list(TaskType.objects.all())

    # Companies with a default address, their search words, and two people each on average.
    company_rows, addresses = [], []
    for i in range(companies):
        name = f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_WORDS)} {rng.choice(FORMS)}".strip()
        code, city = rng.choice(CITIES)
        company_rows.append(Company(name=f"{name} {i}", owner=rng.choice(reps)))
        addresses.append(
            Address(line1=f"{i} rue de la Paix", postal_code=code, city=city, is_default=True)
        )
    company_rows = _batched(Company, company_rows)
    words = []
    for company, address in zip(company_rows, addresses, strict=True):
        address.company = company
        company_words = company_search_words(company, [address])
        company.search_text = " ".join(company_words)
        name_key = normalize(company.name)[:80]
        words += [
            CompanySearchWord(company=company, word=w, name_key=name_key) for w in company_words
        ]
    _batched(Address, addresses)
    _batched(CompanySearchWord, words)
    Company.objects.bulk_update(company_rows, ["search_text"], batch_size=BATCH)
    people = []
    for company in company_rows:
        for _ in range(rng.choice((1, 2, 3))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            people.append(
                Person(
                    first_name=first,
                    last_name=last,
                    email=f"{normalize(first)}.{normalize(last)}.{len(people)}@example.fr",
                    owner=company.owner,
                )
            )
    people = _batched(Person, people)
    affiliations, person_index = [], 0
    for company in company_rows:
        rank = 1
        while person_index < len(people) and people[person_index].owner_id == company.owner_id:
            affiliations.append(
                Affiliation(
                    person=people[person_index], company=company, rank=rank, is_default=rank == 1
                )
            )
            person_index += 1
            rank += 1
            if rank > 3:
                break
    _batched(Affiliation, affiliations)

    # Prospects, spread over the reps (2 % unassigned), some linked to a company of the file.
    prospect_rows = []
    for i in range(prospects):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        code, city = rng.choice(CITIES)
        company = rng.choice(company_rows) if rng.random() < 0.2 else None
        prospect = Prospect(
            first_name=first,
            last_name=f"{last}{i % 997}",
            company_name=company.name if company else f"{rng.choice(COMPANY_WORDS)} {last} {i}",
            company=company,
            postal_code=code,
            city=city,
            phone=f"+33 2 {i % 100:02d} {(i // 100) % 100:02d} {(i * 7) % 100:02d} {(i * 3) % 100:02d}",
            email=f"{normalize(first)}.{normalize(last)}{i}@example.fr",
            channel=rng.choice(channels),
            owner=None if rng.random() < 0.02 else rng.choice(reps),
            created_at=now - dt.timedelta(minutes=i),
        )
        prospect.search_text = prospect_search_text(prospect)
        prospect_rows.append(prospect)
    prospect_rows = _batched(Prospect, prospect_rows)

    # An opportunity on 85 % of the prospects, a second one on 10 %; a quarter closed.
    opportunities = []
    for prospect in prospect_rows:
        draw = rng.random()
        for _ in range(2 if draw < 0.1 else 1 if draw < 0.85 else 0):
            process = rng.choice(processes)
            step = rng.choice(steps[process.pk])
            status = (
                Opportunity.Status.OPEN
                if rng.random() < 0.75
                else rng.choice([Opportunity.Status.WON, Opportunity.Status.LOST])
            )
            opportunities.append(
                Opportunity(
                    prospect=prospect,
                    summary=f"Projet {prospect.company_name}"[:200],
                    process=process,
                    step=step,
                    status=status,
                    probability=step.probability,
                    amount=rng.randint(5, 500) * 100,
                    expected_date=(now + dt.timedelta(days=rng.randint(-30, 180))).date(),
                    step_changed_at=now - dt.timedelta(days=rng.randint(0, 30)),
                    owner_id=prospect.owner_id,
                    position=len(opportunities),
                )
            )
    opportunities = _batched(Opportunity, opportunities)

    # Tasks on 80 % of the opportunities: one or two open ones ahead or late, some done.
    tasks = []
    for opportunity in opportunities:
        if rng.random() >= 0.8:
            continue
        for n in range(rng.choice((1, 1, 2, 3))):
            done = n == 0 and rng.random() < 0.4
            start = now + dt.timedelta(hours=rng.randint(-24 * 20, 24 * 60))
            tasks.append(
                Task(
                    title=f"Relancer {opportunity.summary}"[:200],
                    type=rng.choice(types),
                    start=start,
                    assignee_id=opportunity.owner_id or reps[0].pk,
                    opportunity=opportunity,
                    prospect_id=opportunity.prospect_id,
                    done=done,
                    done_at=start if done else None,
                    is_private=rng.random() < 0.05,
                )
            )
    _batched(Task, tasks)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the refresh's correlated subqueries need the statistics
    opportunities_refresh()
    tasks_refresh()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"filled {len(prospect_rows)} prospects, {len(opportunities)} opportunities, "
        f"{len(tasks)} tasks, {len(company_rows)} companies, {len(people)} people "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return {"rep": reps[0], "manager": manager}


def team_users() -> dict:
    """The rep and the manager `fill_team` made (to measure the last run's data again)."""
    from accounts.models import User

    return {"rep": User.objects.get(username="rep1"), "manager": User.objects.get(username="boss")}


def signed_in(user):
    """A test client holding `user`'s session (the real middleware and views answer it)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def measure(client, url: str, runs: int, **headers) -> tuple[float, float, int]:
    """p50 and p95 in ms of `runs` GETs of `url` (after one warm-up), and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers)
    timings.sort()
    p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
    return timings[len(timings) // 2], p95, len(queries.captured_queries)


def report_header() -> None:
    import os

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} (other processes share this machine's cores)")
    print(f"{'page':44s} {'p50':>8s} {'p95':>8s} {'budget':>8s} {'queries':>8s}")


def report_row(label: str, p50: float, p95: float, queries: int, budget_ms: float | None) -> bool:
    """Print one row; whether it met the budget (p95 and at most 12 queries)."""
    met = (budget_ms is None or p95 < budget_ms) and queries <= 12
    budget = f"< {budget_ms:.0f}" if budget_ms else "—"
    print(
        f"{label:44s} {p50:6.1f}ms {p95:6.1f}ms {budget:>6s}ms {queries:5d}/12"
        f"  {'ok' if met else 'MISSED'}"
    )
    return met


def profile(client, url: str, **headers) -> None:
    """The top of a cProfile of 10 GETs of `url`, by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(url, headers=headers)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    parts = {"queries (cursor execute)": 0.0, "template rendering": 0.0}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        if name == "_execute" and filename.endswith("django/db/backends/utils.py"):
            parts["queries (cursor execute)"] += cumulative
        if name == "render" and filename.endswith("django/template/backends/django.py"):
            parts["template rendering"] += cumulative
    print(f"\ncProfile of 10 GETs {url}: {total * 100:.0f} ms a request")
    for label, seconds in parts.items():
        print(f"  {label}: {seconds * 100:.0f} ms ({seconds / total:.0%})")
    stats.sort_stats("tottime").print_stats(12)
