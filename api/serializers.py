"""What the API reads and writes of each record. Writes are validated here for their shape
(types, choices, lengths) and then handed to the apps' services, which hold the rules; the
fields a service does not change are read-only here too."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contacts.choices import LawfulBasis
from contacts.forms import CONSENT_DATE_REQUIRED, CONSENT_PROOF_REQUIRED
from contacts.models import Address, Category, Channel, Company, Person, Prospect
from pipeline.models import LossReason, Opportunity, OpportunityLine, Process, Step, Task, TaskType
from prospects.importing import NO_IDENTITY
from quotes.models import Quote

TRACKED_READ_ONLY = ("id", "created_at", "updated_at")
MOVE_NEEDS_A_TARGET = _("Give a step, a status, or both.")


def users():
    return get_user_model().objects.filter(is_active=True)


class VersionedSerializer(serializers.ModelSerializer):
    """`version`: the record's version, to send back with a change (optional; a stale one gets
    409)."""

    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The version read; a change made on an older version is refused with 409.",
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=users(), required=False, allow_null=True)


class CompanySerializer(VersionedSerializer):
    categories = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), many=True, required=False
    )

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "acronym",
            "kind",
            "customer_code",
            "is_natural_person",
            "siren",
            "vat_number",
            "naf_code",
            "country",
            "language",
            "currency",
            "website",
            "email",
            "phone",
            "sector",
            "origin",
            "owner",
            "categories",
            "active",
            "first_contact_at",
            "last_contact_at",
            "next_contact_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = (
            *TRACKED_READ_ONLY,
            "kind",
            "customer_code",
            "first_contact_at",
            "last_contact_at",
            "next_contact_at",
        )


class AddressSerializer(serializers.ModelSerializer):
    company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all())

    class Meta:
        model = Address
        fields = [
            "id",
            "company",
            "label",
            "line1",
            "line2",
            "postal_code",
            "city",
            "country",
            "siret",
            "is_default",
        ]
        read_only_fields = ("id",)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["company"].read_only = True  # an address stays with its company
        return fields


class PersonSerializer(VersionedSerializer):
    companies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "civility",
            "first_name",
            "last_name",
            "job_title",
            "department",
            "email",
            "email2",
            "phone",
            "mobile",
            "birth_date",
            "language",
            "mailing_opt_in",
            "active",
            "owner",
            "companies",
            "origin",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = (*TRACKED_READ_ONLY, "origin")


class ProspectSerializer(VersionedSerializer):
    categories = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), many=True, required=False
    )
    channel = serializers.PrimaryKeyRelatedField(
        queryset=Channel.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Prospect
        fields = [
            "id",
            "civility",
            "first_name",
            "last_name",
            "company_name",
            "job_title",
            "address",
            "postal_code",
            "city",
            "country",
            "phone",
            "mobile",
            "email",
            "website",
            "birth_date",
            "external_ref",
            "siren",
            "sector",
            "customer_type",
            "channel",
            "direct_approach",
            "owner",
            "categories",
            "notes",
            "company",
            "person",
            "origin",
            "origin_detail",
            "lawful_basis",
            "consent_at",
            "consent_proof",
            "next_contact_at",
            "last_contact_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = (
            *TRACKED_READ_ONLY,
            "company",
            "person",
            "origin",
            "next_contact_at",
            "last_contact_at",
        )

    def validate(self, attrs):
        """The prospect form's rules (prospects.forms.ProspectForm.clean): someone to call,
        and consent kept with its date and proof (contacts.forms.check_consent)."""

        def value(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None) if self.instance is not None else None

        if not (value("last_name") or value("company_name") or value("email")):
            raise serializers.ValidationError(str(NO_IDENTITY))
        if value("lawful_basis") == LawfulBasis.CONSENT:
            errors = {}
            if not value("consent_at"):
                errors["consent_at"] = str(CONSENT_DATE_REQUIRED)
            if not (value("consent_proof") or "").strip():
                errors["consent_proof"] = str(CONSENT_PROOF_REQUIRED)
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class OpportunityLineSerializer(serializers.ModelSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = OpportunityLine
        fields = [
            "id",
            "opportunity",
            "position",
            "item",
            "unit",
            "quantity",
            "unit_cost",
            "unit_price",
            "adjusted_price",
            "discount",
            "vat_rate",
            "product",
            "total",
        ]
        read_only_fields = ("id", "total")

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["opportunity"].read_only = True
        return fields


class OpportunitySerializer(VersionedSerializer):
    prospect = serializers.PrimaryKeyRelatedField(
        queryset=Prospect.objects.all(), required=False, allow_null=True
    )
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    process = serializers.PrimaryKeyRelatedField(queryset=Process.objects.all(), required=False)
    step = serializers.PrimaryKeyRelatedField(
        queryset=Step.objects.all(), required=False, allow_null=True
    )
    lines = OpportunityLineSerializer(many=True, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "summary",
            "prospect",
            "company",
            "person",
            "process",
            "step",
            "status",
            "probability",
            "amount",
            "expected_date",
            "interest",
            "rating",
            "project_notes",
            "competitor",
            "owner",
            "closing_date",
            "loss_reason",
            "step_changed_at",
            "next_action_at",
            "lines",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = (
            *TRACKED_READ_ONLY,
            "status",
            "loss_reason",
            "step_changed_at",
            "next_action_at",
        )

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # Records and process are set at creation; steps change through /move/.
            for name in ("prospect", "company", "person", "process", "step"):
                fields[name].read_only = True
        return fields


class OpportunityMoveSerializer(serializers.Serializer):
    """A step change (a Kanban move): `step` and/or `status`; lost needs `loss_reason`."""

    step = serializers.PrimaryKeyRelatedField(
        queryset=Step.objects.all(), required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=Opportunity.Status.choices, required=False)
    loss_reason = serializers.PrimaryKeyRelatedField(
        queryset=LossReason.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(required=False, min_value=0)

    def validate(self, attrs):
        if attrs.get("step") is None and not attrs.get("status"):
            raise serializers.ValidationError(MOVE_NEEDS_A_TARGET)
        return attrs


class TaskSerializer(VersionedSerializer):
    type = serializers.PrimaryKeyRelatedField(queryset=TaskType.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=users(), required=False, allow_null=True)
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=Opportunity.objects.all(), required=False, allow_null=True
    )
    prospect = serializers.PrimaryKeyRelatedField(
        queryset=Prospect.objects.all(), required=False, allow_null=True
    )
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "type",
            "start",
            "end",
            "all_day",
            "assignee",
            "priority",
            "important",
            "location",
            "is_private",
            "notes",
            "done",
            "done_at",
            "opportunity",
            "prospect",
            "company",
            "person",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = (*TRACKED_READ_ONLY, "done_at")

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("owner", None)
        if self.instance is not None:
            for name in ("opportunity", "prospect", "company", "person"):
                fields[name].read_only = True
        return fields


class QuoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "revision",
            "title",
            "status",
            "opportunity",
            "issue_date",
            "valid_until",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "issued_at",
            "sent_at",
            "accepted_at",
            "refused_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["id", "process", "label", "position", "duration_days", "probability", "folded"]
        read_only_fields = fields


class ProcessSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Process
        fields = ["id", "name", "mode", "active", "is_default", "position", "steps"]
        read_only_fields = fields
