"""Webhook deliveries: from a committed event to a signed POST, retried, logged, and a webhook
that keeps failing disabled.

- `on_event` (registered with `core.events` in `IntegrationsConfig.ready`) runs after the
  commit: one `Delivery` per active webhook listening to the event, with the exact body, then a
  Celery task per delivery (`integrations.tasks.deliver`). Most events have no webhook: the
  names some active webhook listens to are kept in the cache (`listened_events`), so telling
  so costs no query; any change of a webhook forgets them.
- `attempt` sends one delivery once: the body signed `X-Jalon-Signature: sha256=<HMAC-SHA256
  of the body with the webhook's secret>`, with `X-Jalon-Event`, `X-Jalon-Delivery` (the
  event's id, the same for every webhook) and `X-Jalon-Timestamp` (the event's time, in
  seconds, also in the body). A 2xx answer is a success; anything else (3xx included:
  redirects are never followed) is a failure, retried after `BACKOFF`; a webhook failing for
  `DISABLE_AFTER` is disabled and its owner told.
- SSRF: the host is resolved and every address checked (`resolve_public`): loopback,
  private, link-local, multicast, reserved and unspecified addresses are refused unless
  `settings.WEBHOOK_ALLOW_PRIVATE`; the connection then goes to the very address checked (a
  DNS answer that changes between the check and the connection cannot slip through).
- Personal data: the body is emptied once delivered or given up; deliveries older than
  `RETENTION` are deleted by the nightly `deliveries_purge`.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from core.events import Event
from integrations.models import Delivery, Webhook
from integrations.payloads import SERIALISERS, record_data

# Waits before the 2nd, 3rd... attempt; after the last one the delivery is given up.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
    dt.timedelta(hours=24),
)
DISABLE_AFTER = dt.timedelta(days=1)
RETENTION = dt.timedelta(days=30)
TIMEOUT = 10  # seconds, to connect and for each read
# A delivery being sent is not picked again by the retry sweep before this.
LEASE = dt.timedelta(seconds=TIMEOUT * 3 + 30)
EXCERPT = 300
USER_AGENT = "Jalon-Webhooks/1"

DISABLED_REASON = gettext_lazy(
    "Disabled on %(day)s: every delivery failed for a day (last error: %(error)s)."
)
PRIVATE_ADDRESS = gettext_lazy("refused: %(host)s is a private or reserved address")
UNRESOLVED = gettext_lazy("the host name %(host)s does not resolve")
BAD_URL = gettext_lazy("only http:// and https:// addresses can receive webhooks")
REDIRECT_REFUSED = gettext_lazy("redirect not followed (to %(location)s)")
# The events some active webhook listens to (`listened_events`). Shared by every process with
# CACHE_URL; with the per-process memory cache, a change made in another process is seen
# after LISTENED_SECONDS at the latest.
LISTENED_KEY = "integrations:listened-events"
LISTENED_SECONDS = 60

logger = logging.getLogger(__name__)


class UnsafeAddress(Exception):
    pass


# --------------------------------------------------------------------------- the events


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event: Event) -> str:
    data = record_data(event.instance)
    if event.data:
        data["previous"] = event.data
    payload = {
        "id": str(event.id),
        "event": event.name,
        "created_at": event.at.isoformat(),
        "data": data,
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def listened_events() -> set[str]:
    """The names of the events at least one active webhook listens to (cached)."""
    names = cache.get(LISTENED_KEY)
    if names is None:
        names = set()
        for events in Webhook.objects.filter(active=True).values_list("events", flat=True):
            names.update(events)
        cache.set(LISTENED_KEY, names, LISTENED_SECONDS)
    return names


@receiver(post_save, sender=Webhook, dispatch_uid="integrations-webhook-saved")
@receiver(post_delete, sender=Webhook, dispatch_uid="integrations-webhook-deleted")
def listened_events_forget(**kwargs) -> None:
    """A webhook created, changed, turned on or off, deleted: the cached names are read again.
    Forgotten now and after the commit (a reader in between may have cached the old ones)."""
    cache.delete(LISTENED_KEY)
    transaction.on_commit(lambda: cache.delete(LISTENED_KEY))


def on_event(event: Event) -> list[Delivery]:
    """Queue one delivery per active webhook listening to `event` (runs after the commit)."""
    if event.instance._meta.label_lower not in SERIALISERS:
        return []
    if event.name not in listened_events():
        return []
    # The cache may be stale: which webhooks listen is read from the database.
    hooks = [h for h in Webhook.objects.filter(active=True) if event.name in h.events]
    if not hooks:
        return []
    body = event_body(event)
    deliveries = [
        Delivery.objects.get_or_create(
            webhook=hook,
            event_id=event.id,
            defaults={"event": event.name, "created_at": event.at, "body": body},
        )[0]
        for hook in hooks
    ]
    from integrations.tasks import deliver

    for delivery in deliveries:
        deliver.delay(delivery.pk)
    return deliveries


# --------------------------------------------------------------------------- the addresses


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve_public(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, every one checked; UnsafeAddress when any is
    loopback, private, link-local or reserved (unless WEBHOOK_ALLOW_PRIVATE)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeAddress(str(UNRESOLVED % {"host": host})) from error
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if _refused(address) and not settings.WEBHOOK_ALLOW_PRIVATE:
            raise UnsafeAddress(str(PRIVATE_ADDRESS % {"host": host}))
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise UnsafeAddress(str(UNRESOLVED % {"host": host}))
    return addresses


def check_url(url: str) -> None:
    """Refuse (ValidationError) a webhook URL that is not http(s) or whose host resolves to a
    private or reserved address (unless WEBHOOK_ALLOW_PRIVATE). A host that does not resolve
    now is accepted: each delivery checks again."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(str(BAD_URL))
    try:
        resolve_public(parts.hostname, parts.port or 443)
    except UnsafeAddress as refused:
        if str(refused) != str(UNRESOLVED % {"host": parts.hostname}):
            raise ValidationError(str(refused)) from refused


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand (the Host header stays the name)."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address, the certificate checked against the host name."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Outcome:
    status: int | None = None
    duration_ms: int = 0
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` (checked address, no redirect followed), timed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(error=str(BAD_URL))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    started = time.monotonic()
    try:
        address = resolve_public(parts.hostname, port)[0]
        connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = connection_class(parts.hostname, port, address, timeout=TIMEOUT)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(EXCERPT * 4).decode("utf-8", "replace")
            status = response.status
            location = response.getheader("Location", "")
        finally:
            connection.close()
    except UnsafeAddress as refused:
        return Outcome(error=str(refused)[:EXCERPT])
    except (OSError, http.client.HTTPException, ValueError) as error:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(duration_ms=elapsed, error=f"{type(error).__name__}: {error}"[:EXCERPT])
    outcome = Outcome(
        status=status,
        duration_ms=int((time.monotonic() - started) * 1000),
        excerpt=" ".join(excerpt.split())[:EXCERPT],
    )
    if 300 <= status < 400:
        outcome.error = str(REDIRECT_REFUSED % {"location": location[:200]})
    return outcome


# --------------------------------------------------------------------------- the attempts


def headers_for(delivery: Delivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Jalon-Event": delivery.event,
        "X-Jalon-Delivery": str(delivery.event_id),
        "X-Jalon-Timestamp": str(int(delivery.created_at.timestamp())),
        "X-Jalon-Signature": sign(delivery.webhook.secret, body),
    }


def _claim(delivery_id: int) -> Delivery | None:
    """The delivery locked and marked as being sent, if it is due."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("webhook").filter(pk=delivery_id)
        ).first()
        now = timezone.now()
        if delivery is None or delivery.state != Delivery.State.PENDING:
            return None
        if delivery.next_retry_at is not None and delivery.next_retry_at > now:
            return None
        if not delivery.webhook.active:
            delivery.state, delivery.body, delivery.next_retry_at = "cancelled", "", None
            delivery.save(update_fields=["state", "body", "next_retry_at"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_retry_at = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_retry_at"])
        return delivery


def attempt(delivery_id: int) -> Delivery | None:
    """Send the delivery once if it is due; record the outcome and, on failure, when it is
    tried again (`next_retry_at`), or give it up. Returns the delivery, None when not due."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    body = delivery.body.encode()
    outcome = post(delivery.webhook.url, body, headers_for(delivery, body))
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        now = timezone.now()
        delivery.status_code = outcome.status
        delivery.duration_ms = outcome.duration_ms
        delivery.response_excerpt = outcome.excerpt
        delivery.error = outcome.error
        if outcome.ok:
            delivery.state, delivery.body, delivery.next_retry_at = "delivered", "", None
            webhook.failing_since = None
        else:
            webhook.failing_since = webhook.failing_since or now
            if delivery.attempts > len(BACKOFF):
                delivery.state, delivery.body, delivery.next_retry_at = "failed", "", None
            else:
                delivery.next_retry_at = now + BACKOFF[delivery.attempts - 1]
            if webhook.active and now - webhook.failing_since >= DISABLE_AFTER:
                _disable(webhook, now=now, error=outcome.error or f"HTTP {outcome.status}")
                if delivery.state == Delivery.State.PENDING:
                    delivery.state, delivery.body, delivery.next_retry_at = "cancelled", "", None
        delivery.save()
        webhook.save(update_fields=["failing_since", "active", "disabled_at", "disabled_reason"])
    return delivery


def _disable(webhook: Webhook, *, now, error: str) -> None:
    """Disable a webhook failing for a day: its pending deliveries are cancelled, the reason
    shows in the admin, and its owner gets an e-mail once this is committed."""
    with translation.override(settings.LANGUAGE_CODE):
        webhook.disabled_reason = str(
            DISABLED_REASON
            % {"day": timezone.localtime(now).strftime("%d/%m/%Y %H:%M"), "error": error[:200]}
        )
        subject = gettext("Jalon: the webhook “%(name)s” was disabled") % {"name": webhook.name}
        text = gettext(
            "The webhook “%(name)s” (%(url)s) failed for a day and was disabled.\n%(reason)s\n\n"
            "Once the receiving side works again, turn it back on in the administration "
            "(Webhooks and web forms › Webhooks)."
        ) % {"name": webhook.name, "url": webhook.url, "reason": webhook.disabled_reason}
    webhook.active = False
    webhook.disabled_at = now
    Delivery.objects.filter(webhook=webhook, state=Delivery.State.PENDING).update(
        state=Delivery.State.CANCELLED, body="", next_retry_at=None
    )
    owner = webhook.owner
    if owner is not None and owner.email:
        transaction.on_commit(
            lambda: send_mail(
                subject, text, settings.DEFAULT_FROM_EMAIL, [owner.email], fail_silently=True
            )
        )
    logger.warning("webhook %s disabled: %s", webhook.pk, webhook.disabled_reason)


def due_ids(limit: int = 200) -> list[int]:
    """Pending deliveries whose next attempt is due (the retry sweep)."""
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_retry_at__lte=timezone.now())
        .order_by("next_retry_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_purge(*, now=None) -> int:
    """Delete the deliveries (and what they kept) older than RETENTION."""
    limit = (now or timezone.now()) - RETENTION
    count, _ = Delivery.objects.filter(created_at__lt=limit).delete()
    return count


def webhook_enable(*, webhook: Webhook) -> Webhook:
    """Turn a disabled webhook back on (a new run of failures starts from now)."""
    Webhook.objects.filter(pk=webhook.pk).update(
        active=True, failing_since=None, disabled_at=None, disabled_reason=""
    )
    listened_events_forget()
    webhook.refresh_from_db()
    return webhook


def webhook_new_secret(*, webhook: Webhook) -> str:
    """A new secret (the old one stops working at once); returned to be shown once."""
    from integrations.models import new_secret

    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    return webhook.secret
