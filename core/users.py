"""The team as lists and labels show it."""

from django.contrib.auth import get_user_model


def active_users():
    """Users who can be picked (owner, assignee, filters), in the order lists show them: by
    their names as labelled (`user_label`)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def user_label(user) -> str:
    """A user's full name, else the user name; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
