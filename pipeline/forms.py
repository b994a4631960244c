"""Forms of the process pages: the step list's filters, the board's column settings, the
opportunity card and its lines, and tasks."""

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from contacts.models import Category
from core.forms import (
    DATE_WIDGET,
    MoneyField,
    PercentField,
    QuantityField,
    SectionsMixin,
    UserChoiceField,
    VersionedForm,
    bounded_formfield,
)
from core.roles import SALES_MANAGER, SALES_REP
from core.users import active_users, user_label
from pipeline.models import (
    LossReason,
    Opportunity,
    OpportunityLine,
    Step,
    StepProgress,
    Task,
    TaskType,
)
from pipeline.services.activities import SCOPE_FOLLOWING, SCOPE_THIS

# Sort keys of the step list's columns (?sort=key or ?sort=-key).
STEP_LIST_SORTS = {
    "id": ("pk",),
    "last_name": ("prospect__last_name", "person__last_name", "pk"),
    "first_name": ("prospect__first_name", "person__first_name", "pk"),
    "job_title": ("prospect__job_title", "person__job_title", "pk"),
    "company": ("prospect__company_name", "company__name", "pk"),
    "probability": ("probability", "pk"),
    "owner": ("owner__username", "pk"),
    "amount": ("amount", "pk"),
    # NbJ grows as the last step change gets older.
    "nbj": ("-step_changed_at", "pk"),
}


def with_done_count(queryset):
    """Annotate how many steps of its process each opportunity has completed (one subquery)."""
    done = (
        StepProgress.objects.filter(opportunity=OuterRef("pk"))
        .values("opportunity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(done_count=Coalesce(Subquery(done), 0))


class BoardFilter(django_filters.FilterSet):
    """The board's filters; as GET parameters, every filtered board is a bookmarkable URL."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=get_user_model().objects.none(), empty_label=_("Everyone")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        method="filter_category",
        empty_label=_("All categories"),
    )

    class Meta:
        model = Opportunity
        fields = ["q", "owner", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[SALES_REP, SALES_MANAGER])
            .distinct()
            .order_by("first_name", "last_name", "username")
        )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(summary__icontains=word)
                | Q(prospect__company_name__icontains=word)
                | Q(prospect__last_name__icontains=word)
                | Q(prospect__first_name__icontains=word)
                | Q(company__name__icontains=word)
                | Q(person__last_name__icontains=word)
            )
        return queryset

    def filter_category(self, queryset: QuerySet, name: str, value: Category) -> QuerySet:
        # Exists rather than joins: an opportunity whose prospect and company both carry the
        # category must appear once.
        return queryset.filter(
            Exists(Category.objects.filter(pk=value.pk, prospect=OuterRef("prospect")))
            | Exists(Category.objects.filter(pk=value.pk, company=OuterRef("company")))
        )


class StepListFilter(django_filters.FilterSet):
    owner = django_filters.ModelChoiceFilter(
        label=_("User"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Everyone"),
    )
    in_progress = django_filters.BooleanFilter(
        label=_("In progress only"),
        method="filter_in_progress",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Opportunity
        fields = ["owner", "in_progress"]

    def __init__(self, *args, process=None, step_count=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_count = step_count
        self.filters["owner"].queryset = (
            active_users().filter(groups__name__in=[SALES_REP, SALES_MANAGER]).distinct()
        )
        self.filters["owner"].field.label_from_instance = user_label

    def filter_in_progress(self, queryset, name, value):
        """PROSTEP "En cours": open opportunities whose process is not finished."""
        if not value:
            return queryset
        queryset = queryset.filter(status=Opportunity.Status.OPEN)
        if not self.step_count:
            return queryset
        return with_done_count(queryset).filter(done_count__lt=self.step_count)


class StepForm(forms.ModelForm):
    """Edit a column of the board: the same fields as OpenFire's "edit the column"."""

    class Meta:
        model = Step
        fields = ["label", "probability", "duration_days", "folded"]
        formfield_callback = bounded_formfield
        labels = {
            "label": _("Name of the step"),
            "probability": _("Probability (%)"),
            "duration_days": _("Duration (days)"),
            "folded": _("Folded in the board"),
        }
        field_classes = {"probability": PercentField}


class StepCreateForm(StepForm):
    """Add a column: a new column starts unfolded."""

    class Meta(StepForm.Meta):
        fields = ["label", "probability", "duration_days"]


class OpportunityForm(SectionsMixin, VersionedForm):
    sections = (
        (_("Project"), ("summary", "interest", "project_notes")),
        (
            _("Progress"),
            ("status", "step", "amount", "probability", "expected_date", "rating", "owner"),
        ),
        (_("Closing"), ("closing_date", "loss_reason", "competitor")),
    )
    owner = UserChoiceField(queryset=active_users(), required=False, label=_("Owner"))
    step = forms.ModelChoiceField(queryset=None, required=False, label=_("Step"))
    loss_reason = forms.ModelChoiceField(
        queryset=LossReason.objects.all(), required=False, label=_("Loss reason")
    )

    class Meta:
        model = Opportunity
        formfield_callback = bounded_formfield
        fields = [
            "summary",
            "status",
            "step",
            "interest",
            "expected_date",
            "amount",
            "probability",
            "rating",
            "loss_reason",
            "closing_date",
            "competitor",
            "owner",
            "project_notes",
        ]
        widgets = {
            "expected_date": DATE_WIDGET,
            "closing_date": DATE_WIDGET,
            "project_notes": forms.Textarea(attrs={"rows": 4}),
            "rating": forms.NumberInput(attrs={"min": 0, "max": 5}),
        }
        field_classes = {"amount": MoneyField, "probability": PercentField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from pipeline.models import Step
        from pipeline.services.lines import AMOUNT_IS_SUM

        self.fields["owner"].queryset = active_users()
        self.fields["loss_reason"].queryset = LossReason.objects.all()
        self.fields["step"].queryset = Step.objects.filter(
            process_id=self.instance.process_id
        ).order_by("position")
        if self.instance.pk and self.instance.lines.exists():
            self.fields["amount"].disabled = True
            self.fields["amount"].help_text = AMOUNT_IS_SUM


class LineForm(forms.ModelForm):
    """A line: a product picked in the catalogue (the picker fills the fields with its values,
    which stay editable) or free text, and its VAT rate (the line's own when left out)."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = OpportunityLine
        fields = [
            "product",
            "item",
            "unit",
            "quantity",
            "unit_cost",
            "unit_price",
            "adjusted_price",
            "discount",
            "vat_rate",
        ]
        field_classes = {
            "quantity": QuantityField,
            "unit_cost": MoneyField,
            "unit_price": MoneyField,
            "adjusted_price": MoneyField,
            "discount": PercentField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vat_rate"].required = False
        self.fields["vat_rate"].label = _("VAT")

    @property
    def picked_product(self) -> Product | None:
        """The product the picker shows as picked: the one posted, else the line's."""
        if self.is_bound:
            return getattr(self, "cleaned_data", {}).get("product")
        return self.instance.product if self.instance.pk else None

    def clean(self):
        cleaned_data = super().clean()
        # Left out (a form of before the rates, a script): the line keeps its rate.
        if cleaned_data.get("vat_rate") in (None, ""):
            cleaned_data.pop("vat_rate", None)
        return cleaned_data


DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]

SCOPE_CHOICES = [
    (SCOPE_THIS, _("This occurrence only")),
    (SCOPE_FOLLOWING, _("This one and the following ones")),
]


# A task lasts at most a year: a longer duration is a typing slip (and 10**30 minutes is past
# the last date Python can hold).
MAX_DURATION_MINUTES = 366 * 24 * 60
DURATION_PAST_CALENDAR = _("This duration ends after the last date the calendar can hold.")


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class TaskForm(VersionedForm):
    """What the task panel's dialog edits. The record it is about comes from the URL."""

    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=0,
        max_value=MAX_DURATION_MINUTES,
        help_text=_("Used when no end is given."),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On weekdays"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekday-choices"}),
    )
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=SCOPE_CHOICES,
        initial=SCOPE_THIS,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Task
        formfield_callback = bounded_formfield
        fields = [
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
            "frequency",
            "interval",
            "weekdays",
            "until",
            "count",
        ]
        widgets = {
            "start": _datetime_widget(),
            "end": _datetime_widget(),
            "until": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["end"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["type"].queryset = TaskType.objects.all()
        self.fields["type"].empty_label = None
        self.fields["assignee"].queryset = active_users()
        self.fields["assignee"].label_from_instance = user_label
        self.fields["interval"].min_value = 1
        self.fields["count"].min_value = 1
        if self.instance.pk:
            self.initial["weekdays"] = [d for d in (self.instance.weekdays or "").split(",") if d]
        if not (self.instance.pk and self.instance.is_recurring):
            del self.fields["scope"]

    def clean_weekdays(self) -> str:
        return ",".join(sorted(self.cleaned_data.get("weekdays") or []))

    def clean(self):
        data = super().clean()
        start, end, minutes = data.get("start"), data.get("end"), data.get("duration")
        if start and not end and minutes:
            try:
                data["end"] = start + dt.timedelta(minutes=minutes)
            except OverflowError:
                self.add_error("duration", DURATION_PAST_CALENDAR)
        if not data.get("interval"):
            data["interval"] = 1
        return data

    def _post_clean(self):
        # The service validates the task as a whole (rules of recurrence, versions); the form
        # only checks the fields themselves.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("duration", "scope", "version"):
            data.pop(name, None)
        return data


class TaskFilter(django_filters.FilterSet):
    """The agenda's filters. The assignee filter is offered to managers only (the view drops it
    for reps, who see their own tasks)."""

    type = django_filters.ModelChoiceFilter(
        label=_("type"), queryset=TaskType.objects.all(), empty_label=_("All types")
    )
    priority = django_filters.ChoiceFilter(
        label=_("priority"), choices=Task.Priority.choices, empty_label=_("All priorities")
    )
    assignee = django_filters.ChoiceFilter(
        label=_("assigned to"), method="filter_assignee", empty_label=None
    )

    class Meta:
        model = Task
        fields = ["type", "priority", "assignee"]

    def __init__(self, *args, user=None, team=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if team:
            users = active_users()
            self.filters["assignee"].extra["choices"] = [
                ("", _("Me")),
                ("all", _("Whole team")),
                *[(str(u.pk), user_label(u)) for u in users if u.pk != user.pk],
            ]
        else:
            del self.filters["assignee"]

    @property
    def qs(self):
        queryset = super().qs
        if "assignee" not in self.filters or not (
            self.form.cleaned_data.get("assignee") if self.form.is_valid() else ""
        ):
            queryset = queryset.filter(assignee=self.user)
        return queryset

    def filter_assignee(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(assignee_id=value)


NEXT_START_REQUIRED = _("Say when the next action is planned.")


class CallLogForm(forms.Form):
    """A card's "Log a call": what came of the call just made, and optionally the next action
    (`pipeline.services.calls.call_log`)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan_next = forms.BooleanField(label=_("Plan the next action"), required=False)
    next_type = forms.ModelChoiceField(
        label=_("Next action"), queryset=TaskType.objects.none(), required=False
    )
    next_start = forms.DateTimeField(
        label=_("Planned for"), required=False, widget=_datetime_widget()
    )
    next_title = forms.CharField(
        label=capfirst(Task._meta.get_field("title").verbose_name), required=False, max_length=200
    )

    def __init__(self, *args, **kwargs):
        from pipeline.services.calls import CALL_TYPE, Outcome, next_working_morning

        kwargs.setdefault("auto_id", "call-%s")  # beside the card's own forms
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = Outcome.CHOICES
        self.fields["next_type"].queryset = TaskType.objects.all()
        self.fields["next_type"].empty_label = None
        self.fields["next_start"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        if not self.is_bound:
            self.initial.setdefault("next_start", next_working_morning())
            call = next((t for t in self.fields["next_type"].queryset if t.code == CALL_TYPE), None)
            self.initial.setdefault("next_type", call)

    def clean(self):
        data = super().clean()
        if data.get("plan_next") and not data.get("next_start"):
            self.add_error("next_start", NEXT_START_REQUIRED)
        return data
