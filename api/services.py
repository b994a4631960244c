"""Writes of the api app: personal tokens (made, revoked, recognised) and their last use.

A token reads `jalon_` followed by 40 random URL-safe characters; the database keeps its SHA-256
(`key_hash`) and its first characters (`prefix`) only. Whoever holds it acts as its user, with
the user's rights, read-only when the token says so.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken

TOKEN_PREFIX = "jalon_"
PREFIX_SHOWN = 10  # "jalon_" and four characters of the secret
# The last-use date is written at most this often per token: one UPDATE a minute, not one per
# request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)

NAME_REQUIRED = _("Give the token a name, to know later what it is used for.")
ALREADY_REVOKED = _("This token was already revoked.")


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, read_only: bool, actor) -> tuple[ApiToken, str]:
    """A new token of `user` (made by `user` themselves: `actor` must be `user`). Returns the
    token and its secret, which is shown once and never stored."""
    if actor.pk != user.pk:
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user=user,
        name=name[:80],
        read_only=read_only,
        prefix=secret[:PREFIX_SHOWN],
        key_hash=token_hash(secret),
    )
    token.full_clean(exclude=["prefix", "key_hash"])
    token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke one of the actor's own tokens: it stops working at once, for good."""
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.user_id != actor.pk:
        raise PermissionDenied
    if current.revoked_at is not None:
        raise ValidationError(ALREADY_REVOKED)
    current.revoked_at = timezone.now()
    current.save(update_fields=["revoked_at"])
    return current


def token_find(secret: str) -> ApiToken | None:
    """The active token whose secret is `secret`, with its user; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=token_hash(secret)).first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def token_used(token: ApiToken) -> None:
    """Record that the token was just used (at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
