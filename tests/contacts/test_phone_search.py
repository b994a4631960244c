"""A phone number is found however it is typed, in the company, person and prospect searches."""

import pytest
from django.urls import reverse

from contacts import services
from contacts.phones import phone_query
from prospects.services import prospect_search_text
from tests import factories as f

pytestmark = pytest.mark.django_db

FORMATS = ["0188334455", "01 88 33 44 55", "+33 1 88 33 44 55"]


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("0188334455", "+33188334455"),
        ("01 88 33 44 55", "+33188334455"),
        ("01.88.33.44.55", "+33188334455"),
        ("+33 1 88 33 44 55", "+33188334455"),
        ("0033 1 88 33 44 55", "+33188334455"),
        ("01 88 33", "+3318833"),
        ("35000", None),  # a postal code
        ("Dupont 35", None),
    ],
)
def test_phone_query(typed, prefix):
    assert phone_query(typed) == prefix


@pytest.mark.parametrize("typed", FORMATS)
def test_company_search_finds_the_number(rep_client, rep, typed):
    found = services.company_create(actor=rep, data={"name": "Found", "phone": "01.88.33.44.55"})
    services.company_create(actor=rep, data={"name": "Other", "phone": "01 88 33 44 56"})
    page = rep_client.get(reverse("company_list"), {"q": typed})
    assert found.name.encode() in page.content
    assert b"Other" not in page.content


@pytest.mark.parametrize("typed", FORMATS)
def test_company_search_through_the_filters_too(rep_client, rep, typed):
    services.company_create(actor=rep, data={"name": "Found", "phone": "+33188334455"})
    page = rep_client.get(reverse("company_list"), {"q": typed, "kind": "prospect"})
    assert b"Found" in page.content


@pytest.mark.parametrize("typed", FORMATS)
def test_person_search_finds_phone_and_mobile(rep_client, rep, typed):
    services.person_create(actor=rep, data={"last_name": "Fixe", "phone": "0188334455"})
    services.person_create(actor=rep, data={"last_name": "Mobile", "mobile": "01 88 33 44 55"})
    services.person_create(actor=rep, data={"last_name": "Autre", "phone": "0188334466"})
    page = rep_client.get(reverse("person_list"), {"q": typed})
    assert b"FIXE" in page.content.upper() and b"MOBILE" in page.content.upper()
    assert b"AUTRE" not in page.content.upper()


@pytest.mark.parametrize("typed", FORMATS)
def test_prospect_search_finds_the_number(rep_client, rep, typed):
    for name, phone in (("Trouve", "01 88 33 44 55"), ("Ailleurs", "02 99 00 00 00")):
        prospect = f.ProspectFactory(owner=rep, last_name=name, phone=phone)
        prospect.search_text = prospect_search_text(prospect)
        prospect.save(update_fields=["search_text"])
    page = rep_client.get(reverse("prospect_list"), {"q": typed})
    assert b"TROUVE" in page.content.upper()
    assert b"AILLEURS" not in page.content.upper()
