from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from core import users
from core.icons import ICONS, SPRITE
from core.icons import task_icon as _task_icon
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


@register.filter
def task_icon(name) -> str:
    """`{% icon task.type.icon|task_icon %}`: a task type's icon, the default one when blank."""
    return _task_icon(name or "")


@register.simple_tag
def icon(name: str, label: str = "", css: str = "") -> str:
    """An icon of the vendored Lucide sprite (`core.icons`): `{% icon "phone" %}` is decorative
    (hidden from screen readers; the text beside it names it); `{% icon "pencil" label=_("Edit") %}`
    stands alone on a control and is named by its label (read by screen readers, shown on hover).
    """
    if name not in ICONS:
        raise template.TemplateSyntaxError(f"unknown icon {name!r}: add it to core/icons.py")
    href = f"{static(SPRITE)}#{name}"
    classes = f"icon icon-{name} {css}".strip()
    svg = format_html(
        '<svg class="{}" width="18" height="18" aria-hidden="true" focusable="false">'
        '<use href="{}"></use></svg>',
        classes,
        href,
    )
    if label:
        return format_html('{}<span class="visually-hidden">{}</span>', svg, label)
    return svg
