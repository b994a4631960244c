"""Forms of the process pages: the step list's filters and the board's column settings."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from config.roles import SALES_MANAGER, SALES_REP
from pipeline.models import Step, StepProgress
from prospects.models import Opportunity

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
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[SALES_REP, SALES_MANAGER])
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.filters["owner"].field.label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )

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
        labels = {
            "label": _("Name of the step"),
            "probability": _("Probability (%)"),
            "duration_days": _("Duration (days)"),
            "folded": _("Folded in the board"),
        }


class StepCreateForm(StepForm):
    """Add a column: a new column starts unfolded."""

    class Meta(StepForm.Meta):
        fields = ["label", "probability", "duration_days"]
