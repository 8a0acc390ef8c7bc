"""Small template helpers of the programmes pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:status }}``: a dictionary value by a key held in a variable."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def can_become(enrolment, status) -> bool:
    """Whether the enrolment's transition map allows ``status`` from where it is now."""
    return enrolment.can_become(status)
