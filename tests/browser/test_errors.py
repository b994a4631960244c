"""Failed htmx requests in real Chromium: a message in the page's message area, in the user's
language, and the page left as it was (no error page swapped in); and the error pages."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from core.roles import SALES_MANAGER, SALES_REP
from pipeline.models import Opportunity, Process, TaskType
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORBIDDEN = "You are not allowed to do this; nothing was changed."
NOT_FOUND = "This record no longer exists or is no longer visible to you."
SERVER = "An unexpected error occurred on the server. Reload the page to see what was saved."
NETWORK = "The server could not be reached; nothing was saved. Check your connection and try again."


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """Checked in French, the interface's default language."""
    return {**browser_context_args, "locale": "fr-FR"}


def french(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


@pytest.fixture
def board(live_server):
    """Alice's board: one card of hers in the first of three steps."""
    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    TaskType.objects.get_or_create(code="todo", defaults={"name": "To-do"})
    if not Process.objects.filter(is_default=True).exists():
        f.ProcessFactory(name="Default", is_default=True, steps=1)
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    bruno = f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")
    process = f.ProcessFactory(name="Sales", steps=3)
    first = process.steps.order_by("position").first()
    mine = f.OpportunityFactory(
        process=process,
        step=first,
        owner=alice,
        summary="Roof insulation",
        prospect=f.ProspectFactory(owner=alice),
    )
    return {
        "url": f"{live_server.url}/pipeline/{process.pk}/board/",
        "first": first,
        "mine": mine,
        "bruno": bruno,
    }


def drag_to_lost(page, opportunity):
    """Sortable listens to pointer events: move the mouse in small steps, as a hand would."""
    source = page.locator(f'[data-opportunity="{opportunity.pk}"] .kc-meta')
    source.scroll_into_view_if_needed()
    source.hover()
    page.mouse.down()
    start = source.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10, steps=5)
    target = page.locator('[data-column="lost"] .kanban-cards').bounding_box()
    x, y = target["x"] + target["width"] / 2, target["y"] + min(target["height"] - 10, 40)
    page.mouse.move(x, y, steps=15)
    page.mouse.move(x, y + 5, steps=5)
    page.mouse.up()


def test_a_card_handed_to_another_rep_dropped_on_lost(page, login, board, output_path):
    """The card was Alice's when the board loaded; it is Bruno's now. Dropped on Lost, the
    loss-reason dialog is refused (403): a French message says so, no dialog and no error page
    show, and the card goes back to its column."""
    mine = board["mine"]
    login(page, "alice")
    page.goto(board["url"])
    Opportunity.objects.filter(pk=mine.pk).update(owner=board["bruno"])

    drag_to_lost(page, mine)

    expect(page.locator("#messages .message-error span")).to_have_text(french(FORBIDDEN))
    expect(page.locator("#modal")).to_be_hidden()
    expect(page.locator("#modal-body")).to_be_empty()
    expect(
        page.locator(f'[data-column="{board["first"].pk}"] [data-opportunity="{mine.pk}"]')
    ).to_be_visible()
    expect(page.locator('[data-column="lost"] [data-opportunity]')).to_have_count(0)
    assert "403" not in page.locator("body").inner_text()
    page.screenshot(path=f"{output_path}/board-refused-lost.png", full_page=True)
    mine.refresh_from_db()
    assert mine.status == Opportunity.Status.OPEN


def ajax(page, url: str) -> None:
    """An htmx request aimed at the page's main area (its promise fails on a lost connection)."""
    page.evaluate(
        "url => { htmx.ajax('GET', url, {target: '#main', swap: 'innerHTML'}).catch(() => {}); }",
        url,
    )


def test_error_answers_and_lost_connections_leave_the_page_as_it_was(page, login, board):
    login(page, "alice")
    page.goto(board["url"])
    before = page.locator("#main").inner_html()
    messages = page.locator("#messages .message-error span")

    # A server error whose raw page must not be swapped in.
    page.route("**/crash-me/", lambda route: route.fulfill(status=500, body="<h1>Raw 500</h1>"))
    ajax(page, "/crash-me/")
    expect(messages.last).to_have_text(french(SERVER))

    # A real 404 from the server.
    ajax(page, "/nowhere/")
    expect(messages.last).to_have_text(french(NOT_FOUND))

    # No answer at all.
    page.route("**/unreachable/", lambda route: route.abort())
    ajax(page, "/unreachable/")
    expect(messages.last).to_have_text(french(NETWORK))

    assert "Raw 500" not in page.content()
    assert page.locator("#main").inner_html().count('data-opportunity="') == before.count(
        'data-opportunity="'
    )


@pytest.mark.urls("tests.core.test_error_pages")
def test_error_pages_look_like_the_app(page, login, board, output_path):
    """400, 403, 404 and 500 as a rep sees them (DEBUG is off in tests), in French."""
    login(page, "alice")
    pages = {
        400: ("/prospects/?q=%00", "Demande refusée"),
        403: ("/trash/", "Accès refusé"),
        404: ("/nowhere/", "Page introuvable"),
        500: ("/crash/", "Erreur du serveur"),
    }
    for status, (url, title) in pages.items():
        response = page.goto(board["url"].split("/pipeline/")[0] + url)
        assert response.status == status
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator(".error-card .btn-primary")).to_have_attribute("href", "/")
        # Styled: the app's stylesheet applies (a white card on the grey page).
        assert (
            page.locator(".error-card").evaluate("card => getComputedStyle(card).backgroundColor")
            == "rgb(255, 255, 255)"
        )
        page.screenshot(path=f"{output_path}/error-{status}.png", full_page=True)
