"""Web-to-lead: the public form's page, a submission becoming a prospect with its opportunity
and origin, consent recorded, duplicates, and the spam guards."""

import json
import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from contacts.models import Note, Prospect
from core import events
from integrations import web_forms
from integrations.models import WebForm
from pipeline.models import Opportunity
from tests import factories as f

pytestmark = pytest.mark.django_db
CONSENT_TEXT = "I agree that Acme keeps my details to answer my request."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=3)


@pytest.fixture
def web_form(rep, process):
    return WebForm.objects.create(
        name="Contact page",
        title="Contact us",
        fields=[
            {"name": "first_name", "required": False},
            {"name": "last_name", "required": True},
            {"name": "company_name", "required": False},
            {"name": "email", "required": True},
            {"name": "phone", "required": False},
            {"name": "message", "required": False},
        ],
        process=process,
        step=process.steps.order_by("position")[1],
        owner=rep,
        channel=f.ChannelFactory(name="Website"),
        consent_text=CONSENT_TEXT,
        thank_you_message="Thanks, we will call you back.",
    )


def stamp(form: WebForm, age: float = 30) -> str:
    return signing.dumps({"form": form.key, "at": time.time() - age}, salt=web_forms.STAMP_SALT)


def submit(client, form: WebForm, *, ip="203.0.113.7", age: float = 30, **values):
    data = {
        "last_name": "Martin",
        "first_name": "Jeanne",
        "company_name": "Boulangerie Martin",
        "email": "jeanne@boulangerie-martin.fr",
        "message": "Please call me about an audit.",
        "consent": "on",
        "started": stamp(form, age),
        **values,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(
        reverse("web_form", args=[form.key]),
        data,
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
    )


def test_the_page_is_public_embeddable_and_lists_the_fields(client, web_form):
    response = client.get(reverse("web_form", args=[web_form.key]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("first_name", "last_name", "company_name", "email", "phone", "message"):
        assert f'name="{name}"' in html
    assert 'name="consent"' in html and CONSENT_TEXT in html
    assert 'name="homepage"' in html and 'name="started"' in html
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "script-src 'self'" in csp  # the rest of the policy stays
    assert "<script" not in html and "style=" not in html


def test_other_pages_still_refuse_framing(rep_client):
    response = rep_client.get(reverse("dashboard"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_unknown_and_inactive_forms_are_not_found(client, web_form):
    assert client.get(reverse("web_form", args=["nope"])).status_code == 404
    WebForm.objects.filter(pk=web_form.pk).update(active=False)
    assert client.get(reverse("web_form", args=[web_form.key])).status_code == 404


def test_a_submission_becomes_a_prospect_with_an_opportunity_and_consent(
    web_form, rep, process, django_capture_on_commit_callbacks
):
    told = []
    events.register(told.append)
    try:
        # Any site may post: no CSRF token, no session.
        client = Client(enforce_csrf_checks=True)
        with django_capture_on_commit_callbacks(execute=True):
            response = submit(client, web_form)
    finally:
        events.unregister(told.append)

    assert response.status_code == 200
    assert "Thanks, we will call you back." in response.content.decode()
    prospect = Prospect.objects.get()
    assert (prospect.last_name, prospect.first_name, prospect.email) == (
        "Martin",
        "Jeanne",
        "jeanne@boulangerie-martin.fr",
    )
    assert prospect.owner == rep and prospect.channel.name == "Website"
    assert prospect.origin == "web_form" and prospect.origin_detail == "Contact page"
    assert prospect.notes == "Please call me about an audit."
    assert prospect.lawful_basis == "consent" and prospect.consent_at is not None
    proof = json.loads(prospect.consent_proof)
    assert proof["text"] == CONSENT_TEXT
    assert proof["ip"] == "203.0.113.7" and proof["user_agent"] == "Mozilla/5.0 (test)"
    assert proof["at"]
    opportunity = Opportunity.objects.get(prospect=prospect)
    assert opportunity.process == process and opportunity.step == web_form.step
    assert opportunity.owner == rep and opportunity.summary == "Contact page: Boulangerie Martin"
    assert [e.name for e in told] == ["prospect.created", "opportunity.created"]


def test_without_a_consent_box_the_basis_is_legitimate_interest(client, web_form):
    WebForm.objects.filter(pk=web_form.pk).update(consent_text="")
    web_form.refresh_from_db()
    assert submit(client, web_form, consent=None).status_code == 200
    prospect = Prospect.objects.get()
    assert prospect.lawful_basis == "legitimate_interest"
    assert prospect.consent_at is None and prospect.consent_proof == ""


def test_the_consent_box_must_be_ticked(client, web_form):
    response = submit(client, web_form, consent=None)
    assert response.status_code == 400
    assert str(web_forms.CONSENT_REQUIRED) in response.content.decode()
    assert not Prospect.objects.exists()


def test_required_fields_are_required(client, web_form):
    response = submit(client, web_form, email="", last_name="")
    assert response.status_code == 400
    assert not Prospect.objects.exists()


def test_a_known_email_adds_a_note_instead_of_a_duplicate(client, web_form, other_rep):
    existing = f.ProspectFactory(
        owner=other_rep, email="Jeanne@Boulangerie-Martin.fr", last_name="Martin", search_text=""
    )
    Opportunity.objects.filter(prospect=existing).delete()
    f.OpportunityFactory(prospect=existing, owner=other_rep, process=web_form.process)

    assert submit(client, web_form).status_code == 200

    assert Prospect.objects.count() == 1
    note = Note.objects.get(object_id=existing.pk)
    assert "Contact page" in note.subject and "Please call me about an audit." in note.text
    # Already an open opportunity in this process: no second one.
    assert Opportunity.objects.filter(prospect=existing).count() == 1
    existing.refresh_from_db()
    assert existing.lawful_basis == "consent"  # the newer consent is recorded


def test_same_name_and_company_is_the_same_prospect_as_in_imports(client, web_form, rep):
    existing = f.ProspectFactory(
        owner=rep,
        first_name="Jeanne",
        last_name="MARTIN",
        company_name="Boulangerie Martin",
        email="",
        search_text="",
    )
    submit(client, web_form, email="new-address@martin.fr")
    assert Prospect.objects.count() == 1
    assert Note.objects.filter(object_id=existing.pk).exists()
    # No open opportunity in the form's process yet: the request gets one.
    assert Opportunity.objects.filter(prospect=existing, process=web_form.process).count() == 1


def test_the_honeypot_refuses_bots_silently(client, web_form):
    response = submit(client, web_form, homepage="http://spam.example")
    assert response.status_code == 200
    assert "data-web-form-sent" in response.content.decode()
    assert not Prospect.objects.exists()


def test_a_form_filled_too_fast_is_refused(client, web_form):
    response = submit(client, web_form, age=1)
    assert response.status_code == 400
    assert str(web_forms.TOO_FAST) in response.content.decode()
    assert not Prospect.objects.exists()
    # Without the signed time stamp (or a forged one) too.
    assert submit(client, web_form, started="").status_code == 400
    assert submit(client, web_form, started="forged:stamp").status_code == 400
    assert not Prospect.objects.exists()
    # Sent again a moment later, it is accepted.
    assert submit(client, web_form, age=5).status_code == 200
    assert Prospect.objects.count() == 1


def test_the_time_check_can_be_turned_off_for_forms_posted_from_another_site(client, web_form):
    WebForm.objects.filter(pk=web_form.pk).update(min_seconds=0)
    web_form.refresh_from_db()
    assert submit(client, web_form, started=None).status_code == 200
    assert Prospect.objects.count() == 1


def test_submissions_are_limited_per_address(client, web_form):
    for n in range(web_forms.RATE_LIMIT):
        response = submit(client, web_form, email=f"p{n}@example.fr", last_name=f"Name{n}")
        assert response.status_code == 200
    response = submit(client, web_form, email="one-more@example.fr")
    assert response.status_code == 429
    assert str(web_forms.TOO_MANY) in response.content.decode()
    assert Prospect.objects.count() == web_forms.RATE_LIMIT
    # Another address is not held back.
    assert submit(client, web_form, ip="198.51.100.9", email="else@example.fr").status_code == 200


def test_a_redirect_url_replaces_the_thank_you_message(client, web_form):
    WebForm.objects.filter(pk=web_form.pk).update(redirect_url="https://www.acme.fr/merci")
    web_form.refresh_from_db()
    page = client.get(reverse("web_form", args=[web_form.key]))
    assert "https://www.acme.fr" in page.headers["Content-Security-Policy"].split("form-action")[1]
    response = submit(client, web_form)
    assert response.status_code == 302 and response["Location"] == "https://www.acme.fr/merci"


def test_the_page_speaks_the_browsers_language(client, web_form):
    response = client.get(reverse("web_form", args=[web_form.key]), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in response.content.decode()
