import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "auth", "contacts", "prospects", "pipeline", "forecasting"}
    }


def test_seed_demo_creates_the_demo_users_and_data(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "manager" in out and "alice" in out and "bruno" in out and "jalon-demo" in out
    for username in ("manager", "alice", "bruno"):
        assert User.objects.get(username=username).check_password("jalon-demo")
    manager = User.objects.get(username="manager")
    assert manager.is_staff and manager.groups.filter(name="Sales manager").exists()
    assert User.objects.get(username="alice").groups.filter(name="Sales rep").exists()
    counts = snapshot()
    assert counts["pipeline.Opportunity"] > 20
    assert counts["pipeline.Task"] > 20
    assert counts["contacts.Company"] > 5
    from pipeline.models import Process

    prostep = Process.objects.get(name="PROSTEP")
    with translation.override(settings.LANGUAGE_CODE):
        expected = [
            (gettext("Send documentation"), 3),
            (gettext("Phone call"), 5),
            (gettext("Check subscription"), 7),
        ]
    assert [(s.label, s.duration_days) for s in prostep.steps.order_by("position")] == expected


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


def test_seed_demo_shows_every_colour():
    call_command("seed_demo")
    from pipeline.models import Opportunity, Task

    assert {"green", "orange", "red"} <= set(
        Opportunity.objects.open().values_list("action_colour", flat=True)
    )
    assert {"green", "orange", "red"} <= set(Task.objects.open().values_list("colour", flat=True))
