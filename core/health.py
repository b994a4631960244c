"""The health URL the web container's health check requests (docker-compose.yml).

Public, and exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT in config/settings.py):
the check speaks plain HTTP to gunicorn from inside the container. It still goes through
Django's host check, with a Host from ALLOWED_HOSTS (scripts/healthcheck.py).
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """200 "ok" while the database answers, 503 otherwise."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
