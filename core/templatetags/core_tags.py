from django import template

from core import users

register = template.Library()


@register.filter
def user_label(user) -> str:
    """`core.users.user_label`, with "—" for nobody."""
    if not user:
        return "—"
    return users.user_label(user)
