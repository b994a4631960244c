"""The integrations' API, included under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from integrations.api import WebFormViewSet, WebhookViewSet

router = SimpleRouter(use_regex_path=False)
router.register("webhooks", WebhookViewSet, basename="api-webhook")
router.register("forms", WebFormViewSet, basename="api-form")

urlpatterns = router.urls
