"""The admin of prospects, opportunities and their lines writes through the pages' services:
what the card refuses, the admin refuses with the same message, and nothing is saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from contacts.models import Prospect
from core import trash
from pipeline.models import HistoryEntry, Opportunity, OpportunityLine
from pipeline.services import lines as line_services
from pipeline.services.opportunities import LOSS_REASON_REQUIRED
from tests import factories as f
from tests.admin_forms import add_inline_row, admin_form_data, errors_of, inline_prefix

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def page_data(client, obj) -> dict:
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return admin_form_data(response)


def snapshot(opportunity: Opportunity) -> dict:
    """What a refused save must leave as it was."""
    row = Opportunity.all_objects.filter(pk=opportunity.pk).values().get()
    return {
        "row": row,
        "lines": list(OpportunityLine.objects.filter(opportunity=opportunity).values()),
        "history": HistoryEntry.objects.filter(opportunity=opportunity).count(),
    }


@pytest.fixture
def opportunity(default_process, rep):
    return f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep, summary="Fleet")


# --------------------------------------------------------------------------- opportunities


def test_lost_without_a_reason_is_refused_and_nothing_is_saved(manager_client, opportunity):
    before = snapshot(opportunity)
    data = page_data(manager_client, opportunity)
    data.update(status=Opportunity.Status.LOST, summary="Renamed", loss_reason="")
    page = manager_client.get(change_url(opportunity))
    add_inline_row(
        data, page, OpportunityLine, {"item": "Truck", "quantity": "2", "unit_price": "1"}
    )

    response = manager_client.post(change_url(opportunity), data)

    assert response.status_code == 200
    assert str(LOSS_REASON_REQUIRED) in errors_of(response)
    assert str(LOSS_REASON_REQUIRED) in response.content.decode()
    assert snapshot(opportunity) == before


def test_lost_with_a_reason_goes_through_the_move(manager_client, opportunity):
    reason = f.LossReasonFactory(name="Price")
    data = page_data(manager_client, opportunity)
    data.update(status=Opportunity.Status.LOST, loss_reason=str(reason.pk))

    response = manager_client.post(change_url(opportunity), data)

    assert response.status_code == 302, errors_of(response)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.LOST
    assert opportunity.loss_reason == reason
    assert opportunity.closing_date == timezone.localdate()
    assert opportunity.probability == 0
    assert HistoryEntry.objects.filter(
        opportunity=opportunity, kind=HistoryEntry.Kind.STATUS, to_value="lost"
    ).exists()


def test_a_stale_form_is_refused_with_the_stale_message(manager_client, opportunity, manager):
    data = page_data(manager_client, opportunity)
    line_services.opportunity_line_add(
        opportunity_id=opportunity.pk, actor=manager, data={"item": "Meanwhile"}
    )
    before = snapshot(opportunity)
    data["summary"] = "Overwrites"

    response = manager_client.post(change_url(opportunity), data, follow=True)

    assert "your changes were not saved" in response.content.decode()
    assert snapshot(opportunity) == before


def test_a_line_added_changed_and_deleted_in_the_admin_makes_the_amount(
    manager_client, opportunity
):
    url = change_url(opportunity)
    page = manager_client.get(url)
    data = admin_form_data(page)
    prefix = inline_prefix(page, OpportunityLine)
    truck = {"item": "Truck", "quantity": "2", "unit_price": "1000", "discount": "10"}
    add_inline_row(data, page, OpportunityLine, truck)
    trailer = {"item": "Trailer", "quantity": "1", "unit_price": "500", "position": "1"}
    add_inline_row(data, page, OpportunityLine, trailer)
    assert manager_client.post(url, data).status_code == 302

    opportunity.refresh_from_db()
    truck = opportunity.lines.get(item="Truck")
    assert truck.total == Decimal("1800.00")
    assert opportunity.amount == Decimal("2300.00")

    # Change one line, delete the other: the amount follows, as on the card.
    data = page_data(manager_client, opportunity)
    rows = {data[f"{prefix}-{i}-item"]: i for i in range(int(data[f"{prefix}-TOTAL_FORMS"]))}
    data[f"{prefix}-{rows['Truck']}-quantity"] = "3"
    data[f"{prefix}-{rows['Trailer']}-DELETE"] = "on"
    assert manager_client.post(url, data).status_code == 302

    opportunity.refresh_from_db()
    assert list(opportunity.lines.values_list("item", "total")) == [("Truck", Decimal("2700.00"))]
    assert opportunity.amount == Decimal("2700.00")


def test_the_amount_is_read_only_once_lines_make_it(manager_client, opportunity, manager):
    line_services.opportunity_line_add(
        opportunity_id=opportunity.pk,
        actor=manager,
        data={"item": "Kit", "unit_price": Decimal("50")},
    )
    response = manager_client.get(change_url(opportunity))
    assert "amount" not in response.context["adminform"].form.fields
    data = admin_form_data(response)
    data["amount"] = "999999"
    assert manager_client.post(change_url(opportunity), data).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("50.00")


def test_a_probability_typed_in_the_admin_is_set_by_hand(manager_client, opportunity):
    data = page_data(manager_client, opportunity)
    data["probability"] = "65"
    assert manager_client.post(change_url(opportunity), data).status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.probability_is_manual) == (65, True)


def test_rule_fields_are_read_only(manager_client, opportunity):
    form = manager_client.get(change_url(opportunity)).context["adminform"].form
    for name in [
        "probability_is_manual",
        "position",
        "step_changed_at",
        "step_due",
        "step_colour",
        "next_action_at",
        "action_colour",
        "process",
        "prospect",
    ]:
        assert name not in form.fields, name


def test_an_opportunity_added_in_the_admin_goes_through_the_create_service(
    manager_client, default_process, rep, manager
):
    prospect = f.ProspectFactory(owner=rep)
    step = default_process.steps.order_by("position")[1]
    response = manager_client.get(reverse("admin:pipeline_opportunity_add"))
    data = admin_form_data(response)
    data.update(
        summary="From the admin",
        prospect=str(prospect.pk),
        process=str(default_process.pk),
        step=str(step.pk),
        owner=str(rep.pk),
    )
    add_inline_row(
        data, response, OpportunityLine, {"item": "Licence", "quantity": "4", "unit_price": "25"}
    )

    response = manager_client.post(reverse("admin:pipeline_opportunity_add"), data)

    assert response.status_code == 302, errors_of(response)
    created = Opportunity.objects.get(summary="From the admin")
    assert created.probability == step.probability
    assert created.probability_is_manual is False
    assert created.amount == Decimal("100.00")
    assert created.owner == rep
    assert created.history.filter(kind=HistoryEntry.Kind.CREATED).exists()


def test_an_opportunity_cannot_be_created_lost_without_a_reason(
    manager_client, default_process, rep
):
    data = admin_form_data(manager_client.get(reverse("admin:pipeline_opportunity_add")))
    data.update(
        summary="Lost at once",
        prospect=str(f.ProspectFactory(owner=rep).pk),
        process=str(default_process.pk),
        status=Opportunity.Status.LOST,
    )
    response = manager_client.post(reverse("admin:pipeline_opportunity_add"), data)
    assert response.status_code == 200
    assert str(LOSS_REASON_REQUIRED) in errors_of(response)
    assert not Opportunity.all_objects.filter(summary="Lost at once").exists()


# --------------------------------------------------------------------------- the trash


@pytest.mark.parametrize("kind", ["opportunity", "prospect"])
def test_the_admin_puts_into_the_trash_and_never_deletes(kind, manager_client, manager, rep):
    prospect = f.ProspectFactory(owner=rep, last_name="Durand")
    opportunity = f.OpportunityFactory(prospect=prospect, owner=rep)
    obj = opportunity if kind == "opportunity" else prospect
    model = type(obj)
    info = model._meta.app_label, model._meta.model_name
    changelist = reverse("admin:{}_{}_changelist".format(*info))

    assert (
        manager_client.get(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])).status_code
        == 403
    )
    actions = manager_client.get(changelist).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions)
    assert "move_to_trash" in dict(actions)

    response = manager_client.post(
        changelist, {"action": "move_to_trash", admin.helpers.ACTION_CHECKBOX_NAME: [obj.pk]}
    )

    assert response.status_code == 302
    stored = model.all_objects.get(pk=obj.pk)
    assert stored.deleted_at is not None and stored.deleted_by == manager
    assert not model.objects.filter(pk=obj.pk).exists()
    if kind == "prospect":  # its opportunities go with it, as from the prospect list
        assert Opportunity.all_objects.get(pk=opportunity.pk).deleted_at == stored.deleted_at
    trash.record_restore(obj=stored, actor=manager)
    assert model.objects.filter(pk=obj.pk).exists()
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_trashing_an_opportunity_without_the_delete_right_is_refused(client, rep):
    """Staff without the process's delete right (managers only by default) get a message."""
    from django.contrib.auth.models import Permission

    rep.is_staff = True
    rep.save()
    rep.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="pipeline", codename__endswith="opportunity"
        )
    )
    opportunity = f.OpportunityFactory(prospect=f.ProspectFactory(owner=rep), owner=rep)
    client.force_login(rep)
    response = client.post(
        reverse("admin:pipeline_opportunity_changelist"),
        {"action": "move_to_trash", admin.helpers.ACTION_CHECKBOX_NAME: [opportunity.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "You may not delete the opportunities of this process." in response.content.decode()
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_the_history_is_read_only(manager_client, opportunity):
    entry = HistoryEntry.objects.create(
        opportunity=opportunity, kind=HistoryEntry.Kind.EDITED, at=timezone.now()
    )
    assert manager_client.get(reverse("admin:pipeline_historyentry_add")).status_code == 403
    assert (
        manager_client.get(
            reverse("admin:pipeline_historyentry_delete", args=[entry.pk])
        ).status_code
        == 403
    )


# --------------------------------------------------------------------------- prospects


def test_a_prospect_saved_in_the_admin_goes_through_the_update_service(
    manager_client, rep, other_rep
):
    prospect = f.ProspectFactory(owner=rep, last_name="Durand", city="Lyon")
    data = page_data(manager_client, prospect)
    data.update(city="Grenoble", owner=str(other_rep.pk))

    assert manager_client.post(change_url(prospect), data).status_code == 302

    prospect.refresh_from_db()
    assert prospect.owner == other_rep
    assert "grenoble" in prospect.search_text
    assert prospect.history.filter(kind=HistoryEntry.Kind.OWNER).exists()


def test_a_prospect_link_to_the_contacts_is_read_only(manager_client, rep):
    prospect = f.ProspectFactory(owner=rep)
    form = manager_client.get(change_url(prospect)).context["adminform"].form
    for name in ["company", "person", "extra", "last_contact_at", "next_contact_at"]:
        assert name not in form.fields, name


def test_a_prospect_added_in_the_admin_goes_through_the_create_service(manager_client, manager):
    data = admin_form_data(manager_client.get(reverse("admin:contacts_prospect_add")))
    data.update(last_name="Nouveau", company_name="Acme Lyon", city="Villeurbanne")
    response = manager_client.post(reverse("admin:contacts_prospect_add"), data)
    assert response.status_code == 302, errors_of(response)
    prospect = Prospect.objects.get(last_name="Nouveau")
    assert "villeurbanne" in prospect.search_text
    assert prospect.history.filter(kind=HistoryEntry.Kind.CREATED).exists()


def test_import_jobs_are_read_only(manager_client):
    assert manager_client.get(reverse("admin:prospects_importjob_add")).status_code == 403


def test_expected_dates_post_as_shown(manager_client, opportunity):
    """The helper posts dates as the admin shows them (guards the other tests)."""
    opportunity.expected_date = dt.date(2031, 5, 17)
    opportunity.save()
    data = page_data(manager_client, opportunity)
    assert manager_client.post(change_url(opportunity), data).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.expected_date == dt.date(2031, 5, 17)
