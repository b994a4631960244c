"""Template helpers of the contact file, also used by other apps' cards (documents, notes)."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html

from contacts import selectors
from contacts.attachments import human_size
from contacts.phones import tel_parts
from contacts.validators import format_phone
from core.access import can_change
from core.templatetags.core_tags import icon

register = template.Library()


@register.filter
def phone(value: str, country: str = "FR") -> str:
    """`{{ company.phone|phone:company.country }}`: national format for that country."""
    return format_phone(value, str(country or "FR"))


@register.simple_tag
def phone_link(value: str, country: str = "FR", css: str = "tel") -> str:
    """`{% phone_link person.mobile country %}`: a `tel:` link, the number in E.164 in its href
    and written as the country writes it; nothing for no number."""
    href, shown = tel_parts(value, country)
    if not href:
        return shown  # escaped by the template: a number that cannot be dialled stays readable
    return format_html('<a class="{}" href="tel:{}">{} {}</a>', css, href, icon("phone"), shown)


@register.filter
def filesize(value: int) -> str:
    return human_size(int(value or 0))


@register.filter
def content_type_id(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk


@register.simple_tag
def documents_of(target):
    return list(selectors.documents_for(target))


@register.simple_tag
def notes_of(target):
    return list(selectors.notes_for(target))


@register.simple_tag(takes_context=True)
def user_can_change(context, target) -> bool:
    return can_change(context["request"].user, target)


@register.simple_tag(takes_context=True)
def reminders_today(context):
    """The current user's notes whose reminder is today, with their records."""
    user = context["request"].user
    return list(selectors.reminders_due(user, timezone.localdate()).prefetch_related("target"))
