import pytest

from contacts import services
from contacts.models import Company
from contacts.selectors import company_duplicates, company_search, person_duplicates

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(rep):
    def make(name, postal_code="", city=""):
        company = services.company_create(actor=rep, data={"name": name})
        if postal_code or city:
            services.address_create(
                company=company,
                actor=rep,
                data={"line1": "1 rue A", "postal_code": postal_code, "city": city},
            )
        return company

    return {
        "dupont": make("DUPONT SA", "35000", "Rennes"),
        "dupuis": make("Dupuis & Fils", "75011", "Paris"),
        "ecole": make("École des Mines", "44300", "Nantes"),
        "martin": make("Martin Frères", "35400", "Saint-Malo"),
    }


def names(query):
    return set(company_search(Company.objects.all(), query).values_list("name", flat=True))


def test_word_start_of_name(companies):
    assert names("dup") == {"DUPONT SA", "Dupuis & Fils"}
    assert names("pont") == set()  # not a word start


def test_several_words_combine(companies):
    assert names("dup 35") == {"DUPONT SA"}
    assert names("35") == {"DUPONT SA", "Martin Frères"}
    assert names("dup paris") == {"Dupuis & Fils"}


def test_accents_and_case(companies):
    assert names("ecole") == {"École des Mines"}
    assert names("ÉCOLE nan") == {"École des Mines"}
    assert names("freres") == {"Martin Frères"}


def test_postal_code_and_city(companies):
    assert names("44300") == {"École des Mines"}
    assert names("malo") == {"Martin Frères"}
    assert names("saint-malo") == {"Martin Frères"}


def test_empty_query_returns_everything(companies):
    assert len(names("  ")) == 4


def test_company_duplicates(rep, companies):
    services.company_update(
        company=companies["dupont"],
        actor=rep,
        data={"siren": "542051180", "email": "a@dupont.fr"},
        version=1,
    )
    by_siren = company_duplicates(name="Other", siren="542051180")
    assert [(c.name, r) for c, r in by_siren] == [("DUPONT SA", ["siren"])]
    by_name = company_duplicates(name="dupont  sa")
    assert [(c.name, r) for c, r in by_name] == [("DUPONT SA", ["name"])]
    by_email = company_duplicates(name="Other", email="A@DUPONT.FR")
    assert [r for _c, r in by_email] == [["email"]]
    assert company_duplicates(name="Dupont") == []  # a longer name is not the same name


def test_person_duplicates(rep):
    services.person_create(
        actor=rep,
        data={"first_name": "Hélène", "last_name": "Martin", "email": "h.martin@example.fr"},
    )
    assert [r for _p, r in person_duplicates(first_name="Helene", last_name="MARTIN")] == [["name"]]
    assert [r for _p, r in person_duplicates(last_name="Other", email="H.Martin@example.fr")] == [
        ["email"]
    ]
    assert person_duplicates(first_name="Paul", last_name="Martin") == []
