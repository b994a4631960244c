"""The rate limit: API_RATE requests per token, counted in Django's default cache. Over it, 429
with `Retry-After` (DRF's throttling). With the default local-memory cache each web process
counts on its own; a shared cache (Redis) makes the limit hold across processes."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_RATE

    def get_cache_key(self, request, view):
        # Token calls only: the pages' session calls are a person at a browser, and anonymous
        # calls are refused before any work is done.
        if isinstance(request.auth, ApiToken):
            return f"throttle_api_token_{request.auth.pk}"
        return None
