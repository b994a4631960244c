from django.db import migrations

CHANNELS = ["Web form", "Referral", "Trade show", "Social networks", "Phone", "Mailing", "Partner"]
LOSS_REASONS = ["Price too high", "Chose a competitor", "No budget", "No answer", "Project abandoned"]


def forwards(apps, schema_editor):
    Channel = apps.get_model("prospects", "Channel")
    LossReason = apps.get_model("prospects", "LossReason")
    for position, name in enumerate(CHANNELS):
        Channel.objects.get_or_create(name=name, defaults={"position": position})
    for position, name in enumerate(LOSS_REASONS):
        LossReason.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("prospects", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
