"""Template helpers shared by every page."""

from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe

register = template.Library()


@cache
def _read_static(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} not found")
    with open(found, encoding="utf-8") as handle:
        return handle.read()


@register.simple_tag
def inline_static(path: str) -> str:
    """The text of a static file, for critical CSS inlined in the page (one round trip)."""
    if settings.DEBUG:
        _read_static.cache_clear()
    return mark_safe(_read_static(path))  # noqa: S308 - our own static file


@register.filter
def rupiah(value) -> str:
    """Whole rupiah with Indonesian thousands separators: 15000 → "Rp15.000"."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


@register.filter
def thousands(value) -> str:
    """A whole number with Indonesian thousands separators: 83762 → "83.762"."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""
