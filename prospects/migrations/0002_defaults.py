from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# Reference data is created in the site's language (LANGUAGE_CODE, French by default).
CHANNELS = [
    gettext_noop("Web form"), gettext_noop("Referral"), gettext_noop("Trade show"),
    gettext_noop("Social networks"), gettext_noop("Phone"), gettext_noop("Mailing"), gettext_noop("Partner"),
]
LOSS_REASONS = [
    gettext_noop("Price too high"), gettext_noop("Chose a competitor"), gettext_noop("No budget"),
    gettext_noop("No answer"), gettext_noop("Project abandoned"),
]


def forwards(apps, schema_editor):
    Channel = apps.get_model("prospects", "Channel")
    LossReason = apps.get_model("prospects", "LossReason")
    with translation.override(settings.LANGUAGE_CODE):
        for position, name in enumerate(CHANNELS):
            Channel.objects.get_or_create(name=gettext(name), defaults={"position": position})
        for position, name in enumerate(LOSS_REASONS):
            LossReason.objects.get_or_create(name=gettext(name), defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("prospects", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
