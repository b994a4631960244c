import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contacts.models import Affiliation, Company, Person, Prospect
from core import trash
from core import versions as versions
from pipeline.models import HistoryEntry, Opportunity, OpportunityLine
from pipeline.services import cards as card_services
from pipeline.services import lines as line_services
from pipeline.services.opportunities import LOSS_REASON_REQUIRED, MoveRefused
from prospects import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_prospect_create_sets_owner_search_text_and_history(rep):
    prospect = services.prospect_create(
        actor=rep, data={"last_name": "Énard", "company_name": "Acme", "city": "Besançon"}
    )
    assert prospect.owner == rep
    assert prospect.created_by == rep
    assert "enard" in prospect.search_text and "besancon" in prospect.search_text
    assert prospect.history.get().kind == HistoryEntry.Kind.CREATED


def test_prospect_update_refuses_a_stale_version(rep, other_rep):
    prospect = services.prospect_create(actor=rep, data={"last_name": "Durand"})
    seen = prospect.version
    services.prospect_update(
        prospect_id=prospect.pk, actor=rep, data={"city": "Lyon"}, expected_version=seen
    )
    with pytest.raises(versions.ConcurrentEdit) as conflict:
        services.prospect_update(
            prospect_id=prospect.pk, actor=rep, data={"city": "Paris"}, expected_version=seen
        )
    assert conflict.value.current.city == "Lyon"
    prospect.refresh_from_db()
    assert prospect.city == "Lyon"


def test_owner_change_is_recorded(rep, other_rep):
    prospect = services.prospect_create(actor=rep, data={"last_name": "Durand"})
    services.prospect_update(
        prospect_id=prospect.pk, actor=rep, data={"owner": other_rep}, expected_version=None
    )
    entry = prospect.history.get(kind=HistoryEntry.Kind.OWNER)
    assert entry.from_value == "Alice Durand"
    assert entry.to_value == "Bruno Lefèvre"
    assert entry.actor == rep


def test_rep_cannot_update_someone_elses_prospect(rep, other_rep):
    prospect = f.ProspectFactory(owner=other_rep)
    with pytest.raises(PermissionDenied):
        services.prospect_update(
            prospect_id=prospect.pk, actor=rep, data={"city": "X"}, expected_version=None
        )


def test_bulk_assign_categorize_and_trash_skip_what_the_rep_may_not_change(
    rep, other_rep, default_process
):
    mine = f.ProspectFactory(owner=rep)
    theirs = f.ProspectFactory(owner=other_rep)
    opportunity = f.OpportunityFactory(prospect=mine, owner=rep)
    category = f.CategoryFactory(name="Hot")
    assert (
        services.prospects_categorize(
            prospect_ids=[mine.pk, theirs.pk], category=category, actor=rep
        )
        == 1
    )
    assert list(mine.categories.all()) == [category]
    assert (
        services.prospects_assign(prospect_ids=[mine.pk, theirs.pk], owner=other_rep, actor=rep)
        == 1
    )
    opportunity.refresh_from_db()
    assert opportunity.owner == other_rep
    assert HistoryEntry.objects.filter(kind=HistoryEntry.Kind.OWNER).count() == 2
    # Both now belong to bruno: alice may not delete them; bruno may.
    assert services.prospects_trash(prospect_ids=[mine.pk, theirs.pk], actor=rep) == 0
    assert services.prospects_trash(prospect_ids=[mine.pk], actor=other_rep) == 1
    assert not Prospect.objects.filter(pk=mine.pk).exists()
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_trash_all_needs_a_manager_and_the_typed_word(rep, manager, default_process):
    f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    with pytest.raises(PermissionDenied):
        services.prospects_trash_all(actor=rep, confirmation="DELETE")
    with pytest.raises(ValidationError):
        services.prospects_trash_all(actor=manager, confirmation="delete")
    assert services.prospects_trash_all(actor=manager, confirmation="DELETE") == 1
    assert not Prospect.objects.exists()
    assert not Opportunity.objects.exists()
    assert Prospect.all_objects.trashed().count() == 1


def test_restore_brings_back_prospects_and_their_opportunities(rep, manager, default_process):
    prospect = f.ProspectFactory(owner=rep)
    opportunity = f.OpportunityFactory(prospect=prospect, owner=rep)
    earlier = f.OpportunityFactory(prospect=prospect, owner=rep)
    Opportunity.objects.filter(pk=earlier.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=2)
    )
    services.prospects_trash_all(actor=manager, confirmation="DELETE")
    with pytest.raises(PermissionDenied):
        services.prospects_restore(prospect_ids=[prospect.pk], actor=rep)
    assert services.prospects_restore(prospect_ids=[prospect.pk], actor=manager) == 1
    assert Prospect.objects.filter(pk=prospect.pk).exists()
    assert list(Opportunity.objects.filter(prospect=prospect)) == [
        opportunity
    ]  # the one deleted earlier stays


def test_restore_and_purge_respect_the_retention(manager, settings):
    settings.TRASH_RETENTION_DAYS = 30
    old = f.ProspectFactory()
    recent = f.ProspectFactory()
    Prospect.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - dt.timedelta(days=31))
    Prospect.all_objects.filter(pk=recent.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=29)
    )
    with pytest.raises(ValidationError):
        services.prospects_restore(prospect_ids=[old.pk], actor=manager)
    assert trash.trash_purge()["contacts.Prospect"] >= 1
    assert not Prospect.all_objects.filter(pk=old.pk).exists()
    assert Prospect.all_objects.filter(pk=recent.pk).exists()


def test_add_to_contacts_creates_company_person_and_is_idempotent(rep, default_process):
    prospect = f.ProspectFactory(
        owner=rep,
        company_name="Euro Transports",
        first_name="Paul",
        last_name="Hisson",
        email="paul@euro.fr",
        phone="+33188334455",
        address="1 rue du Port",
        postal_code="45000",
        city="Orléans",
        country="France",
    )
    opportunity = f.OpportunityFactory(prospect=prospect, owner=rep)
    company, person = services.prospect_add_to_contacts(prospect_id=prospect.pk, actor=rep)
    assert company.name == "Euro Transports"
    assert company.default_address.city == "Orléans"
    assert person.email == "paul@euro.fr"
    assert Affiliation.objects.filter(person=person, company=company).exists()
    prospect.refresh_from_db()
    assert (prospect.company, prospect.person) == (company, person)
    opportunity.refresh_from_db()
    assert opportunity.company == company
    again = services.prospect_add_to_contacts(prospect_id=prospect.pk, actor=rep)
    assert again == (company, person)
    assert Company.objects.count() == 1 and Person.objects.count() == 1
    assert prospect.history.filter(kind=HistoryEntry.Kind.CONVERTED).count() == 1


def test_add_to_contacts_reuses_matching_company_and_person(rep):
    company = f.CompanyFactory(name="SOFAR & Cie", siren="")
    person = f.PersonFactory(email="contact@sofar.fr", last_name="Rigollaud")
    prospect = f.ProspectFactory(
        owner=rep, company_name="Sofar & cie", last_name="RIGOLLAUD", email="Contact@Sofar.fr"
    )
    got_company, got_person = services.prospect_add_to_contacts(prospect_id=prospect.pk, actor=rep)
    assert (got_company, got_person) == (company, person)
    assert Company.objects.count() == 1 and Person.objects.count() == 1


def test_add_to_contacts_reuses_a_company_by_siren(rep):
    company = f.CompanyFactory(name="Completely Different", siren="732829320")
    prospect = f.ProspectFactory(
        owner=rep, company_name="Euro Transports", siren="732829320", email="a@euro.fr"
    )
    got_company, _person = services.prospect_add_to_contacts(prospect_id=prospect.pk, actor=rep)
    assert got_company == company


def test_import_a_contact_links_and_is_idempotent(rep):
    company = f.CompanyFactory(name="Acme")
    f.AddressFactory(company=company, city="Lyon", postal_code="69001")
    person = f.PersonFactory(last_name="Martin", first_name="Luc", email="luc@acme.fr")
    f.AffiliationFactory(person=person, company=company, is_default=True)
    prospect = services.prospect_from_person(person_id=person.pk, actor=rep)
    assert prospect.person == person and prospect.company == company
    assert prospect.company_name == "Acme"
    assert prospect.city == "Lyon"
    assert prospect.email == "luc@acme.fr"
    assert services.prospect_from_person(person_id=person.pk, actor=rep) == prospect
    assert Prospect.objects.count() == 1


def test_lines_compute_totals_and_the_amount(rep, default_process):
    opportunity = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep), owner=rep, amount=Decimal("999")
    )
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={
            "item": "Machine à gâteau",
            "unit": "CH",
            "quantity": Decimal("50"),
            "unit_price": Decimal("1000"),
        },
    )
    assert line.total == Decimal("50000.00")
    line_services.opportunity_line_add(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={
            "item": "Moule",
            "quantity": Decimal("3"),
            "unit_price": Decimal("100"),
            "adjusted_price": Decimal("90"),
            "discount": Decimal("10"),
        },
    )
    opportunity.refresh_from_db()
    assert OpportunityLine.objects.get(item="Moule").total == Decimal("243.00")
    assert opportunity.amount == Decimal("50243.00")
    line_services.opportunity_line_update(
        line_id=line.pk, actor=rep, data={"quantity": Decimal("2")}
    )
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("2243.00")
    line_services.opportunity_line_delete(line_id=line.pk, actor=rep)
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("243.00")


def test_line_needs_an_item(rep, default_process):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    with pytest.raises(ValidationError):
        line_services.opportunity_line_add(
            opportunity_id=opportunity.pk, actor=rep, data={"item": " "}
        )


def test_lost_requires_a_loss_reason_and_won_sets_the_closing_date(rep, default_process):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    with pytest.raises(MoveRefused) as refused:
        card_services.opportunity_update(
            opportunity_id=opportunity.pk,
            actor=rep,
            data={},
            expected_version=None,
            to_status=Opportunity.Status.LOST,
        )
    assert refused.value.message == str(LOSS_REASON_REQUIRED)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.OPEN
    reason = f.LossReasonFactory(name="Too expensive")
    card_services.opportunity_update(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={},
        expected_version=None,
        to_status=Opportunity.Status.LOST,
        loss_reason=reason,
    )
    opportunity.refresh_from_db()
    assert opportunity.loss_reason == reason
    assert opportunity.closing_date == timezone.localdate()
    assert opportunity.history.filter(kind=HistoryEntry.Kind.STATUS).exists()


def test_opportunity_update_records_owner_change_and_refuses_stale_version(
    rep, other_rep, default_process
):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    seen = opportunity.version
    card_services.opportunity_update(
        opportunity_id=opportunity.pk,
        actor=rep,
        data={"owner": other_rep, "rating": 4},
        expected_version=seen,
    )
    assert opportunity.history.filter(kind=HistoryEntry.Kind.OWNER).exists()
    with pytest.raises(versions.ConcurrentEdit):
        card_services.opportunity_update(
            opportunity_id=opportunity.pk, actor=rep, data={"rating": 1}, expected_version=seen
        )


# --- rights split, trash touch, probability following the step


@pytest.fixture
def managers_only_process(db):
    """A process whose modify right is the managers' group only (reps excluded)."""
    process = f.ProcessFactory(steps=[("Contact", 3, 20), ("Offer", 5, 60)])
    process.modify_groups.add(f.manager_group())
    return process


def test_opportunity_update_needs_the_process_modify_right(rep, managers_only_process):
    opportunity = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep), process=managers_only_process, summary="Before"
    )
    with pytest.raises(PermissionDenied):
        card_services.opportunity_update(
            opportunity_id=opportunity.pk,
            actor=rep,
            data={"summary": "After"},
            expected_version=None,
        )
    opportunity.refresh_from_db()
    assert opportunity.summary == "Before"


def test_line_services_need_the_process_modify_right(rep, manager, managers_only_process):
    opportunity = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep), process=managers_only_process
    )
    line = line_services.opportunity_line_add(
        opportunity_id=opportunity.pk,
        actor=manager,
        data={"item": "Audit", "quantity": 1, "unit_price": Decimal(100)},
    )
    with pytest.raises(PermissionDenied):
        line_services.opportunity_line_add(
            opportunity_id=opportunity.pk, actor=rep, data={"item": "More", "quantity": 1}
        )
    with pytest.raises(PermissionDenied):
        line_services.opportunity_line_update(line_id=line.pk, actor=rep, data={"quantity": 3})
    with pytest.raises(PermissionDenied):
        line_services.opportunity_line_delete(line_id=line.pk, actor=rep)
    assert opportunity.lines.count() == 1


def test_trash_touches_the_prospect_and_its_opportunities(rep, other_rep, default_process):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), updated_by=other_rep)
    prospect = opportunity.prospect
    before_opportunity, before_prospect = opportunity.version, prospect.version
    assert services.prospects_trash(prospect_ids=[prospect.pk], actor=rep) == 1
    trashed = Opportunity.all_objects.get(pk=opportunity.pk)
    assert trashed.deleted_at is not None and trashed.deleted_by == rep
    assert trashed.updated_by == rep and trashed.updated_at == trashed.deleted_at
    assert trashed.version == before_opportunity + 1
    assert Prospect.all_objects.get(pk=prospect.pk).version == before_prospect + 1


def test_a_form_opened_before_the_trash_is_stale(rep, manager, default_process):
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep))
    seen = opportunity.version
    services.prospects_trash(prospect_ids=[opportunity.prospect_id], actor=rep)
    services.prospects_restore(prospect_ids=[opportunity.prospect_id], actor=manager)
    restored = Opportunity.objects.get(pk=opportunity.pk)
    assert restored.version == seen + 2 and restored.updated_by == manager
    with pytest.raises(versions.ConcurrentEdit):
        card_services.opportunity_update(
            opportunity_id=opportunity.pk, actor=rep, data={"summary": "x"}, expected_version=seen
        )


def test_probability_follows_the_step_again(rep):
    process = f.ProcessFactory(steps=[("Contact", 3, 40)])
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), process=process)
    card_services.opportunity_update(
        opportunity_id=opportunity.pk, actor=rep, data={"probability": 75}, expected_version=None
    )
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.probability_is_manual) == (75, True)
    version = opportunity.version

    result = card_services.opportunity_probability_follow_step(
        opportunity_id=opportunity.pk, actor=rep, expected_version=version
    )
    assert (result.probability, result.probability_is_manual) == (40, False)
    assert result.version == version + 1 and result.updated_by == rep
    entry = HistoryEntry.objects.get(opportunity=opportunity, kind=HistoryEntry.Kind.PROBABILITY)
    assert (entry.from_value, entry.to_value, entry.actor) == ("75 %", "40 %", rep)
    # Already following: nothing changes, nothing recorded.
    card_services.opportunity_probability_follow_step(opportunity_id=opportunity.pk, actor=rep)
    assert (
        HistoryEntry.objects.filter(
            opportunity=opportunity, kind=HistoryEntry.Kind.PROBABILITY
        ).count()
        == 1
    )


def test_probability_follow_step_uses_the_status_rule_and_the_rights(
    rep, other_rep, managers_only_process
):
    won = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep),
        status=Opportunity.Status.WON,
        probability=70,
        probability_is_manual=True,
    )
    assert (
        card_services.opportunity_probability_follow_step(
            opportunity_id=won.pk, actor=rep
        ).probability
        == 100
    )
    theirs = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=other_rep), probability=70, probability_is_manual=True
    )
    locked = f.OpportunityFactory(
        prospect=f.ProspectFactory(owner=rep),
        process=managers_only_process,
        probability=70,
        probability_is_manual=True,
    )
    for opportunity in (theirs, locked):
        with pytest.raises(PermissionDenied):
            card_services.opportunity_probability_follow_step(
                opportunity_id=opportunity.pk, actor=rep
            )
        opportunity.refresh_from_db()
        assert opportunity.probability_is_manual
    with pytest.raises(versions.ConcurrentEdit):
        card_services.opportunity_probability_follow_step(
            opportunity_id=won.pk, actor=rep, expected_version=1
        )


def test_bulk_assign_leaves_opportunities_of_processes_the_actor_may_not_modify(
    rep, other_rep, manager
):
    from django.contrib.auth.models import Group

    locked = f.ProcessFactory(steps=2)
    locked.modify_groups.set([Group.objects.get(name="Sales manager")])
    prospect = f.ProspectFactory(owner=rep)
    free = f.OpportunityFactory(prospect=prospect, owner=rep)
    guarded = f.OpportunityFactory(
        prospect=prospect, owner=rep, process=locked, step=locked.steps.first()
    )

    services.prospects_assign(prospect_ids=[prospect.pk], owner=other_rep, actor=rep)

    free.refresh_from_db()
    guarded.refresh_from_db()
    assert free.owner == other_rep
    assert guarded.owner == rep
