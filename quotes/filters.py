"""The quote list's filters (django-filter), each one a query parameter so that every filtered
view is a URL; applied to the quotes the user may see (`Quote.objects.visible_to`)."""

import django_filters
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DATE_WIDGET
from core.users import active_users, user_label
from quotes.models import Quote

# ?sort=<key> or -<key>; the quote's date is its issue date, or its creation day for a draft.
SORTS = {
    "number": ("number", "id"),
    "date": ("quote_date", "id"),
    "client": ("client_name", "id"),
    "status": ("status", "id"),
    "valid_until": ("valid_until", "id"),
    "total": ("total_excl_vat", "id"),
}
DEFAULT_SORT = "-date"


def with_list_columns(queryset):
    """`quote_date` and `client_name`, which the list filters and sorts on."""
    return queryset.annotate(
        quote_date=Coalesce("issue_date", TruncDate("created_at")),
        client_name=Coalesce(
            "opportunity__company__name",
            NullIf("opportunity__prospect__company_name", Value("")),
            "opportunity__prospect__last_name",
            Value(""),
        ),
    )


def sorted_quotes(queryset, sort: str):
    """(the sort applied, the queryset in that order); an unknown sort is the default one."""
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    fields = SORTS[key]
    if sort.startswith("-"):
        fields = tuple(f"-{name}" for name in fields)
    return sort, queryset.order_by(*fields)


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=Quote.Status.choices, label=_("Status"), empty_label=_("All statuses")
    )
    owner = django_filters.ChoiceFilter(
        method="filter_owner", label=_("Owner"), empty_label=_("All owners")
    )
    date_from = django_filters.DateFilter(
        field_name="quote_date",
        lookup_expr="gte",
        label=pgettext_lazy("period", "From"),
        widget=DATE_WIDGET,
    )
    date_to = django_filters.DateFilter(
        field_name="quote_date",
        lookup_expr="lte",
        label=pgettext_lazy("period", "To"),
        widget=DATE_WIDGET,
    )

    class Meta:
        model = Quote
        fields = ["q", "status", "owner", "date_from", "date_to"]

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, with_list_columns(queryset), **kwargs)
        self.user = user
        self.filters["owner"].extra["choices"] = [
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(u.pk), user_label(u)) for u in active_users()],
        ]

    def filter_q(self, queryset, name, value):
        """Words of the number, the title or the client's name."""
        for word in value.split()[:6]:
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(title__icontains=word)
                | Q(client_name__icontains=word)
                | Q(opportunity__summary__icontains=word)
            )
        return queryset

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(opportunity__owner=self.user)
        if value == "none":
            return queryset.filter(opportunity__owner__isnull=True)
        return queryset.filter(opportunity__owner_id=value)
