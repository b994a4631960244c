"""What the API only reads: quotes (their writes are the quote card's), processes and their
steps (configured by managers in the admin)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from api.base import ApiViewSet, ReadMixin, id_filter
from api.serializers import ProcessSerializer, QuoteSerializer, StepSerializer
from pipeline.models import Process, Step
from quotes.filters import QuoteFilter
from quotes.models import Quote


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("q", str, description="Quick search.")])
)
class QuoteViewSet(ReadMixin, ApiViewSet):
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    filterset_takes_user = True

    def visible_queryset(self):
        return Quote.objects.visible_to(self.request.user).order_by("-created_at", "-id")


class ProcessViewSet(ReadMixin, ApiViewSet):
    serializer_class = ProcessSerializer

    def visible_queryset(self):
        return Process.objects.prefetch_related("steps").order_by("position", "name", "id")


class StepViewSet(ReadMixin, ApiViewSet):
    """Steps of every process (`?process=` for one), in their order."""

    serializer_class = StepSerializer

    def visible_queryset(self):
        queryset = Step.objects.order_by("process_id", "position", "id")
        process = id_filter(self.request.query_params, "process")
        if self.action == "list" and process is not None:
            queryset = queryset.filter(process_id=process)
        return queryset
