"""The right to erasure: a manager erases a person, after typing her last name; nothing of her
stays in any table, the audit log included, and her figures stay."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from contacts.models import Document, Person, Prospect
from mail.models import Message
from pipeline.models import Opportunity
from privacy import services
from privacy.models import PrivacyLog
from privacy.scrub import MASK
from tests import factories as f
from tests.privacy.conftest import (
    EMAIL,
    FIRST,
    LAST,
    VALUES,
    find_everywhere,
    phone_digits_present,
    spread_person,
)

pytestmark = pytest.mark.django_db


def test_the_spread_is_found_before(rep):
    """The search below sees her values where the world put them (else it proves nothing)."""
    spread_person(rep)
    found = find_everywhere(VALUES)
    for expected in (
        "contacts.Person.last_name",
        "contacts.Prospect.email",
        "contacts.Note.text",
        "mail.Message.body_text",
        "mail.Message.to",
        "pipeline.Opportunity.summary",
        "pipeline.Task.title",
        "pipeline.HistoryEntry.to_value",
        "auditlog.LogEntry.changes",
        "auditlog.LogEntry.object_repr",
    ):
        assert any(line.startswith(expected) for line in found), expected
    assert phone_digits_present()


def test_erasure_leaves_no_personal_value_in_any_table(manager_client, manager, rep):
    spread = spread_person(rep)
    amount = Opportunity.objects.get(pk=spread.opportunity.pk).amount
    url = reverse("privacy_person_erase", args=[spread.person.pk])

    response = manager_client.post(url, {"confirmation": LAST.lower()})

    assert response.status_code == 302
    assert find_everywhere(VALUES) == []
    assert phone_digits_present() == []
    # Deleted: the e-mail filed only on her, her notes and documents (and their files).
    assert not Message.objects.filter(pk=spread.own_message.pk).exists()
    assert not Document.objects.filter(pk=spread.document.pk).exists()
    assert not spread.document.file.storage.exists(spread.document.file.name)
    # Kept without her: the e-mail shared with another company, the other company's note.
    shared = Message.objects.get(pk=spread.shared_message.pk)
    assert shared.to == [MASK, "contact@voilerie.test"]
    assert "Mr Martin" in shared.body_text
    spread.other_company_note.refresh_from_db()
    assert spread.other_company_note.text.startswith("Recommended by ***")
    # The figures stay.
    opportunity = Opportunity.objects.get(pk=spread.opportunity.pk)
    assert (opportunity.amount, opportunity.owner, opportunity.step_id) == (
        amount,
        rep,
        spread.opportunity.step_id,
    )
    prospect = Prospect.objects.get(pk=spread.prospect.pk)
    assert prospect.company_name == "Brasserie du Port"
    assert (prospect.email, prospect.notes, prospect.extra) == ("", "", {})
    # Logged, for both records, and the audit trail keeps its entries (without the values).
    actions = set(PrivacyLog.objects.values_list("kind", "action"))
    assert actions == {("person", "erase"), ("prospect", "erase")}
    log = PrivacyLog.objects.get(kind="person")
    assert (
        log.actor == manager and log.detail["rows"]["contacts.Note"] == 3
    )  # 2 deleted, 1 scrubbed
    entries = LogEntry.objects.get_for_object(Person.all_objects.get(pk=spread.person.pk))
    assert entries.count() >= 2
    assert entries.first().changes["email"] == [MASK, MASK]


def test_erasure_needs_the_typed_last_name(manager_client, rep):
    spread = spread_person(rep)
    url = reverse("privacy_prospect_erase", args=[spread.prospect.pk])

    page = manager_client.get(url)
    refused = manager_client.post(url, {"confirmation": "Quille"})

    assert page.status_code == 200 and LAST.encode() in page.content
    assert refused.status_code == 422
    assert str(services.CONFIRMATION_MISMATCH).encode() in refused.content
    assert Prospect.objects.get(pk=spread.prospect.pk).email == EMAIL
    assert not PrivacyLog.objects.exists()


def test_erasing_a_prospect_takes_its_person_when_she_has_nothing_else(manager, rep):
    spread = spread_person(rep)

    services.record_erase(obj=spread.prospect, actor=manager, confirmation=LAST)

    assert Person.all_objects.get(pk=spread.person.pk).email == ""
    assert find_everywhere([EMAIL, f"{FIRST} {LAST}"]) == []


def test_the_retention_rule_keeps_a_person_still_used_by_a_customer(manager, rep):
    spread = spread_person(rep)
    customer = f.CompanyFactory(kind="customer", customer_code="C-1")
    f.AffiliationFactory(person=spread.person, company=customer)

    services.record_anonymise(obj=spread.prospect, actor=None, action=PrivacyLog.Action.ANONYMISE)

    person = Person.objects.get(pk=spread.person.pk)
    assert (person.last_name, person.email) == (LAST, EMAIL)
    prospect = Prospect.objects.get(pk=spread.prospect.pk)
    assert (prospect.last_name, prospect.email, prospect.person) == ("", "", person)


@pytest.mark.parametrize("name", ["privacy_person_erase", "privacy_person_export"])
def test_reps_are_refused(rep_client, rep, name):
    spread = spread_person(rep)

    get = rep_client.get(reverse(name, args=[spread.person.pk]))
    post = rep_client.post(reverse(name, args=[spread.person.pk]), {"confirmation": LAST})

    assert get.status_code == 403
    assert post.status_code in (403, 405)
    assert Person.objects.get(pk=spread.person.pk).email == EMAIL
