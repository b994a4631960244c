import pytest
from playwright.sync_api import expect

from contacts.models import Prospect
from tests import factories as f
from tests.prospects.test_paste import MANUAL_EXAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_as_you_type_and_the_selected_prospects_actions(page, live_server, login):
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    process = f.default_process()
    for name, company in [("Hisson", "Euro Transports"), ("Rigollaud", "SOFAR")]:
        prospect = f.ProspectFactory(
            owner=alice, last_name=name, company_name=company, email=f"{name.lower()}@example.fr"
        )
        opportunity = f.OpportunityFactory(
            prospect=prospect, owner=alice, process=process, summary=f"Project {name}"
        )
        f.TaskFactory(
            prospect=prospect, opportunity=opportunity, assignee=alice, title=f"Call {name}"
        )
    login(page, "alice")
    page.goto(f"{live_server.url}/prospects/")
    rows = page.locator("#prospect-rows tbody tr[data-prospect]")
    expect(rows).to_have_count(2)
    page.fill("#id_q", "rigol")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(
        f"{live_server.url}/prospects/?q=rigol&owner=&status=&step=&colour=&channel=&category=&process=&sort=name"
    )
    rows.first.locator("td").nth(2).click()
    panel = page.locator("#prospect-panel")
    expect(panel).to_contain_text("Call Rigollaud")
    expect(panel).to_contain_text("Project Rigollaud")
    # Ctrl+K goes to the Kanban of the default process.
    page.keyboard.press("Control+k")
    page.wait_for_url(f"{live_server.url}/pipeline/{process.pk}/board/")


def test_paste_from_email_fills_the_form_then_saves(page, live_server, login):
    f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    login(page, "alice")
    page.goto(f"{live_server.url}/prospects/new/")
    page.locator(".paste-box summary").click()
    page.fill("textarea[name=text]", MANUAL_EXAMPLE)
    page.locator("button[value=paste]").click()
    expect(page.locator("#id_last_name")).to_have_value("RIGOLLAUD")
    expect(page.locator("#id_first_name")).to_have_value("Albert")
    expect(page.locator("#id_postal_code")).to_have_value("75017")
    assert not Prospect.objects.exists()
    page.locator("#prospect-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/prospects/new/" not in url)
    prospect = Prospect.objects.get()
    assert prospect.company_name == "SOFAR and C°"
    assert prospect.phone == "+33188334455"


def test_cards_load_the_shared_history_and_the_probability_follows_the_step_again(
    page, live_server, login
):
    from prospects import services

    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    bruno = f.RepFactory(username="bruno", first_name="Bruno", last_name="Lefèvre")
    process = f.ProcessFactory(steps=[("Contact", 3, 40)])
    prospect = f.ProspectFactory(owner=bruno, last_name="Hisson", company_name="Euro Transports")
    opportunity = f.OpportunityFactory(
        prospect=prospect,
        owner=alice,
        process=process,
        summary="Fleet renewal",
        probability=75,
        probability_is_manual=True,
    )
    services.prospect_update(
        prospect_id=prospect.pk, actor=bruno, data={"owner": alice}, expected_version=None
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/prospects/{prospect.pk}/?tab=history")
    history = page.locator("[data-history-panel]")
    expect(history).to_contain_text("Bruno Lefèvre → Alice Durand")

    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    source = page.locator(".probability-source")
    expect(source).to_contain_text("set by hand")
    source.get_by_role("button", name="Follow the step again").click()
    expect(page.locator(".probability-source")).to_contain_text("follows the step")
    expect(page.locator("#id_probability")).to_have_value("40")
    expect(page.locator("[data-history-panel]")).to_contain_text("75 % → 40 %")
