"""The token page and the API docs in Chromium: a rep makes a token, sees it once, uses it,
revokes it; the docs (Swagger UI) run under the strict CSP. Screenshots (1440×900, English and
French) go to the test output folder."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from api.models import ApiToken
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportProblem("CSP " + event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
}, true);
"""


@pytest.fixture
def watched(browser, live_server):
    problems = []
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    context.expose_function("reportProblem", lambda text: problems.append(text))
    context.add_init_script(WATCH)
    context.on("page", lambda page: page.on("pageerror", lambda e: problems.append(str(e))))
    yield context, problems
    context.close()


@pytest.fixture
def alice(live_server):
    from django.contrib.auth.models import Group

    from core.roles import SALES_MANAGER, SALES_REP

    for name in (SALES_REP, SALES_MANAGER):
        Group.objects.get_or_create(name=name)
    return f.RepFactory(username="alice", first_name="Alice", last_name="Durand")


def save(folder: str, name: str, png: bytes) -> None:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}.png").write_bytes(png)


def test_make_a_token_see_it_once_use_it_and_revoke_it(
    watched, live_server, login, alice, output_path
):
    context, problems = watched
    page = context.new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/account/tokens/")
    expect(page.locator(".empty")).to_be_visible()
    page.fill("#id_name", "Invoicing sync")
    page.select_option("#id_scope", "write")
    page.click("button:has-text('Create the token')")
    secret_box = page.locator("[data-token-secret] input.token-value")
    expect(secret_box).to_be_visible()
    secret = secret_box.input_value()
    assert secret.startswith("jalon_")
    expect(page.locator("tr[data-token]")).to_have_count(1)
    save(output_path, "api-tokens-new", page.screenshot(full_page=True))

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/prospects/").status_code == 200

    page.goto(f"{live_server.url}/account/tokens/")
    expect(page.locator("[data-token-secret]")).to_have_count(0)
    assert secret not in page.content()
    token = ApiToken.objects.get(user=alice)
    row = page.locator(f"tr[data-token='{token.pk}']")
    expect(row).to_contain_text(token.prefix)
    expect(row).not_to_contain_text("Never")  # its last use is shown
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button:has-text('Revoke')").click()
    expect(row).to_contain_text("Revoked on")
    assert client.get("/api/v1/prospects/").status_code == 401
    assert not problems, problems


def test_token_page_in_french(watched, live_server, login, alice, output_path):
    context, problems = watched
    page = context.new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/account/tokens/")
    page.click(".user-menu summary")
    page.click("button[data-lang='fr']")
    page.goto(f"{live_server.url}/account/tokens/")
    page.fill("#id_name", "Synchronisation facturation")
    page.click("form button[type=submit].btn-primary")
    expect(page.locator("[data-token-secret]")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    save(output_path, "api-tokens-fr", page.screenshot(full_page=True))
    assert not problems, problems


def test_the_docs_run_under_the_csp(watched, live_server, login, alice, output_path):
    context, problems = watched
    page = context.new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Jalon API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    save(output_path, "api-docs", page.screenshot())
    assert not problems, problems
