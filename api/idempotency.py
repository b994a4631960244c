"""Idempotent writes: a write sent with an `Idempotency-Key` header is applied once.

The first request with a key (per token) reserves it, runs, and stores its answer; a retry with
the same key and the same request gets that answer again, without running; the same key with
another request (method, path or body) is refused with 422; a retry while the first is still
running gets 409. Answers are kept IDEMPOTENCY_HOURS (24 by default). Failed runs (5xx) free
the key again. Keys are kept per token: session calls (the pages' own JavaScript) ignore the
header.
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.models import ApiToken, IdempotentAnswer

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
IN_PROGRESS = 0  # the status of a reserved key whose first request is still running

KEY_REUSED = _("This Idempotency-Key was already used for a different request.")
KEY_IN_PROGRESS = _("A request with this Idempotency-Key is still being processed; retry later.")
KEY_TOO_LONG = _("The Idempotency-Key header is too long (255 characters at most).")


class IdempotencyError(APIException):
    def __init__(self, detail, code, status_code):
        self.status_code = status_code
        super().__init__(detail=detail, code=code)


class Replay(Exception):
    """The stored answer of an earlier request with the same key."""

    def __init__(self, answer: IdempotentAnswer):
        self.response = Response(answer.body, status=answer.status)
        self.response["Idempotent-Replayed"] = "true"
        super().__init__("replay")


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _expiry() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)


def begin(request) -> IdempotentAnswer | None:
    """Reserve the request's key, or raise `Replay` / IdempotencyError. None: no key, a read,
    or no token."""
    key = request.headers.get(HEADER, "").strip()
    token = request.auth
    if not key or request.method in ("GET", "HEAD", "OPTIONS") or not isinstance(token, ApiToken):
        return None
    if len(key) > KEY_MAX_LENGTH:
        raise IdempotencyError(
            KEY_TOO_LONG, "idempotency_key_too_long", status.HTTP_400_BAD_REQUEST
        )
    request_hash = _request_hash(request._request)
    IdempotentAnswer.objects.filter(token=token, created_at__lt=_expiry()).delete()
    try:
        with transaction.atomic():
            return IdempotentAnswer.objects.create(
                token=token, key=key, request_hash=request_hash, status=IN_PROGRESS
            )
    except IntegrityError:
        pass
    answer = IdempotentAnswer.objects.get(token=token, key=key)
    if answer.request_hash != request_hash:
        raise IdempotencyError(
            KEY_REUSED, "idempotency_key_reused", status.HTTP_422_UNPROCESSABLE_ENTITY
        )
    if answer.status == IN_PROGRESS:
        raise IdempotencyError(KEY_IN_PROGRESS, "idempotency_in_progress", status.HTTP_409_CONFLICT)
    raise Replay(answer)


def finish(answer: IdempotentAnswer, response) -> None:
    """Store the answer for the retries, or free the key when the run failed on the server."""
    if response.status_code >= 500:
        IdempotentAnswer.objects.filter(pk=answer.pk).delete()
        return
    IdempotentAnswer.objects.filter(pk=answer.pk).update(
        status=response.status_code, body=_jsonable(getattr(response, "data", None))
    )


def _jsonable(data):
    # What the client received, as JSON values (dates and decimals already as strings).
    return None if data is None else json.loads(JSONRenderer().render(data))
