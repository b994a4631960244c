"""The API of webhooks and web forms against each role: managers register and change them;
reps read the forms only, never the webhooks; a read-only token changes nothing; a webhook's
secret is shown in the answer to its creation only."""

import pytest
from rest_framework.test import APIClient

from api.services import token_create
from integrations.models import WebForm, Webhook
from tests import factories as f

pytestmark = pytest.mark.django_db


def api(user, *, read_only=False) -> APIClient:
    _token, secret = token_create(user=user, name="test", read_only=read_only, actor=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def process(db):
    return f.ProcessFactory(steps=2)


@pytest.fixture
def web_form(manager, process):
    return WebForm.objects.create(
        name="Contact page",
        fields=[{"name": "email", "required": True}],
        process=process,
        owner=manager,
    )


@pytest.fixture
def webhook(manager):
    return Webhook.objects.create(
        name="Zapier", url="https://hooks.example.com/a", events=["prospect.created"], owner=manager
    )


HOOK = {
    "name": "n8n",
    "url": "https://n8n.example.com/webhook/jalon",
    "events": ["opportunity.won"],
}


def test_a_manager_registers_a_webhook_and_sees_its_secret_once(manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client = api(manager)
    response = client.post("/api/v1/webhooks/", HOOK, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    hook = Webhook.objects.get(pk=body["id"])
    assert body["secret"] == hook.secret and body["secret"].startswith("whsec_")
    assert hook.owner == manager and hook.events == ["opportunity.won"]

    again = client.get(f"/api/v1/webhooks/{hook.pk}/").json()
    assert "secret" not in again and hook.secret not in str(client.get("/api/v1/webhooks/").json())

    renewed = client.post(f"/api/v1/webhooks/{hook.pk}/new-secret/").json()["secret"]
    hook.refresh_from_db()
    assert renewed == hook.secret != body["secret"]


def test_a_webhook_refuses_unknown_events_and_private_addresses(manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client = api(manager)
    bad_event = client.post(
        "/api/v1/webhooks/", {**HOOK, "events": ["prospect.eaten"]}, format="json"
    )
    assert bad_event.status_code == 400 and "events" in bad_event.json()
    for url in ("http://127.0.0.1:8000/x", "http://169.254.169.254/", "ftp://example.com/x"):
        response = client.post("/api/v1/webhooks/", {**HOOK, "url": url}, format="json")
        assert response.status_code == 400 and "url" in response.json(), url
    assert not Webhook.objects.exists()


def test_a_manager_changes_and_deletes_a_webhook(manager, webhook):
    client = api(manager)
    response = client.patch(
        f"/api/v1/webhooks/{webhook.pk}/", {"events": ["task.done"], "active": False}, format="json"
    )
    assert response.status_code == 200
    webhook.refresh_from_db()
    assert webhook.events == ["task.done"] and not webhook.active
    assert client.delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_reps_may_neither_read_nor_change_webhooks(rep, webhook):
    client = api(rep)
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.get(f"/api/v1/webhooks/{webhook.pk}/").status_code == 403
    assert client.post("/api/v1/webhooks/", HOOK, format="json").status_code == 403
    assert client.patch(f"/api/v1/webhooks/{webhook.pk}/", {"active": False}).status_code == 403
    assert client.delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 403
    assert client.post(f"/api/v1/webhooks/{webhook.pk}/new-secret/").status_code == 403
    webhook.refresh_from_db()
    assert webhook.active


def test_anonymous_callers_get_401(client, webhook, web_form):
    client = APIClient()
    assert client.get("/api/v1/webhooks/").status_code == 401
    assert client.get("/api/v1/forms/").status_code == 401


def test_a_read_only_token_of_a_manager_changes_nothing(manager, webhook, web_form):
    client = api(manager, read_only=True)
    assert client.get("/api/v1/webhooks/").status_code == 200
    assert client.post("/api/v1/webhooks/", HOOK, format="json").status_code == 403
    assert client.patch(f"/api/v1/forms/{web_form.pk}/", {"name": "X"}).status_code == 403
    assert Webhook.objects.count() == 1


def test_a_manager_creates_a_web_form(manager, rep, process):
    step = process.steps.order_by("position").last()
    response = api(manager).post(
        "/api/v1/forms/",
        {
            "name": "Trade show 2026",
            "fields": [{"name": "email", "required": True}, {"name": "company_name"}],
            "process": process.pk,
            "step": step.pk,
            "owner": rep.pk,
            "consent_text": "I agree.",
            "min_seconds": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    form = WebForm.objects.get(pk=body["id"])
    assert form.fields == [
        {"name": "email", "required": True},
        {"name": "company_name", "required": False},
    ]
    assert form.step == step and form.owner == rep
    assert body["url"].endswith(f"/forms/{form.key}/") and body["key"] == form.key


def test_a_web_form_is_checked(manager, process):
    other_step = f.ProcessFactory(steps=1).steps.get()
    client = api(manager)
    base = {"name": "X", "process": process.pk, "owner": manager.pk}
    no_identity = client.post(
        "/api/v1/forms/", {**base, "fields": [{"name": "city"}]}, format="json"
    )
    assert no_identity.status_code == 400 and "fields" in no_identity.json()
    unknown = client.post("/api/v1/forms/", {**base, "fields": [{"name": "salary"}]}, format="json")
    assert unknown.status_code == 400
    wrong_step = client.post(
        "/api/v1/forms/",
        {**base, "fields": [{"name": "email"}], "step": other_step.pk},
        format="json",
    )
    assert wrong_step.status_code == 400 and "step" in wrong_step.json()
    assert not WebForm.objects.exists()


def test_reps_read_web_forms_but_only_managers_change_them(rep, manager, web_form):
    rep_client = api(rep)
    listed = rep_client.get("/api/v1/forms/")
    assert listed.status_code == 200 and listed.json()["results"][0]["key"] == web_form.key
    assert rep_client.get(f"/api/v1/forms/{web_form.pk}/").status_code == 200
    assert rep_client.patch(f"/api/v1/forms/{web_form.pk}/", {"name": "Mine"}).status_code == 403
    assert rep_client.delete(f"/api/v1/forms/{web_form.pk}/").status_code == 403
    new = {"name": "Mine", "fields": [{"name": "email"}], "process": web_form.process_id}
    assert (
        rep_client.post("/api/v1/forms/", {**new, "owner": rep.pk}, format="json").status_code
        == 403
    )
    web_form.refresh_from_db()
    assert web_form.name == "Contact page"

    manager_client = api(manager)
    response = manager_client.patch(
        f"/api/v1/forms/{web_form.pk}/", {"name": "Contact", "active": False}, format="json"
    )
    assert response.status_code == 200
    web_form.refresh_from_db()
    assert web_form.name == "Contact" and not web_form.active
    assert manager_client.delete(f"/api/v1/forms/{web_form.pk}/").status_code == 204
