"""Reference data that migrations create (groups, default process, task types, channels, loss
reasons, contact types), re-created on demand: a transactional test flushes the database,
which removes what data migrations wrote."""

import importlib

from django.apps import apps

DATA_MIGRATIONS = [
    ("contacts.migrations.0003_default_contact_types", "create_contact_types"),
    ("prospects.migrations.0002_defaults", "forwards"),
    ("pipeline.migrations.0003_defaults", "forwards"),
    ("forecasting.migrations.0003_groups", "create_groups"),
]


def ensure_reference_data() -> None:
    for module_name, function_name in DATA_MIGRATIONS:
        module = importlib.import_module(module_name)
        function = getattr(module, function_name)
        if function_name == "create_groups":
            function(apps)
        else:
            function(apps, None)
