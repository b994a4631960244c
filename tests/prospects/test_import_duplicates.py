"""An import refuses a row that duplicates an existing prospect or contact; the reason names
the record only when the importing user may see it (REPS_SEE_ONLY_OWN=1 hides the others':
the row is still refused, the record exists, but neither its name nor its number shows)."""

import csv

import pytest

from contacts.models import Prospect
from core.roles import user_groups
from prospects import importing
from prospects.imports import _duplicates_in_database, prospects_import
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["Nom", "Prénom", "Société", "Courriel"]


def import_rows(tmp_path, actor, rows):
    path = tmp_path / "file.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([HEADER, *rows])
    report = prospects_import(path=path, actor=actor, valid_only=True)
    return {r["row"]: r["reason"] for r in report.refused_rows}, report


@pytest.fixture
def records(rep, other_rep):
    return {
        "their_prospect": f.ProspectFactory(
            owner=other_rep,
            last_name="Secret",
            first_name="Sam",
            company_name="Hidden SA",
            email="sam@hidden.fr",
        ),
        "their_named": f.ProspectFactory(
            owner=other_rep, last_name="Caché", first_name="Luc", company_name="Ombre SARL"
        ),
        "their_person": f.PersonFactory(owner=other_rep, email="zoe@hidden.fr"),
        "my_prospect": f.ProspectFactory(owner=rep, email="paul@mine.fr"),
        "my_person": f.PersonFactory(owner=rep, email="ana@mine.fr"),
    }


ROWS = [
    ["Secret", "Sam", "Hidden SA", "sam@hidden.fr"],  # 2: their prospect, by e-mail
    ["Caché", "Luc", "Ombre SARL", ""],  # 3: their prospect, by name and company
    ["Zed", "Zoé", "Zeta", "zoe@hidden.fr"],  # 4: their person, by e-mail
    ["Hisson", "Paul", "Euro", "paul@mine.fr"],  # 5: my prospect
    ["Lima", "Ana", "Alpha", "ana@mine.fr"],  # 6: my person
]


def test_a_duplicate_of_a_record_the_user_may_not_see_is_refused_without_naming_it(
    tmp_path, rep, records, settings
):
    settings.REPS_SEE_ONLY_OWN = True
    prospects_before = Prospect.all_objects.count()
    reasons, report = import_rows(tmp_path, rep, ROWS)
    assert reasons == {
        2: str(importing.DUPLICATE_PROSPECT_HIDDEN),
        3: str(importing.DUPLICATE_PROSPECT_HIDDEN),
        4: str(importing.DUPLICATE_PERSON_HIDDEN),
        5: str(importing.DUPLICATE_PROSPECT).format(id=records["my_prospect"].pk),
        6: str(importing.DUPLICATE_PERSON).format(id=records["my_person"].pk),
    }
    assert not any("#" in reasons[row] for row in (2, 3, 4))
    assert report.duplicates == 5 and report.created == 0
    assert Prospect.all_objects.count() == prospects_before


def test_a_duplicate_of_a_record_the_team_sees_is_named(tmp_path, rep, records):
    reasons, _report = import_rows(tmp_path, rep, ROWS[:3])
    assert reasons == {
        2: str(importing.DUPLICATE_PROSPECT).format(id=records["their_prospect"].pk),
        3: str(importing.DUPLICATE_PROSPECT).format(id=records["their_named"].pk),
        4: str(importing.DUPLICATE_PERSON).format(id=records["their_person"].pk),
    }


def test_the_command_without_a_user_names_every_duplicate(tmp_path, records, settings):
    settings.REPS_SEE_ONLY_OWN = True
    reasons, _report = import_rows(tmp_path, None, ROWS[:1])
    assert reasons == {2: str(importing.DUPLICATE_PROSPECT).format(id=records["their_prospect"].pk)}


def test_an_unassigned_record_is_named_to_a_rep_who_sees_only_his_own(tmp_path, rep, settings):
    settings.REPS_SEE_ONLY_OWN = True
    unassigned = f.ProspectFactory(owner=None, email="free@nobody.fr")
    reasons, _report = import_rows(tmp_path, rep, [["Libre", "Léa", "Nul", "free@nobody.fr"]])
    assert reasons == {2: str(importing.DUPLICATE_PROSPECT).format(id=unassigned.pk)}


def test_a_manager_sees_every_duplicate_named(tmp_path, manager, records, settings):
    settings.REPS_SEE_ONLY_OWN = True
    reasons, _report = import_rows(tmp_path, manager, ROWS[:3])
    assert reasons == {
        2: str(importing.DUPLICATE_PROSPECT).format(id=records["their_prospect"].pk),
        3: str(importing.DUPLICATE_PROSPECT).format(id=records["their_named"].pk),
        4: str(importing.DUPLICATE_PERSON).format(id=records["their_person"].pk),
    }


@pytest.mark.parametrize("matches", [1, 30])
def test_a_chunks_duplicate_look_up_is_two_queries_whatever_it_finds(
    rep, other_rep, settings, django_assert_num_queries, matches
):
    """Whether the user may see each match is decided from its owner, not asked per match."""
    settings.REPS_SEE_ONLY_OWN = True
    for i in range(matches):
        f.ProspectFactory(owner=other_rep if i % 2 else rep, email=f"p{i}@dup.fr")
        f.PersonFactory(owner=other_rep if i % 2 else rep, email=f"q{i}@dup.fr")
    mapping = importing.guess_mapping(HEADER)
    lookups = importing.Lookups.load()
    rows = [
        importing.check_row(n, [f"Nom{n}", "", "", f"{kind}{n}@dup.fr"], mapping, lookups)
        for n in range(matches)
        for kind in ("p", "q")
    ]
    user_groups(rep)  # read once per user object, as in a whole import
    with django_assert_num_queries(2):
        _duplicates_in_database(rows, rep)
    assert sum(bool(r.duplicate) for r in rows) == 2 * matches
    hidden = {str(importing.DUPLICATE_PROSPECT_HIDDEN), str(importing.DUPLICATE_PERSON_HIDDEN)}
    assert sum(r.duplicate in hidden for r in rows) == 2 * (matches // 2)
