"""A company's representatives by product family (catalogue.reps): added from the card by who
may change the company, shown on it, and found by the company list's "Representative" filter
beside the owner and the secondary reps by role."""

import pytest
from django.urls import reverse

from catalogue.models import ProductFamily
from catalogue.reps import FamilyRep
from contacts import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(db):
    return ProductFamily.objects.create(name="Logiciels")


def test_add_show_and_filter(rep_client, rep, other_rep, family):
    company = services.company_create(actor=rep, data={"name": "Suivie par famille"})
    services.company_create(actor=rep, data={"name": "Autre société"})
    response = rep_client.post(
        reverse("company_family_reps", args=[company.pk]),
        {"family": family.pk, "user": other_rep.pk, "role": "Logiciels"},
    )
    assert response.status_code == 302
    assert FamilyRep.objects.filter(company=company, user=other_rep, family=family).exists()
    panel = rep_client.get(reverse("company_family_reps", args=[company.pk]))
    assert b"Logiciels" in panel.content and b"Bruno" in panel.content
    listing = rep_client.get(reverse("company_list"), {"rep": other_rep.pk})
    assert b"Suivie par famille" in listing.content
    assert b"Autre soci" not in listing.content


def test_secondary_rep_by_role_found_too(rep_client, rep, other_rep):
    company = services.company_create(actor=rep, data={"name": "Par role"})
    services.company_rep_add(company=company, user=other_rep, role="Support", actor=rep)
    listing = rep_client.get(reverse("company_list"), {"rep": other_rep.pk})
    assert b"Par role" in listing.content


def test_other_reps_company_refused(rep_client, other_rep, family):
    theirs = services.company_create(actor=other_rep, data={"name": "Theirs"})
    response = rep_client.post(
        reverse("company_family_reps", args=[theirs.pk]),
        {"family": family.pk, "user": other_rep.pk},
    )
    assert response.status_code == 403
    assert not FamilyRep.objects.exists()
