"""Reference data that migrations create (groups, default process, task types, channels, loss
reasons, contact types), re-created on demand: a transactional test flushes the database,
which removes what data migrations wrote."""

import importlib

from django.apps import apps

DATA_MIGRATIONS = [
    ("contacts.migrations.0002_reference_data", "forwards"),
    ("pipeline.migrations.0002_reference_data", "forwards"),
    ("accounts.migrations.0002_groups", "create_groups"),
]


def ensure_reference_data() -> None:
    for module_name, function_name in DATA_MIGRATIONS:
        function = getattr(importlib.import_module(module_name), function_name)
        if function_name == "create_groups":
            function(apps)
        else:
            function(apps, None)
