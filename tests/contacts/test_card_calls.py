"""A company's and a person's cards, for a rep about to call: the numbers in the header as tel:
links and "Log a call" (pipeline's call log, as on a prospect's card) when the card has a
number and the rep may change it; a person without a civility has no stray dash in the title."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

CALL_LOG = 'id="call-log"'


def test_a_company_with_a_phone_offers_log_a_call(rep_client, rep):
    company = f.CompanyFactory(owner=rep, phone="+33188334455")
    html = rep_client.get(company.get_absolute_url()).content.decode()
    assert 'href="tel:+33188334455"' in html
    assert CALL_LOG in html
    assert f"{reverse('call_log')}?target=company:{company.pk}" in html
    # The link opens the form, for this company.
    form = rep_client.get(reverse("call_log"), {"target": f"company:{company.pk}"})
    assert form.status_code == 200
    assert f'value="company:{company.pk}"' in form.content.decode()


def test_a_person_with_a_mobile_offers_log_a_call(rep_client, rep):
    person = f.PersonFactory(owner=rep, civility="", mobile="+33612345678", phone="")
    html = rep_client.get(person.get_absolute_url()).content.decode()
    assert 'href="tel:+33612345678"' in html
    assert f"{reverse('call_log')}?target=person:{person.pk}" in html
    title = html.split("<h1>", 1)[1].split("<", 1)[0].strip()
    assert title == person.full_name


def test_no_call_to_log_without_a_number_or_the_right_to_change(rep_client, rep, other_rep):
    assert (
        CALL_LOG
        not in rep_client.get(f.CompanyFactory(owner=rep).get_absolute_url()).content.decode()
    )
    assert (
        CALL_LOG
        not in rep_client.get(f.PersonFactory(owner=rep).get_absolute_url()).content.decode()
    )
    theirs = f.CompanyFactory(owner=other_rep, phone="+33188334455")
    response = rep_client.get(theirs.get_absolute_url())
    assert response.status_code in (200, 404)
    assert CALL_LOG not in response.content.decode()
