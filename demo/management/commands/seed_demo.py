"""`manage.py seed_demo`: the demo users and a realistic data set (idempotent).

Runtime code: every record goes through the services the pages use (contacts, prospects,
opportunities, tasks), so the demo obeys the same rules; only the users are plain rows. People's
names come from Faker (fr_FR); towns, company and project names, phone numbers and e-mail
addresses from `demo.realistic`; both seeded, so that every run gives the same set.
"""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from faker import Faker

from accounts.models import User
from contacts import attachments
from contacts import services as contacts_services
from contacts.models import Category, Channel, ExtraField, Prospect
from contacts.validators import clean_phone
from core.roles import SALES_MANAGER, SALES_REP
from demo import realistic, sales
from demo.sales import DEMO_MARKER, demo_siren
from pipeline.models import LossReason, Opportunity, Process, Step, TaskType
from pipeline.services import activities
from pipeline.services import opportunities as opportunity_services
from prospects.services import prospect_create

PROSTEP_STEPS = [
    (_("Send documentation"), 3, 20),
    (_("Phone call"), 5, 50),
    (_("Check subscription"), 7, 80),
]
DEMO_PASSWORD = "jalon-demo"
SEED = 20261125
# username, first name, last name, role (a group of core.roles); the manager is staff.
DEMO_USERS = [
    ("manager", "Marie", "Martin", SALES_MANAGER),
    ("alice", "Alice", "Durand", SALES_REP),
    ("bruno", "Bruno", "Lefèvre", SALES_REP),
]
SECTORS = [
    "Transport et logistique",
    "BTP",
    "Industrie agroalimentaire",
    "Commerce de gros",
    "Services aux entreprises",
    "Santé",
    "Collectivité territoriale",
    "Hôtellerie-restauration",
    "Informatique",
    "Agriculture",
]
# The people a sales team talks to (Faker's jobs are any trade, from paleontologist up), as
# (for a man, for a woman): the title agrees with the person's civility.
JOB_TITLES = [
    ("Directeur général", "Directrice générale"),
    ("Directeur administratif et financier", "Directrice administrative et financière"),
    ("Responsable des achats", "Responsable des achats"),
    ("Acheteur", "Acheteuse"),
    ("Responsable logistique", "Responsable logistique"),
    ("Directeur technique", "Directrice technique"),
    ("Responsable d’exploitation", "Responsable d’exploitation"),
    ("Assistant de direction", "Assistante de direction"),
    ("Gérant", "Gérante"),
    ("Responsable informatique", "Responsable informatique"),
    ("Chef de projet", "Cheffe de projet"),
    ("Responsable du parc véhicules", "Responsable du parc véhicules"),
]


class Command(BaseCommand):
    help = "Create the demo users (manager, alice, bruno; password jalon-demo) and demo data."

    def handle(self, *args, **options):
        # Demo data is written in the site's language, like the reference data.
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            users = self.ensure_users()
            # The demo's towns are checked against the postal table: load it first.
            call_command("load_postal_codes", stdout=self.stdout)
            if Prospect.all_objects.filter(external_ref__startswith=DEMO_MARKER).exists():
                self.stdout.write("Demo data already present: nothing to add.")
            else:
                self.create_data(users)
                self.stdout.write(self.style.SUCCESS("Demo data created."))
            # Each part only when missing: a demo seeded before the quotes gets them too.
            sales.seed_sales(manager=users["manager"])
        self.stdout.write(
            "Demo logins (password jalon-demo): manager (Sales manager), alice and bruno (Sales reps)"
        )

    def ensure_users(self) -> dict:
        """The demo users, created once (an existing one keeps its password)."""
        users = {}
        for username, first_name, last_name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.com",
                    "is_staff": role == SALES_MANAGER,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            users[username] = user
        return users

    def create_data(self, users: dict) -> None:
        rng = random.Random(SEED)
        fake = Faker("fr_FR")
        fake.seed_instance(SEED)
        today = timezone.localdate()
        now = timezone.now()
        reps = [users["alice"], users["bruno"]]

        prostep, created = Process.objects.get_or_create(
            name="PROSTEP",
            defaults={"mode": Process.Mode.STEP_BY_STEP, "log_step_changes": True, "position": 1},
        )
        if created:
            for position, (label, days, probability) in enumerate(PROSTEP_STEPS):
                Step.objects.create(
                    process=prostep,
                    label=label,
                    position=position,
                    duration_days=days,
                    probability=probability,
                )
        default = Process.objects.get(is_default=True)
        categories = [
            Category.objects.get_or_create(name=n)[0]
            for n in (_("Hot"), _("Industry"), _("Public sector"), _("Retail"))
        ]
        # Extra fields of the prospect card (manual 001's "Compléments" tab).
        for position, (label, kind) in enumerate(
            [("Nb camions", "number"), ("Marque camion", "text"), ("Utilise Gestan", "boolean")]
        ):
            ExtraField.objects.get_or_create(
                label=label, defaults={"type": kind, "position": position}
            )
        channels = list(Channel.objects.all())
        reasons = list(LossReason.objects.all())
        task_types = {t.code: t for t in TaskType.objects.all()}

        companies = self.seed_companies(reps, categories, fake, rng)
        self.seed_contacts(users, companies)

        for i in range(36):
            owner = reps[i % 2] if i % 9 else None
            actor = owner or users["manager"]
            civility = "M." if i % 2 == 0 else "Mme"
            first_name = fake.first_name_male() if civility == "M." else fake.first_name_female()
            last_name = fake.last_name()
            place = realistic.place(rng)
            company_name = realistic.company_name(
                rng, SECTORS[i % len(SECTORS)], fake.last_name(), place.city
            )
            prospect = prospect_create(
                actor=actor,
                owner=owner,
                civility=civility,
                first_name=first_name,
                last_name=last_name,
                company_name=company_name,
                job_title=rng.choice(JOB_TITLES)[civility == "Mme"],
                address=place.line1,
                postal_code=place.postal_code,
                city=place.city,
                country="France",
                phone=clean_phone(realistic.landline(rng, place.postal_code)),
                mobile=clean_phone(realistic.mobile(rng)) if i % 3 else "",
                email=realistic.person_email(first_name, last_name, company_name),
                siren=demo_siren(100 + i),
                channel=channels[i % len(channels)],
                external_ref=f"{DEMO_MARKER}{i:03d}",
                notes=str(
                    rng.choice(
                        [
                            _("Met at the Rennes trade show."),
                            _("Asked for a quote by phone."),
                            _("Web form request."),
                            "",
                        ]
                    )
                ),
                categories=[categories[i % len(categories)]] if i % 3 == 0 else (),
            )
            process = prostep if i % 4 == 0 else default
            steps = list(process.steps.order_by("position"))
            step = steps[i % len(steps)]
            changed = now - dt.timedelta(days=rng.randint(0, 12))
            status = Opportunity.Status.OPEN
            if i % 11 == 5:
                status = Opportunity.Status.WON
            elif i % 13 == 7:
                status = Opportunity.Status.LOST
            amount = Decimal(rng.choice([1500, 4800, 9000, 12000, 20000, 35000, 60000]))
            # Through the process rules: step-by-step progress, history, stored colours.
            opportunity = opportunity_services.opportunity_create(
                actor=actor,
                process=process,
                step=step,
                prospect=prospect,
                summary=realistic.project(rng),
                status=status,
                owner=owner,
                amount=amount,
                step_changed_at=changed,
                expected_date=today + dt.timedelta(days=rng.randint(-20, 200)),
                position=i,
                rating=rng.randint(0, 5),
                loss_reason=reasons[0] if status == Opportunity.Status.LOST else None,
                closing_date=today if status != Opportunity.Status.OPEN else None,
            )
            # Overdue, today and future actions: the task service stores the task's colour and
            # the opportunity's next action with its colour.
            offsets = [-3, -1, 0, 0, 1, 2, 5, 9]
            start = now.replace(hour=9 + i % 8, minute=0, second=0, microsecond=0) + dt.timedelta(
                days=offsets[i % len(offsets)]
            )
            activities.task_create(
                actor=actor,
                title=str(
                    rng.choice(
                        [
                            _("Call back"),
                            _("Send the brochure"),
                            _("Prepare the quote"),
                            _("Follow-up meeting"),
                            _("Demo on site"),
                        ]
                    )
                ),
                type=task_types[rng.choice(["call", "email", "meeting", "todo"])],
                start=start,
                assignee=owner or users["alice"],
                opportunity=opportunity,
                prospect=prospect,
                important=i % 5 == 0,
            )
        self.seed_activities(users, companies, task_types)

    def seed_companies(self, reps: list, categories: list, fake: Faker, rng: random.Random):
        """Twelve prospect companies with their address and two contacts each; the first one
        has what it takes to become a customer (SIREN, VAT number, NAF code)."""
        companies = []
        for i in range(12):
            owner = reps[i % 2]
            place = realistic.place(rng)
            name = realistic.company_name(
                rng, SECTORS[i % len(SECTORS)], fake.last_name(), place.city
            )
            data = {
                "name": name,
                "country": "FR",
                "sector": SECTORS[i % len(SECTORS)],
                "website": f"https://www.{realistic.domain(name)}",
                "email": f"contact@{realistic.domain(name)}",
                "origin": str(
                    rng.choice([_("Trade show"), _("Website"), _("Referral"), _("Cold call")])
                ),
                "owner": owner,
                "phone": clean_phone(realistic.landline(rng, place.postal_code)),
            }
            if i == 0:
                data |= {"siren": "542051180", "vat_number": "FR59542051180", "naf_code": "62.01Z"}
            else:
                data["siren"] = demo_siren(i)  # French companies: a quote names their SIREN
            company = contacts_services.company_create(
                actor=owner,
                data=data,
                categories=[categories[i % len(categories)]],
                address={
                    "line1": place.line1,
                    "postal_code": place.postal_code,
                    "city": place.city,
                },
            )
            for rank in (1, 2):
                civility = "M." if (i + rank) % 2 else "Mme"
                first_name = (
                    fake.first_name_male() if civility == "M." else fake.first_name_female()
                )
                last_name = fake.last_name()
                contacts_services.person_create(
                    actor=owner,
                    data={
                        "civility": civility,
                        "first_name": first_name,
                        "last_name": last_name,
                        "job_title": rng.choice(JOB_TITLES)[civility == "Mme"],
                        "email": realistic.person_email(first_name, last_name, name),
                        "phone": clean_phone(realistic.landline(rng, place.postal_code)),
                        "mobile": clean_phone(realistic.mobile(rng)),
                        "owner": owner,
                    },
                    company=company,
                    affiliation={"rank": rank, "is_default": rank == 1},
                )
            companies.append(company)
        return companies

    def seed_activities(self, users: dict, companies: list, task_types: dict) -> None:
        """Tasks through the task services: done contacts (management dates, history), a weekly
        series (recurrence in the agenda, calendar and feed), a private absence (busy time)."""
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        alice, bruno = users["alice"], users["bruno"]
        for i, company in enumerate(companies[:6]):
            owner = company.owner
            past = activities.task_create(
                actor=owner,
                assignee=owner,
                company=company,
                type=task_types["call"],
                title=_("Discovery call"),
                start=now.replace(hour=10) - dt.timedelta(days=10 + i),
                notes=_("Interested in the spring offer.\nCall again after the budget meeting."),
            )
            activities.task_set_done(task=past, done=True, actor=owner)
            activities.task_create(
                actor=owner,
                assignee=owner,
                company=company,
                type=task_types["meeting"],
                title=_("Visit on site"),
                start=now.replace(hour=14) + dt.timedelta(days=3 + i),
                location=company.name,
            )
        activities.task_create(
            actor=alice,
            assignee=alice,
            type=task_types["meeting"],
            title=_("Weekly sales meeting"),
            start=now.replace(hour=9) + dt.timedelta(days=1),
            frequency="weekly",
            weekdays="0",
            count=12,
        )
        activities.task_create(
            actor=bruno,
            assignee=bruno,
            type=task_types["absence"],
            title=_("Dentist"),
            is_private=True,
            start=now.replace(hour=16) + dt.timedelta(days=1),
            end=now.replace(hour=17) + dt.timedelta(days=1),
        )

    def seed_contacts(self, users: dict, companies: list) -> None:
        """A note with a reminder today, another note and a document (contact file demo)."""
        alice = users["alice"]
        first = next(c for c in companies if c.owner_id == alice.pk)
        attachments.note_create(
            target=first,
            actor=alice,
            subject=_("Call back about the framework agreement"),
            text=_("They expect our revised prices before the end of the month."),
            reminder_date=timezone.localdate(),
        )
        attachments.note_create(
            target=first,
            actor=alice,
            subject=_("First meeting"),
            text=_("Met the purchasing manager."),
        )
        brochure = ContentFile(b"Jalon demo: price list\n", name="price-list.txt")
        attachments.document_attach(target=first, uploaded_file=brochure, actor=alice)
