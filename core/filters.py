"""Filter pieces every list shares (django-filter)."""

import django_filters

from core.forms import MoneyField


class MoneyFilter(django_filters.NumberFilter):
    """An amount in a list's filters, typed as in the forms ("25 000,50 €" in French): an
    ambiguous one is refused next to the field and filters nothing out."""

    field_class = MoneyField
