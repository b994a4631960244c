"""What every API view shares, imported by the integrations app (keep the names stable):
authentication, permissions and throttling (`ApiMixin`), the page-number pagination
(`ApiPagination`), refusals of the services as HTTP answers (`refusal_response`), the audit
actor (the token's user), idempotent writes, and `ApiViewSet`, whose subclasses only say which
records (`visible_queryset`) and which services (`perform_*`).

Refusals: a stale version is 409 with who changed the record and when; a rule of the services
(`ValidationError`, a refused move) 400; a right missing 403; a record the user may not see
404, as on the pages.
"""

from auditlog.context import auditlog_value
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import idempotency
from api.auth import API_AUTHENTICATION
from api.permissions import API_PERMISSIONS
from api.throttling import TokenRateThrottle
from core.access import can_change, get_visible_or_404
from core.params import id_param
from core.users import user_label
from core.versions import ConcurrentEdit
from pipeline.services.opportunities import (
    NOT_ALLOWED,
    NOT_ALLOWED_DELETE,
    NOT_ALLOWED_OBJECT,
    NOT_ALLOWED_RECORD,
    Refused,
)

# The refusals that are a matter of rights (403, the others 400); compared in the request's
# language, in which the service wrote its message.
RIGHTS_REFUSALS = (NOT_ALLOWED, NOT_ALLOWED_DELETE, NOT_ALLOWED_OBJECT, NOT_ALLOWED_RECORD)


class ApiPagination(PageNumberPagination):
    """`?page=N` (from 1) and `?page_size=` (50 by default, 200 at most); the answer holds
    `count`, `next`, `previous` and `results`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def conflict_response(error: ConcurrentEdit) -> Response:
    current = error.current
    updated_by = getattr(current, "updated_by", None)
    updated_at = getattr(current, "updated_at", None)
    return Response(
        {
            "detail": error.message,
            "code": "stale_version",
            "version": current.version,
            "updated_by": user_label(updated_by) if updated_by else None,
            "updated_at": updated_at.isoformat() if updated_at else None,
        },
        status=status.HTTP_409_CONFLICT,
    )


def refusal_response(exc: Exception) -> Response | None:
    """The answer to a refusal of the services, None for other exceptions."""
    if isinstance(exc, ConcurrentEdit):
        return conflict_response(exc)
    if isinstance(exc, Refused):
        conflict = getattr(exc, "conflict", None)
        if conflict is not None:
            return conflict_response(conflict)
        rights = exc.message in {str(message) for message in RIGHTS_REFUSALS}
        code = status.HTTP_403_FORBIDDEN if rights else status.HTTP_400_BAD_REQUEST
        return Response({"detail": exc.message, "code": "refused"}, status=code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"non_field_errors": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return None


def audit_as(user) -> None:
    """Make django-auditlog record `user` as the actor of this request's changes: its
    middleware read the session's user before the token was checked."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["actor"] = user


class ApiMixin:
    """Authentication, permissions, throttling, refusals, audit actor and idempotency of every
    API view (DRF APIView or viewset)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = API_PERMISSIONS
    throttle_classes = (TokenRateThrottle,)
    _idempotent = None

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        # Django's LoginRequiredMiddleware would send token calls to the login page: the API
        # answers 401 itself (see `api.auth`).
        view.login_required = False
        return view

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit_as(request.user)
        self._idempotent = idempotency.begin(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        response = refusal_response(exc)
        if response is not None:
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotent is not None:
            idempotency.finish(self._idempotent, response)
            self._idempotent = None
        return response


class ApiView(ApiMixin, APIView):
    pass


class ApiViewSet(ApiMixin, viewsets.GenericViewSet):
    """List (filters of the page's FilterSet, `?q=` search, pages), retrieve, create, update,
    delete of one kind of record, each write through the app's service.

    Subclasses set `serializer_class`, `filterset_class` and define `visible_queryset()`,
    `perform_create(data)`, `perform_update(obj, data, version)`, `perform_destroy(obj)` and
    `check_change(obj)` (raise PermissionDenied)."""

    pagination_class = ApiPagination
    lookup_value_converter = "id"
    filterset_class = None
    # FilterSets of the pages that take the user (`user=`) get it.
    filterset_takes_user = False

    def visible_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.visible_queryset()

    def filter_queryset(self, queryset):
        if self.filterset_class is None or self.action != "list":
            return queryset
        kwargs = {"user": self.request.user} if self.filterset_takes_user else {}
        filterset = self.filterset_class(self.request.query_params, queryset=queryset, **kwargs)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def get_object(self):
        """The record if the user may see it, else 404, as on the pages."""
        return get_visible_or_404(self.get_queryset(), self.request.user, pk=self.kwargs["pk"])

    def get_changeable_object(self):
        obj = self.get_object()
        self.check_change(obj)
        return obj

    def check_change(self, obj) -> None:
        if not can_change(self.request.user, obj):
            raise PermissionDenied

    def output(self, obj, status_code=status.HTTP_200_OK) -> Response:
        """The record as a read returns it (read again with the list's prefetches), or as the
        service returned it when the user no longer sees it (given to another rep)."""
        obj = self.get_queryset().filter(pk=obj.pk).first() or obj
        return Response(self.get_serializer(obj).data, status=status_code)


class ReadMixin(mixins.ListModelMixin):
    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


class WriteMixin:
    """create / update / partial_update / destroy through the subclass's services."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        with transaction.atomic():
            obj = self.perform_create(data)
        return self.output(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        obj = self.get_changeable_object()
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        with transaction.atomic():
            obj = self.perform_update(obj, data, version)
        return self.output(obj)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_changeable_object()
        with transaction.atomic():
            self.perform_destroy(obj)
        return Response(status=status.HTTP_204_NO_CONTENT)


def id_filter(params, name: str) -> int | None:
    """The record id a list's `?name=` filter names; None when absent; 400 when it names none."""
    if not params.get(name, ""):
        return None
    value = id_param(params, name)
    if value is None:
        raise ValidationError({name: [_("Give the id of a record (a positive whole number).")]})
    return value
