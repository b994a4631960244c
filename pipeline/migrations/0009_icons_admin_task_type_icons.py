"""Task types name an icon of the Lucide sprite (core.icons.TASK_ICONS) instead of a Unicode
glyph: the glyphs of the reference data (0002) and any other become sprite names."""

from django.db import migrations, models

GLYPHS = {"✔": "circle-check", "☎": "phone", "◉": "handshake", "✉": "mail", "○": "calendar-off"}
BY_CODE = {
    "todo": "circle-check",
    "call": "phone",
    "meeting": "handshake",
    "email": "mail",
    "absence": "calendar-off",
}


def forwards(apps, schema_editor):
    TaskType = apps.get_model("pipeline", "TaskType")
    for task_type in TaskType.objects.all():
        icon = GLYPHS.get(task_type.icon) or BY_CODE.get(task_type.code, "")
        if task_type.icon != icon:
            task_type.icon = icon
            task_type.save(update_fields=["icon"])


def backwards(apps, schema_editor):
    TaskType = apps.get_model("pipeline", "TaskType")
    glyphs = {name: glyph for glyph, name in GLYPHS.items()}
    for task_type in TaskType.objects.all():
        task_type.icon = glyphs.get(task_type.icon, "")
        task_type.save(update_fields=["icon"])


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0008_perf_lists_prospect_next_action")]
    operations = [
        migrations.AlterField(
            model_name="tasktype",
            name="icon",
            field=models.CharField(blank=True, max_length=40, verbose_name="icon"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
