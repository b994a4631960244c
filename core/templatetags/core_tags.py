from django import template

from core import users
from core.numbers import format_decimal

register = template.Library()


@register.filter
def user_label(user) -> str:
    """`core.users.user_label`, with "—" for nobody."""
    if not user:
        return "—"
    return users.user_label(user)


@register.filter
def number(value, decimal_places=None) -> str:
    """A number in the user's format, as the number fields show it (`core.numbers`):
    `{{ line.quantity|number }}` "1,5" for 1.500; `{{ amount|number:2 }}` "25 000" or
    "25 000,50"; "" for nothing."""
    if value is None or value == "":
        return ""
    places = None if decimal_places in (None, "") else int(decimal_places)
    return format_decimal(value, decimal_places=places)
