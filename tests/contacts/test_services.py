import pytest
from django.core.exceptions import ValidationError

from contacts import services
from contacts.models import Address, Affiliation, Company, CompanySearchWord, Person
from core.versions import ConcurrentEdit
from tests import factories as f

pytestmark = pytest.mark.django_db


def make_company(actor, **data):
    data.setdefault("name", "Dupont Industrie")
    return services.company_create(actor=actor, data=data)


def test_company_create_records_author_and_normalises(rep):
    company = make_company(
        rep, siren="542 051 180", phone="01 42 68 53 00", naf_code="6201z", website="www.dupont.fr"
    )
    assert company.created_by == rep and company.updated_by == rep and company.owner == rep
    assert company.version == 1
    assert company.siren == "542051180"
    assert company.phone == "+33142685300"
    assert company.naf_code == "62.01Z"
    assert company.website == "https://www.dupont.fr"
    assert company.kind == Company.Kind.PROSPECT


def test_company_create_every_wrong_field_has_its_message(rep):
    with pytest.raises(ValidationError) as exc:
        make_company(
            rep,
            siren="123456789",
            vat_number="FR00542051180",
            naf_code="62",
            phone="12",
            email="nope",
        )
    errors = exc.value.message_dict
    assert set(errors) >= {"siren", "vat_number", "naf_code", "phone"}
    assert Company.objects.count() == 0


def test_company_update_bumps_version_and_refuses_stale(rep, other_rep):
    company = make_company(rep)
    updated = services.company_update(
        company=company, actor=other_rep, data={"name": "Dupont SA"}, version=1
    )
    assert updated.version == 2 and updated.updated_by == other_rep
    with pytest.raises(ConcurrentEdit) as exc:
        services.company_update(company=company, actor=rep, data={"name": "Dupont SAS"}, version=1)
    assert exc.value.current.name == "Dupont SA"
    assert Company.objects.get().name == "Dupont SA"


def test_first_address_is_default_and_new_default_unsets_old(rep):
    company = make_company(rep)
    first = services.address_create(
        company=company,
        actor=rep,
        data={"line1": "1 rue A", "postal_code": "35000", "city": "Rennes"},
    )
    assert first.is_default
    second = services.address_create(
        company=company, actor=rep, data={"line1": "2 rue B", "city": "Brest", "is_default": False}
    )
    assert not second.is_default
    third = services.address_create(
        company=company, actor=rep, data={"line1": "3 rue C", "city": "Vannes", "is_default": True}
    )
    assert list(Address.objects.filter(company=company, is_default=True)) == [third]
    services.address_set_default(address=second, actor=rep)
    assert list(Address.objects.filter(company=company, is_default=True)) == [second]
    services.address_delete(address=second, actor=rep)
    assert Address.objects.filter(company=company, is_default=True).count() == 1


def test_the_only_address_stays_default(rep):
    company = make_company(rep)
    only = services.address_create(company=company, actor=rep, data={"line1": "1 rue A"})
    services.address_update(address=only, actor=rep, data={"is_default": False})
    only.refresh_from_db()
    assert only.is_default


def test_search_words_follow_name_and_addresses(rep):
    company = make_company(rep, name="École d'Été")
    services.address_create(
        company=company,
        actor=rep,
        data={"line1": "1 rue A", "postal_code": "35000", "city": "Saint-Malo"},
    )
    company.refresh_from_db()
    assert company.search_text == "ecole d ete 35000 saint malo"
    assert set(
        CompanySearchWord.objects.filter(company=company).values_list("word", flat=True)
    ) == {
        "ecole",
        "d",
        "ete",
        "35000",
        "saint",
        "malo",
    }


def test_person_shared_by_two_companies_without_copy(rep):
    a, b = make_company(rep, name="A"), make_company(rep, name="B")
    person = services.person_create(
        actor=rep, data={"last_name": "Martin", "email": "m@example.fr"}, company=a
    )
    services.affiliation_create(person=person, company=b, actor=rep, role="Buyer", rank=2)
    assert Person.objects.count() == 1
    assert set(person.companies.all()) == {a, b}
    # The first contact of each company is its default contact.
    assert (
        Affiliation.objects.get(company=a).is_default
        and Affiliation.objects.get(company=b).is_default
    )
    with pytest.raises(ValidationError):
        services.affiliation_create(person=person, company=b, actor=rep)


def test_one_default_contact_per_company(rep):
    company = make_company(rep)
    p1 = services.person_create(actor=rep, data={"last_name": "Un"}, company=company)
    p2 = services.person_create(
        actor=rep, data={"last_name": "Deux"}, company=company, affiliation={"is_default": True}
    )
    assert Affiliation.objects.get(company=company, is_default=True).person == p2
    services.affiliation_delete(affiliation=Affiliation.objects.get(person=p2), actor=rep)
    assert Affiliation.objects.get(company=company, is_default=True).person == p1
    assert Person.objects.filter(pk=p2.pk).exists()


def test_person_update_stale(rep):
    person = services.person_create(actor=rep, data={"last_name": "Martin", "phone": "0612345678"})
    assert person.phone == "+33612345678"
    services.person_update(person=person, actor=rep, data={"job_title": "CEO"}, version=1)
    with pytest.raises(ConcurrentEdit):
        services.person_update(person=person, actor=rep, data={"job_title": "CFO"}, version=1)


def test_transform_refused_with_missing_fields(rep):
    company = make_company(rep, owner=None)
    with pytest.raises(ValidationError) as exc:
        services.company_transform_to_customer(company=company, actor=rep)
    message = exc.value.messages[0]
    for label in (
        "customer code",
        "default address",
        "owner (sales representative)",
        "SIREN",
        "VAT number",
    ):
        assert label in message
    company.refresh_from_db()
    assert company.kind == Company.Kind.PROSPECT


def test_transform_refuses_a_used_customer_code(rep):
    f.CompanyFactory(customer_code="C001", kind=Company.Kind.CUSTOMER)
    company = make_company(rep, siren="542051180", vat_number="FR59542051180")
    services.address_create(company=company, actor=rep, data={"line1": "1 rue A"})
    with pytest.raises(ValidationError) as exc:
        services.company_transform_to_customer(company=company, actor=rep, customer_code="C001")
    assert "C001 is already used" in exc.value.messages[0]


def test_transform_success(rep):
    company = make_company(rep, siren="542051180", vat_number="FR59542051180")
    services.address_create(company=company, actor=rep, data={"line1": "1 rue A"})
    customer = services.company_transform_to_customer(
        company=company, actor=rep, customer_code="C002"
    )
    assert customer.kind == Company.Kind.CUSTOMER and customer.customer_code == "C002"
    assert customer.version == 2
    assert not Company.objects.prospects().filter(pk=company.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.company_transform_to_customer(company=customer, actor=rep)
    assert exc.value.messages == [str(services.ALREADY_CUSTOMER)]


def test_transform_foreign_natural_person_needs_no_siren(rep):
    company = make_company(rep, country="BE", is_natural_person=True)
    services.address_create(company=company, actor=rep, data={"line1": "1 rue A", "country": "BE"})
    assert (
        services.company_transform_to_customer(company=company, actor=rep, customer_code="B1").kind
        == "customer"
    )


def test_french_vat_must_contain_the_siren(rep):
    with pytest.raises(ValidationError) as exc:
        make_company(rep, siren="542051180", vat_number="FR44732829320")
    assert exc.value.message_dict == {"vat_number": [str(services.VAT_NOT_SIREN)]}
