"""The step list's row menu (PROSTEP's context menu): from a row, a task on the opportunity, a
contact for its company or from its prospect, its cards, the next box to tick; and the table's
layout hooks (every column in one row of cells, no scroll box needed)."""

import re

import pytest
from django.urls import reverse

from pipeline.models import Process, StepProgress
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def prostep(db):
    return f.ProcessFactory(
        name="PROSTEP",
        mode=Process.Mode.STEP_BY_STEP,
        steps=[("Send documentation", 3, 20), ("Phone call", 5, 50), ("Check subscription", 7, 80)],
    )


def steps_of(process):
    return list(process.steps.order_by("position"))


def list_url(process):
    return reverse("pipeline_steps", args=[process.pk])


def menu_of(html: str, opportunity) -> str:
    """The row menu of `opportunity` in the step list's HTML."""
    row = re.search(
        rf'<tr id="opportunity-row-{opportunity.pk}".*?</tr>', html, flags=re.DOTALL
    ).group(0)
    return re.search(r"<details class=\"row-menu\".*?</details>", row, flags=re.DOTALL).group(0)


def test_menu_of_a_prospect_row_offers_task_contact_card_and_next_step(rep_client, rep, prostep):
    s1, s2, _ = steps_of(prostep)
    prospect = f.ProspectFactory(owner=rep, last_name="Héyé")
    opportunity = opportunity_services.opportunity_create(
        actor=rep, process=prostep, prospect=prospect, summary="Roof"
    )
    html = rep_client.get(list_url(prostep)).content.decode()
    menu = menu_of(html, opportunity)
    assert f'href="{reverse("opportunity_detail", args=[opportunity.pk])}"' in menu
    assert f'href="{reverse("prospect_detail", args=[prospect.pk])}"' in menu
    assert f'hx-get="{reverse("task_create")}?opportunity={opportunity.pk}"' in menu
    # No contact file yet: the prospect's data make one (manual 000, "créer un contact").
    assert reverse("prospect_add_to_contacts", args=[prospect.pk]) in menu
    toggle = reverse("pipeline_step_toggle", args=[prostep.pk, opportunity.pk, s1.pk])
    assert f'hx-post="{toggle}"' in menu and "Tick “Send documentation”" in menu
    assert 'aria-label="Actions' not in menu  # the icon's label is its visually hidden text
    assert '<span class="visually-hidden">Actions</span>' in menu


def test_menu_offers_a_person_for_the_linked_company(rep_client, rep, prostep):
    company = f.CompanyFactory(owner=rep)
    opportunity = opportunity_services.opportunity_create(
        actor=rep, process=prostep, company=company, summary="Fleet"
    )
    menu = menu_of(rep_client.get(list_url(prostep)).content.decode(), opportunity)
    assert f'href="{reverse("person_create")}?company={company.pk}"' in menu
    assert f'href="{reverse("company_detail", args=[company.pk])}"' in menu
    assert "prospect_add_to_contacts" not in menu and "add-to-contacts" not in menu


def test_next_step_follows_the_ticked_boxes(rep_client, rep, prostep):
    s1, s2, s3 = steps_of(prostep)
    opportunity = opportunity_services.opportunity_create(
        actor=rep, process=prostep, prospect=f.ProspectFactory(owner=rep), summary="Roof"
    )
    rep_client.post(
        reverse("pipeline_step_toggle", args=[prostep.pk, opportunity.pk, s1.pk]),
        {"done": "1", "version": opportunity.version},
    )
    row = rep_client.get(list_url(prostep)).context["rows"][0]
    assert row.next_cell.step_id == str(s2.pk)


def test_ticking_from_the_menu_answers_the_row_with_the_following_step(rep_client, rep, prostep):
    s1, s2, _ = steps_of(prostep)
    opportunity = opportunity_services.opportunity_create(
        actor=rep, process=prostep, prospect=f.ProspectFactory(owner=rep), summary="Roof"
    )
    response = rep_client.post(
        reverse("pipeline_step_toggle", args=[prostep.pk, opportunity.pk, s1.pk]),
        {"done": "1", "version": opportunity.version},
        **HTMX,
    )
    html = response.content.decode()
    assert StepProgress.objects.filter(opportunity=opportunity, step=s1).exists()
    assert "Tick “Phone call”" in html  # the menu of the swapped row offers the next one


def test_finished_or_closed_rows_offer_no_tick(rep_client, rep, prostep):
    opportunity = opportunity_services.opportunity_create(
        actor=rep, process=prostep, prospect=f.ProspectFactory(owner=rep), summary="Roof"
    )
    opportunity_services.opportunity_move(opportunity_id=opportunity.pk, actor=rep, to_status="won")
    html = rep_client.get(list_url(prostep)).content.decode()
    assert "data-row-tick" not in menu_of(html, opportunity)


def test_other_reps_row_menu_only_opens_cards(rep_client, other_rep, prostep):
    company = f.CompanyFactory(owner=other_rep)
    theirs = opportunity_services.opportunity_create(
        actor=other_rep, process=prostep, company=company, owner=other_rep, summary="Theirs"
    )
    menu = menu_of(rep_client.get(list_url(prostep)).content.decode(), theirs)
    assert reverse("opportunity_detail", args=[theirs.pk]) in menu
    for hook in ("data-row-task", "data-row-contact", "data-row-tick", "trash"):
        assert hook not in menu
    # And the endpoints the menu would reach refuse them (the rules stay in their views).
    assert rep_client.get(reverse("task_create"), {"opportunity": theirs.pk}).status_code == 403
    assert rep_client.get(reverse("person_create"), {"company": company.pk}).status_code == 403


def test_every_column_is_in_the_table_without_a_hidden_one(rep_client, rep, prostep):
    prospect = f.ProspectFactory(
        owner=rep, address="45 rue de la soif", city="Lyon", notes="Met at the fair"
    )
    opportunity_services.opportunity_create(
        actor=rep, process=prostep, prospect=prospect, summary="Roof"
    )
    html = rep_client.get(list_url(prostep)).content.decode()
    # The address under the company, the comment and OK: in the row, with their full text on hover.
    assert 'title="45 rue de la soif' in html
    assert 'title="Met at the fair"' in html
    assert 'class="col-ok"' in html
    assert "css/step_list.css" in html and "js/step_list.js" in html
