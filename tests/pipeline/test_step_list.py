import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Opportunity, Process, StepProgress
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def prostep(db):
    return f.ProcessFactory(
        name="PROSTEP",
        mode=Process.Mode.STEP_BY_STEP,
        log_step_changes=True,
        steps=[("Send documentation", 3, 20), ("Phone call", 5, 50), ("Check subscription", 7, 80)],
    )


def steps_of(process):
    return list(process.steps.order_by("position"))


def create(actor, process, **fields):
    prospect = fields.pop("prospect", None) or f.ProspectFactory(
        owner=fields.get("owner", actor), notes="Met at the fair\nsecond"
    )
    return opportunity_services.opportunity_create(
        actor=actor, process=process, prospect=prospect, summary="Roof", **fields
    )


def url(process):
    return reverse("pipeline_steps", args=[process.pk])


def toggle_url(process, opportunity, step):
    return reverse("pipeline_step_toggle", args=[process.pk, opportunity.pk, step.pk])


def test_step_list_columns_and_hooks(rep_client, rep, prostep):
    opportunity = create(rep, prostep, amount=20000)
    response = rep_client.get(url(prostep), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-opportunity="{opportunity.pk}"' in html
    for step in steps_of(prostep):
        assert f'data-step="{step.pk}"' in html
        assert step.label in html
    assert opportunity.prospect.last_name.upper() in html
    assert "Met at the fair" in html and "second" not in html
    assert "20 000 €" in html.replace("\u202f", " ").replace("\xa0", " ")
    assert 'data-colour="green"' in html


def test_step_list_htmx_returns_partial(rep_client, rep, prostep):
    create(rep, prostep)
    response = rep_client.get(url(prostep), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="step-list-results">')
    assert "<html" not in html


def test_nbj_and_colour(rep_client, rep, prostep):
    opportunity = create(rep, prostep, step_changed_at=timezone.now() - dt.timedelta(days=5))
    response = rep_client.get(url(prostep))
    row = response.context["rows"][0]
    assert row.opportunity == opportunity
    assert row.nbj == 5
    assert row.opportunity.step_colour == "red"  # first step lasts 3 days


def test_filters_owner_and_in_progress(rep_client, rep, other_rep, prostep):
    mine = create(rep, prostep)
    theirs = create(other_rep, prostep)
    won = create(rep, prostep)
    opportunity_services.opportunity_move(opportunity_id=won.pk, actor=rep, to_status="won")
    rows = rep_client.get(url(prostep), {"owner": rep.pk}).context["rows"]
    assert {r.opportunity.pk for r in rows} == {mine.pk, won.pk}
    rows = rep_client.get(url(prostep), {"in_progress": "on"}).context["rows"]
    assert {r.opportunity.pk for r in rows} == {mine.pk, theirs.pk}


def test_sort(rep_client, rep, prostep):
    small = create(rep, prostep, amount=100)
    big = create(rep, prostep, amount=9000)
    rows = rep_client.get(url(prostep), {"sort": "-amount"}).context["rows"]
    assert [r.opportunity.pk for r in rows] == [big.pk, small.pk]
    rows = rep_client.get(url(prostep), {"sort": "amount"}).context["rows"]
    assert [r.opportunity.pk for r in rows] == [small.pk, big.pk]
    assert rep_client.get(url(prostep), {"sort": "bogus"}).status_code == 200


def test_pagination(rep_client, rep, prostep):
    for _ in range(55):
        create(rep, prostep)
    response = rep_client.get(url(prostep), {"page": 2})
    assert len(response.context["rows"]) == 5


def test_query_count_constant_in_rows(rep_client, rep, prostep, django_assert_max_num_queries):
    s1, s2, s3 = steps_of(prostep)
    company = f.CompanyFactory()
    f.AddressFactory(company=company)
    for i in range(3):
        create(rep, prostep, step=[s1, s2, s3][i])
    opportunity_services.opportunity_create(
        actor=rep, process=prostep, company=company, summary="Company deal"
    )
    rep_client.get(url(prostep))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        rep_client.get(url(prostep))
    for i in range(30):
        create(rep, prostep, step=[s1, s2, s3][i % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = rep_client.get(url(prostep))
    assert len(response.context["rows"]) == 34


def test_toggle_completes_in_place(rep_client, rep, prostep):
    s1, s2, _ = steps_of(prostep)
    opportunity = create(rep, prostep)
    response = rep_client.post(
        toggle_url(prostep, opportunity, s1), {"done": "1", "version": opportunity.version}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="opportunity-row-{opportunity.pk}"')
    assert StepProgress.objects.filter(opportunity=opportunity, step=s1).exists()
    opportunity.refresh_from_db()
    assert opportunity.step == s2


def test_toggle_out_of_order_refused_with_message(rep_client, rep, prostep):
    s1, s2, _ = steps_of(prostep)
    opportunity = create(rep, prostep)
    response = rep_client.post(toggle_url(prostep, opportunity, s2), {"done": "1"}, **HTMX)
    assert response.status_code == 200
    assert "jalon:message" in response["HX-Trigger"]
    assert "Send documentation" in response["HX-Trigger"]
    assert f'data-opportunity="{opportunity.pk}"' in response.content.decode()
    assert not StepProgress.objects.filter(opportunity=opportunity).exists()


def test_toggle_uncomplete(rep_client, rep, prostep):
    s1, s2, s3 = steps_of(prostep)
    opportunity = create(rep, prostep, step=s3)
    rep_client.post(toggle_url(prostep, opportunity, s1), {"done": "0"}, **HTMX)
    assert not StepProgress.objects.filter(opportunity=opportunity).exists()


def test_toggle_without_htmx_redirects(rep_client, rep, prostep):
    s1 = steps_of(prostep)[0]
    opportunity = create(rep, prostep)
    response = rep_client.post(toggle_url(prostep, opportunity, s1), {"done": "1"})
    assert response.status_code == 302
    assert StepProgress.objects.filter(opportunity=opportunity, step=s1).exists()


def test_toggle_stale_version_refused(rep_client, rep, prostep):
    s1 = steps_of(prostep)[0]
    opportunity = create(rep, prostep)
    response = rep_client.post(
        toggle_url(prostep, opportunity, s1),
        {"done": "1", "version": opportunity.version - 1 or 99},
        **HTMX,
    )
    assert "jalon:message" in response["HX-Trigger"]
    assert not StepProgress.objects.filter(opportunity=opportunity).exists()


def test_toggle_malformed_version_refused_not_an_error(rep_client, rep, prostep):
    s1 = steps_of(prostep)[0]
    opportunity = create(rep, prostep)
    response = rep_client.post(
        toggle_url(prostep, opportunity, s1), {"done": "1", "version": "abc"}, **HTMX
    )
    assert response.status_code == 200
    assert "was changed by" in response["HX-Trigger"]
    response = rep_client.post(
        toggle_url(prostep, opportunity, s1), {"done": "1", "version": "abc"}
    )
    assert response.status_code == 302
    assert not StepProgress.objects.filter(opportunity=opportunity).exists()


def test_delete_malformed_version_refused_not_an_error(manager_client, manager, prostep):
    opportunity = create(manager, prostep)
    delete = reverse("pipeline_opportunity_delete", args=[prostep.pk, opportunity.pk])
    response = manager_client.post(delete, {"version": "abc"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "was changed by" in response["HX-Trigger"]
    assert manager_client.post(delete, {"version": "abc"}).status_code == 302
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_toggle_other_reps_opportunity_forbidden(rep_client, other_rep, prostep):
    s1 = steps_of(prostep)[0]
    opportunity = create(other_rep, prostep)
    html = rep_client.get(url(prostep)).content.decode()
    assert "hx-post" not in html  # no controls
    response = rep_client.post(toggle_url(prostep, opportunity, s1), {"done": "1"}, **HTMX)
    assert response.status_code == 403
    assert not StepProgress.objects.exists()


def test_toggle_outside_modify_group_forbidden(rep_client, rep, manager, prostep):
    prostep.modify_groups.add(Group.objects.create(name="Installers"))
    s1 = steps_of(prostep)[0]
    opportunity = create(manager, prostep, owner=rep)
    html = rep_client.get(url(prostep)).content.decode()
    assert "hx-post" not in html
    response = rep_client.post(toggle_url(prostep, opportunity, s1), {"done": "1"})
    assert response.status_code == 403


def test_toggle_requires_post_and_login(client, rep, prostep):
    s1 = steps_of(prostep)[0]
    opportunity = create(rep, prostep)
    assert client.get(url(prostep)).status_code == 302
    assert client.post(toggle_url(prostep, opportunity, s1), {"done": "1"}).status_code == 302
    client.force_login(rep)
    assert client.get(toggle_url(prostep, opportunity, s1)).status_code == 405


def test_inactive_process_hidden_from_reps(rep_client, prostep):
    prostep.active = False
    prostep.save()
    assert rep_client.get(url(prostep)).status_code == 404


def test_customer_row_ok_grey(rep_client, rep, prostep):
    company = f.CompanyFactory(kind="customer", customer_code="C001")
    prospect = f.ProspectFactory(owner=rep, company=company)
    create(rep, prostep, prospect=prospect)
    row = rep_client.get(url(prostep)).context["rows"][0]
    assert row.customer
    assert "ok-customer" in rep_client.get(url(prostep)).content.decode()


def test_process_list_links(rep_client, prostep, default_process):
    response = rep_client.get(reverse("pipeline_list"))
    html = response.content.decode()
    assert reverse("pipeline_steps", args=[prostep.pk]) in html
    assert f"/pipeline/{prostep.pk}/board/" in html
    assert "Edit steps" not in html  # managers only


def test_edit_steps_links_to_the_board_for_managers(manager_client, prostep):
    board = reverse("pipeline_board", args=[prostep.pk])
    for page in (reverse("pipeline_list"), reverse("pipeline_steps", args=[prostep.pk])):
        html = manager_client.get(page).content.decode()
        assert f'href="{board}">Edit steps</a>' in html


def test_won_opportunity_in_list(rep_client, rep, prostep):
    opportunity = create(rep, prostep)
    opportunity_services.opportunity_move(
        opportunity_id=opportunity.pk, actor=rep, to_status=Opportunity.Status.WON
    )
    row = rep_client.get(url(prostep)).context["rows"][0]
    assert row.finished


def test_row_menu_and_cells_escape_what_users_typed(rep_client, rep, prostep):
    s1, s2, _s3 = steps_of(prostep)
    opportunity = create(rep, prostep)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        summary='<b>"Roof"</b>', probability=35, probability_is_manual=True
    )
    html = rep_client.get(url(prostep)).content.decode()
    assert "<b>" not in html
    assert 'aria-label="&lt;b&gt;&quot;Roof&quot;&lt;/b&gt;"' in html
    assert '35 %<span class="muted">*</span>' in html
    # The menu: the opportunity, the prospect card, a new task, add to contacts, tick the next.
    prospect = opportunity.prospect
    assert f'href="/opportunities/{opportunity.pk}/"' in html
    assert f'href="{reverse("prospect_detail", args=[prospect.pk])}"' in html
    assert f"?opportunity={opportunity.pk}&amp;next={url(prostep)}" in html
    assert reverse("prospect_add_to_contacts", args=[prospect.pk]) in html
    assert f'data-row-tick="{s1.pk}"' in html and f'data-row-tick="{s2.pk}"' not in html
