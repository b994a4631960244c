"""The stale-version rule has one home (`core.versions`): every service reads the version a
client sent through it, so junk is refused as stale (never a 500), and the one conflict screen
names the fields the two writers disagree on by their labels (`core.conflicts`)."""

from collections.abc import Callable

import pytest
from django import forms
from django.utils import translation

from contacts import services as contact_services
from contacts.forms import CompanyForm
from contacts.models import ExtraField
from core import versions
from core.conflicts import changed_fields, shown
from pipeline.models import Opportunity, StepProgress
from pipeline.services import activities
from pipeline.services import cards as card_services
from pipeline.services import opportunities as opportunity_services
from pipeline.services import steps as step_services
from prospects import services as prospect_services
from tests import factories as f

pytestmark = pytest.mark.django_db

JUNK = ["abc", "9" * 30, 10**30, "1.5", "-1", " 2 x", "²", True]


@pytest.mark.parametrize(
    ("sent", "read"),
    [(None, None), ("", None), (7, 7), ("7", 7), (" 7 ", 7), *[(junk, -1) for junk in JUNK]],
)
def test_parse_version(sent, read):
    assert versions.parse_version(sent) == read


def test_check_version_names_who_changed_the_record_and_when(manager):
    company = contact_services.company_create(actor=manager, data={"name": "Acme"})
    versions.check_version(company, None)  # nothing sent: not checked
    versions.check_version(company, str(company.version))
    with pytest.raises(versions.ConcurrentEdit) as refused:
        versions.check_version(company, company.version + 1)
    assert refused.value.current is company
    with translation.override("fr"):
        message = versions.ConcurrentEdit(company).message
    assert message.startswith("Cette fiche a été modifiée par Marie Martin le ")


# --- every service path refuses junk as stale -------------------------------------------------


def _opportunity(actor) -> Opportunity:
    return f.OpportunityFactory(prospect=f.ProspectFactory(owner=actor), owner=actor)


def _company(actor, version):
    company = contact_services.company_create(actor=actor, data={"name": "Acme"})
    contact_services.company_update(
        company=company, actor=actor, data={"name": "Other"}, version=version
    )


def _person(actor, version):
    person = contact_services.person_create(actor=actor, data={"last_name": "Martin"})
    contact_services.person_update(
        person=person, actor=actor, data={"last_name": "Other"}, version=version
    )


def _prospect(actor, version):
    prospect = f.ProspectFactory(owner=actor)
    prospect_services.prospect_update(
        prospect_id=prospect.pk, actor=actor, data={"city": "Other"}, expected_version=version
    )


def _prospect_extra(actor, version):
    field = ExtraField.objects.create(label="Budget holder")
    prospect = f.ProspectFactory(owner=actor)
    prospect_services.prospect_extra_update(
        prospect_id=prospect.pk, actor=actor, extra={field.pk: "Other"}, expected_version=version
    )


def _opportunity_update(actor, version):
    card_services.opportunity_update(
        opportunity_id=_opportunity(actor).pk,
        actor=actor,
        data={"summary": "Other"},
        expected_version=version,
    )


def _probability_follow_step(actor, version):
    card_services.opportunity_probability_follow_step(
        opportunity_id=_opportunity(actor).pk, actor=actor, expected_version=version
    )


def _move(actor, version):
    opportunity = _opportunity(actor)
    last = opportunity.process.steps.order_by("position").last()
    opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=actor, to_step=last, expected_version=version
    )


def _step_complete(actor, version):
    opportunity = _opportunity(actor)
    step = opportunity.process.steps.order_by("position").first()
    step_services.step_complete(
        opportunity_id=opportunity.pk, step_id=step.pk, actor=actor, expected_version=version
    )


def _step_uncomplete(actor, version):
    opportunity = _opportunity(actor)
    step = opportunity.process.steps.order_by("position").first()
    step_services.step_complete(opportunity_id=opportunity.pk, step_id=step.pk, actor=actor)
    step_services.step_uncomplete(
        opportunity_id=opportunity.pk, step_id=step.pk, actor=actor, expected_version=version
    )


def _trash(actor, version):
    opportunity_services.opportunity_trash(
        opportunity_id=_opportunity(actor).pk, actor=actor, expected_version=version
    )


def _task(actor, version):
    task = f.TaskFactory(assignee=actor, created_by=actor)
    activities.task_update(task=task, actor=actor, title="Other", expected_version=version)


SERVICES: dict[str, Callable] = {
    "company_update": _company,
    "person_update": _person,
    "prospect_update": _prospect,
    "prospect_extra_update": _prospect_extra,
    "opportunity_update": _opportunity_update,
    "opportunity_probability_follow_step": _probability_follow_step,
    "task_update": _task,
}
# The board's and step list's services answer a stale version with their refusal, built on
# the same rule (`refusal.conflict`), so the board snaps the card back.
MOVES: dict[str, Callable] = {
    "opportunity_move": _move,
    "step_complete": _step_complete,
    "step_uncomplete": _step_uncomplete,
    "opportunity_trash": _trash,
}


def _nothing_changed() -> None:
    assert not Opportunity.objects.filter(summary="Other").exists()
    assert not Opportunity.all_objects.filter(deleted_at__isnull=False).exists()


@pytest.mark.parametrize("junk", ["abc", "9" * 30])
@pytest.mark.parametrize("name", list(SERVICES))
def test_junk_version_is_refused_as_stale(name, junk, manager, default_process):
    with pytest.raises(versions.ConcurrentEdit) as refused:
        SERVICES[name](manager, junk)
    assert "was changed by" in refused.value.message
    _nothing_changed()


@pytest.mark.parametrize("junk", ["abc", "9" * 30])
@pytest.mark.parametrize("name", list(MOVES))
def test_junk_version_refuses_the_move_as_stale(name, junk, manager, default_process):
    with pytest.raises(opportunity_services.MoveRefused) as refused:
        MOVES[name](manager, junk)
    assert isinstance(refused.value.conflict, versions.ConcurrentEdit)
    with translation.override("en"):
        start = str(versions.STALE_VERSION).split("{")[0]
    assert refused.value.message.startswith(start)
    _nothing_changed()
    assert StepProgress.objects.count() == (1 if name == "step_uncomplete" else 0)


# --- the changed fields, by their labels ------------------------------------------------------


def test_changed_fields_are_named_by_their_labels_and_shown_as_users_read_them(manager):
    company = contact_services.company_create(
        actor=manager, data={"name": "Acme", "sector": "Dairy", "active": True}
    )
    typed = CompanyForm(
        {
            "name": "Acme",
            "sector": "Bakery",
            "country": "FR",
            "language": "fr",
            "currency": "EUR",
            "owner": manager.pk,
            "version": "abc",
        },
        instance=company,
    )
    assert typed.is_valid(), typed.errors
    with translation.override("fr"):
        current = CompanyForm(instance=company)
        rows = {change.label: change for change in changed_fields(typed, current)}
    assert list(rows) == ["Activité / secteur", "Actif"], "only what differs, by its label"
    assert (rows["Activité / secteur"].mine, rows["Activité / secteur"].current) == (
        "Bakery",
        "Dairy",
    )
    assert (rows["Actif"].mine, rows["Actif"].current) == ("Non", "Oui")


def test_shown_reads_choices_by_their_labels():
    field = forms.MultipleChoiceField(choices=[("0", "Monday"), ("1", "Tuesday")])
    assert shown(field, ["1", "0"]) == "Monday, Tuesday"
    assert shown(forms.CharField(), None) == ""
