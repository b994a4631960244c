"""The prospect list's filters: each one a query parameter, so every filtered view is a URL."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from contacts.models import Category, Channel, Prospect
from contacts.phones import phone_query
from contacts.text import normalize
from core.users import active_users, user_label
from pipeline.models import Colour, Opportunity

SORTS = {
    "name": ("last_name", "first_name", "id"),
    "company": ("company_name", "id"),
    "city": ("city", "id"),
    "owner": ("owner__username", "last_name", "id"),
    "created": ("created_at", "id"),
    "updated": ("updated_at", "id"),
}


# Sorts on the prospect's first open opportunity (a subquery, only when asked for).
OPPORTUNITY_SORTS = {
    "next_action": "next_action_at",
    "amount": "amount",
    "expected": "expected_date",
}


def _opportunities(user, **lookups):
    """The prospect has an opportunity the user may see matching `lookups`."""
    opportunities = (
        Opportunity.objects.visible_to(user) if user is not None else Opportunity.objects.all()
    )
    return Exists(opportunities.filter(prospect=OuterRef("pk"), **lookups))


class ProspectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    owner = django_filters.ChoiceFilter(
        method="filter_owner", label=_("Owner"), empty_label=_("All owners")
    )
    status = django_filters.ChoiceFilter(
        choices=Opportunity.Status.choices,
        method="filter_status",
        label=_("Status"),
        empty_label=_("All statuses"),
    )
    channel = django_filters.ChoiceFilter(
        field_name="channel_id", label=_("Channel"), empty_label=_("All channels")
    )
    category = django_filters.ChoiceFilter(
        field_name="categories", label=_("Category"), empty_label=_("All categories")
    )
    process = django_filters.ChoiceFilter(
        method="filter_process", label=_("Process"), empty_label=_("All processes")
    )
    step = django_filters.ChoiceFilter(
        method="filter_step", label=_("Step"), empty_label=_("All steps")
    )
    colour = django_filters.ChoiceFilter(
        choices=[c for c in Colour.choices if c[0]],
        method="filter_colour",
        label=_("Next action"),
        empty_label=_("Any"),
    )

    class Meta:
        model = Prospect
        fields = ["q", "owner", "status", "channel", "category", "process", "step", "colour"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Each choice list is read when first needed (the filter bar shown, or a value given to
        # check), and once: the page reuses them (bulk actions, Kanban link); the rows alone
        # (htmx) read none.
        self.filters["owner"].extra["choices"] = lambda: [
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(u.pk), user_label(u)) for u in self.users],
        ]
        self.filters["channel"].extra["choices"] = lambda: [
            (str(c.pk), c.name) for c in self.channels
        ]
        self.filters["category"].extra["choices"] = lambda: [
            (str(c.pk), c.name) for c in self.categories
        ]
        self.filters["process"].extra["choices"] = lambda: [
            (str(p.pk), p.name) for p in self.processes
        ]
        self.filters["step"].extra["choices"] = lambda: [
            (str(s.pk), f"{s.process.name} · {s.label}") for s in self.steps
        ]
        self.user = user

    @cached_property
    def users(self) -> list:
        return list(active_users())

    @cached_property
    def categories(self) -> list[Category]:
        return list(Category.objects.all())

    @cached_property
    def channels(self) -> list[Channel]:
        return list(Channel.objects.all())

    @cached_property
    def steps(self) -> list:
        from pipeline.models import Step

        return list(
            Step.objects.select_related("process").order_by(
                "process__position", "process__name", "position"
            )
        )

    @cached_property
    def processes(self) -> list:
        """The active processes, read with their steps in the same order (one query for both):
        a process without steps holds no opportunity to filter on."""
        processes = {step.process_id: step.process for step in self.steps}
        return [process for process in processes.values() if process.active]

    @cached_property
    def default_process(self):
        return next((p for p in self.processes if p.is_default), None)

    def filter_q(self, queryset, name, value):
        phone = phone_query(value)
        if phone:  # however typed: the search words carry the international digits
            return queryset.filter(search_text__contains=phone[1:])
        for word in normalize(value).split()[:6]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=value)

    def filter_status(self, queryset, name, value):
        return queryset.filter(_opportunities(self.user, status=value))

    def filter_process(self, queryset, name, value):
        return queryset.filter(_opportunities(self.user, process_id=value))

    def filter_step(self, queryset, name, value):
        return queryset.filter(
            _opportunities(self.user, step_id=value, status=Opportunity.Status.OPEN)
        )

    def filter_colour(self, queryset, name, value):
        """The next action's stored colour (kept by pipeline.clocks), on open opportunities."""
        return queryset.filter(
            _opportunities(self.user, action_colour=value, status=Opportunity.Status.OPEN)
        )


# The filters the bar keeps behind its "More filters" menu; the others are in the bar itself.
MORE_FILTERS = ("channel", "category", "process")


def filter_fields(form) -> dict[str, list[dict]]:
    """The filter form's fields as the list's filter bar shows them, the search (`q`) apart:
    `{"main": [...], "more": [...]}`, each field a dict of its `id`, `label` and `html` (its
    widget)."""
    fields: dict[str, list[dict]] = {"main": [], "more": []}
    for field in form:
        if field.name == "q":
            continue
        html = str(field)  # a <select> written in Python by core.forms.FormRenderer
        fields["more" if field.name in MORE_FILTERS else "main"].append(
            {"id": field.id_for_label, "label": field.label, "html": html}
        )
    return fields
