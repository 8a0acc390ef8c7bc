"""Template helpers shared by every page."""

from django import template
from django.utils.safestring import mark_safe

from tumbuh.core import inline_styles, money, times

register = template.Library()


@register.simple_tag
def inline_style(path: str) -> str:
    """``<style>`` with the text of a static CSS file: critical CSS in the page (one round trip).

    The page carries no nonce: the Content Security Policy allows each inlined file by the hash
    of its text (``core.inline_styles``), so a page cached for every visitor stays under a strict
    policy. Only files listed in ``settings.TUMBUH_INLINE_STYLES`` can be inlined.
    """
    return mark_safe(f"<style>{inline_styles.text(path)}</style>")  # noqa: S308 - our own file


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
