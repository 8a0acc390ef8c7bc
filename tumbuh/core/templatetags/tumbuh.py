"""Template helpers shared by every page."""

from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe

from tumbuh.core import money, times

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
    """Whole rupiah with Indonesian thousands separators: 15000 → "Rp15.000" (``core.money``)."""
    return money.rupiah(value)


@register.filter
def thousands(value) -> str:
    """A whole number with Indonesian thousands separators: 83762 → "83.762" (``core.money``)."""
    return money.thousands(value)


@register.filter
def in_zone(moment, place) -> str:
    """``{{ order.created_at|in_zone:store.village_id }}`` → "1 Apr 2026 20.00 WITA" (see
    ``core.times``); empty for no moment."""
    return times.local_time(moment, place) if moment else ""


@register.filter
def date_in_zone(moment, place) -> str:
    """``{{ enrolment.applied_at|date_in_zone:enterprise.village_id }}`` → "1 Apr 2026": the day
    the moment falls on at the place, with no zone name; empty for no moment."""
    return times.local_time(moment, place, "date") if moment else ""


@register.simple_tag(name="local_time")
def local_time_tag(moment, place, style="datetime") -> str:
    """``{% local_time session.starts_at session.village_id "time" %}`` → "20.00 WITA"; the
    styles of ``core.times.local_time``; empty for no moment."""
    return times.local_time(moment, place, style) if moment else ""
