"""List filters of the contact file (django-filter), applied to user-scoped querysets."""

import functools

import django_filters
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from contacts.models import Affiliation, Category, Company, Person
from contacts.phones import phone_query
from contacts.selectors import company_search, person_search_ids
from core.users import active_users, user_label


@functools.cache
def _countries_in(language: str) -> tuple[tuple[str, str], ...]:
    """The countries, sorted by their name in `language`: django-countries translates and sorts
    the ~250 names each time it is iterated."""
    return tuple((code, str(name)) for code, name in countries)


def country_choices() -> tuple[tuple[str, str], ...]:
    return _countries_in(get_language())


# The paths from a company to the users who follow it: its owner, its secondary reps by role,
# and those apps above contacts add (the catalogue's reps by product family).
REP_LOOKUPS: list[str] = ["owner", "reps__user"]


def register_rep_lookup(path: str) -> None:
    """Let the "representative" filter follow `path` (called in an AppConfig.ready)."""
    if path not in REP_LOOKUPS:
        REP_LOOKUPS.append(path)


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=Company.Kind.choices,
        empty_label=_("Prospects and customers"),
    )
    owner = django_filters.ChoiceFilter(
        label=_("Owner"), method="filter_owner", empty_label=_("Any owner")
    )
    # The owner and representative lists share one read of the users (ChoiceFilters filled
    # in __init__).
    rep = django_filters.ChoiceFilter(
        label=_("Representative"),
        method="filter_rep",
        empty_label=_("Any representative"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=country_choices,
        empty_label=_("Any country"),
    )
    city = django_filters.CharFilter(label=_("City"), method="filter_city")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        field_name="categories",
        queryset=Category.objects.all(),
        empty_label=_("Any category"),
    )
    active = django_filters.ChoiceFilter(
        label=_("Active"),
        method="filter_active",
        empty_label=_("Active and inactive"),
        choices=[("yes", _("Active")), ("no", _("Inactive"))],
    )

    class Meta:
        model = Company
        fields = ["q", "kind", "owner", "rep", "country", "city", "category", "active"]

    def filter_q(self, queryset, name, value):
        return company_search(queryset, value)

    def filter_city(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(addresses__city__icontains=value).distinct() if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is rendered or a user is chosen, not for the rows htmx swaps in.
        self.filters["owner"].extra["choices"] = self._user_choices
        self.filters["rep"].extra["choices"] = self._user_choices

    @cached_property
    def _users(self) -> list[tuple[str, str]]:
        return [(str(user.pk), user_label(user)) for user in active_users()]

    def _user_choices(self) -> list[tuple[str, str]]:
        return self._users

    def filter_owner(self, queryset, name, value):
        return queryset.filter(owner_id=value) if value else queryset

    def filter_rep(self, queryset, name, value):
        """Companies `value` follows: as owner, as a secondary rep, or for a product family."""
        if not value:
            return queryset
        followed = Q()
        for path in REP_LOOKUPS:
            followed |= Q(pk__in=Company.all_objects.filter(**{path: value}).values("pk"))
        return queryset.filter(followed)

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "yes") if value in ("yes", "no") else queryset


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    company = django_filters.ModelChoiceFilter(
        label=_("Company"),
        field_name="companies",
        queryset=Company.objects.all(),
        widget=django_filters.widgets.forms.HiddenInput,
    )
    contact_type = django_filters.ModelChoiceFilter(
        label=_("Contact type"),
        method="filter_contact_type",
        queryset=None,
        empty_label=_("Any contact type"),
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=active_users(), empty_label=_("Any owner")
    )
    mailing = django_filters.ChoiceFilter(
        label=_("Mailing"),
        method="filter_mailing",
        empty_label=_("Any"),
        choices=[("yes", _("Accepts mailings")), ("no", _("No mailings"))],
    )
    active = django_filters.ChoiceFilter(
        label=_("Active"),
        method="filter_active",
        empty_label=_("Active and inactive"),
        choices=[("yes", _("Active")), ("no", _("Inactive"))],
    )

    class Meta:
        model = Person
        fields = ["q", "company", "contact_type", "owner", "mailing", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from contacts.models import ContactType

        self.filters["contact_type"].queryset = ContactType.objects.all()

    def filter_q(self, queryset, name, value):
        phone = phone_query(value)
        if phone:
            return queryset.filter(Q(phone__startswith=phone) | Q(mobile__startswith=phone))
        # Each word in the name, the e-mail or a company's name: a subquery of ids per word,
        # no join, so no DISTINCT over the people.
        for word in value.split()[:6]:
            queryset = queryset.filter(pk__in=person_search_ids(word))
        return queryset

    def filter_contact_type(self, queryset, name, value):
        """People with this type on one of their links, each once (a subquery, not a join)."""
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Affiliation.objects.filter(contact_type=value).values("person_id")
        )

    def filter_mailing(self, queryset, name, value):
        return (
            queryset.filter(mailing_opt_in=value == "yes") if value in ("yes", "no") else queryset
        )

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "yes") if value in ("yes", "no") else queryset
