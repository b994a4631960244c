import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder

register = template.Library()


@register.filter
def to_json(value) -> str:
    """A value as JSON for a data attribute (escaped by the template like any text): what
    allauth passes to its scripts in an inline JSON <script>, which the CSP pages avoid."""
    return json.dumps(value, cls=DjangoJSONEncoder)
