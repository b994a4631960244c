"""manage.py api_token USERNAME [--name N] [--read-only]: prints a new personal API token."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import services


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--read-only", action="store_true", help="A token that can only read.")

    def handle(self, *args, username, name, read_only, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _token, secret = services.token_create(
            user=user, name=name, read_only=read_only, actor=user
        )
        self.stdout.write(secret)
