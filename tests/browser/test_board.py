"""The Kanban in real Chromium: drag and drop, refusals snapping back, the loss-reason dialog,
the keyboard menu, Ctrl+K, and two users moving the same card."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from playwright.sync_api import expect

from core.roles import SALES_MANAGER, SALES_REP
from pipeline.models import HistoryEntry, Opportunity, Process, TaskType
from pipeline.services import opportunities as opportunity_services
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    """These pages are checked in French, the interface's default language."""
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def board(live_server):
    """Alice's board: three steps, two of her opportunities and one of Bruno's in the first."""
    # Transactional tests flush the tables between tests: recreate what migrations seed.
    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    TaskType.objects.get_or_create(code="todo", defaults={"name": "To-do"})
    if not Process.objects.filter(is_default=True).exists():
        f.ProcessFactory(name="Default", is_default=True, steps=1)
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    bruno = f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")
    process = f.ProcessFactory(name="Sales", steps=3)
    steps = list(process.steps.order_by("position"))

    def opportunity(owner, summary, position):
        return f.OpportunityFactory(
            process=process,
            step=steps[0],
            owner=owner,
            summary=summary,
            position=position,
            prospect=f.ProspectFactory(owner=owner),
        )

    return {
        "url": f"{live_server.url}/pipeline/{process.pk}/board/",
        "process": process,
        "steps": steps,
        "alice": alice,
        "mine": opportunity(alice, "Roof insulation", 0),
        "other": opportunity(alice, "Solar panels", 1),
        "theirs": opportunity(bruno, "Heat pump", 2),
        "reason": f.LossReasonFactory(name="Too expensive"),
    }


def column(page, key):
    return page.locator(f'[data-column="{key}"]')


def card(page, opportunity):
    return page.locator(f'[data-opportunity="{opportunity.pk}"]')


def drag(page, opportunity, key):
    """Sortable listens to pointer events: move the mouse in small steps, as a hand would."""
    source = card(page, opportunity).locator(".kc-meta")
    source.scroll_into_view_if_needed()
    source.hover()
    page.mouse.down()
    start = source.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10, steps=5)
    target = column(page, key).locator(".kanban-cards").bounding_box()
    x = target["x"] + target["width"] / 2
    y = target["y"] + min(target["height"] - 10, 40)
    page.mouse.move(x, y, steps=15)
    page.mouse.move(x, y + 5, steps=5)
    page.mouse.up()


def french(message) -> str:
    with translation.override("fr"):
        return str(message)


def test_drag_to_the_next_column_stays_after_reload_with_its_history(page, login, board):
    first, second, _third = board["steps"]
    login(page, "alice")
    page.goto(board["url"])
    expect(column(page, first.pk).locator("[data-count]")).to_have_text("3")

    drag(page, board["mine"], second.pk)

    expect(column(page, second.pk).locator("[data-count]")).to_have_text("1")
    expect(column(page, first.pk).locator("[data-count]")).to_have_text("2")
    expect(
        column(page, second.pk).locator(f'[data-opportunity="{board["mine"].pk}"]')
    ).to_be_visible()
    page.reload()
    expect(
        column(page, second.pk).locator(f'[data-opportunity="{board["mine"].pk}"]')
    ).to_be_visible()
    entry = HistoryEntry.objects.get(opportunity=board["mine"], kind=HistoryEntry.Kind.STEP)
    assert (entry.from_value, entry.to_value, entry.actor) == (
        first.label,
        second.label,
        board["alice"],
    )


def test_another_reps_card_cannot_be_dragged_nor_moved_by_the_menu(page, login, board):
    """Reps see the team's cards (REPS_SEE_ONLY_OWN=0) but move only their own: Bruno's card
    offers no drag and no "Move" menu, so no refused request is ever sent."""
    first, second, _third = board["steps"]
    theirs = board["theirs"]
    login(page, "alice")
    page.goto(board["url"])
    expect(card(page, theirs)).to_be_visible()
    expect(card(page, theirs).locator("[data-move-menu]")).to_have_count(0)
    expect(card(page, board["mine"]).locator("[data-move-menu]")).to_have_count(1)
    assert card(page, theirs).evaluate("c => getComputedStyle(c).cursor") != "grab"
    assert card(page, board["mine"]).evaluate("c => getComputedStyle(c).cursor") == "grab"
    moves = []
    page.on("request", lambda request: moves.append(request.url) if "/move/" in request.url else 0)

    drag(page, theirs, second.pk)

    page.wait_for_timeout(500)
    assert moves == []
    expect(column(page, second.pk).locator("[data-opportunity]")).to_have_count(0)
    # In its place, not only in its column: third of three.
    expect(column(page, first.pk).locator("[data-opportunity]").nth(2)).to_have_attribute(
        "data-opportunity", str(theirs.pk)
    )
    expect(page.locator("#messages .message-error")).to_have_count(0)
    theirs.refresh_from_db()
    assert theirs.step == first


def test_a_refused_move_snaps_back_with_its_message(page, login, board):
    """The card was Alice's when the board loaded; it was handed to Bruno since: the server
    refuses the drop and the card goes back to its place."""
    first, second, _third = board["steps"]
    mine = board["mine"]
    login(page, "alice")
    page.goto(board["url"])
    Opportunity.objects.filter(pk=mine.pk).update(owner=board["theirs"].owner)
    drag(page, mine, second.pk)

    expect(page.locator("#messages")).to_contain_text(
        french(opportunity_services.NOT_ALLOWED_OBJECT)
    )
    expect(column(page, first.pk).locator(f'[data-opportunity="{mine.pk}"]')).to_be_visible()
    expect(column(page, second.pk).locator("[data-opportunity]")).to_have_count(0)
    # Back in its place, not only in its column: first of three.
    expect(column(page, first.pk).locator("[data-opportunity]").nth(0)).to_have_attribute(
        "data-opportunity", str(mine.pk)
    )
    mine.refresh_from_db()
    assert mine.step == first


def test_the_loss_reason_dialog_cancel_then_confirm(page, login, board):
    first = board["steps"][0]
    mine = board["mine"]
    login(page, "alice")
    page.goto(board["url"])

    drag(page, mine, "lost")
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("select[name=loss_reason]")).to_be_visible()
    dialog.locator("[data-modal-close]").click()
    expect(dialog).to_be_hidden()
    expect(column(page, first.pk).locator(f'[data-opportunity="{mine.pk}"]')).to_be_visible()
    expect(column(page, first.pk).locator("[data-opportunity]").first).to_have_attribute(
        "data-opportunity", str(mine.pk)
    )
    mine.refresh_from_db()
    assert mine.status == Opportunity.Status.OPEN

    drag(page, mine, "lost")
    expect(dialog).to_be_visible()
    dialog.locator("select[name=loss_reason]").select_option(str(board["reason"].pk))
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(column(page, "lost").locator(f'[data-opportunity="{mine.pk}"]')).to_be_visible()
    expect(column(page, "lost").locator("[data-count]")).to_have_text("1")
    mine.refresh_from_db()
    assert (mine.status, mine.loss_reason) == (Opportunity.Status.LOST, board["reason"])


def test_escape_in_the_loss_dialog_puts_the_card_back(page, login, board):
    first = board["steps"][0]
    login(page, "alice")
    page.goto(board["url"])
    drag(page, board["other"], "lost")
    expect(page.locator("#modal")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#modal")).to_be_hidden()
    expect(
        column(page, first.pk).locator(f'[data-opportunity="{board["other"].pk}"]')
    ).to_be_visible()


def test_keyboard_move_menu(page, login, board):
    _first, _second, third = board["steps"]
    mine = board["mine"]
    login(page, "alice")
    page.goto(board["url"])
    button = card(page, mine).locator("[data-move-menu]")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("menuitem").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name=third.label)).to_be_focused()
    page.keyboard.press("Enter")
    expect(column(page, third.pk).locator(f'[data-opportunity="{mine.pk}"]')).to_be_visible()
    expect(column(page, third.pk).locator("[data-count]")).to_have_text("1")
    expect(card(page, mine)).to_be_focused()
    mine.refresh_from_db()
    assert mine.step == third


def test_ctrl_k_switches_between_the_prospect_list_and_the_board(page, login, board):
    login(page, "alice")
    page.goto(board["url"])
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("Control+k")
    page.wait_for_url(re.compile(r"/prospects/"))
    expect(page.locator("[data-ctrl-k]")).to_have_attribute("href", re.compile(r"/board/"))
    page.keyboard.press("Control+k")
    page.wait_for_url(re.compile(r"/pipeline/\d+/board/"))
    expect(page.locator("#board")).to_be_visible()


def test_two_users_moving_the_same_card(browser, live_server, login, board):
    first, second, third = board["steps"]
    mine = board["mine"]
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        page = context.new_page()
        login(page, "alice")
        page.goto(board["url"])
        pages.append(page)
    early, late = pages

    drag(early, mine, second.pk)
    expect(column(early, second.pk).locator("[data-count]")).to_have_text("1")

    # The second window still shows the card in the first column, with the old version.
    drag(late, mine, third.pk)
    expect(late.locator("#messages .message-error")).to_contain_text(second.label)
    # The card shows its real place, and nothing was overwritten.
    expect(column(late, second.pk).locator(f'[data-opportunity="{mine.pk}"]')).to_be_visible()
    expect(column(late, third.pk).locator("[data-opportunity]")).to_have_count(0)
    expect(column(late, first.pk).locator(f'[data-opportunity="{mine.pk}"]')).to_have_count(0)
    mine.refresh_from_db()
    assert mine.step == second
    for page in pages:
        page.context.close()


def test_create_a_task_from_a_card_refreshes_its_next_action(page, login, board):
    TaskType.objects.get_or_create(code="call", defaults={"name": "Call"})
    mine = board["mine"]
    login(page, "alice")
    page.goto(board["url"])
    expect(card(page, mine).locator(".kc-action")).not_to_contain_text("Call the architect")
    card(page, mine).locator(f'[data-task-for="{mine.pk}"]').last.click()
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    dialog.locator("[name=title]").fill("Call the architect")
    dialog.locator("button[type=submit].btn-primary").click()
    expect(dialog).to_be_hidden()
    expect(card(page, mine).locator(".kc-action")).to_contain_text("Call the architect")
    assert page.url == board["url"]


def test_filters_keep_a_bookmarkable_url(page, login, board):
    first = board["steps"][0]
    login(page, "alice")
    page.goto(board["url"])
    expect(column(page, first.pk).locator("[data-opportunity]")).to_have_count(3)
    page.locator("#id_q").fill("solar")
    expect(page).to_have_url(re.compile(r"\?q=solar"))
    expect(column(page, first.pk).locator("[data-opportunity]")).to_have_count(1)
    expect(card(page, board["other"])).to_be_visible()
    page.reload()
    expect(column(page, first.pk).locator("[data-opportunity]")).to_have_count(1)
    expect(page.locator("#id_q")).to_have_value("solar")
    # Cards of a filtered board still move.
    drag(page, board["other"], board["steps"][1].pk)
    expect(column(page, board["steps"][1].pk).locator("[data-count]")).to_have_text("1")


def test_load_more_shows_the_next_cards(page, login, board):
    from pipeline.selectors import PAGE_SIZE

    first = board["steps"][0]
    f.OpportunityFactory.create_batch(
        PAGE_SIZE, process=board["process"], step=first, owner=board["alice"], position=10
    )
    login(page, "alice")
    page.goto(board["url"])
    cards = column(page, first.pk).locator("[data-opportunity]")
    expect(cards).to_have_count(PAGE_SIZE)
    expect(column(page, first.pk).locator("[data-count]")).to_have_text(str(PAGE_SIZE + 3))
    column(page, first.pk).locator(".kanban-more button").click()
    expect(cards).to_have_count(PAGE_SIZE + 3)
    expect(column(page, first.pk).locator(".kanban-more button")).to_have_count(0)


def test_a_manager_adds_a_column_from_the_board(page, login, board):
    f.ManagerFactory(username="manager")
    login(page, "manager")
    page.goto(board["url"])
    page.get_by_role("button", name=re.compile("Add a column|Ajouter une colonne")).click()
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    dialog.locator("[name=label]").fill("Signature")
    dialog.locator("[name=probability]").fill("90")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    step = board["process"].steps.get(label="Signature")
    expect(column(page, step.pk)).to_be_visible()
    # The new column takes drops like the others.
    drag(page, board["mine"], step.pk)
    expect(column(page, step.pk).locator("[data-count]")).to_have_text("1")


def test_a_manager_folds_and_unfolds_a_column(page, login, board):
    f.ManagerFactory(username="manager")
    second = board["steps"][1]
    login(page, "manager")
    page.goto(board["url"])
    column(page, second.pk).locator("summary").click()
    column(page, second.pk).get_by_role("button", name=re.compile("^(Fold|Replier)$")).click()
    expect(column(page, second.pk)).to_have_class(re.compile(r"\bfolded\b"))
    second.refresh_from_db()
    assert second.folded
    column(page, second.pk).get_by_role("button", name=re.compile("Unfold|Déplier")).click()
    expect(column(page, second.pk)).not_to_have_class(re.compile(r"\bfolded\b"))
    second.refresh_from_db()
    assert not second.folded


def test_add_an_opportunity_in_a_chosen_column(page, login, board):
    second = board["steps"][1]
    login(page, "alice")
    page.goto(board["url"])
    column(page, second.pk).locator(".kanban-tools button").first.click()
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[name=step]")).to_have_value(str(second.pk))
    dialog.locator("[name=summary]").fill("Garden office")
    dialog.locator("[name=company_name]").fill("Durand & Fils")
    dialog.locator("[name=amount]").fill("8000")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    created = Opportunity.objects.get(summary="Garden office")
    expect(column(page, second.pk).locator(f'[data-opportunity="{created.pk}"]')).to_contain_text(
        "Durand & Fils"
    )
    expect(column(page, second.pk).locator("[data-count]")).to_have_text("1")


def test_order_inside_a_column_is_kept(page, login, board):
    first = board["steps"][0]
    login(page, "alice")
    page.goto(board["url"])
    cards = column(page, first.pk).locator("[data-opportunity]")
    expect(cards.first).to_have_attribute("data-opportunity", str(board["mine"].pk))
    # Drag "Solar panels" (second) above "Roof insulation" (first).
    source = card(page, board["other"]).locator(".kc-meta")
    source.hover()
    page.mouse.down()
    box = source.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] - 10, steps=5)
    top = card(page, board["mine"]).bounding_box()
    page.mouse.move(top["x"] + top["width"] / 2, top["y"] + 8, steps=15)
    page.mouse.move(top["x"] + top["width"] / 2, top["y"] + 4, steps=5)
    page.mouse.up()
    expect(cards.first).to_have_attribute("data-opportunity", str(board["other"].pk))
    expect(card(page, board["other"])).not_to_have_class(re.compile("kanban-card-saving"))
    page.reload()
    expect(cards.first).to_have_attribute("data-opportunity", str(board["other"].pk))
    expect(cards.nth(1)).to_have_attribute("data-opportunity", str(board["mine"].pk))


# --------------------------------------------------------------------------- issue 19: fit, title, phone


def test_a_card_is_dragged_by_its_title_and_a_click_on_it_still_opens_it(page, login, board):
    first, second, _third = board["steps"]
    mine = board["mine"]
    login(page, "alice")
    page.goto(board["url"])
    title = card(page, mine).locator(".kc-summary")
    title.drag_to(column(page, second.pk).locator(".kanban-cards"))
    expect(column(page, second.pk).locator(f'[data-opportunity="{mine.pk}"]')).to_be_visible()
    expect(column(page, second.pk).locator("[data-count]")).to_have_text("1")
    expect(card(page, mine)).not_to_have_class(re.compile("kanban-card-saving"))
    mine.refresh_from_db()
    assert mine.step == second
    # The title is still the card's link.
    card(page, mine).locator(".kc-summary").click()
    page.wait_for_url(re.compile(rf"/opportunities/{mine.pk}/$"))


def test_a_folded_column_offers_no_load_more(page, login, board):
    from pipeline.selectors import PAGE_SIZE

    first, second, _third = board["steps"]
    f.OpportunityFactory.create_batch(
        PAGE_SIZE + 2, process=board["process"], step=second, owner=board["alice"]
    )
    second.folded = True
    second.save()
    login(page, "alice")
    page.goto(board["url"])
    expect(column(page, second.pk)).to_have_class(re.compile(r"\bfolded\b"))
    expect(column(page, second.pk).locator("[data-count]")).to_have_text(str(PAGE_SIZE + 2))
    expect(column(page, second.pk).locator(".kanban-more button")).to_have_count(0)
    expect(column(page, second.pk).locator("[data-opportunity]")).to_have_count(0)
    # A folded column still takes drops.
    drag(page, board["mine"], second.pk)
    expect(column(page, second.pk).locator("[data-count]")).to_have_text(str(PAGE_SIZE + 3))


@pytest.fixture
def six_steps(board):
    """A 6-step process with the long step names French teams give, cards in every column."""
    process = f.ProcessFactory(
        name="Installation photovoltaïque",
        steps=[
            ("Premier contact", 3, 10),
            ("Qualification du besoin", 5, 20),
            ("Visite technique sur site", 7, 40),
            ("Proposition commerciale envoyée", 10, 60),
            ("Négociation et relances", 10, 80),
            ("Signature du bon de commande", 5, 90),
        ],
    )
    steps = list(process.steps.order_by("position"))
    for i, step in enumerate(steps * 2):
        f.OpportunityFactory(
            process=process,
            step=step,
            owner=board["alice"],
            summary=f"Centrale en toiture pour l’entrepôt logistique n° {i}",
            amount=125000 + i,
            prospect=f.ProspectFactory(owner=board["alice"], company_name="Établissements Durand"),
        )
    f.OpportunityFactory(
        process=process,
        step=steps[0],
        owner=board["alice"],
        status=Opportunity.Status.WON,
        closing_date=dt.date.today(),
    )
    return {
        "url": board["url"].replace(f"/{board['process'].pk}/", f"/{process.pk}/"),
        "steps": steps,
    }


def no_sideways_scroll(page) -> dict:
    return page.evaluate(
        """() => {
            const board = document.getElementById("board");
            const titles = Array.from(board.querySelectorAll(".kanban-head h2"));
            const columns = Array.from(board.querySelectorAll("[data-column]"));
            return {
                page: document.documentElement.scrollWidth <= document.documentElement.clientWidth,
                board: board.scrollWidth <= board.clientWidth,
                columns: columns.every(c => c.getBoundingClientRect().right <= window.innerWidth),
                titles: titles.every(h => h.scrollWidth <= h.clientWidth + 1),
                count: columns.length,
            };
        }"""
    )


@pytest.mark.parametrize("width,height", [(1440, 900), (1366, 768)])
def test_a_six_step_board_shows_every_column_without_scrolling_sideways(
    browser, login, six_steps, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    login(page, "alice")
    page.goto(six_steps["url"])
    expect(page.locator("#board [data-column]")).to_have_count(8)
    assert no_sideways_scroll(page) == {
        "page": True,
        "board": True,
        "columns": True,
        "titles": True,
        "count": 8,
    }
    for key in ("won", "lost"):
        expect(column(page, key)).to_be_in_viewport()
    context.close()


def test_on_a_phone_the_board_shows_one_column_at_a_time(browser, login, six_steps):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    login(page, "alice")
    page.goto(six_steps["url"])
    first, second = six_steps["steps"][:2]
    switcher = page.locator("select[data-column-switch]")
    expect(switcher).to_be_visible()
    expect(page.get_by_label(re.compile("Colonne affichée|Column shown"))).to_be_visible()
    expect(switcher.locator("option")).to_have_count(8)
    expect(switcher.locator("option").first).to_have_text(f"{first.label} (2)")
    expect(page.locator("#board [data-column]:visible")).to_have_count(1)
    expect(column(page, first.pk)).to_be_visible()
    switcher.select_option(str(second.pk))
    expect(column(page, second.pk)).to_be_visible()
    expect(column(page, first.pk)).to_be_hidden()
    expect(page.locator("#board [data-column]:visible")).to_have_count(1)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    # Moving a card through its menu: the switcher's counts follow.
    moved = column(page, second.pk).locator("[data-opportunity]").first
    moved.locator("[data-move-menu]").click()
    page.get_by_role("menuitem", name=six_steps["steps"][2].label).click()
    expect(switcher.locator(f'option[value="{second.pk}"]')).to_have_text(f"{second.label} (1)")
    context.close()
