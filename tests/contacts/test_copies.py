"""Prextra's "copy into" for people (manual 003): a new person with the same identity and
contact details, in the chosen company; the original kept; rights and a "copied from" line."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from contacts.copies import ALREADY_IN_COMPANY, person_copy_to_company
from contacts.models import Affiliation, Company, Note, Person
from contacts.services import company_reindex
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def paul(rep):
    person = f.PersonFactory(
        first_name="Paul",
        last_name="Martin",
        job_title="Acheteur",
        email="paul@martin.fr",
        phone="+33 1 40 20 30 40",
        owner=rep,
    )
    f.AffiliationFactory(person=person, company=f.CompanyFactory(name="Transports Martin"))
    return person


def test_copy_is_a_new_person_in_the_chosen_company_and_the_original_stays(rep, paul):
    target = f.CompanyFactory(name="Garage Dupont", owner=rep)
    copy = person_copy_to_company(person=paul, company=target, actor=rep)
    assert copy.pk != paul.pk
    assert (copy.first_name, copy.last_name, copy.job_title, copy.email) == (
        "Paul",
        "Martin",
        "Acheteur",
        "paul@martin.fr",
    )
    assert copy.phone == "+33140203040"  # the same number, stored as the services store it
    assert list(copy.companies.all()) == [target]
    paul.refresh_from_db()
    assert [c.name for c in paul.companies.all()] == ["Transports Martin"]
    assert Note.objects.get(object_id=copy.pk).subject == f"Copied from Paul MARTIN (#{paul.pk})"


def test_copy_refused_into_a_company_the_person_is_in(rep, paul):
    company = paul.companies.get()
    company.owner = rep
    company.save()
    with pytest.raises(ValidationError) as refusal:
        person_copy_to_company(person=paul, company=company, actor=rep)
    assert refusal.value.messages == [
        str(ALREADY_IN_COMPANY % {"person": paul, "company": company}).replace("..", ".")
    ]
    assert Person.objects.count() == 1


def test_copy_refused_into_a_company_the_rep_may_not_change(rep, other_rep, paul):
    theirs = f.CompanyFactory(owner=other_rep)
    with pytest.raises(PermissionDenied):
        person_copy_to_company(person=paul, company=theirs, actor=rep)
    assert Person.objects.count() == 1


def test_copy_page_finds_companies_as_you_type_and_copies(rep_client, rep, other_rep, paul):
    target = f.CompanyFactory(name="Garage Dupont", owner=rep)
    f.CompanyFactory(name="Garage Durand", owner=other_rep)  # not changeable by alice
    for company in Company.objects.all():
        company_reindex(company=company)  # the quick search's word index
    url = reverse("person_copy", args=[paul.pk])
    page = rep_client.get(url).content.decode()
    assert "Garage Dupont" in page and "Garage Durand" not in page
    found = rep_client.get(
        url, {"q": "dup"}, headers={"HX-Request": "true", "HX-Target": "copy-choices"}
    )
    html = found.content.decode()
    assert html.lstrip().startswith('<fieldset id="copy-choices"') and "Garage Dupont" in html
    response = rep_client.post(url, {"company": target.pk})
    copy = Person.objects.exclude(pk=paul.pk).get()
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert Affiliation.objects.filter(person=copy, company=target).exists()


def test_copy_page_without_a_company_says_so(rep_client, paul):
    response = rep_client.post(reverse("person_copy", args=[paul.pk]), {})
    assert response.status_code == 400
    assert "Choose the company to copy the contact into." in response.content.decode()


def test_copy_page_refuses_what_the_rep_may_not_reach(rep_client, rep, other_rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    hidden = f.PersonFactory(owner=other_rep)
    assert rep_client.get(reverse("person_copy", args=[hidden.pk])).status_code == 404
    mine = f.PersonFactory(owner=rep)
    theirs = f.CompanyFactory(owner=other_rep)
    response = rep_client.post(reverse("person_copy", args=[mine.pk]), {"company": theirs.pk})
    assert response.status_code == 404  # a company the rep cannot see is not named
    settings.REPS_SEE_ONLY_OWN = False
    response = rep_client.post(reverse("person_copy", args=[mine.pk]), {"company": theirs.pk})
    assert response.status_code == 403
    assert Person.objects.count() == 2


def test_person_card_offers_copy_into(rep_client, paul):
    html = rep_client.get(paul.get_absolute_url()).content.decode()
    assert reverse("person_copy", args=[paul.pk]) in html
