from django.db import migrations

CONTACT_TYPES = [("Accounts payable", 1), ("Purchasing", 2), ("Management", 3), ("Technical", 4), ("Sales", 5)]


def create_contact_types(apps, schema_editor):
    ContactType = apps.get_model("contacts", "ContactType")
    for name, position in CONTACT_TYPES:
        ContactType.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_identity_checks_and_search_words")]

    operations = [migrations.RunPython(create_contact_types, migrations.RunPython.noop)]
