"""A small world of records owned by another rep, shared by the trust tests."""

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalogue.models import Product
from contacts.models import CompanyRep, Document, ExtraField, Note
from pipeline.models import CalendarFeed, OpportunityLine, StepProgress
from prospects.models import ImportJob
from quotes.models import Quote, QuoteLine
from tests import factories as f
from tests.quotes.factories import SellerFactory


@dataclass
class World:
    """One record of each kind, all owned by `owner` (another rep than the one testing)."""

    owner: object
    process: object
    step: object
    company: object
    address: object
    company_rep: object
    person: object
    affiliation: object
    note: object
    document: object
    prospect: object
    opportunity: object
    line: object
    task: object
    private_task: object
    import_job: object
    feed: object
    product: object
    quote: object
    quote_line: object
    # Records of the other parts, built by tests/trust/world_<part>.py (each has build(world)
    # returning {name: record}); read as attributes like the fields above.
    parts: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        parts = self.__dict__.get("parts", {})
        if name in parts:
            return parts[name]
        raise AttributeError(name)

    def content_type_id(self, obj) -> int:
        return ContentType.objects.get_for_model(obj).pk


def build_world(owner) -> World:
    process = f.default_process()
    step = process.steps.order_by("position").first()
    company = f.CompanyFactory(owner=owner, name="Acme Industries", siren="552100554")
    address = f.AddressFactory(company=company, is_default=True)
    company_rep = CompanyRep.objects.create(company=company, user=owner, role="Key account")
    person = f.PersonFactory(
        owner=owner, first_name="Marcel", last_name="Dupont", email="marcel.dupont@example.fr"
    )
    affiliation = f.AffiliationFactory(person=person, company=company, is_default=True)
    note = Note.objects.create(
        content_type=ContentType.objects.get_for_model(company),
        object_id=company.pk,
        subject="First call",
        text="Called the buyer.",
        owner=owner,
    )
    document = Document(
        content_type=ContentType.objects.get_for_model(company),
        object_id=company.pk,
        name="quote.txt",
        size=5,
        content_type_header="text/plain",
        uploaded_by=owner,
    )
    document.file.save("quote.txt", SimpleUploadedFile("quote.txt", b"hello"), save=False)
    document.save()
    prospect = f.ProspectFactory(
        owner=owner,
        first_name="Claire",
        last_name="Martin",
        email="claire.martin@example.com",
        notes="Met at the trade show.",
    )
    opportunity = f.OpportunityFactory(
        prospect=prospect, owner=owner, company=company, person=person, project_notes="Big one."
    )
    line = OpportunityLine.objects.create(
        opportunity=opportunity, item="Licence", unit_price=100, total=100
    )
    StepProgress.objects.create(opportunity=opportunity, step=step, done_by=owner)
    task = f.TaskFactory(
        assignee=owner,
        created_by=owner,
        opportunity=opportunity,
        notes="Bring the quote.",
        location="Lyon",
    )
    private_task = f.TaskFactory(
        assignee=owner,
        created_by=owner,
        is_private=True,
        title="Dentist",
        start=timezone.now() + dt.timedelta(hours=3),
    )
    import_job = ImportJob.objects.create(filename="list.csv", actor=owner, owner=owner)
    feed = CalendarFeed.objects.create(user=owner, token=CalendarFeed.new_token())
    ExtraField.objects.get_or_create(label="Budget holder")
    product = Product.objects.create(code="AUD-1", label="Audit", unit_price=850)
    SellerFactory()
    quote = Quote.objects.create(opportunity=opportunity, created_by=owner, title="Their quote")
    quote_line = QuoteLine.objects.create(
        quote=quote, item="Audit", unit_price=850, total_excl_vat=850
    )
    world = World(
        owner=owner,
        process=process,
        step=step,
        company=company,
        address=address,
        company_rep=company_rep,
        person=person,
        affiliation=affiliation,
        note=note,
        document=document,
        prospect=prospect,
        opportunity=opportunity,
        line=line,
        task=task,
        private_task=private_task,
        import_job=import_job,
        feed=feed,
        product=product,
        quote=quote,
        quote_line=quote_line,
    )
    for module in sorted(Path(__file__).parent.glob("world_*.py")):
        part = importlib.import_module(f"tests.trust.{module.stem}")
        world.parts.update(part.build(world))
    return world


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(other_rep, media) -> World:
    return build_world(other_rep)
