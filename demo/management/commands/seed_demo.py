"""`manage.py seed_demo`: the demo users and a realistic data set (idempotent)."""

import datetime as dt
import random
from decimal import Decimal

import factory.random
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from faker import Faker

from contacts.models import Category, Channel, Company, ExtraField, Prospect
from pipeline.clocks import colour_for
from pipeline.models import LossReason, Opportunity, Process, Step, TaskType
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

PROSTEP_STEPS = [
    (_("Send documentation"), 3, 20),
    (_("Phone call"), 5, 50),
    (_("Check subscription"), 7, 80),
]
DEMO_MARKER = "DEMO-"


class Command(BaseCommand):
    help = "Create the demo users (manager, alice, bruno; password jalon-demo) and demo data."

    def handle(self, *args, **options):
        # Demo data is written in the site's language, like the reference data.
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            users = self.ensure_users()
            if Prospect.all_objects.filter(external_ref__startswith=DEMO_MARKER).exists():
                self.stdout.write("Demo data already present: nothing to add.")
            else:
                self.create_data(users)
                self.stdout.write(self.style.SUCCESS("Demo data created."))
        call_command("load_postal_codes", stdout=self.stdout)
        self.stdout.write(
            "Demo logins (password jalon-demo): manager (Sales manager), alice and bruno (Sales reps)"
        )

    def ensure_users(self) -> dict:
        manager = f.ManagerFactory(username="manager", first_name="Marie", last_name="Martin")
        alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
        bruno = f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")
        return {"manager": manager, "alice": alice, "bruno": bruno}

    def create_data(self, users: dict) -> None:
        factory.random.reseed_random(20261125)
        rng = random.Random(20261125)
        fake = Faker("fr_FR")
        fake.seed_instance(20261125)
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

        companies = []
        for i in range(12):
            owner = reps[i % 2]
            company = f.CompanyFactory(
                owner=owner,
                origin=str(
                    rng.choice([_("Trade show"), _("Website"), _("Referral"), _("Cold call")])
                ),
                created_by=owner,
            )
            company.categories.add(categories[i % len(categories)])
            f.AddressFactory(company=company)
            for rank in range(1, 3):
                f.AffiliationFactory(
                    company=company,
                    person=f.PersonFactory(owner=owner),
                    rank=rank,
                    is_default=rank == 1,
                )
            companies.append(company)
        self.seed_contacts(users, companies)

        for i in range(36):
            owner = reps[i % 2] if i % 9 else None
            prospect = f.ProspectFactory(
                owner=owner,
                channel=channels[i % len(channels)],
                external_ref=f"{DEMO_MARKER}{i:03d}",
                created_by=owner,
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
            )
            if i % 3 == 0:
                prospect.categories.add(categories[i % len(categories)])
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
                actor=owner or users["manager"],
                process=process,
                step=step,
                prospect=prospect,
                summary=fake.catch_phrase(),
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
            offsets = [-3, -1, 0, 0, 1, 2, 5, 9]
            start = now.replace(hour=9 + i % 8, minute=0, second=0, microsecond=0) + dt.timedelta(
                days=offsets[i % len(offsets)]
            )
            task = f.TaskFactory(
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
                colour=colour_for(start, today),
                created_by=owner,
            )
            if status == Opportunity.Status.OPEN:
                Opportunity.objects.filter(pk=opportunity.pk).update(
                    next_action_at=task.start, action_colour=task.colour
                )
        self.seed_activities(users, companies, task_types)

    def seed_activities(self, users: dict, companies: list, task_types: dict) -> None:
        """Tasks through the task services: done contacts (management dates, history), a weekly
        series (recurrence in the agenda, calendar and feed), a private absence (busy time)."""
        from pipeline.services import activities

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
        """Search words, a note with a reminder today and a document (contact file demo)."""
        from django.core.files.base import ContentFile

        from contacts import services as contacts_services

        contacts_services.companies_reindex(
            queryset=Company.objects.filter(pk__in=[c.pk for c in companies])
        )
        for i, company in enumerate(companies):
            data = {"phone": f"02 99 {10 + i:02d} {20 + i:02d} {30 + i:02d}"}
            if i == 0:  # ready to become a customer
                data |= {"siren": "542051180", "vat_number": "FR59542051180", "naf_code": "62.01Z"}
            contacts_services.company_update(
                company=company, actor=company.owner, data=data, version=company.version
            )
        alice = users["alice"]
        first = next(c for c in companies if c.owner_id == alice.pk)
        contacts_services.note_create(
            target=first,
            actor=alice,
            subject=_("Call back about the framework agreement"),
            text=_("They expect our revised prices before the end of the month."),
            reminder_date=timezone.localdate(),
        )
        contacts_services.note_create(
            target=first,
            actor=alice,
            subject=_("First meeting"),
            text=_("Met the purchasing manager."),
        )
        brochure = ContentFile(b"Jalon demo: price list\n", name="price-list.txt")
        contacts_services.document_attach(target=first, uploaded_file=brochure, actor=alice)
