from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# Reference data is created in the site's language (LANGUAGE_CODE, French by default).
CONTACT_TYPES = [
    (gettext_noop("Accounts payable"), 1),
    (gettext_noop("Purchasing"), 2),
    (gettext_noop("Management"), 3),
    (gettext_noop("Technical"), 4),
    (gettext_noop("Sales"), 5),
]
CHANNELS = [
    gettext_noop("Web form"),
    gettext_noop("Referral"),
    gettext_noop("Trade show"),
    gettext_noop("Social networks"),
    gettext_noop("Phone"),
    gettext_noop("Mailing"),
    gettext_noop("Partner"),
]


def forwards(apps, schema_editor):
    """Idempotent: also run by tests.reference after a test database flush."""
    ContactType = apps.get_model("contacts", "ContactType")
    Channel = apps.get_model("contacts", "Channel")
    with translation.override(settings.LANGUAGE_CODE):
        for name, position in CONTACT_TYPES:
            ContactType.objects.get_or_create(name=gettext(name), defaults={"position": position})
        for position, name in enumerate(CHANNELS):
            Channel.objects.get_or_create(name=gettext(name), defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
