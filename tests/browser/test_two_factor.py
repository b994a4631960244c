"""Two-factor login in Chromium: set up an authenticator app (the secret read from the page, the
codes computed by pyotp as the app would), log out, log in again with a code; no page of the
flow breaks the Content-Security-Policy."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportProblem("CSP " + event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
}, true);
"""


def fresh_code(app: pyotp.TOTP, used: set[str]) -> str:
    """The app's current code, waiting for the next one when it already served (a TOTP code
    is accepted once)."""
    while app.now() in used:
        time.sleep(1)
    return app.now()


def test_set_up_totp_then_log_in_with_a_code(browser, live_server):
    f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.expose_function("reportProblem", lambda text: problems.append(text))
    context.add_init_script(WATCH)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "jalon-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # From the account page to the set-up, confirming the password first.
    page.goto(f"{base}/account/")
    expect(page.locator(".badge", has_text="Off")).to_be_visible()
    page.click("text=Set up the second factor")
    page.wait_for_url(f"{base}/accounts/2fa/")
    page.click("a[href='/accounts/2fa/totp/activate/']")
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", "jalon-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    expect(page.locator("img.accounts-img-qr")).to_be_visible()
    secret = page.input_value("#authenticator_secret")
    app = pyotp.TOTP(secret)
    used = {app.now()}
    page.fill("#id_code", app.now())
    page.click("form.accounts-form button[type=submit]")
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    page.goto(f"{base}/account/")
    expect(page.locator(".badge", has_text="On")).to_be_visible()

    # Log out from the user menu.
    page.click(".user-menu summary")
    page.click(".user-menu-panel button:has-text('Log out')")
    page.wait_for_url(f"{base}/accounts/login/")

    # The password alone is not enough any more.
    page.fill("#id_username", "alice")
    page.fill("#id_password", "jalon-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.fill("#id_code", "000000")
    page.click("form.accounts-form button[type=submit]")
    expect(page.locator(".errorlist, .message-error").first).to_be_visible()
    page.fill("#id_code", fresh_code(app, used))
    page.click("form.accounts-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.locator(".user-name")).to_have_text("Alice Durand")
    assert not problems, "\n".join(problems)
    context.close()


def test_add_a_passkey_then_log_in_with_it(browser, live_server, settings):
    """A passkey held by Chromium's virtual authenticator (as a phone or a security key would),
    added from the set-up page and then used as the second factor."""
    from allauth.mfa.models import Authenticator

    # The live server speaks plain HTTP on localhost, which browsers allow for WebAuthn.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    alice = f.RepFactory(username="alice", first_name="Alice", last_name="Durand")
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.expose_function("reportProblem", lambda text: problems.append(text))
    context.add_init_script(WATCH)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    base = live_server.url.replace("127.0.0.1", "localhost")

    def log_in():
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", "jalon-demo")
        page.click("button[type=submit]")

    log_in()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", "jalon-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/webauthn/add/")
    page.fill("#id_name", "Laptop")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=alice, type="webauthn").count() == 1

    page.click(".user-menu summary")
    page.click(".user-menu-panel button:has-text('Log out')")
    page.wait_for_url(f"{base}/accounts/login/")
    log_in()
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(f"{base}/")
    expect(page.locator(".user-name")).to_have_text("Alice Durand")
    assert not problems, "\n".join(problems)
    context.close()
