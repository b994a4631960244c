"""The global search in real Chromium: typing in the top bar shows the results grouped, ↓ and
Enter open one, Esc closes, "/" focuses the box from any page (and not while typing in a
field), Ctrl+K still switches list and board, and Enter alone opens the bookmarkable page."""

import re

import pytest
from playwright.sync_api import expect

from contacts.services import company_create, person_create
from prospects.services import prospect_create
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    prospect = prospect_create(
        actor=alice, first_name="Paul", last_name="Vernier", company_name="Boulangerie Vernier"
    )
    company = company_create(
        actor=alice,
        data={"name": "Transports Vernier"},
        address={"line1": "3 quai Rambaud", "postal_code": "69002", "city": "Lyon"},
    )
    person = person_create(
        actor=alice, data={"first_name": "Lucie", "last_name": "Vernier"}, company=company
    )
    return {"alice": alice, "prospect": prospect, "company": company, "person": person}


def test_type_see_the_groups_and_open_a_result_with_the_keyboard(page, live_server, login, world):
    login(page, "alice")
    box = page.locator("#global-q")
    box.click()
    box.press_sequentially("vernier", delay=30)
    listbox = page.locator("#global-search-results")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    for label in ("Prospects", "Companies", "People"):
        expect(listbox.locator(".search-group-title", has_text=label)).to_be_visible()
    expect(listbox.locator("#search-group-companies")).to_contain_text("1")
    # Nothing highlighted until ↓; ↓ highlights the first option, ↓ again the second.
    expect(listbox.locator("[aria-selected=true]")).to_have_count(0)
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = listbox.locator("[role=option]").nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    box.press("ArrowUp")
    expect(listbox.locator("[role=option]").first).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    # Back down to the company (the second option: the prospect comes first) and open it.
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/companies/{world['company'].pk}/$"))


def test_enter_alone_opens_the_bookmarkable_results_page(page, live_server, login, world):
    login(page, "alice")
    box = page.locator("#global-q")
    box.fill("vernier")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=vernier$"))
    for kind in ("prospects", "companies", "people"):
        expect(page.locator(f"#results-{kind}")).to_be_visible()
    # The URL alone brings the same page back (a bookmark, a link sent to a colleague).
    page.goto(f"{live_server.url}/search/?q=vernier")
    expect(page.locator("#results-people")).to_contain_text("Lucie")
    expect(page.locator("#search-summary")).to_contain_text("3 results")


def test_slash_focuses_the_box_from_any_page_but_not_while_typing(page, live_server, login, world):
    login(page, "alice")
    page.goto(f"{live_server.url}/companies/")
    expect(page.locator(".search-key")).to_have_text("/")
    page.locator("main h1").click()
    page.keyboard.press("/")
    expect(page.locator("#global-q")).to_be_focused()
    expect(page.locator("#global-q")).to_have_value("")
    # In a field, "/" is a character like any other.
    quick = page.locator("#id_q")
    quick.click()
    page.keyboard.type("a/b")
    expect(quick).to_have_value("a/b")
    expect(page.locator("#global-q")).not_to_be_focused()


def test_ctrl_k_still_switches_between_list_and_board(page, live_server, login, world):
    login(page, "alice")
    page.goto(f"{live_server.url}/prospects/")
    page.locator("main h1").click()
    page.keyboard.press("Control+k")
    page.wait_for_url(re.compile(r"/board/"))


def test_nothing_found_is_a_status_outside_the_listbox(page, live_server, login, world):
    """A search that finds nothing says so in a live status next to the box (read out by a
    screen reader), not as a pretend option inside the listbox, which stays closed."""
    login(page, "alice")
    box = page.locator("#global-q")
    listbox = page.locator("#global-search-results")
    status = page.locator("#global-search-status")
    expect(status).to_have_attribute("role", "status")
    box.click()
    box.press_sequentially("zzqx", delay=30)
    expect(status.locator(".search-hint")).to_be_visible()
    expect(status).to_have_text("Nothing found for “zzqx”.")
    expect(listbox).to_be_hidden()
    expect(listbox).to_be_empty()
    expect(box).to_have_attribute("aria-expanded", "false")
    # One letter: the hint is the status too.
    box.fill("")
    box.press_sequentially("z", delay=30)
    expect(status).to_have_text("Type at least two letters, a phone number or a SIREN.")
    expect(listbox).to_be_hidden()
    # Results again: the listbox opens and the status counts them for a screen reader.
    box.fill("")
    box.press_sequentially("vernier", delay=30)
    expect(listbox).to_be_visible()
    expect(listbox.locator("[role=option]").first).to_be_visible()
    expect(status).to_have_text("3 results for “vernier”")
    expect(status.locator(".visually-hidden")).to_have_count(1)
    box.press("Escape")
    expect(listbox).to_be_hidden()
    # Emptied, the box says nothing; Esc puts a hint away.
    box.fill("")
    expect(status).to_have_text("")
    box.press_sequentially("zzqx", delay=30)
    expect(status.locator(".search-hint")).to_be_visible()
    box.press("Escape")
    expect(status).to_have_text("")
    expect(box).to_be_focused()
