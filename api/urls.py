"""The REST API, under /api/v1/: one router for the records, the OpenAPI schema and its docs.
The token page (/account/tokens/) is in `api.account_urls`."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from api import docs
from api.base import ApiMixin
from api.views import contacts, pipeline, reads

router = SimpleRouter(use_regex_path=False)
router.register("companies", contacts.CompanyViewSet, basename="api-company")
router.register("addresses", contacts.AddressViewSet, basename="api-address")
router.register("people", contacts.PersonViewSet, basename="api-person")
router.register("prospects", pipeline.ProspectViewSet, basename="api-prospect")
router.register("opportunities", pipeline.OpportunityViewSet, basename="api-opportunity")
router.register("opportunity-lines", pipeline.OpportunityLineViewSet, basename="api-line")
router.register("tasks", pipeline.TaskViewSet, basename="api-task")
router.register("quotes", reads.QuoteViewSet, basename="api-quote")
router.register("processes", reads.ProcessViewSet, basename="api-process")
router.register("steps", reads.StepViewSet, basename="api-step")


class SchemaView(ApiMixin, SpectacularJSONAPIView):
    """The OpenAPI 3 schema, generated from the code, for any authenticated caller."""


urlpatterns = [
    path("openapi.json", SchemaView.as_view(), name="api_schema"),
    path("docs", docs.api_docs, name="api_docs"),
    *router.urls,
]
