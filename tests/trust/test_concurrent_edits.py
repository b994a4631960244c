"""Concurrent edits: a form or htmx action submitted on a record that changed since it was
loaded is refused with a message and the current values; nothing is overwritten."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from contacts import services as contact_services
from contacts.models import ExtraField
from core import versions
from pipeline.models import Opportunity, StepProgress
from pipeline.services import activities
from pipeline.services import cards as card_services
from pipeline.services import opportunities as opportunity_services
from pipeline.services import steps as step_services
from prospects import services as prospect_services
from tests.trust.conftest import build_world
from tests.trust.forms import form_with

pytestmark = pytest.mark.django_db

MEANWHILE = "Changed meanwhile"
MINE = "My stale edit"


def stale_messages() -> list[str]:
    """The start of the one "changed meanwhile" message, as users read it in English."""
    with translation.override("en"):
        return [str(versions.STALE_VERSION).split("{")[0].strip()[:30]]


def told(response) -> bool:
    """The answer carries a stale-version message, in the page or in an htmx toast."""
    text = unescape(response.content.decode())
    trigger = response.headers.get("HX-Trigger", "")
    if trigger:
        text += json.dumps(json.loads(trigger), ensure_ascii=False)
    return any(fragment in text for fragment in stale_messages())


@dataclass
class Case:
    url: Callable  # world -> URL of the edit form
    field: str  # the field the stale form changes
    current: Callable  # world -> the field's stored value
    change: Callable  # (world, other user) -> change the record through its service
    htmx: bool = False


CASES = {
    "company": Case(
        url=lambda w: reverse("company_edit", args=[w.company.pk]),
        field="name",
        current=lambda w: type(w.company).objects.get(pk=w.company.pk).name,
        change=lambda w, user: contact_services.company_update(
            company=w.company, actor=user, data={"name": MEANWHILE}, version=None
        ),
    ),
    "person": Case(
        url=lambda w: reverse("person_edit", args=[w.person.pk]),
        field="last_name",
        current=lambda w: type(w.person).objects.get(pk=w.person.pk).last_name,
        change=lambda w, user: contact_services.person_update(
            person=w.person, actor=user, data={"last_name": MEANWHILE}, version=None
        ),
    ),
    "prospect": Case(
        url=lambda w: reverse("prospect_detail", args=[w.prospect.pk]) + "?tab=details",
        field="company_name",
        current=lambda w: type(w.prospect).objects.get(pk=w.prospect.pk).company_name,
        change=lambda w, user: prospect_services.prospect_update(
            prospect_id=w.prospect.pk,
            actor=user,
            data={"company_name": MEANWHILE},
            expected_version=None,
        ),
    ),
    "opportunity": Case(
        url=lambda w: reverse("opportunity_detail", args=[w.opportunity.pk]),
        field="summary",
        current=lambda w: Opportunity.objects.get(pk=w.opportunity.pk).summary,
        change=lambda w, user: card_services.opportunity_update(
            opportunity_id=w.opportunity.pk,
            actor=user,
            data={"summary": MEANWHILE},
            expected_version=None,
        ),
    ),
    "task": Case(
        url=lambda w: reverse("task_edit", args=[w.task.pk]),
        field="title",
        current=lambda w: type(w.task).objects.get(pk=w.task.pk).title,
        change=lambda w, user: activities.task_update(task=w.task, actor=user, title=MEANWHILE),
        htmx=True,
    ),
}


@pytest.fixture
def own_world(rep, media):
    return build_world(rep)


@pytest.mark.parametrize("kind", list(CASES))
def test_stale_edit_form_is_refused_and_shows_the_current_values(
    kind, own_world, rep_client, manager
):
    case = CASES[kind]
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    url = case.url(own_world)
    page = rep_client.get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert page.status_code == 200
    data = form_with(page.content.decode(), "version")
    assert data.get("version"), f"the {kind} form carries the version it was loaded with"
    assert case.field in data

    case.change(own_world, manager)  # someone else saves in between
    data[case.field] = MINE
    response = rep_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en", **headers)

    assert response.status_code in (200, 409, 422), response.status_code
    assert told(response), f"the {kind} form tells the second writer"
    assert MEANWHILE in unescape(response.content.decode()), "the current values are shown"
    assert case.current(own_world) == MEANWHILE, "nothing is overwritten"


@pytest.mark.parametrize("kind", list(CASES))
def test_fresh_edit_form_saves(kind, own_world, rep_client):
    case = CASES[kind]
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    url = case.url(own_world)
    data = form_with(rep_client.get(url, **headers).content.decode(), "version")
    data[case.field] = MINE
    response = rep_client.post(url, data, **headers)
    assert response.status_code in (200, 204, 302), response.status_code
    assert case.current(own_world) == MINE


def test_stale_board_move_is_refused(own_world, rep_client, manager):
    w = own_world
    board = rep_client.get(reverse("pipeline_board", args=[w.process.pk])).content.decode()
    assert f'data-version="{w.opportunity.version}"' in board
    seen_version = w.opportunity.version
    steps = list(w.process.steps.order_by("position"))
    opportunity_services.opportunity_move(
        opportunity_id=w.opportunity.pk, actor=manager, to_step=steps[2]
    )

    response = rep_client.post(
        reverse("board_move", args=[w.process.pk]),
        {
            "opportunity": w.opportunity.pk,
            "column": str(steps[1].pk),
            "from": str(steps[0].pk),
            "version": seen_version,
        },
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert told(response)
    assert "board:refused" in response.headers["HX-Trigger"]
    assert Opportunity.objects.get(pk=w.opportunity.pk).step == steps[2]


def test_stale_step_toggle_is_refused(own_world, rep_client, manager):
    w = own_world
    steps = list(w.process.steps.order_by("position"))
    page = rep_client.get(reverse("pipeline_steps", args=[w.process.pk])).content.decode()
    seen_version = w.opportunity.version
    assert f'"version": "{seen_version}"' in page
    step_services.step_complete(opportunity_id=w.opportunity.pk, step_id=steps[1].pk, actor=manager)

    url = reverse("pipeline_step_toggle", args=[w.process.pk, w.opportunity.pk, steps[2].pk])
    response = rep_client.post(
        url,
        {"done": "1", "version": seen_version},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert told(response)
    assert not StepProgress.objects.filter(opportunity=w.opportunity, step=steps[2]).exists()


def test_stale_task_done_click_does_not_undo_anothers_change(own_world, rep_client, manager):
    """The done box posts the state the user asks for (done=1|0), not "the opposite of now":
    a click on a task someone else completed meanwhile leaves it completed, by them."""
    w = own_world
    page = rep_client.get(reverse("task_list")).content.decode()
    data = form_with(page.split(f'data-task="{w.task.pk}"', 1)[1], "next")
    data["done"] = "1"  # the button the rep clicks on a task shown as to do
    activities.task_set_done(task=w.task, done=True, actor=manager)
    rep_client.post(reverse("task_toggle", args=[w.task.pk]), data, HTTP_HX_REQUEST="true")
    task = type(w.task).objects.get(pk=w.task.pk)
    assert task.done and task.done_by == manager


# The label each form shows for the field its case changes (English, French).
LABELS = {
    "company": ("Company name", "Raison sociale"),
    "person": ("Last name", "Nom"),
    "prospect": ("Company", "Société"),
    "opportunity": ("Project summary", "Résumé du projet"),
    "task": ("What to do", "Action à mener"),
}
FRENCH_STALE = "Cette fiche a été modifiée par"


def conflict_section(response) -> str:
    """The conflict partial (`core/_conflict.html`) of an answer."""
    html = unescape(response.content.decode())
    assert html.count("data-conflict") == 1, "the one conflict partial is shown once"
    start = html.index("data-conflict")
    return html[start : html.index("</section>", start)]


def post_stale(kind, world, client, manager, language, **changes):
    case = CASES[kind]
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    url = case.url(world)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)
    data = form_with(page.content.decode(), "version")
    case.change(world, manager)
    data[case.field] = MINE
    data.update(changes)
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language, **headers)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", list(CASES))
def test_conflict_names_the_changed_fields_by_their_labels(
    kind, language, own_world, rep_client, manager
):
    response = post_stale(kind, own_world, rep_client, manager, language)
    assert response.status_code == 409
    section = conflict_section(response)
    rows = re.findall(r'<th scope="row">(.*?)</th>', section)
    label = LABELS[kind][language == "fr"]
    assert rows == [label], "only the field that differs, by its label"
    assert f">{CASES[kind].field}<" not in section, "never by its internal name"
    if kind == "prospect":
        assert "company_name" not in section
    assert MINE in section and MEANWHILE in section  # what was typed and what is stored
    if language == "fr":
        assert FRENCH_STALE in section
    else:
        assert told(response)


@pytest.mark.parametrize("junk", ["abc", "9" * 30])
@pytest.mark.parametrize("kind", list(CASES))
def test_junk_version_in_an_edit_form_is_refused_as_stale(kind, junk, own_world, rep_client):
    case = CASES[kind]
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    url = case.url(own_world)
    before = case.current(own_world)
    data = form_with(rep_client.get(url, **headers).content.decode(), "version")
    data.update({case.field: MINE, "version": junk})
    response = rep_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 409
    assert told(response)
    assert case.current(own_world) == before, "nothing is overwritten"
    fresh = form_with(response.content.decode(), "version")
    assert fresh["version"].isdigit(), "the form now carries the current version"


def test_stale_extra_fields_form_names_the_field_by_its_label(own_world, rep_client, manager):
    w = own_world
    field = ExtraField.objects.get(label="Budget holder")
    url = reverse("prospect_detail", args=[w.prospect.pk]) + "?tab=extra"
    data = form_with(rep_client.get(url).content.decode(), "version")
    key = f"extra_{field.pk}"
    assert key in data
    prospect_services.prospect_extra_update(
        prospect_id=w.prospect.pk, actor=manager, extra={field.pk: MEANWHILE}, expected_version=None
    )
    data[key] = MINE
    response = rep_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    section = conflict_section(response)
    assert re.findall(r'<th scope="row">(.*?)</th>', section) == ["Budget holder"]
    assert key not in section and MINE in section and MEANWHILE in section
    assert told(response)
    assert type(w.prospect).objects.get(pk=w.prospect.pk).extra[str(field.pk)] == MEANWHILE
