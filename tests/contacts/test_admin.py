"""The admin of the contact file writes through the pages' services: companies and people
(normalised fields, search words, version, trash), addresses and affiliations (one default)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from contacts import services
from contacts.models import Address, Affiliation, Company, CompanySearchWord, Person
from core import trash
from tests import factories as f
from tests.admin_forms import add_inline_row, admin_form_data, errors_of

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:contacts_{obj._meta.model_name}_change", args=[obj.pk])


def _row(data: dict, prefix: str, obj) -> str:
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(obj.pk):
            return key.removesuffix("-id")
    raise AssertionError(f"no row for {obj}")


@pytest.fixture
def company(rep, manager):
    return services.company_create(
        actor=manager,
        data={"name": "Transports Durand", "owner": rep},
        address={"line1": "1 rue de la Gare", "postal_code": "69001", "city": "Lyon"},
    )


@pytest.mark.parametrize("kind", ["company", "person"])
def test_the_admin_puts_into_the_trash_and_never_deletes(kind, manager_client, manager, rep):
    obj = f.CompanyFactory(owner=rep) if kind == "company" else f.PersonFactory(owner=rep)
    model = type(obj)
    changelist = reverse(f"admin:contacts_{kind}_changelist")

    assert (
        manager_client.get(reverse(f"admin:contacts_{kind}_delete", args=[obj.pk])).status_code
        == 403
    )
    actions = dict(manager_client.get(changelist).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions
    assert "move_to_trash" in actions

    response = manager_client.post(
        changelist, {"action": "move_to_trash", admin.helpers.ACTION_CHECKBOX_NAME: [obj.pk]}
    )

    assert response.status_code == 302
    stored = model.all_objects.get(pk=obj.pk)
    assert stored.deleted_at is not None and stored.deleted_by == manager
    assert not model.objects.filter(pk=obj.pk).exists()
    trash.record_restore(obj=stored, actor=manager)
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_company_saved_in_the_admin_goes_through_the_update_service(manager_client, company):
    data = admin_form_data(manager_client.get(change_url(company)))
    data.update(name="Transports Martin", phone="04 78 00 00 00")

    assert manager_client.post(change_url(company), data).status_code == 302

    company.refresh_from_db()
    assert company.phone == "+33478000000"  # normalised as on the company's page
    words = set(CompanySearchWord.objects.filter(company=company).values_list("word", flat=True))
    assert {"martin", "lyon", "69001"} <= words
    assert "durand" not in words


def test_becoming_a_customer_is_not_an_admin_edit(manager_client, company):
    form = manager_client.get(change_url(company)).context["adminform"].form
    for name in ["kind", "customer_code", "last_contact_at", "next_contact_at", "search_text"]:
        assert name not in form.fields, name


def test_a_stale_company_form_is_refused(manager_client, company, manager):
    data = admin_form_data(manager_client.get(change_url(company)))
    services.company_update(
        company=company, actor=manager, data={"name": "Meanwhile"}, version=company.version
    )
    data["name"] = "Overwrites"

    response = manager_client.post(change_url(company), data, follow=True)

    assert "your changes were not saved" in response.content.decode()
    assert Company.objects.get(pk=company.pk).name == "Meanwhile"


def test_a_rule_of_the_service_refuses_and_changes_nothing(manager_client, company):
    """Each number is valid alone; the service refuses a French VAT number of another SIREN."""
    version = company.version
    data = admin_form_data(manager_client.get(change_url(company)))
    data.update(name="Renamed", siren="542051180", vat_number="FR44732829320")

    response = manager_client.post(change_url(company), data)

    assert response.status_code == 200
    assert str(services.VAT_NOT_SIREN) in errors_of(response)
    company.refresh_from_db()
    assert (company.name, company.version) == ("Transports Durand", version)


def test_addresses_keep_one_default_through_the_services(manager_client, company):
    first = company.addresses.get()
    url = change_url(company)
    page = manager_client.get(url)
    data = admin_form_data(page)
    values = {
        "line1": "2 quai Perrache",
        "postal_code": "69002",
        "city": "Lyon",
        "is_default": "on",
    }
    add_inline_row(data, page, Address, values)

    response = manager_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    second = company.addresses.get(postal_code="69002")
    assert list(company.addresses.filter(is_default=True)) == [second]
    assert CompanySearchWord.objects.filter(company=company, word="69002").exists()

    # Deleting the default address makes the remaining one the default (`address_delete`).
    data = admin_form_data(manager_client.get(url))
    data[f"{_row(data, 'addresses', second)}-DELETE"] = "on"
    assert manager_client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert first.is_default
    assert not CompanySearchWord.objects.filter(company=company, word="69002").exists()


def test_the_first_contact_of_a_company_becomes_its_default(manager_client, company):
    person = f.PersonFactory(last_name="Morel")
    url = change_url(company)
    page = manager_client.get(url)
    data = admin_form_data(page)
    add_inline_row(data, page, Affiliation, {"person": str(person.pk), "role": "Buyer"})

    response = manager_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    affiliation = Affiliation.objects.get(company=company, person=person)
    assert affiliation.is_default
    assert affiliation.role == "Buyer"


def test_a_person_saved_in_the_admin_goes_through_the_update_service(manager_client, rep):
    person = f.PersonFactory(owner=rep, last_name="Morel")
    data = admin_form_data(manager_client.get(change_url(person)))
    data["mobile"] = "06 12 34 56 78"

    assert manager_client.post(change_url(person), data).status_code == 302

    person.refresh_from_db()
    assert person.mobile == "+33612345678"
    assert Person.objects.get(pk=person.pk).version == 2
