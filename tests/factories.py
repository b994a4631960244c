"""factory-boy factories for the test suite (runtime code, `seed_demo` included, never uses them)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from contacts.models import Address, Affiliation, Category, Channel, Company, Note, Person, Prospect
from contacts.text import compact
from core.roles import SALES_MANAGER, SALES_REP
from pipeline.models import LossReason, Opportunity, Process, Step, Task, TaskType

DEMO_PASSWORD = "jalon-demo"
_faker = factory.Faker._get_faker(locale="fr_FR")


def _email(person, n: int, domain: str) -> str:
    """A valid address from French names: "Hélène d'Arc" -> "helene.darc3@example.fr"."""
    local = ".".join(
        compact(part) for part in (person.first_name, person.last_name) if compact(part)
    )
    return f"{local or 'contact'}{n}@{domain}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)


def rep_group() -> Group:
    return Group.objects.get(name=SALES_REP)


def manager_group() -> Group:
    return Group.objects.get(name=SALES_MANAGER)


class RepFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(rep_group())


class ManagerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(manager_group())


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Faker("company", locale="fr_FR")
    country = "FR"
    sector = factory.Iterator(
        [
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
    )


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    company = factory.SubFactory(CompanyFactory)
    line1 = factory.Faker("street_address", locale="fr_FR")
    postal_code = factory.Faker("postcode", locale="fr_FR")
    city = factory.Faker("city", locale="fr_FR")
    is_default = True


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    civility = factory.Iterator(["M.", "Mme"])
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    job_title = factory.LazyFunction(lambda: _faker.job()[:100])
    email = factory.LazyAttributeSequence(lambda p, n: _email(p, n, "example.fr"))


class AffiliationFactory(DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    company = factory.SubFactory(CompanyFactory)
    rank = 1


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    target = factory.SubFactory(CompanyFactory)
    subject = factory.Faker("sentence", nb_words=4)
    text = factory.Faker("paragraph")


class ChannelFactory(DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Channel {n}")


class LossReasonFactory(DjangoModelFactory):
    class Meta:
        model = LossReason
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Reason {n}")


def _prospect_search_text(prospect) -> str:
    from prospects.services import prospect_search_text

    return prospect_search_text(prospect)


class ProspectFactory(DjangoModelFactory):
    class Meta:
        model = Prospect

    civility = factory.Iterator(["M.", "Mme"])
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    company_name = factory.Faker("company", locale="fr_FR")
    job_title = factory.LazyFunction(lambda: _faker.job()[:100])
    address = factory.Faker("street_address", locale="fr_FR")
    postal_code = factory.Faker("postcode", locale="fr_FR")
    city = factory.Faker("city", locale="fr_FR")
    country = "France"
    phone = factory.Sequence(
        lambda n: f"+33 1 {40 + n % 50:02d} {n % 100:02d} {(n * 7) % 100:02d} {(n * 3) % 100:02d}"
    )
    email = factory.LazyAttributeSequence(lambda p, n: _email(p, n, "example.com"))
    search_text = factory.LazyAttribute(lambda p: _prospect_search_text(p))


class ProcessFactory(DjangoModelFactory):
    class Meta:
        model = Process
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Process {n}")
    mode = Process.Mode.FREE

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        """`ProcessFactory(steps=3)` or `steps=[("Label", days, probability), ...]`."""
        if not create or not extracted:
            return
        specs = (
            [(f"Step {i + 1}", 3, min(100, 10 * (i + 1))) for i in range(extracted)]
            if isinstance(extracted, int)
            else extracted
        )
        for position, (label, days, probability) in enumerate(specs):
            Step.objects.create(
                process=self,
                label=label,
                position=position,
                duration_days=days,
                probability=probability,
            )


class StepFactory(DjangoModelFactory):
    class Meta:
        model = Step

    process = factory.SubFactory(ProcessFactory)
    label = factory.Sequence(lambda n: f"Step {n}")
    position = factory.Sequence(lambda n: n)
    duration_days = 3
    probability = 20


def default_process() -> Process:
    return Process.objects.get(is_default=True)


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    prospect = factory.SubFactory(ProspectFactory)
    summary = factory.Faker("catch_phrase", locale="fr_FR")
    process = factory.LazyFunction(default_process)
    step = factory.LazyAttribute(lambda o: o.process.steps.order_by("position").first())
    probability = factory.LazyAttribute(lambda o: o.step.probability if o.step else 0)
    amount = factory.LazyFunction(lambda: Decimal("10000.00"))
    expected_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    step_changed_at = factory.LazyFunction(timezone.now)
    owner = factory.SelfAttribute("prospect.owner")

    @factory.post_generation
    def prospect_next_action(self, create, extracted, **kwargs):
        """The prospect's stored next action follows the one given to the opportunity, as
        `pipeline.clocks` keeps it for opportunities written by the services."""
        if create and self.prospect_id and self.next_action_at:
            from pipeline.clocks import prospects_next_action_refresh

            prospects_next_action_refresh(prospect_ids=[self.prospect_id])


def task_type(code: str = "todo") -> TaskType:
    return TaskType.objects.get(code=code)


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Faker("sentence", nb_words=4, locale="fr_FR")
    type = factory.LazyFunction(task_type)
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    priority = Task.Priority.MEDIUM
