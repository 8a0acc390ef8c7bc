"""The one place that limits what a signed-in person or an API key sees by region.

Every console view and API endpoint that lists or fetches region-bound records passes its
queryset through :func:`scoped`. A scope is a set of Kemendagri codes (a province ``32`` or a
regency ``32.04``); because codes are hierarchical, a record is inside a scope when its region
code equals a scope code or starts with it followed by a dot. No joins are needed, and the same
rule (``core.region_filter``: :func:`region_q` in queries, :func:`in_region` for one code) works
for any model that stores a region code (``Organisation.region_code``) or a foreign
key to a region keyed by its code (``Enterprise.region_field = "village__code"`` in the
registry: Django reads the foreign key column itself, without a join).

A model declares which field holds its region code in ``region_field``; a caller can name
another field for querysets of related rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tumbuh.core.region_filter import in_region, region_q


@dataclass(frozen=True)
class RegionScope:
    """Where someone may look: everywhere (``codes is None``), some regions, or nowhere."""

    codes: frozenset[str] | None

    @property
    def is_national(self) -> bool:
        return self.codes is None

    @property
    def is_empty(self) -> bool:
        return self.codes is not None and not self.codes

    def allows(self, code: str) -> bool:
        """True when a record in region ``code`` ("" for national records) is visible."""
        if self.codes is None:
            return True
        return any(in_region(code, scope) for scope in self.codes)

    def q(self, field: str) -> Q:
        """A filter for ``field`` (a region code column) that keeps only visible rows."""
        condition = Q()
        for scope in sorted(self.codes or ()):
            condition |= region_q(field, scope)
        return condition

    def filter(self, queryset: QuerySet, field: str) -> QuerySet:
        if self.codes is None:
            return queryset
        if not self.codes:
            return queryset.none()
        return queryset.filter(self.q(field))


NATIONAL = RegionScope(None)
NOWHERE = RegionScope(frozenset())


def _merge(codes: Iterable[str]) -> RegionScope:
    codes = set(codes)
    if "" in codes:
        return NATIONAL
    # Drop regencies already covered by one of the provinces.
    kept = {
        code
        for code in codes
        if not any(other != code and in_region(code, other) for other in codes)
    }
    return RegionScope(frozenset(kept))


def scope_for(actor, *, roles: Iterable[str] | None = None) -> RegionScope:
    """The union of the actor's regional scopes, optionally only for memberships in ``roles``.

    ``actor`` is a user (anonymous users see nothing; superusers see everything) or an
    :class:`~tumbuh.accounts.models.APIKey`.
    """
    from tumbuh.accounts.models import APIKey

    roles = frozenset(roles) if roles is not None else None
    if isinstance(actor, APIKey):
        if not actor.is_active or (roles is not None and actor.role not in roles):
            return NOWHERE
        return _merge([actor.region_code])
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return NOWHERE
    if actor.is_superuser:
        return NATIONAL
    cache = actor.__dict__.setdefault("_region_scope_cache", {})
    if roles not in cache:
        memberships = actor.memberships.all()
        if roles is not None:
            memberships = memberships.filter(role__in=roles)
        cache[roles] = _merge(memberships.values_list("region_code", flat=True))
    return cache[roles]


def scoped(
    queryset: QuerySet, actor, *, field: str | None = None, roles: Iterable[str] | None = None
) -> QuerySet:
    """Limit ``queryset`` to the rows ``actor`` may see, by the region code in ``field``."""
    field = field or queryset.model.region_field
    return scope_for(actor, roles=roles).filter(queryset, field)
