"""Companies, addresses and people through the API: the contact file's pages' reads
(`visible_to`) and writes (`contacts.services`)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from api.base import ApiViewSet, ReadMixin, WriteMixin, id_filter
from api.serializers import AddressSerializer, CompanySerializer, PersonSerializer
from contacts import services
from contacts.filters import CompanyFilter, PersonFilter
from contacts.models import Address, Company, Person
from core.access import can_change

SEARCH = OpenApiParameter("q", str, description="The list page's quick search.")


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class CompanyViewSet(ReadMixin, WriteMixin, ApiViewSet):
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter

    def visible_queryset(self):
        return (
            Company.objects.visible_to(self.request.user)
            .prefetch_related("categories")
            .order_by("name", "id")
        )

    def perform_create(self, data):
        categories = data.pop("categories", ())
        return services.company_create(actor=self.request.user, data=data, categories=categories)

    def perform_update(self, obj, data, version):
        categories = data.pop("categories", None)
        return services.company_update(
            company=obj, actor=self.request.user, data=data, version=version, categories=categories
        )

    def perform_destroy(self, obj):
        services.company_trash(company=obj, actor=self.request.user)


class AddressViewSet(ReadMixin, WriteMixin, ApiViewSet):
    """Addresses of the companies the user sees; changed by whoever may change the company."""

    serializer_class = AddressSerializer

    def visible_queryset(self):
        companies = Company.objects.visible_to(self.request.user)
        queryset = Address.objects.filter(company__in=companies).order_by("company_id", "id")
        company = id_filter(self.request.query_params, "company")
        if self.action == "list" and company is not None:
            queryset = queryset.filter(company_id=company)
        return queryset

    def check_change(self, obj):
        if not can_change(self.request.user, obj.company):
            raise PermissionDenied

    def perform_create(self, data):
        company = data.pop("company")
        if not Company.objects.visible_to(self.request.user).filter(pk=company.pk).exists():
            raise PermissionDenied
        self.check_change(Address(company=company))
        return services.address_create(company=company, actor=self.request.user, data=data)

    def perform_update(self, obj, data, version):
        return services.address_update(address=obj, actor=self.request.user, data=data)

    def perform_destroy(self, obj):
        services.address_delete(address=obj, actor=self.request.user)


@extend_schema_view(list=extend_schema(parameters=[SEARCH]))
class PersonViewSet(ReadMixin, WriteMixin, ApiViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def visible_queryset(self):
        return (
            Person.objects.visible_to(self.request.user)
            .prefetch_related(
                Prefetch(
                    "companies",
                    queryset=Company.objects.visible_to(self.request.user).only("id"),
                )
            )
            .order_by("last_name", "first_name", "id")
        )

    def perform_create(self, data):
        return services.person_create(actor=self.request.user, data=data)

    def perform_update(self, obj, data, version):
        return services.person_update(
            person=obj, actor=self.request.user, data=data, version=version
        )

    def perform_destroy(self, obj):
        services.person_trash(person=obj, actor=self.request.user)
