"""Prextra's "copy into" (manual 003, "Le bouton « Copier dans »") for the contact file: a person
copied into another company becomes a new person with the same identity and contact values,
linked to that company; the original, its links and its history stay as they were. (Linking the
same person to a second company, without a copy, is `affiliation_create`.)"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Affiliation, Company, Note, Person
from contacts.services import PERSON_EDITABLE, person_create
from core.access import can_change, can_view
from core.sentences import sentence
from core.trash import audit_change

ALREADY_IN_COMPANY = _("%(person)s is already in %(company)s: choose another company.")
COPIED_FROM = _("Copied from %(record)s")


def copy_note(*, copy: models.Model, original: models.Model, actor) -> Note:
    """The line in the copy's history (and in the audit log) naming what it was copied from."""
    record = f"{original} (#{original.pk})"
    audit_change(copy, actor=actor, changes={"copied_from": ["", record]})
    return Note.objects.create(
        content_type=ContentType.objects.get_for_model(copy),
        object_id=copy.pk,
        subject=str(COPIED_FROM % {"record": record})[:200],
        date=timezone.localdate(),
        owner=actor,
    )


@transaction.atomic
def person_copy_to_company(*, person: Person, company: Company, actor) -> Person:
    """A new person with `person`'s values (the actor owns it), linked to `company`. The actor
    must see the person and may change the company; a company the person is already in is
    refused (ALREADY_IN_COMPANY): the copy would be a duplicate there."""
    if not (can_view(actor, person) and can_change(actor, company)):
        raise PermissionDenied
    if Affiliation.objects.filter(person=person, company=company).exists():
        raise ValidationError(
            sentence(ALREADY_IN_COMPANY % {"person": person, "company": company}),
            code="already_in_company",
        )
    data = {name: getattr(person, name) for name in PERSON_EDITABLE if name != "owner"}
    copy = person_create(actor=actor, data=data, company=company)
    copy_note(copy=copy, original=person, actor=actor)
    return copy
