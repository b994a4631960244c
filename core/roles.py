"""The two roles of Jalon, carried by Django groups created by a migration."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

SALES_REP = "Sales rep"
SALES_MANAGER = "Sales manager"


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_jalon_is_manager", None)
    if cached is None:
        cached = user.groups.filter(name=SALES_MANAGER).exists()
        user._jalon_is_manager = cached
    return cached
