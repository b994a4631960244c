import pytest
from django.http import Http404

from pipeline.selectors import process_or_404
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_reps_see_active_processes_only(rep):
    active = f.ProcessFactory(steps=1)
    inactive = f.ProcessFactory(steps=1, active=False)
    assert process_or_404(rep, active.pk) == active
    with pytest.raises(Http404):
        process_or_404(rep, inactive.pk)


def test_managers_also_see_inactive_processes(manager):
    inactive = f.ProcessFactory(steps=1, active=False)
    assert process_or_404(manager, inactive.pk) == inactive


def test_unknown_process_is_a_404(manager):
    with pytest.raises(Http404):
        process_or_404(manager, 999999)
