"""A person whose data is spread over Jalon, for the privacy tests, and the search of every
text column of every table for her values."""

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from contacts.models import Document, Note, Person, Prospect
from mail.models import Message, MessageLink
from pipeline.models import Opportunity
from prospects import services as prospect_services
from tests import factories as f

FIRST = "Zéphyrine"
LAST = "Quillebeuf"
EMAIL = "z.quillebeuf@exemple-prive.fr"
PHONE = "+33 6 12 34 56 78"
MOBILE = "+33 7 98 76 54 32"
VALUES = [FIRST, LAST, EMAIL, "612345678", "798765432"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Spread:
    prospect: Prospect
    person: Person
    opportunity: Opportunity
    other_company_note: Note
    shared_message: Message
    own_message: Message
    document: Document


def spread_person(owner) -> Spread:
    """A prospect, added to the contacts, with notes, a document, tasks, an opportunity,
    e-mails, and copies of her name and address in another company's note and an e-mail
    shared with that company."""
    prospect = prospect_services.prospect_create(
        actor=owner,
        data={
            "first_name": FIRST,
            "last_name": LAST,
            "company_name": "Brasserie du Port",
            "email": EMAIL,
            "phone": PHONE,
            "mobile": MOBILE,
            "address": "12 quai des Brumes",
            "city": "Honfleur",
            "postal_code": "14600",
            "notes": f"Met {FIRST} at the fair; her mobile {MOBILE}.",
            "owner": owner,
            "lawful_basis": "consent",
            "consent_at": timezone.now(),
            "consent_proof": f"Form signed by {FIRST} {LAST}",
        },
    )
    prospect.extra = {"1": f"Ask {LAST} about the terrace"}
    prospect.save(update_fields=["extra"])
    _company, person = prospect_services.prospect_add_to_contacts(
        prospect_id=prospect.pk, actor=owner
    )
    prospect.refresh_from_db()
    opportunity = f.OpportunityFactory(
        prospect=prospect,
        owner=owner,
        summary=f"Terrace for {LAST}",
        amount="12500.00",
    )
    f.TaskFactory(
        prospect=prospect, assignee=owner, title=f"Call {FIRST} back", notes=f"On {PHONE}"
    )
    Note.objects.create(target=prospect, subject="Fair", text=f"{FIRST} wants a quote", owner=owner)
    Note.objects.create(target=person, subject=f"About {LAST}", text=EMAIL, owner=owner)
    document = Document(target=person, name="card.txt", uploaded_by=owner)
    document.file.save("card.txt", ContentFile(f"{FIRST} {LAST}\n{EMAIL}".encode()), save=False)
    document.size = document.file.size
    document.save()
    other = f.CompanyFactory(owner=owner, name="Voilerie Martin")
    other_note = Note.objects.create(
        target=other,
        subject="Referral",
        text=f"Recommended by {FIRST} {LAST} ({EMAIL}, {PHONE})",
        owner=owner,
    )
    now = timezone.now()
    own = Message.objects.create(
        message_id="<own-1@jalon.test>",
        direction="received",
        source="upload",
        subject=f"Question from {FIRST}",
        from_address=EMAIL,
        from_name=f"{FIRST} {LAST}",
        to=["sales@jalon.test"],
        body_text=f"Hello, this is {FIRST} {LAST}. Call me on {MOBILE}.",
        sent_at=now,
        owner=owner,
    )
    own.raw.save("own.eml", ContentFile(_raw_eml().encode()), save=True)
    MessageLink.objects.create(message=own, person=person)
    shared = Message.objects.create(
        message_id="<shared-1@jalon.test>",
        direction="sent",
        source="jalon",
        subject="Meeting at the yard",
        from_address="sales@jalon.test",
        to=[EMAIL, "contact@voilerie.test"],
        cc=[],
        body_text=f"Dear {FIRST}, dear Mr Martin, see you Friday.",
        body_html=f"<p>Dear {FIRST} {LAST}, dear Mr Martin</p>",
        sent_at=now - dt.timedelta(days=1),
        owner=owner,
    )
    MessageLink.objects.create(message=shared, person=person)
    MessageLink.objects.create(message=shared, company=other)
    return Spread(
        prospect=prospect,
        person=person,
        opportunity=opportunity,
        other_company_note=other_note,
        shared_message=shared,
        own_message=own,
        document=document,
    )


def _raw_eml() -> str:
    return (
        f"From: {FIRST} {LAST} <{EMAIL}>\r\n"
        "To: sales@jalon.test\r\n"
        f"Subject: Question from {FIRST}\r\n"
        "Message-ID: <own-1@jalon.test>\r\n"
        "\r\n"
        f"Hello, this is {FIRST} {LAST}.\r\n"
    )


def text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def find_everywhere(values) -> list[str]:
    """Every (table, column, value) where one of `values` is still stored, over every text and
    JSON column of every model installed (sessions aside: signed, expiring)."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label == "sessions" or not model._meta.managed:
            continue
        for field in text_fields(model):
            column = field.attname
            queryset = model._base_manager.all()
            if isinstance(field, models.JSONField):
                queryset = queryset.annotate(_text=Cast(column, models.TextField()))
                column = "_text"
            for value in values:
                forms = {value, json.dumps(value)[1:-1]}
                for form in forms:
                    if queryset.filter(**{f"{column}__icontains": form}).exists():
                        found.append(f"{model._meta.label}.{field.name}: {value}")
    return sorted(set(found))


def phone_digits_present(values=("612345678", "798765432")) -> list[str]:
    """The phones' digits, whatever their spelling (spaces, dots), in any text column."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label == "sessions" or not model._meta.managed:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        for row in model._base_manager.values_list(*[fl.attname for fl in fields]):
            for cell in row:
                text = json.dumps(cell) if not isinstance(cell, str) else cell
                digits = "".join(ch for ch in text if ch.isdigit())
                for value in values:
                    if value in digits:
                        found.append(f"{model._meta.label}: {value}")
    return sorted(set(found))


def content_type_id(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk
