from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app may use: tracked records and the trash, access rules, versions, htmx
    helpers, safe redirects, the CSV writer. It imports no other Jalon app."""

    name = "core"
    verbose_name = "Jalon"

    def ready(self):
        from core import lookups  # noqa: F401 (registers the integer `in` lookup)
