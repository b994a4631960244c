"""The board's column settings (OpenFire's stages): add, edit, fold and delete a column, from
the column headers with htmx, and as plain POSTs that go back to the board with a message."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from pipeline.models import Opportunity, Step
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=3)


def steps_of(process):
    return list(process.steps.order_by("position", "id"))


def board_url(process):
    return reverse("pipeline_board", args=[process.pk])


def fold_url(process, step):
    return reverse("board_step_fold", args=[process.pk, step.pk])


def delete_url(process, step):
    return reverse("board_step_delete", args=[process.pk, step.pk])


def toast(response) -> str:
    return json.loads(response["HX-Trigger"])["jalon:message"]["text"]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_board_offers_column_settings_to_managers(manager_client, process):
    html = manager_client.get(board_url(process)).content.decode()
    for step in steps_of(process):
        assert reverse("board_step_edit", args=[process.pk, step.pk]) in html
        assert fold_url(process, step) in html
    assert reverse("board_step_create", args=[process.pk]) in html


def test_column_endpoints_forbidden_to_reps(rep_client, process):
    step = steps_of(process)[0]
    create = reverse("board_step_create", args=[process.pk])
    edit = reverse("board_step_edit", args=[process.pk, step.pk])
    for headers in ({}, HTMX):
        assert rep_client.get(create, **headers).status_code == 403
        assert (
            rep_client.post(
                create, {"label": "X", "probability": 1, "duration_days": 1}, **headers
            ).status_code
            == 403
        )
        assert rep_client.get(edit, **headers).status_code == 403
        assert (
            rep_client.post(
                edit, {"label": "X", "probability": 1, "duration_days": 1}, **headers
            ).status_code
            == 403
        )
        assert (
            rep_client.post(fold_url(process, step), {"folded": "1"}, **headers).status_code == 403
        )
        assert rep_client.post(delete_url(process, step), **headers).status_code == 403
    step.refresh_from_db()
    assert (step.label, step.folded) != ("X", True)
    assert process.steps.count() == 3


def test_add_a_column(manager_client, process):
    response = manager_client.post(
        reverse("board_step_create", args=[process.pk]),
        {"label": "Signature", "duration_days": 4, "probability": 90},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Signature" in response.content.decode()
    assert toast(response) == "Column added."
    last = steps_of(process)[-1]
    assert (last.label, last.duration_days, last.probability, last.folded) == (
        "Signature",
        4,
        90,
        False,
    )


def test_add_a_column_without_htmx_goes_back_to_the_board(manager_client, process):
    url = reverse("board_step_create", args=[process.pk]) + "?q=veranda"
    page = manager_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and 'method="post"' in html and "csrfmiddlewaretoken" in html
    response = manager_client.post(
        url, {"label": "Signature", "duration_days": 4, "probability": 90}
    )
    assert response.status_code == 302
    assert response["Location"] == board_url(process) + "?q=veranda"
    assert messages_of(response) == ["Column added."]
    assert steps_of(process)[-1].label == "Signature"


def test_add_a_column_with_errors_shows_them(manager_client, process):
    url = reverse("board_step_create", args=[process.pk])
    response = manager_client.post(
        url, {"label": "", "duration_days": 0, "probability": 150}, **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'name="probability"' in response.content.decode()
    response = manager_client.post(url, {"label": "", "duration_days": 0, "probability": 150})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert process.steps.count() == 3


def test_rename_and_fold_from_the_column_dialog(manager_client, process):
    step = steps_of(process)[0]
    edit = reverse("board_step_edit", args=[process.pk, step.pk])
    dialog = manager_client.get(edit, **HTMX).content.decode()
    assert f'value="{step.label}"' in dialog
    response = manager_client.post(
        edit,
        {"label": "Qualified", "duration_days": 2, "probability": 15, "folded": "on"},
        **HTMX,
    )
    assert response.status_code == 200
    assert toast(response) == "Column saved."
    step.refresh_from_db()
    assert (step.label, step.folded, step.probability, step.duration_days) == (
        "Qualified",
        True,
        15,
        2,
    )


def test_edit_a_column_without_htmx_goes_back_to_the_board(manager_client, process):
    step = steps_of(process)[0]
    edit = reverse("board_step_edit", args=[process.pk, step.pk])
    assert "<html" in manager_client.get(edit).content.decode()
    response = manager_client.post(
        edit, {"label": "Qualified", "duration_days": 2, "probability": 15}
    )
    assert response.status_code == 302
    assert response["Location"] == board_url(process)
    assert messages_of(response) == ["Column saved."]
    step.refresh_from_db()
    assert step.label == "Qualified"


def test_fold_and_unfold_take_the_value_sent(manager_client, process):
    step = steps_of(process)[0]
    for _twice in range(2):  # a second click on "Fold" (or a stale board) keeps it folded
        response = manager_client.post(fold_url(process, step), {"folded": "1"}, **HTMX)
        assert response.status_code == 200
        assert response["HX-Reswap"] == "none"
        step.refresh_from_db()
        assert step.folded
    manager_client.post(fold_url(process, step), {"folded": "0"}, **HTMX)
    step.refresh_from_db()
    assert not step.folded


def test_fold_without_a_value_is_a_bad_request(manager_client, process):
    step = steps_of(process)[0]
    assert manager_client.post(fold_url(process, step), **HTMX).status_code == 400
    assert manager_client.post(fold_url(process, step), {"folded": "maybe"}).status_code == 400
    step.refresh_from_db()
    assert not step.folded


def test_board_sends_the_fold_value(manager_client, process):
    step = steps_of(process)[0]
    fold = fold_url(process, step) + '" hx-vals=\'{"folded": "1"}\''
    assert fold in manager_client.get(board_url(process)).content.decode()
    Step.objects.filter(pk=step.pk).update(folded=True)
    unfold = fold_url(process, step) + '" hx-vals=\'{"folded": "0"}\''
    assert unfold in manager_client.get(board_url(process)).content.decode()


def test_fold_without_htmx_goes_back_to_the_board(manager_client, process):
    step = steps_of(process)[0]
    response = manager_client.post(fold_url(process, step) + "?owner=3", {"folded": "1"})
    assert response.status_code == 302
    assert response["Location"] == board_url(process) + "?owner=3"
    step.refresh_from_db()
    assert step.folded


def test_fold_follows_a_next_on_this_site(manager_client, process):
    step = steps_of(process)[0]
    steps_page = reverse("pipeline_steps", args=[process.pk])
    response = manager_client.post(fold_url(process, step), {"folded": "1", "next": steps_page})
    assert response["Location"] == steps_page


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/"]
)
def test_fold_never_redirects_to_another_site(manager_client, process, next_url):
    step = steps_of(process)[0]
    response = manager_client.post(fold_url(process, step), {"folded": "1", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == board_url(process)


def test_delete_refused_with_an_inactive_opportunity(manager_client, manager, process):
    step = steps_of(process)[1]
    opportunity_services.opportunity_create(
        actor=manager,
        process=process,
        step=step,
        summary="Sleeping",
        prospect=f.ProspectFactory(),
        status=Opportunity.Status.INACTIVE,
    )
    response = manager_client.post(delete_url(process, step), **HTMX)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "cannot be deleted" in toast(response)
    assert process.steps.filter(pk=step.pk).exists()


def test_delete_refused_with_a_trashed_opportunity(manager_client, manager, process):
    step = steps_of(process)[1]
    opportunity = opportunity_services.opportunity_create(
        actor=manager,
        process=process,
        step=step,
        summary="Binned",
        prospect=f.ProspectFactory(),
    )
    opportunity_services.opportunity_trash(opportunity_id=opportunity.pk, actor=manager)
    response = manager_client.post(delete_url(process, step))
    assert response.status_code == 302
    assert response["Location"] == board_url(process)
    assert "cannot be deleted" in messages_of(response)[0]
    assert process.steps.filter(pk=step.pk).exists()


def test_delete_an_empty_column(manager_client, process):
    step = steps_of(process)[2]
    response = manager_client.post(delete_url(process, step), **HTMX)
    assert response.status_code == 200
    assert toast(response) == "Column deleted."
    assert not process.steps.filter(pk=step.pk).exists()


def test_delete_without_htmx_goes_back_to_the_board(manager_client, process):
    step = steps_of(process)[2]
    response = manager_client.post(delete_url(process, step))
    assert response.status_code == 302
    assert messages_of(response) == ["Column deleted."]
    assert not process.steps.filter(pk=step.pk).exists()


def test_column_of_another_process_is_a_404(manager_client, process):
    other = f.ProcessFactory(steps=1)
    step = steps_of(other)[0]
    assert manager_client.post(delete_url(process, step), **HTMX).status_code == 404
    assert manager_client.post(fold_url(process, step), {"folded": "1"}, **HTMX).status_code == 404
    assert (
        manager_client.get(
            reverse("board_step_edit", args=[process.pk, step.pk]), **HTMX
        ).status_code
        == 404
    )
    assert process.steps.count() == 3 and other.steps.count() == 1
