"""core.lookups: `in` with integers no column can hold matches nothing, on every database
(SQLite raised OverflowError, a 500 from any ModelMultipleChoiceField)."""

import pytest
from django import forms

from contacts.models import Category, Company
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_out_of_range_ids_match_nothing():
    company = f.CompanyFactory()
    ids = [company.pk, 10**30, 2**63, -(2**63) - 1]
    assert list(Company.objects.filter(pk__in=ids)) == [company]
    assert not Company.objects.filter(pk__in=[10**30]).exists()


def test_a_multiple_choice_of_records_refuses_them_as_unknown():
    field = forms.ModelMultipleChoiceField(queryset=Category.objects.all())
    with pytest.raises(forms.ValidationError) as refusal:
        field.clean([str(10**30)])
    assert refusal.value.code == "invalid_choice"
