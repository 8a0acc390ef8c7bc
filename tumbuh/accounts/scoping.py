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

Region is not the whole answer for records that belong to a business or to an organisation
(docs/permissions.md). The ministry and the regional offices see every such record of their
regions; a partner organisation (a marketplace, bank, university, community, BUMN, telecom
operator, or a BumDes) sees, inside its membership's regions, only its own records
(:func:`scoped_to_organisations`: the cohorts it runs, its mentors) and the businesses it
brought, serves or mentors (:func:`scoped_businesses`), never the whole region, however wide the
membership's scope. Which businesses those are is known to the apps above this one: they list
functions in ``settings.PARTNER_BUSINESSES`` (``core.hooks``), each ``fn(organisation_id)``
returning a queryset of enterprise ids. With none listed, a partner sees no business: the check
fails closed. :class:`Reach` holds both parts for one actor.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q, QuerySet

from tumbuh.core.hooks import hooks
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


def merged_scope(codes: Iterable[str]) -> RegionScope:
    """The scope of several regions: the country if one is "", else the widest of each branch."""
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
        return merged_scope([actor.region_code])
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return NOWHERE
    if actor.is_superuser:
        return NATIONAL
    cache = actor.__dict__.setdefault("_region_scope_cache", {})
    if roles not in cache:
        cache[roles] = merged_scope(
            membership.region_code
            for membership in _memberships(actor)
            if roles is None or membership.role in roles
        )
    return cache[roles]


@dataclass(frozen=True)
class _Grant:
    role: str
    region_code: str
    organisation_id: int
    is_government: bool


def _memberships(user) -> tuple[_Grant, ...]:
    """The user's memberships, read once per user object (one query per request). Granting a
    membership empties the cache (``accounts.services.grant_membership``)."""
    from tumbuh.accounts.models import Organisation

    cache = user.__dict__.setdefault("_region_scope_cache", {})
    if "memberships" not in cache:
        cache["memberships"] = tuple(
            _Grant(role, code, organisation_id, kind in Organisation.GOVERNMENT_KINDS)
            for role, code, organisation_id, kind in user.memberships.values_list(
                "role", "region_code", "organisation_id", "organisation__kind"
            )
        )
    return cache["memberships"]


def scoped(
    queryset: QuerySet, actor, *, field: str | None = None, roles: Iterable[str] | None = None
) -> QuerySet:
    """Limit ``queryset`` to the rows ``actor`` may see, by the region code in ``field``."""
    field = field or queryset.model.region_field
    return scope_for(actor, roles=roles).filter(queryset, field)


# --- reach: region for government staff, own records for partners --------------------------

# A condition true of every row, and one true of none. ``Q()`` cannot stand for "everything"
# inside an OR: Django drops an empty Q from a combination, so ``Q() | Q(x)`` is ``Q(x)``.
EVERY_ROW = Q(pk__isnull=False)
NO_ROW = Q(pk__in=[])


@dataclass(frozen=True)
class Reach:
    """What an actor may see of records that belong to businesses or to organisations.

    ``regions``: where the actor sees every such record (memberships of the ministry and of
    the regional offices; a superuser everywhere). ``partners``: for each other organisation the
    actor works for, the regions its memberships are limited to; there the actor sees only that
    organisation's own records and the businesses it brought, serves or mentors.
    """

    regions: RegionScope
    partners: tuple[tuple[int, RegionScope], ...] = ()

    @property
    def is_national(self) -> bool:
        """Every record of the country, as the ministry's national staff see it."""
        return self.regions.is_national

    @property
    def is_empty(self) -> bool:
        return self.regions.is_empty and not self.partners

    @property
    def organisation_ids(self) -> frozenset[int]:
        """The partner organisations whose own records the actor sees."""
        return frozenset(organisation_id for organisation_id, _scope in self.partners)

    def organisation_q(self, *, field: str, organisation: str) -> Q:
        """Rows in ``regions`` by their region column ``field``, and rows of each partner
        organisation (the foreign key ``organisation``) inside that partner's regions."""
        if self.regions.is_national:
            return EVERY_ROW
        conditions = [self.regions.q(field)] if self.regions.codes else []
        for organisation_id, scope in self.partners:
            own = Q(**{organisation: organisation_id})
            conditions.append(own if scope.is_national else own & scope.q(field))
        return reduce(operator.or_, conditions, NO_ROW)

    def business_q(self, *, field: str, enterprise: str) -> Q:
        """Rows in ``regions`` by their region column ``field``, and rows whose business (the
        enterprise id at ``enterprise``: ``"pk"`` for enterprises, ``"enterprise"`` for a case)
        a partner organisation brought, serves or mentors, inside that partner's regions."""
        if self.regions.is_national:
            return EVERY_ROW
        conditions = [self.regions.q(field)] if self.regions.codes else []
        for organisation_id, scope in self.partners:
            reached = _partner_businesses_q(organisation_id, enterprise)
            conditions.append(reached if scope.is_national else reached & scope.q(field))
        return reduce(operator.or_, conditions, NO_ROW)


NO_REACH = Reach(NOWHERE)


def _partner_businesses_q(organisation_id: int, enterprise: str) -> Q:
    """The businesses ``organisation_id`` brought, serves or mentors, as a condition on the
    enterprise id at ``enterprise``; no condition is true when no app lists a source."""
    sources = [source(organisation_id) for source in hooks("PARTNER_BUSINESSES")]
    return reduce(operator.or_, (Q(**{f"{enterprise}__in": ids}) for ids in sources), NO_ROW)


def _reach_of(grants: Iterable[tuple[str, int, bool]]) -> Reach:
    """``grants`` are (region code, organisation id, whether the organisation is government)."""
    regions: list[str] = []
    partners: dict[int, list[str]] = {}
    for region_code, organisation_id, is_government in grants:
        if is_government:
            regions.append(region_code)
        else:
            partners.setdefault(organisation_id, []).append(region_code)
    return Reach(
        merged_scope(regions),
        tuple((pk, merged_scope(codes)) for pk, codes in sorted(partners.items())),
    )


def reach_for(actor, *, roles: Iterable[str] | None = None) -> Reach:
    """The actor's reach, optionally only through memberships (or a key) in ``roles``.

    ``actor`` is a user (anonymous and inactive users reach nothing; superusers everything) or
    an :class:`~tumbuh.accounts.models.APIKey`, which acts for its organisation like a
    membership.
    """
    from tumbuh.accounts.models import APIKey, Organisation

    roles = frozenset(roles) if roles is not None else None
    if isinstance(actor, APIKey):
        if not actor.is_active or (roles is not None and actor.role not in roles):
            return NO_REACH
        is_government = actor.organisation.kind in Organisation.GOVERNMENT_KINDS
        return _reach_of([(actor.region_code, actor.organisation_id, is_government)])
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return NO_REACH
    if actor.is_superuser:
        return Reach(NATIONAL)
    # The same cache as scope_for: granting a membership empties it.
    cache = actor.__dict__.setdefault("_region_scope_cache", {})
    key = ("reach", roles)
    if key not in cache:
        cache[key] = _reach_of(
            (grant.region_code, grant.organisation_id, grant.is_government)
            for grant in _memberships(actor)
            if roles is None or grant.role in roles
        )
    return cache[key]


def scoped_businesses(
    queryset: QuerySet,
    actor,
    *,
    enterprise: str = "enterprise",
    field: str | None = None,
    roles: Iterable[str] | None = None,
) -> QuerySet:
    """Limit ``queryset`` (enterprises, or rows of one business each: cases, assessments) to
    the rows ``actor`` may see: those of its regions for government staff, those of the
    businesses a partner brought, serves or mentors for partner staff."""
    reach = reach_for(actor, roles=roles)
    if reach.is_national:
        return queryset
    field = field or queryset.model.region_field
    return queryset.filter(reach.business_q(field=field, enterprise=enterprise))


def scoped_to_organisations(
    queryset: QuerySet,
    actor,
    *,
    organisation: str,
    field: str | None = None,
    roles: Iterable[str] | None = None,
) -> QuerySet:
    """Limit ``queryset`` (rows an organisation owns: the cohorts a partner runs, its mentors,
    the organisations themselves with ``organisation="pk"``) to the rows ``actor`` may see:
    those of its regions for government staff, its own organisation's for partner staff."""
    reach = reach_for(actor, roles=roles)
    if reach.is_national:
        return queryset
    field = field or queryset.model.region_field
    return queryset.filter(reach.organisation_q(field=field, organisation=organisation))
