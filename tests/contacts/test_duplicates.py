"""The duplicates page: same SIREN, same e-mail, same phone number however typed, similar names
in the same postal code; only among what the user sees."""

import pytest
from django.urls import reverse

from contacts import services
from contacts.duplicates import company_duplicate_groups, person_duplicate_groups
from tests import factories as f

pytestmark = pytest.mark.django_db


def _company(actor, name, postal_code="35000", **data):
    return services.company_create(
        actor=actor,
        data={"name": name, **data},
        address={"line1": "1 rue X", "postal_code": postal_code, "city": "Rennes"},
    )


def test_company_groups_by_each_reason(rep):
    a = _company(rep, "Alpha", siren="356000000")
    b = _company(rep, "Beta", "75001", siren="356000000")
    c = _company(rep, "Gamma", "75002", email="Info@x.fr", phone="01 88 33 44 55")
    d = _company(rep, "Delta", "75003", email="info@x.fr", phone="+33188334455")
    e = _company(rep, "Café Dupont", "69001")
    g = _company(rep, "CAFE DUPONT", "69001")
    _company(rep, "Cafe Dupont", "13001")  # same name, elsewhere: not a duplicate
    groups = {
        (grp.reason, tuple(r.pk for r in grp.records)) for grp in company_duplicate_groups(rep)
    }
    assert groups == {
        ("siren", (a.pk, b.pk)),
        ("email", (c.pk, d.pk)),
        ("phone", (c.pk, d.pk)),
        ("name", (e.pk, g.pk)),
    }


def test_only_what_the_user_sees(rep, other_rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    _company(rep, "Mine", siren="356000000")
    _company(other_rep, "Theirs", siren="356000000")
    assert company_duplicate_groups(rep) == []


def test_people_groups(rep):
    one = services.person_create(actor=rep, data={"first_name": "Léa", "last_name": "Martin"})
    two = services.person_create(actor=rep, data={"first_name": "léa", "last_name": "MARTIN"})
    three = services.person_create(actor=rep, data={"last_name": "Roux", "mobile": "0612345678"})
    four = services.person_create(
        actor=rep, data={"last_name": "Rousse", "mobile": "06 12 34 56 78"}
    )
    groups = {(g.reason, tuple(r.pk for r in g.records)) for g in person_duplicate_groups(rep)}
    assert groups == {("person_name", (one.pk, two.pk)), ("phone", (three.pk, four.pk))}


def test_duplicates_page(rep_client, rep):
    first = _company(rep, "Alpha", siren="356000000")
    second = _company(rep, "Beta", "75001", siren="356000000")
    page = rep_client.get(reverse("duplicate_list"))
    assert page.status_code == 200
    merge = reverse("company_merge", args=[first.pk]) + f"?other={second.pk}"
    assert merge.encode() in page.content
    f.ProspectFactory(owner=rep, email="same@example.fr", last_name="A")
    f.ProspectFactory(owner=rep, email="SAME@example.fr", last_name="B")
    page = rep_client.get(reverse("duplicate_list"), {"kind": "prospect"})
    assert b'data-duplicate-group="email"' in page.content
    page = rep_client.get(reverse("duplicate_list"), {"kind": "person"})
    assert page.status_code == 200
