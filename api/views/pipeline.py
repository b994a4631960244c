"""Prospects, opportunities (with their lines and the step change), tasks through the API:
the pages' reads (`visible_to`, the lists' FilterSets) and writes (`prospects.services`,
`pipeline.services`)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action

from api.base import ApiViewSet, ReadMixin, WriteMixin, id_filter
from api.serializers import (
    OpportunityLineSerializer,
    OpportunityMoveSerializer,
    OpportunitySerializer,
    ProspectSerializer,
    TaskSerializer,
)
from contacts.choices import Origin
from contacts.models import Company, Person, Prospect
from core.access import can_change
from pipeline.forms import BoardFilter
from pipeline.models import Opportunity, OpportunityLine, Task
from pipeline.services import activities, lines, opportunities
from pipeline.services.cards import modify_right_or_403, opportunity_update
from pipeline.views.tasks import can_change_task
from prospects import services as prospect_services
from prospects.filters import ProspectFilter

SEARCH = OpenApiParameter("q", str, description="The list page's quick search.")


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class ProspectViewSet(ReadMixin, WriteMixin, ApiViewSet):
    """The prospect file. Prospects created here have the origin "api"."""

    serializer_class = ProspectSerializer
    filterset_class = ProspectFilter
    filterset_takes_user = True

    def visible_queryset(self):
        return (
            Prospect.objects.visible_to(self.request.user)
            .prefetch_related("categories")
            .order_by("last_name", "first_name", "id")
        )

    def perform_create(self, data):
        categories = data.pop("categories", ())
        data["origin"] = Origin.API
        return prospect_services.prospect_create(
            actor=self.request.user, data=data, categories=categories
        )

    def perform_update(self, obj, data, version):
        categories = data.pop("categories", None)
        for name in prospect_services.PROSPECT_ORIGIN:
            data.pop(name, None)  # set at creation only
        return prospect_services.prospect_update(
            prospect_id=obj.pk,
            actor=self.request.user,
            data=data,
            expected_version=version,
            categories=categories,
        )

    def perform_destroy(self, obj):
        if not prospect_services.prospects_trash(prospect_ids=[obj.pk], actor=self.request.user):
            raise PermissionDenied


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class OpportunityViewSet(ReadMixin, WriteMixin, ApiViewSet):
    """Opportunities with their lines. Step and status change through `move`."""

    serializer_class = OpportunitySerializer
    filterset_class = BoardFilter

    def visible_queryset(self):
        queryset = (
            Opportunity.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("lines", OpportunityLine.objects.order_by("position", "id")))
            .order_by("-created_at", "-id")
        )
        if self.action == "list":
            params = self.request.query_params
            for name in ("process", "step", "prospect", "company", "person"):
                value = id_filter(params, name)
                if value is not None:
                    queryset = queryset.filter(**{f"{name}_id": value})
            if params.get("status") in Opportunity.Status.values:
                queryset = queryset.filter(status=params["status"])
        return queryset

    def check_change(self, obj):
        if not can_change(self.request.user, obj):
            raise PermissionDenied
        modify_right_or_403(self.request.user, obj)

    def perform_create(self, data):
        for name, model in (("prospect", Prospect), ("company", Company), ("person", Person)):
            record = data.get(name)
            if (
                record is not None
                and not model.objects.visible_to(self.request.user).filter(pk=record.pk).exists()
            ):
                raise PermissionDenied
        process = data.pop("process", None)
        step = data.pop("step", None)
        return opportunities.opportunity_create(
            actor=self.request.user, process=process, step=step, **data
        )

    def perform_update(self, obj, data, version):
        return opportunity_update(
            opportunity_id=obj.pk, actor=self.request.user, data=data, expected_version=version
        )

    def perform_destroy(self, obj):
        opportunities.opportunity_trash(opportunity_id=obj.pk, actor=self.request.user)

    @extend_schema(
        request=OpportunityMoveSerializer,
        responses={200: OpportunitySerializer},
        summary="Move to a step and/or a status (won, lost, open), as on the Kanban.",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        obj = self.get_object()
        if not can_change(request.user, obj):
            raise PermissionDenied
        serializer = OpportunityMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            moved = opportunities.opportunity_move(
                opportunity_id=obj.pk,
                actor=request.user,
                to_step=data.get("step"),
                to_status=data.get("status"),
                loss_reason=data.get("loss_reason"),
                expected_version=data.get("version"),
            )
        return self.output(moved)


class OpportunityLineViewSet(ReadMixin, WriteMixin, ApiViewSet):
    """Lines of the opportunities the user sees (`?opportunity=` for one); the amount of the
    opportunity follows (`pipeline.services.lines`)."""

    serializer_class = OpportunityLineSerializer

    def visible_queryset(self):
        visible = Opportunity.objects.visible_to(self.request.user)
        queryset = OpportunityLine.objects.filter(opportunity__in=visible).order_by(
            "opportunity_id", "position", "id"
        )
        opportunity = id_filter(self.request.query_params, "opportunity")
        if self.action == "list" and opportunity is not None:
            queryset = queryset.filter(opportunity_id=opportunity)
        return queryset

    def check_change(self, obj):
        opportunity = obj.opportunity
        if not can_change(self.request.user, opportunity):
            raise PermissionDenied
        modify_right_or_403(self.request.user, opportunity)

    def perform_create(self, data):
        opportunity = data.pop("opportunity")
        if not Opportunity.objects.visible_to(self.request.user).filter(pk=opportunity.pk).exists():
            raise PermissionDenied
        return lines.opportunity_line_add(
            opportunity_id=opportunity.pk, actor=self.request.user, data=data
        )

    def perform_update(self, obj, data, version):
        return lines.opportunity_line_update(line_id=obj.pk, actor=self.request.user, data=data)

    def perform_destroy(self, obj):
        lines.opportunity_line_delete(line_id=obj.pk, actor=self.request.user)


class TaskViewSet(ReadMixin, WriteMixin, ApiViewSet):
    """Tasks the user may read (private tasks of others never); `?done=0|1`, `?assignee=`,
    `?opportunity=`, `?prospect=`, `?company=`, `?person=`."""

    serializer_class = TaskSerializer
    LINKS = ("opportunity", "prospect", "company", "person")

    def visible_queryset(self):
        queryset = Task.objects.visible_to(self.request.user).order_by("start", "id")
        if self.action == "list":
            params = self.request.query_params
            for name in (*self.LINKS, "assignee"):
                value = id_filter(params, name)
                if value is not None:
                    queryset = queryset.filter(**{f"{name}_id": value})
            if params.get("done") in ("0", "1"):
                queryset = queryset.filter(done=params["done"] == "1")
        return queryset

    def check_change(self, obj):
        if not can_change_task(self.request.user, obj):
            raise PermissionDenied

    def perform_create(self, data):
        for name in self.LINKS:
            target = data.get(name)
            if target is not None and not can_change(self.request.user, target):
                raise PermissionDenied
        done = data.pop("done", False)
        task = activities.task_create(actor=self.request.user, **data)
        if done:  # through the service that records who and runs the automation
            task = activities.task_set_done(task=task, done=True, actor=self.request.user)
        return task

    def perform_update(self, obj, data, version):
        done = data.pop("done", None)
        task = activities.task_update(
            task=obj, actor=self.request.user, expected_version=version, **data
        )
        if done is not None and done != task.done:
            task = activities.task_set_done(task=task, done=done, actor=self.request.user)
        return task

    def perform_destroy(self, obj):
        activities.task_delete(task=obj, actor=self.request.user)
