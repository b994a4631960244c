from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# Reference data is created in the site's language (LANGUAGE_CODE, French by default).

OPENFIRE_STEPS = [
    # label, duration in days, probability %
    (gettext_noop("New"), 2, 10),
    (gettext_noop("Estimate"), 5, 30),
    (gettext_noop("Technical visit"), 7, 50),
    (gettext_noop("Quote"), 10, 70),
]

LOSS_REASONS = [
    gettext_noop("Price too high"),
    gettext_noop("Chose a competitor"),
    gettext_noop("No budget"),
    gettext_noop("No answer"),
    gettext_noop("Project abandoned"),
]

TASK_TYPES = [
    ("todo", gettext_noop("To-do"), "✔", False),
    ("call", gettext_noop("Call"), "☎", True),
    ("meeting", gettext_noop("Meeting"), "◉", True),
    ("email", gettext_noop("E-mail"), "✉", True),
    ("absence", gettext_noop("Absence"), "○", False),
]


def forwards(apps, schema_editor):
    with translation.override(settings.LANGUAGE_CODE):
        _create(apps)


def _create(apps):
    """Idempotent: also run by tests.reference after a test database flush."""
    LossReason = apps.get_model("pipeline", "LossReason")
    for position, name in enumerate(LOSS_REASONS):
        LossReason.objects.get_or_create(name=gettext(name), defaults={"position": position})
    Process = apps.get_model("pipeline", "Process")
    Step = apps.get_model("pipeline", "Step")
    TaskType = apps.get_model("pipeline", "TaskType")
    if not Process.objects.filter(is_default=True).exists():
        process = Process.objects.create(name=gettext("Default process"), mode="free", is_default=True)
        for position, (label, days, probability) in enumerate(OPENFIRE_STEPS):
            Step.objects.create(
                process=process, label=gettext(label), position=position,
                duration_days=days, probability=probability,
            )
    for position, (code, name, icon, is_contact) in enumerate(TASK_TYPES):
        TaskType.objects.get_or_create(
            code=code,
            defaults={"name": gettext(name), "icon": icon, "is_contact": is_contact, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
