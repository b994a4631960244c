"""Create the "Sales rep" and "Sales manager" groups with their permissions (after every
app's tables, whose permissions they carry)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JALON_APPS = ["contacts", "prospects", "pipeline", "forecasting"]
REP_MODELS = {
    "contacts": [
        "company",
        "address",
        "companyrep",
        "person",
        "affiliation",
        "note",
        "document",
        "prospect",
    ],
    "pipeline": ["opportunity", "opportunityline", "task", "stepprogress"],
}
REP_VIEW_ONLY = {
    "contacts": ["category", "contacttype", "postalcode", "channel", "extrafield"],
    "pipeline": ["process", "step", "tasktype", "lossreason", "historyentry"],
    "forecasting": ["forecastsnapshot"],
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    create_groups(apps)


def create_groups(apps):
    """Idempotent: also run by tests.reference after a test database flush."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    rep, _ = Group.objects.get_or_create(name="Sales rep")
    rep_perms = []
    for app, models in REP_MODELS.items():
        for model in models:
            for action in ("view", "add", "change", "delete"):
                rep_perms.append((app, f"{action}_{model}"))
    for app, models in REP_VIEW_ONLY.items():
        rep_perms += [(app, f"view_{model}") for model in models]
    rep.permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in rep_perms
    )

    manager, _ = Group.objects.get_or_create(name="Sales manager")
    manager_perms = Permission.objects.filter(content_type__app_label__in=JALON_APPS) | Permission.objects.filter(
        content_type__app_label="accounts", content_type__model="user"
    ) | Permission.objects.filter(content_type__app_label="auth", content_type__model="group"
    )
    manager.permissions.set(manager_perms)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Sales rep", "Sales manager"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("forecasting", "0002_initial"),
        ("contacts", "0002_reference_data"),
        ("prospects", "0001_initial"),
        ("pipeline", "0002_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
