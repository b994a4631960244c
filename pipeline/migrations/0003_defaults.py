from django.db import migrations

OPENFIRE_STEPS = [
    # label, duration in days, probability %
    ("New", 2, 10),
    ("Estimate", 5, 30),
    ("Technical visit", 7, 50),
    ("Quote", 10, 70),
]

TASK_TYPES = [
    ("todo", "To-do", "✔", False),
    ("call", "Call", "☎", True),
    ("meeting", "Meeting", "◉", True),
    ("email", "E-mail", "✉", True),
    ("absence", "Absence", "○", False),
]


def forwards(apps, schema_editor):
    Process = apps.get_model("pipeline", "Process")
    Step = apps.get_model("pipeline", "Step")
    TaskType = apps.get_model("pipeline", "TaskType")
    if not Process.objects.filter(is_default=True).exists():
        process = Process.objects.create(name="Default process", mode="free", is_default=True)
        for position, (label, days, probability) in enumerate(OPENFIRE_STEPS):
            Step.objects.create(
                process=process, label=label, position=position,
                duration_days=days, probability=probability,
            )
    for position, (code, name, icon, is_contact) in enumerate(TASK_TYPES):
        TaskType.objects.get_or_create(
            code=code,
            defaults={"name": name, "icon": icon, "is_contact": is_contact, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
