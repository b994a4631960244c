"""The public web form in Chromium, embedded in an iframe of another site (another local
server, so another origin): a visitor fills it in and sends it, the thank-you message shows in
the frame, and the prospect is in Jalon with its opportunity and consent."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from contacts.models import Prospect
from integrations.models import WebForm
from pipeline.models import Opportunity
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer_site():
    """A customer's website on its own port, whose page embeds `src` in an iframe."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def embed(src: str) -> str:
        pages["/contact.html"] = (
            "<!doctype html><html><head><title>Acme</title></head><body>"
            "<h1>Acme: contact us</h1>"
            f'<iframe id="lead" src="{src}" title="Contact" width="600" height="900"></iframe>'
            "</body></html>"
        )
        return f"http://127.0.0.1:{server.server_address[1]}/contact.html"

    yield embed
    server.shutdown()
    server.server_close()


def test_a_visitor_sends_the_form_embedded_in_another_site(page, live_server, customer_site):
    rep = f.RepFactory(username="alice")
    process = f.ProcessFactory(steps=3)
    step = process.steps.order_by("position")[1]
    form = WebForm.objects.create(
        name="Acme contact page",
        title="Contact us",
        fields=[
            {"name": "first_name", "required": False},
            {"name": "last_name", "required": True},
            {"name": "company_name", "required": False},
            {"name": "email", "required": True},
            {"name": "message", "required": False},
        ],
        process=process,
        step=step,
        owner=rep,
        consent_text="I agree that Acme keeps my details to answer me.",
        thank_you_message="Thank you, we will call you back.",
        min_seconds=1,
    )
    site = customer_site(f"{live_server.url}{form.get_absolute_url()}")

    page.goto(site)
    frame = page.frame_locator("#lead")
    expect(frame.locator("h1")).to_have_text("Contact us")
    # The honeypot is out of sight.
    expect(frame.locator("[name=homepage]")).not_to_be_in_viewport()
    frame.locator("[name=first_name]").fill("Jeanne")
    frame.locator("[name=last_name]").fill("Martin")
    frame.locator("[name=company_name]").fill("Boulangerie Martin")
    frame.locator("[name=email]").fill("jeanne@boulangerie-martin.fr")
    frame.locator("[name=message]").fill("Un audit, s'il vous plaît.")
    frame.locator("[name=consent]").check()
    page.wait_for_timeout(1100)  # the form's minimum time to fill
    frame.locator("button[type=submit]").click()

    expect(frame.locator("[data-web-form-sent]")).to_have_text("Thank you, we will call you back.")
    expect(page.locator("h1")).to_have_text("Acme: contact us")  # the site itself stayed
    prospect = Prospect.objects.get()
    assert (prospect.last_name, prospect.company_name) == ("Martin", "Boulangerie Martin")
    assert prospect.origin == "web_form" and prospect.lawful_basis == "consent"
    assert "Chrome" in prospect.consent_proof
    assert Opportunity.objects.get(prospect=prospect).step == step


def test_a_missing_required_field_is_said_in_the_frame(page, live_server, customer_site):
    rep = f.RepFactory(username="alice")
    process = f.ProcessFactory(steps=2)
    form = WebForm.objects.create(
        name="Short form",
        fields=[{"name": "email", "required": True}],
        process=process,
        owner=rep,
        min_seconds=0,
    )
    page.goto(customer_site(f"{live_server.url}{form.get_absolute_url()}"))
    frame = page.frame_locator("#lead")
    frame.locator("button[type=submit]").click()
    expect(frame.locator(".wf-error")).to_be_visible()
    assert not Prospect.objects.exists()
