"""Webhook deliveries against a real local HTTP receiver: signature, retries with backoff,
no delivery to private addresses, a webhook failing for a day disabled with its owner told,
and the deliveries purged after 30 days."""

import datetime as dt
import socket

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.events import Event
from integrations import webhooks
from integrations.models import Delivery, Webhook
from integrations.tasks import deliveries_purge, deliveries_retry_due
from prospects.services import prospect_create

pytestmark = pytest.mark.django_db


def new_prospect(actor, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return prospect_create(
            actor=actor,
            data={"last_name": "Martin", "email": "jeanne@martin.fr", "notes": "Secret", **fields},
        )


def test_a_delivery_is_signed_and_the_receiver_verifies_it(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    hook = webhook_for(receiver.url)

    prospect = new_prospect(rep, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert got.path == "/hooks/jalon"
    assert got.signed_with(hook.secret)
    assert not got.signed_with("whsec_another")
    payload = got.json
    assert set(payload) == {"id", "event", "created_at", "data"}
    assert payload["event"] == "prospect.created"
    assert got.headers["X-Jalon-Event"] == "prospect.created"
    assert got.headers["X-Jalon-Delivery"] == payload["id"]
    created = dt.datetime.fromisoformat(payload["created_at"])
    assert int(got.headers["X-Jalon-Timestamp"]) == int(created.timestamp())
    assert got.headers["Content-Type"] == "application/json"
    data = payload["data"]
    assert (data["id"], data["last_name"], data["email"]) == (
        prospect.pk,
        "Martin",
        "jeanne@martin.fr",
    )
    assert "notes" not in data and "Secret" not in got.body.decode()

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.DELIVERED
    assert (delivery.status_code, delivery.attempts, delivery.response_excerpt) == (200, 1, "ok")
    assert delivery.duration_ms is not None and delivery.next_retry_at is None
    assert delivery.body == ""  # nothing personal kept once delivered
    assert str(delivery.event_id) == payload["id"]


def test_only_the_webhooks_of_the_event_get_it_and_inactive_ones_never(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    webhook_for(receiver.url + "?to=created", events=["prospect.created"])
    webhook_for(receiver.url + "?to=won", events=["opportunity.won"])
    webhook_for(receiver.url + "?to=off", events=["prospect.created"], active=False)

    new_prospect(rep, django_capture_on_commit_callbacks)

    assert [r.path for r in receiver.requests] == ["/hooks/jalon?to=created"]


def test_a_500_is_retried_after_the_backoff_then_succeeds(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    hook = webhook_for(receiver.url)
    receiver.statuses = [500, 200]

    before = timezone.now()
    new_prospect(rep, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert (delivery.attempts, delivery.status_code) == (1, 500)
    assert delivery.response_excerpt == "boom: receiver failed"
    wait = delivery.next_retry_at - before
    assert dt.timedelta(seconds=55) < wait < dt.timedelta(seconds=65)
    hook.refresh_from_db()
    assert hook.failing_since is not None and hook.active

    # Not due yet: the sweep sends nothing.
    assert deliveries_retry_due() == 0
    assert len(receiver.requests) == 1

    # A minute later the sweep (Celery beat, every minute) sends it again: same event, same body.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_retry_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert deliveries_retry_due() == 1

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert (delivery.attempts, delivery.status_code) == (2, 200)
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["X-Jalon-Delivery"] == second.headers["X-Jalon-Delivery"]
    assert second.signed_with(hook.secret)
    hook.refresh_from_db()
    assert hook.failing_since is None


def test_the_backoff_grows_then_the_delivery_is_given_up(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    webhook_for(receiver.url)
    receiver.statuses = [503]
    new_prospect(rep, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    waits = []
    for _ in webhooks.BACKOFF:
        Webhook.objects.update(failing_since=timezone.now())  # not a day yet
        last = delivery.last_attempt_at
        waits.append(delivery.next_retry_at - last)
        Delivery.objects.filter(pk=delivery.pk).update(next_retry_at=timezone.now())
        webhooks.attempt(delivery.pk)
        delivery.refresh_from_db()
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30, 120, 360, 720, 1440]
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempts == len(webhooks.BACKOFF) + 1
    assert delivery.body == "" and delivery.next_retry_at is None


def test_a_webhook_failing_for_a_day_is_disabled_and_its_owner_told(
    receiver, webhook_for, rep, manager, django_capture_on_commit_callbacks
):
    hook = webhook_for(receiver.url)
    Webhook.objects.filter(pk=hook.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    receiver.statuses = [500]

    new_prospect(rep, django_capture_on_commit_callbacks)

    hook.refresh_from_db()
    assert not hook.active and hook.disabled_at is not None
    assert "failed for a day" in hook.disabled_reason and "HTTP 500" in hook.disabled_reason
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.CANCELLED and delivery.body == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [manager.email]
    assert "CRM sync" in mail.outbox[0].subject and hook.url in mail.outbox[0].body

    # Disabled: the next events are not sent; turned back on, they are.
    new_prospect(rep, django_capture_on_commit_callbacks, email="other@martin.fr")
    assert len(receiver.requests) == 1
    webhooks.webhook_enable(webhook=hook)
    receiver.statuses = [200]
    new_prospect(rep, django_capture_on_commit_callbacks, email="third@martin.fr")
    assert len(receiver.requests) == 2


def test_a_failure_for_less_than_a_day_keeps_the_webhook(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    hook = webhook_for(receiver.url)
    Webhook.objects.filter(pk=hook.pk).update(failing_since=timezone.now() - dt.timedelta(hours=23))
    receiver.statuses = [500]
    new_prospect(rep, django_capture_on_commit_callbacks)
    hook.refresh_from_db()
    assert hook.active and not mail.outbox


def test_an_event_no_webhook_listens_to_costs_no_query(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Issue 20: the names of the events webhooks listen to are cached; an event none listens
    to (most of them) is dropped without asking the database."""
    webhook_for(receiver.url, events=["opportunity.won"])
    prospect = new_prospect(rep, django_capture_on_commit_callbacks)
    event = Event(name="prospect.updated", instance=prospect)
    with django_assert_num_queries(0):
        assert webhooks.on_event(event) == []
    assert not receiver.requests and not Delivery.objects.exists()


def test_a_webhook_created_changed_or_turned_on_gets_the_next_event(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    """The cached names are forgotten whenever a webhook changes: none is missed."""
    new_prospect(rep, django_capture_on_commit_callbacks)  # no webhook yet: cached
    hook = webhook_for(receiver.url, events=["opportunity.won"])
    new_prospect(rep, django_capture_on_commit_callbacks, email="b@martin.fr")
    assert not receiver.requests
    hook.events = ["prospect.created"]
    hook.save()
    new_prospect(rep, django_capture_on_commit_callbacks, email="c@martin.fr")
    assert len(receiver.requests) == 1
    hook.active = False
    hook.save()
    new_prospect(rep, django_capture_on_commit_callbacks, email="d@martin.fr")
    assert len(receiver.requests) == 1
    webhooks.webhook_enable(webhook=hook)
    new_prospect(rep, django_capture_on_commit_callbacks, email="e@martin.fr")
    assert len(receiver.requests) == 2
    hook.delete()
    new_prospect(rep, django_capture_on_commit_callbacks, email="f@martin.fr")
    assert len(receiver.requests) == 2


def test_cached_names_of_a_webhook_gone_queue_nothing(rep, django_capture_on_commit_callbacks):
    """A process whose cache is stale (another one deleted the webhook) checks the database."""
    cache.set(webhooks.LISTENED_KEY, {"prospect.created"})
    new_prospect(rep, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()


@pytest.fixture
def private_off(receiver, settings):
    """The receiver listens on loopback; the setting is then turned off as in production."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    return receiver


def _port(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


@pytest.mark.parametrize(
    "make_url",
    [
        lambda port: f"http://127.0.0.1:{port}/hooks",
        lambda port: f"http://localhost:{port}/hooks",  # a name resolving to loopback
        lambda port: f"http://[::1]:{port}/hooks",
        lambda port: "http://10.20.30.40/hooks",
        lambda port: "http://192.168.1.10/hooks",
        lambda port: "http://169.254.169.254/latest/meta-data/",
        lambda port: "http://0.0.0.0/hooks",
        lambda port: "http://[::ffff:127.0.0.1]/hooks",
    ],
    ids=["127.0.0.1", "localhost", "::1", "10.x", "192.168.x", "169.254.x", "0.0.0.0", "mapped"],
)
def test_no_delivery_to_a_private_address(
    private_off, webhook_for, rep, django_capture_on_commit_callbacks, make_url
):
    url = make_url(_port(private_off.url))
    webhook_for(url)

    new_prospect(rep, django_capture_on_commit_callbacks)

    assert private_off.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status_code is None
    assert "private or reserved address" in delivery.error
    # And such an address cannot be registered.
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_a_host_name_is_resolved_and_every_address_checked(monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    def two_addresses(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    with pytest.raises(webhooks.UnsafeAddress):
        webhooks.resolve_public("rebind.example", 443)


def test_a_redirect_is_not_followed(receiver, webhook_for, rep, django_capture_on_commit_callbacks):
    receiver.statuses = [302]
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    webhook_for(receiver.url)

    new_prospect(rep, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and delivery.status_code == 302
    assert "redirect not followed" in delivery.error


def test_deliveries_are_purged_after_30_days(
    receiver, webhook_for, rep, django_capture_on_commit_callbacks
):
    webhook_for(receiver.url)
    new_prospect(rep, django_capture_on_commit_callbacks)
    new_prospect(rep, django_capture_on_commit_callbacks, email="b@martin.fr")
    old, recent = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))

    assert deliveries_purge() == 1
    assert list(Delivery.objects.all()) == [recent]
