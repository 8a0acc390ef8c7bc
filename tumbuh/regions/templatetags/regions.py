"""``{{ code|region_name }}``: a region's name from its Kemendagri code, in any template."""

from django import template

from tumbuh.regions.queries import region_name as _region_name

register = template.Library()


@register.filter
def region_name(code: str) -> str:
    return _region_name(code or "")
