from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`): runtime code that seeds every app through its services."""

    name = "demo"
    verbose_name = "Demo"
