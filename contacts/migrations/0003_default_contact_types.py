from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# Reference data is created in the site's language (LANGUAGE_CODE, French by default).
CONTACT_TYPES = [
    (gettext_noop("Accounts payable"), 1), (gettext_noop("Purchasing"), 2), (gettext_noop("Management"), 3),
    (gettext_noop("Technical"), 4), (gettext_noop("Sales"), 5),
]


def create_contact_types(apps, schema_editor):
    ContactType = apps.get_model("contacts", "ContactType")
    with translation.override(settings.LANGUAGE_CODE):
        for name, position in CONTACT_TYPES:
            ContactType.objects.get_or_create(name=gettext(name), defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_identity_checks_and_search_words")]

    operations = [migrations.RunPython(create_contact_types, migrations.RunPython.noop)]
