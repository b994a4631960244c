"""The API of webhooks (`/api/v1/webhooks/`, managers only) and web forms (`/api/v1/forms/`:
every user reads them, managers change them), with the API's own authentication, permissions,
throttling and idempotency (`api.base.ApiMixin`).

A webhook's secret is in the answer to its creation (and to `POST .../new-secret/`) only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ApiMixin, ApiPagination
from api.permissions import API_PERMISSIONS, IsManager
from core.roles import is_manager
from integrations import webhooks
from integrations.models import EVENT_CHOICES, FORM_FIELDS, WebForm, Webhook


class ManagersWrite(permissions.BasePermission):
    """Reads for every user, changes for managers."""

    message = IsManager.message

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_manager(request.user)


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "name",
            "url",
            "events",
            "owner",
            "active",
            "created_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
        ]
        read_only_fields = [
            "id",
            "owner",
            "created_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
        ]

    def validate_url(self, value: str) -> str:
        try:
            webhooks.check_url(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown in this answer only: keep it to check the signatures."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class FormFieldSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=list(FORM_FIELDS))
    required = serializers.BooleanField(default=False)


class WebFormSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = WebForm
        fields = [
            "id",
            "name",
            "key",
            "url",
            "title",
            "intro",
            "fields",
            "process",
            "step",
            "owner",
            "channel",
            "consent_text",
            "thank_you_message",
            "redirect_url",
            "min_seconds",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "key", "url", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        # "fields" is the model's name for them (a serializer's own `fields` is its fields).
        fields["fields"] = FormFieldSerializer(many=True, allow_empty=False)
        return fields

    def get_url(self, obj: WebForm) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from error


class WebhookViewSet(ApiMixin, viewsets.ModelViewSet):
    serializer_class = WebhookSerializer
    permission_classes = (*API_PERMISSIONS, IsManager)
    pagination_class = ApiPagination
    queryset = Webhook.objects.all()
    lookup_value_converter = "id"

    @extend_schema(responses={201: WebhookCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = Webhook(owner=request.user, **serializer.validated_data)
        _full_clean(webhook)
        webhook.save()
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        _full_clean(serializer.instance)
        serializer.instance.save()

    @extend_schema(
        request=None,
        responses={200: inline_serializer("NewSecret", {"secret": serializers.CharField()})},
    )
    @action(detail=True, methods=["post"], url_path="new-secret")
    def new_secret(self, request, pk=None):
        """A new secret, in this answer only; the old one stops working at once."""
        webhook = self.get_object()
        with transaction.atomic():
            secret = webhooks.webhook_new_secret(webhook=webhook)
        return Response({"secret": secret})


class WebFormViewSet(ApiMixin, viewsets.ModelViewSet):
    serializer_class = WebFormSerializer
    permission_classes = (*API_PERMISSIONS, ManagersWrite)
    pagination_class = ApiPagination
    queryset = WebForm.objects.select_related("process", "step", "owner", "channel")
    lookup_value_converter = "id"

    def perform_create(self, serializer):
        form = WebForm(**serializer.validated_data)
        form.fields = [dict(f) for f in serializer.validated_data["fields"]]
        _full_clean(form)
        form.save()
        serializer.instance = form

    def perform_update(self, serializer):
        form = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(form, name, [dict(f) for f in value] if name == "fields" else value)
        _full_clean(form)
        form.save()
