"""The managers' admin: a webhook's secret shown once after it is created, its deliveries
listed, a disabled one turned back on; a web form made with check boxes; reps kept out."""

import pytest
from django.urls import reverse

from integrations.models import Delivery, WebForm, Webhook
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_secret_is_shown_once_after_the_creation(manager_client, manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = manager_client.post(
        reverse("admin:integrations_webhook_add"),
        {
            "name": "Zapier",
            "url": "https://hooks.zapier.example/1",
            "events": ["prospect.created", "quote.accepted"],
            "owner": manager.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    hook = Webhook.objects.get()
    assert hook.events == ["prospect.created", "quote.accepted"]
    after = manager_client.get(response["Location"]).content.decode()
    assert hook.secret in after and "will not be shown again" in after

    page = manager_client.get(reverse("admin:integrations_webhook_change", args=[hook.pk]))
    assert page.status_code == 200 and hook.secret not in page.content.decode()
    listing = manager_client.get(reverse("admin:integrations_webhook_changelist"))
    assert hook.secret not in listing.content.decode()


def test_a_private_address_is_refused_in_the_admin(manager_client, manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = manager_client.post(
        reverse("admin:integrations_webhook_add"),
        {
            "name": "Inside",
            "url": "http://10.0.0.5/hook",
            "events": ["task.done"],
            "owner": manager.pk,
        },
    )
    assert response.status_code == 200 and "private or reserved" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_disabled_webhook_says_why_and_can_be_turned_back_on(manager_client, manager):
    hook = Webhook.objects.create(
        name="Make",
        url="https://hook.make.example/x",
        events=["task.done"],
        owner=manager,
        active=False,
        disabled_reason="Disabled on 01/01/2026 00:00: every delivery failed for a day.",
    )
    Delivery.objects.create(
        webhook=hook,
        event_id="6f1c7c2e-6f0e-4bb4-9d55-0d1c3c7c3a11",
        event="task.done",
        state="cancelled",
        attempts=7,
        status_code=500,
        response_excerpt="boom",
    )
    listing = manager_client.get(reverse("admin:integrations_webhook_changelist")).content.decode()
    assert "every delivery failed for a day" in listing
    deliveries = manager_client.get(
        reverse("admin:integrations_delivery_changelist") + f"?webhook__id__exact={hook.pk}"
    )
    assert deliveries.status_code == 200 and "task.done" in deliveries.content.decode()

    manager_client.post(
        reverse("admin:integrations_webhook_changelist"),
        {"action": "turn_on", "_selected_action": [hook.pk]},
    )
    hook.refresh_from_db()
    assert hook.active and hook.disabled_reason == "" and hook.failing_since is None


def test_a_web_form_is_made_with_check_boxes(manager_client, rep):
    process = f.ProcessFactory(steps=2)
    response = manager_client.post(
        reverse("admin:integrations_webform_add"),
        {
            "name": "Salon 2026",
            "asked": ["email", "last_name", "company_name"],
            "required": ["email"],
            "process": process.pk,
            "owner": rep.pk,
            "min_seconds": "3",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    form = WebForm.objects.get()
    assert form.fields == [
        {"name": "last_name", "required": False},
        {"name": "company_name", "required": False},
        {"name": "email", "required": True},
    ]
    page = manager_client.get(reverse("admin:integrations_webform_change", args=[form.pk]))
    assert f"/forms/{form.key}/" in page.content.decode()  # the embed snippet


def test_reps_do_not_reach_these_admin_pages(client, rep):
    rep.is_staff = True
    rep.save()
    client.force_login(rep)
    for name in ("webhook", "delivery", "webform"):
        response = client.get(reverse(f"admin:integrations_{name}_changelist"))
        assert response.status_code == 403
