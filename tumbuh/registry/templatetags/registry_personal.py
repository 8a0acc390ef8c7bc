"""``{% load registry_personal %}``: whether the signed-in person may open the personal-data
pages of the registry, for the registry's tabs. The views check again; this only hides links
that would answer 403. Computed once per request (one query: the person's memberships)."""

from django import template

from tumbuh.registry import personal_data

register = template.Library()


def _may(user, roles) -> bool:
    cache = user.__dict__.setdefault("_registry_personal_data", {})
    if roles not in cache:
        cache[roles] = personal_data.may_handle(user, roles=roles)
    return cache[roles]


@register.filter
def handles_personal_data(user) -> bool:
    """May answer owners' requests and reveal NIKs (admins and officers of the region)."""
    return _may(user, personal_data.HANDLER_ROLES)


@register.filter
def audits_nik_reveals(user) -> bool:
    """May read the log of NIK reveals (admins of the ministry and regional offices)."""
    return _may(user, personal_data.AUDITOR_ROLES)
