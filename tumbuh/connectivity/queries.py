"""Reads of the connectivity ledger shared by the console and the API: scoped and aggregated.

Everything region-bound goes through :func:`tumbuh.accounts.scoping.scoped` with the roles that
hold ``Capability.PLAN_INFRASTRUCTURE``, so a page and an endpoint show the same records. The
aggregates per province and regency are counts only (villages by last mile, blank spots,
businesses waiting): they are open data and name no person and no business.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from tumbuh.accounts.models import APIKey, Organisation
from tumbuh.accounts.permissions import Capability, capabilities, has_capability, roles_with
from tumbuh.accounts.scoping import RegionScope, scope_for, scoped
from tumbuh.connectivity.models import (
    SYNTHETIC_SOURCE,
    ConnectivityImport,
    PlannedSite,
    PointOfPresence,
    Site,
    SitePlan,
    Technology,
    VillageConnectivity,
    VillageFact,
)
from tumbuh.core.region_filter import region_q
from tumbuh.regions.models import Province, Regency, Village
from tumbuh.registry.models import Enterprise

CONNECTIVITY_ROLES = roles_with(Capability.PLAN_INFRASTRUCTURE)
PAGE_SIZE = 50
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")
# Highest technology first, as the ledger's summaries list them.
LAST_MILE_ORDER = [Technology.G4, Technology.G3, Technology.G2, Technology.NONE]


def synthetic_in_ledger() -> bool:
    """Whether the ledger holds rows of the demo's synthetic network (``SYNTHETIC_SOURCE``).

    Then every figure derived from the ledger (coverage, blank spots, rankings, plans, maps) is
    synthetic too, and pages, exports and API answers say so. One query: the first row found
    of the three tables answers.
    """
    first, *others = (
        model.objects.filter(source=SYNTHETIC_SOURCE).values_list("source")
        for model in (Site, PointOfPresence, VillageFact)
    )
    return first.union(*others, all=True).exists()


def may_plan(actor) -> bool:
    """A person with ``PLAN_INFRASTRUCTURE``, or an active API key of a role that has it."""
    if isinstance(actor, APIKey):
        return actor.is_active and actor.role in CONNECTIVITY_ROLES
    return has_capability(actor, Capability.PLAN_INFRASTRUCTURE)


def scope_of(actor) -> RegionScope:
    return scope_for(actor, roles=CONNECTIVITY_ROLES)


def _scoped(queryset: QuerySet, actor, field_name: str | None = None) -> QuerySet:
    return scoped(queryset, actor, field=field_name, roles=CONNECTIVITY_ROLES)


# --- regions the actor may look at ------------------------------------------------------------


def visible_villages(actor) -> QuerySet[Village]:
    return _scoped(Village.objects.all(), actor, "code")


def visible_village(actor, code: str) -> Village | None:
    """One village in the actor's regions with its place and ledger row; None otherwise."""
    return (
        visible_villages(actor)
        .select_related("district", "regency__province")
        .filter(code=code)
        .first()
    )


def province_codes(actor) -> list[str] | None:
    """The provinces the actor sees some of (None: all of them)."""
    scope = scope_of(actor)
    if scope.is_national:
        return None
    return sorted({code[:2] for code in scope.codes})


def province_visible(actor, code: str) -> bool:
    codes = province_codes(actor)
    return bool(PROVINCE_CODE.match(code)) and (codes is None or code in codes)


def region_groups(actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Provinces and regencies in the actor's regions, grouped by province for a select.

    A province appears as a choice of its own only when the whole of it is in scope.
    """
    scope = scope_of(actor)
    regencies = _scoped(Regency.objects.select_related("province"), actor, "code")
    groups: dict[str, list[tuple[str, str]]] = {}
    for regency in regencies.order_by("province__name", "name"):
        province = regency.province
        if province.name not in groups:
            groups[province.name] = (
                [(province.code, province.name)] if scope.allows(province.code) else []
            )
        groups[province.name].append((regency.code, regency.name))
    return list(groups.items())


def region_name(code: str) -> str:
    model = Province if PROVINCE_CODE.match(code) else Regency
    return model.objects.filter(code=code).values_list("name", flat=True).first() or code


# --- the ledger -------------------------------------------------------------------------------


def _last_mile_counts(villages: QuerySet, group: str | None = None) -> dict:
    """Villages per last mile (a village not in the ledger yet counts as without signal)."""
    fields = [group, "connectivity__last_mile"] if group else ["connectivity__last_mile"]
    counts: dict = {}
    for row in villages.values(*fields).annotate(count=Count("pk")).order_by():
        key = row[group] if group else None
        technology = row["connectivity__last_mile"] or Technology.NONE
        counts.setdefault(key, Counter())[technology] += row["count"]
    return counts if group else counts.get(None, Counter())


def _waiting(enterprises: QuerySet) -> QuerySet:
    """Deduplicated businesses in villages without 4G: waiting for a signal to go online."""
    return enterprises.filter(merged_into__isnull=True).exclude(
        village__connectivity__last_mile=Technology.G4
    )


@dataclass
class RegionRow:
    """A region's counts (or all the actor's regions'), for the maps and the open aggregates."""

    code: str
    name: str
    villages: int = 0
    by_last_mile: dict = field(default_factory=dict)
    blank_spots: int = 0
    businesses_waiting: int = 0

    @property
    def share_4g(self) -> float | None:
        """The share of villages with 4G, 0 to 1 (None without villages)."""
        if not self.villages:
            return None
        return self.by_last_mile.get(Technology.G4, 0) / self.villages

    @property
    def percent_4g(self) -> float | None:
        share = self.share_4g
        return None if share is None else 100 * share

    def rows(self) -> list[tuple[str, str, int]]:
        """(technology, label, villages), best signal first."""
        return [
            (technology, Technology(technology).label, self.by_last_mile.get(technology, 0))
            for technology in LAST_MILE_ORDER
        ]


def ledger_counts(actor) -> RegionRow:
    """Villages by last mile, blank spots and businesses waiting in the actor's regions."""
    counts = _last_mile_counts(visible_villages(actor))
    total = sum(counts.values())
    waiting = _waiting(_scoped(Enterprise.objects.all(), actor, "village__code")).count()
    return RegionRow(
        code="",
        name="",
        villages=total,
        by_last_mile={technology: counts.get(technology, 0) for technology in LAST_MILE_ORDER},
        blank_spots=total - counts.get(Technology.G4, 0),
        businesses_waiting=waiting,
    )


def _region_rows(regions, villages: QuerySet, enterprises: QuerySet, group: str) -> list:
    by_region = _last_mile_counts(villages, group)
    waiting = dict(
        _waiting(enterprises)
        .values_list(f"village__{group}")
        .annotate(count=Count("pk"))
        .order_by()
    )
    rows = []
    for code, name in regions:
        counts = by_region.get(code, Counter())
        total = sum(counts.values())
        rows.append(
            RegionRow(
                code=code,
                name=name,
                villages=total,
                by_last_mile={t: counts.get(t, 0) for t in LAST_MILE_ORDER},
                blank_spots=total - counts.get(Technology.G4, 0),
                businesses_waiting=waiting.get(code, 0),
            )
        )
    return rows


def province_rows(actor=None) -> list[RegionRow]:
    """Counts per province; ``actor`` None for the open data (every province)."""
    provinces = Province.objects.order_by("code")
    villages, enterprises = Village.objects.all(), Enterprise.objects.all()
    if actor is not None:
        codes = province_codes(actor)
        if codes is not None:
            provinces = provinces.filter(code__in=codes)
        villages = visible_villages(actor)
        enterprises = _scoped(enterprises, actor, "village__code")
    return _region_rows(
        provinces.values_list("code", "name"), villages, enterprises, "regency__province_id"
    )


def regency_rows(province_code: str, actor=None) -> list[RegionRow]:
    """Counts per regency of one province; ``actor`` None for the open data."""
    regencies = Regency.objects.filter(province_id=province_code).order_by("code")
    villages = Village.objects.filter(regency__province_id=province_code)
    enterprises = Enterprise.objects.filter(village__regency__province_id=province_code)
    if actor is not None:
        regencies = _scoped(regencies, actor, "code")
        villages = _scoped(villages, actor, "code")
        enterprises = _scoped(enterprises, actor, "village__code")
    return _region_rows(regencies.values_list("code", "name"), villages, enterprises, "regency_id")


def ledger_row(village: Village) -> VillageConnectivity | None:
    return (
        VillageConnectivity.objects.select_related("last_mile_site__village", "nearest_pop")
        .filter(village=village)
        .first()
    )


def village_facts(village: Village) -> QuerySet[VillageFact]:
    return VillageFact.objects.filter(village=village).order_by("-observed_on", "layer", "pk")


def village_points(actor, regency_code: str) -> list[tuple[str, str, float, float, str]]:
    """(code, name, latitude, longitude, last mile) of a regency's villages in scope."""
    rows = (
        visible_villages(actor)
        .filter(regency_id=regency_code)
        .exclude(latitude=None)
        .order_by("code")
        .values_list("code", "name", "latitude", "longitude", "connectivity__last_mile")
    )
    return [(c, n, lat, lon, mile or Technology.NONE) for c, n, lat, lon, mile in rows]


# --- sites ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteFilters:
    status: str = ""
    operator: str = ""
    region: str = ""


# The keys of the keyset-paginated lists (``core.keyset``): each ends in a unique column, or a
# unique pair (a site's code is unique per operator), and has an index to read a page from.
SITE_ORDER = ("operator", "code")
PLAN_ORDER = ("-created_at", "-pk")


def visible_sites(actor, filters: SiteFilters | None = None) -> QuerySet[Site]:
    sites = _scoped(Site.objects.select_related("village__regency"), actor)
    filters = filters or SiteFilters()
    if filters.status:
        sites = sites.filter(status=filters.status)
    if filters.operator:
        sites = sites.filter(operator=filters.operator)
    if filters.region and REGION_CODE.match(filters.region):
        sites = sites.filter(region_q("village__code", filters.region))
    return sites.order_by(*SITE_ORDER)


def visible_site(actor, public_id: str) -> Site | None:
    return (
        _scoped(Site.objects.select_related("village__regency__province", "plan"), actor)
        .filter(public_id=public_id)
        .first()
    )


def operator_choices(actor) -> list[tuple[str, str]]:
    operators = (
        _scoped(Site.objects.all(), actor).values_list("operator", flat=True).distinct().order_by()
    )
    return [(operator, operator) for operator in sorted(set(operators))]


def site_events(site: Site):
    return site.events.select_related("by").order_by("created_at", "pk")


def villages_in_scope(actor, codes) -> list[Village]:
    """The villages among ``codes`` that the actor may see, by code, with their regency."""
    return list(
        visible_villages(actor)
        .filter(code__in=list(codes))
        .select_related("regency")
        .order_by("code")
    )


# --- plans ------------------------------------------------------------------------------------


def visible_plans(actor) -> QuerySet[SitePlan]:
    """Plans for the actor's regions; national plans (no region) for national staff only."""
    plans = _scoped(SitePlan.objects.select_related("created_by"), actor)
    return plans.annotate(site_count=Count("picks")).order_by(*PLAN_ORDER)


def visible_plan(actor, public_id: str) -> SitePlan | None:
    return (
        _scoped(SitePlan.objects.select_related("created_by"), actor)
        .filter(public_id=public_id)
        .first()
    )


def plan_picks(plan: SitePlan) -> QuerySet[PlannedSite]:
    return plan.picks.select_related("village__regency", "site").order_by("rank")


def picks_per_regency(plan: SitePlan) -> dict[str, int]:
    return dict(
        plan.picks.values_list("village__regency_id").annotate(count=Count("pk")).order_by()
    )


# --- imports ----------------------------------------------------------------------------------


def visible_imports(actor) -> QuerySet[ConnectivityImport]:
    """Imports of the organisations in the actor's regions (national staff: all of them)."""
    return _scoped(
        ConnectivityImport.objects.select_related("organisation", "uploaded_by"), actor
    ).order_by("-created_at", "-pk")


def upload_organisation(actor) -> Organisation | None:
    """The organisation an upload is made for: the API key's, or that of the person's first
    membership that lets them plan (national ones first); None for a superuser without one."""
    if isinstance(actor, APIKey):
        return actor.organisation
    granting = capabilities(actor).get(Capability.PLAN_INFRASTRUCTURE, [])
    granting = sorted(granting, key=lambda m: (m.region_code != "", m.region_code, m.pk))
    return granting[0].organisation if granting else None


def rejections(batch: ConnectivityImport):
    return batch.rejections.order_by("row_number", "pk")
