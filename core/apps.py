from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app may use: tracked records and the trash, access rules, versions, htmx
    helpers, safe redirects, the CSV writer. It imports no other Jalon app."""

    name = "core"
    verbose_name = "Jalon"

    def ready(self):
        from django.contrib.auth.models import Group
        from django.urls import register_converter

        from core import lookups  # noqa: F401 (registers the integer `in` lookup)
        from core.converters import IdConverter
        from core.roles import group_label

        # The roles' groups read in the user's language wherever Django shows a group.
        Group.__str__ = group_label
        # Every id in a Jalon URL is read by `<id:…>`: past a column's range, a 404.
        register_converter(IdConverter, "id")
