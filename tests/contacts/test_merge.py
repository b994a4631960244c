"""Merging duplicates: everything linked to the merged-away record lands on the kept one, in
one transaction; the other goes to the trash and comes back with a restore; refusals change
nothing."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from contacts import services
from contacts.banking import bank_account_create
from contacts.merge import MERGE_DENIED, MERGE_SELF, MERGE_TRASHED, record_merge
from contacts.models import Address, Affiliation, Company, Document, Note, Person, Prospect
from contacts.selectors import company_search_hits
from core.trash import record_restore
from pipeline.models import Opportunity, Task
from quotes.models import Quote
from quotes.services import quote_create
from tests import factories as f

pytestmark = pytest.mark.django_db


def _attach(target, owner, name):
    content_type = ContentType.objects.get_for_model(target)
    Note.objects.create(content_type=content_type, object_id=target.pk, subject=name, owner=owner)
    document = Document(content_type=content_type, object_id=target.pk, name=f"{name}.txt")
    document.file.save(f"{name}.txt", ContentFile(b"hello"), save=False)
    document.save()


def _side(owner, name, postal_code):
    """A company with an address, a person, an opportunity with a quote, a task, a note and a
    document."""
    company = services.company_create(
        actor=owner,
        data={"name": name, "email": "contact@dupont.fr"},
        address={"line1": f"1 rue {name}", "postal_code": postal_code, "city": "Rennes"},
    )
    person = services.person_create(
        actor=owner, data={"last_name": f"Person {name}"}, company=company
    )
    opportunity = f.OpportunityFactory(prospect=None, company=company, person=person, owner=owner)
    quote = quote_create(opportunity_id=opportunity.pk, actor=owner)
    task = f.TaskFactory(company=company, opportunity=None, assignee=owner)
    _attach(company, owner, f"note {name}")
    return company, person, opportunity, quote, task


def test_merge_two_companies_moves_everything_and_restore_brings_the_other_back(rep, manager):
    kept, kept_person, kept_opp, kept_quote, kept_task = _side(rep, "Dupont SA", "35000")
    other, other_person, other_opp, other_quote, other_task = _side(rep, "DUPONT", "35000")
    shared = services.person_create(actor=rep, data={"last_name": "Shared"}, company=kept)
    services.affiliation_create(person=shared, company=other, actor=rep)
    bank_account_create(company=other, actor=rep, data={"iban": "FR7630006000011234567890189"})
    category = f.CategoryFactory()
    other.categories.add(category)

    result = record_merge(kept=kept, other=other, actor=rep, take=["name"])

    kept.refresh_from_db()
    assert kept.name == "DUPONT"  # the value picked from the other record
    assert set(Person.objects.filter(companies=kept)) == {kept_person, other_person, shared}
    assert Affiliation.objects.filter(person=shared).count() == 1  # one link per person
    assert Affiliation.objects.filter(company=kept, is_default=True).count() == 1
    assert Address.objects.filter(company=kept).count() == 2
    assert Address.objects.filter(company=kept, is_default=True).count() == 1
    assert set(Opportunity.objects.filter(company=kept)) == {kept_opp, other_opp}
    assert set(Quote.objects.filter(opportunity__company=kept)) == {kept_quote, other_quote}
    assert set(Task.objects.filter(company=kept)) == {kept_task, other_task}
    content_type = ContentType.objects.get_for_model(Company)
    documents = Document.objects.filter(content_type=content_type, object_id=kept.pk)
    assert documents.count() == 2
    notes = Note.objects.filter(content_type=content_type, object_id=kept.pk)
    assert {"note Dupont SA", "note DUPONT"} <= set(notes.values_list("subject", flat=True))
    assert notes.filter(subject__startswith="Merged with").exists()  # the history
    assert kept.bank_accounts.count() == 1
    assert list(kept.categories.all()) == [category]
    assert result.moved  # the counts the page reports
    # The merged-away company is in the trash, the audit log has the merge.
    other = Company.all_objects.get(pk=other.pk)
    assert other.deleted_at is not None and other.deleted_by == rep
    assert not Document.objects.filter(content_type=content_type, object_id=other.pk).exists()
    assert LogEntry.objects.filter(
        content_type=content_type, object_id=kept.pk, changes__icontains="merged_from"
    ).exists()
    # Restore (managers): the record comes back, the links stay on the kept company.
    record_restore(obj=other, actor=manager)
    other.refresh_from_db()
    assert other.deleted_at is None
    assert Opportunity.objects.filter(company=kept).count() == 2
    assert other.pk in set(company_search_hits("dupont"))


def test_merge_page_field_by_field(rep_client, rep):
    kept = services.company_create(actor=rep, data={"name": "Martin", "siren": "356000000"})
    other = services.company_create(
        actor=rep, data={"name": "Martin & Fils", "siren": "356000000", "phone": "0188334455"}
    )
    page = rep_client.get(reverse("company_merge", args=[kept.pk]))
    assert page.status_code == 200
    assert f'?other={other.pk}"'.encode() in page.content  # offered as a likely duplicate
    page = rep_client.get(reverse("company_merge", args=[kept.pk]) + f"?other={other.pk}")
    assert b'name="take_name"' in page.content and b'name="take_phone"' in page.content
    # The kept record has no phone: the other's is ticked by default.
    assert b'value="other" checked' in page.content
    response = rep_client.post(
        reverse("company_merge", args=[kept.pk]),
        {"other": other.pk, "take_name": "kept", "take_phone": "other"},
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.name, kept.phone) == ("Martin", "+33188334455")
    assert Company.objects.filter(pk=other.pk).count() == 0


def test_merge_search_offers_any_record(rep_client, rep):
    kept = services.company_create(actor=rep, data={"name": "Alpha"})
    other = services.company_create(actor=rep, data={"name": "Zeta Transports"})
    page = rep_client.get(reverse("company_merge", args=[kept.pk]) + "?q=zeta")
    assert f'?other={other.pk}"'.encode() in page.content


def _snapshot():
    return (
        list(Company.all_objects.values_list("pk", "name", "deleted_at").order_by("pk")),
        list(Address.objects.values_list("pk", "company_id").order_by("pk")),
    )


def test_merge_refusals_change_nothing(rep, other_rep, rep_client):
    mine = services.company_create(actor=rep, data={"name": "Mine"})
    mine_too = services.company_create(actor=rep, data={"name": "Mine too"})
    theirs = services.company_create(actor=other_rep, data={"name": "Theirs"})
    trashed = services.company_create(actor=rep, data={"name": "Trashed"})
    services.company_trash(company=trashed, actor=rep)
    before = _snapshot()
    cases = [
        (mine, mine, MERGE_SELF % {}),
        (mine, theirs, MERGE_DENIED % {"record": theirs}),
        (mine, trashed, MERGE_TRASHED % {"record": trashed}),
    ]
    for kept, other, message in cases:
        with pytest.raises(ValidationError) as exc:
            record_merge(kept=kept, other=other, actor=rep)
        assert exc.value.messages == [str(message)]
    assert _snapshot() == before
    # Through the page: the message is shown, nothing changed.
    response = rep_client.post(
        reverse("company_merge", args=[mine.pk]), {"other": theirs.pk}, follow=True
    )
    assert str(MERGE_DENIED % {"record": theirs}).encode() in response.content
    # Keeping a record the rep may not change: refused outright.
    response = rep_client.post(reverse("company_merge", args=[theirs.pk]), {"other": mine.pk})
    assert response.status_code == 403
    assert _snapshot() == before
    assert mine_too.pk


def test_merge_people_keeps_one_link_per_company(rep):
    company = services.company_create(actor=rep, data={"name": "Acme"})
    kept = services.person_create(
        actor=rep, data={"last_name": "Martin", "email": "l.martin@acme.fr"}, company=company
    )
    other = services.person_create(
        actor=rep, data={"last_name": "MARTIN", "first_name": "Léa", "mobile": "0612345678"}
    )
    services.affiliation_create(person=other, company=company, actor=rep, is_default=True)
    opportunity = f.OpportunityFactory(prospect=None, company=company, person=other, owner=rep)
    record_merge(kept=kept, other=other, actor=rep, take=["first_name", "mobile"])
    kept.refresh_from_db()
    assert (kept.first_name, kept.mobile, kept.email) == ("Léa", "+33612345678", "l.martin@acme.fr")
    link = Affiliation.objects.get(company=company)  # one link per person and company
    assert link.person == kept and link.is_default  # the company keeps its default contact
    opportunity.refresh_from_db()
    assert opportunity.person == kept
    assert Person.all_objects.get(pk=other.pk).deleted_at is not None


def test_merge_prospects_moves_opportunities(rep):
    kept = f.ProspectFactory(owner=rep, last_name="Durand", email="durand@example.fr")
    other = f.ProspectFactory(owner=rep, last_name="Durand", email="durand@example.fr")
    opportunity = f.OpportunityFactory(prospect=other, owner=rep)
    record_merge(kept=kept, other=other, actor=rep)
    opportunity.refresh_from_db()
    assert opportunity.prospect == kept
    assert Prospect.all_objects.get(pk=other.pk).deleted_at is not None
