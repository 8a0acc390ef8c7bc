"""The reads of the onboarding dashboard and the stats API, over the rollups only.

Nothing here counts registry rows: every figure comes from
:class:`~tumbuh.dashboards.models.OnboardingCount` and
:class:`~tumbuh.dashboards.models.OnboardingSeries`, after one :func:`rollups.refresh` per read,
and says when it was true (``as_of``, from :class:`~tumbuh.dashboards.models.RollupClock`).
:func:`onboarding` answers a whole page in a fixed number of queries whatever the number of
businesses or regions.

What is counted. Every milestone of the digital journey is shown, with its target where one is
set. Two figures head the page:

- **businesses** (``BUSINESSES``, the empty milestone): deduplicated businesses on the registry,
  each counted once however many lists brought it; a merged duplicate does not count. This is
  "registered on the platform" (the ``registered`` milestone is a fact that some lists write and
  others do not, so the rollup of businesses themselves is the honest count).
- **store_live**: businesses with an online store live, which is what the programme calls
  "onboarded to the digital ecosystem" (the 30 million target).

Evenness (the coefficient of variation and the lagging regencies) and the map measure one
milestone at a time per 1,000 population (``Regency.population``), by default the businesses;
the page can switch to any milestone.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey, Organisation
from tumbuh.accounts.permissions import Capability, capabilities, roles_with
from tumbuh.accounts.scoping import NATIONAL, RegionScope, merged_scope, scope_for
from tumbuh.dashboards import rollups
from tumbuh.dashboards.models import (
    BUSINESSES,
    Level,
    OnboardingCount,
    OnboardingSeries,
    RollupClock,
    Target,
)
from tumbuh.regions.models import District, Province, Regency, Village
from tumbuh.regions.queries import level_of, populations
from tumbuh.registry.models import Enterprise, Milestone

HEADLINE = (BUSINESSES, Milestone.Kind.STORE_LIVE)
MILESTONES = (BUSINESSES, *Milestone.Kind.values)  # every figure, in the journey's order
LAGGING = 20  # regencies listed as lagging
PER = 1_000  # people per rate
NATIONAL_CODE = "ID"  # the country in URLs and the API's answers ("" in the rollups)
LEVEL_NAMES = {
    Level.NATIONAL: "national",
    Level.PROVINCE: "province",
    Level.REGENCY: "regency",
    Level.DISTRICT: "district",
    Level.VILLAGE: "village",
}
LEVEL_OF_NAME = {name: level for level, name in LEVEL_NAMES.items()}
CHILD_MODELS = {
    Level.NATIONAL: Province,
    Level.PROVINCE: Regency,
    Level.REGENCY: District,
    Level.DISTRICT: Village,
}
SCALES = ("mikro", "kecil", "menengah", "")
DASHBOARD_ROLES = roles_with(Capability.VIEW_DASHBOARDS)


def milestone_label(milestone: str) -> str:
    if milestone == BUSINESSES:
        return _("businesses")
    return str(Milestone.Kind(milestone).label)


def scale_label(scale: str) -> str:
    return str(Enterprise.Scale(scale).label) if scale else _("scale not known")


# --- who may look where -----------------------------------------------------------------------


def dashboard_scope(actor, held: dict | None = None) -> RegionScope | None:
    """The regions whose figures ``actor`` may see, or None when it may not see dashboards.

    Only memberships (or API keys) of government offices in a role that views dashboards count,
    so a partner's officer sees none and a person's other memberships add no region. ``held``
    is ``permissions.capabilities(actor)`` when the caller has it already.
    """
    if isinstance(actor, APIKey):
        if not actor.is_active or actor.role not in DASHBOARD_ROLES:
            return None
        if actor.organisation.kind not in Organisation.GOVERNMENT_KINDS:
            return None
        return scope_for(actor, roles=DASHBOARD_ROLES)
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    if actor.is_superuser:
        return NATIONAL
    held = capabilities(actor) if held is None else held
    granting = held.get(Capability.VIEW_DASHBOARDS)
    if not granting:
        return None
    return merged_scope(membership.region_code for membership in granting)


def home_regions(scope: RegionScope) -> list[str]:
    """The regions a dashboard opens on: the country, or each region of the scope in code order."""
    return [""] if scope.is_national else sorted(scope.codes or ())


def region_from_url(code: str) -> str:
    """The rollups' code of a region named in a URL or the API ("ID" is the country)."""
    return "" if code.upper() == NATIONAL_CODE else code


def url_code(code: str) -> str:
    return code or NATIONAL_CODE


# --- shapes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    code: str  # "" for the country
    name: str
    level: Level
    population: int | None = None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def url_code(self) -> str:
        return url_code(self.code)


@dataclass
class Figure:
    """One milestone in one region: the count, its 3T part, and the current target."""

    milestone: str
    label: str
    count: int = 0
    count_3t: int = 0
    target: int | None = None
    target_year: int | None = None

    @property
    def count_other(self) -> int:
        return self.count - self.count_3t

    @property
    def progress(self) -> float | None:
        """The share of the target reached (0.25 for a quarter), None without a target."""
        if not self.target:
            return None
        return self.count / self.target

    @property
    def percent(self) -> float | None:
        progress = self.progress
        return None if progress is None else round(progress * 100, 1)


@dataclass
class Child:
    """One region one level down, with its counts per milestone."""

    region: Region
    counts: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)

    def count(self, milestone: str) -> int:
        return self.counts.get(milestone, 0)

    def per_1000(self, milestone: str) -> float | None:
        population = self.region.population
        if not population:
            return None
        return self.count(milestone) * PER / population


@dataclass(frozen=True)
class Rate:
    code: str
    name: str
    count: int
    population: int
    per_1000: float


@dataclass
class Evenness:
    """How evenly the regencies of a scope are reached: per 1,000 people, their coefficient of
    variation (standard deviation over mean, population standard deviation) and the lowest."""

    milestone: str
    regencies: int  # with a known population
    mean: float | None
    cv: float | None
    lagging: list[Rate]


@dataclass(frozen=True)
class Point:
    start: datetime.date
    new: int
    cumulative: int


@dataclass
class Onboarding:
    """Everything the onboarding dashboard of one region shows."""

    region: Region
    as_of: datetime.datetime | None
    year: int
    figures: list[Figure]
    by_kind: dict[str, dict[str, int]]  # kind → milestone → count
    by_scale: dict[str, dict[str, int]]  # scale → milestone → count
    children: list[Child]
    child_level: Level | None
    evenness: Evenness
    period: str
    series: dict[str, list[Point]]  # milestone → cumulative points

    def figure(self, milestone: str) -> Figure:
        return next(figure for figure in self.figures if figure.milestone == milestone)


# --- reads ------------------------------------------------------------------------------------


def find_region(code: str) -> Region | None:
    """The region with ``code`` ("" the country), down to the district; None if there is none."""
    if not code:
        return Region("", _("National"), Level.NATIONAL, _national_population())
    name = level_of(code)
    if name is None or name == "village":
        return None
    level = LEVEL_OF_NAME[name]
    model = {Level.PROVINCE: Province, Level.REGENCY: Regency, Level.DISTRICT: District}[level]
    fields = ["name", "population"] if level != Level.DISTRICT else ["name"]
    row = model.objects.filter(code=code).values(*fields).first()
    if row is None:
        return None
    return Region(code, row["name"], level, row.get("population"))


def _national_population() -> int | None:
    total = sum(row.population or 0 for row in populations()["province"])
    return total or None


def as_of() -> datetime.datetime | None:
    return RollupClock.objects.filter(name=rollups.CLOCK).values_list("as_of", flat=True).first()


def registry_count(
    region_code: str, *, kind: str = "", scale: str = "", milestone: str = ""
) -> tuple[int, datetime.datetime] | None:
    """How many live businesses of a region (``""``: the country) had that kind, scale and
    milestone (``""``: any) when the rollups last took in the registry's changes, and when that
    was; None before their first fold. Read as they stand, never folded here: one indexed
    lookup of a few rows. A ``settings.REGISTRY_COUNTS`` hook (``registry.queries.list_count``).
    """
    rows = OnboardingCount.objects.filter(region_code=region_code, milestone=milestone)
    if kind:
        rows = rows.filter(enterprise_kind=kind)
    if scale:
        rows = rows.filter(scale=scale)
    total = rows.order_by().values("milestone").annotate(total=Sum("count")).values("total")
    clock = RollupClock.objects.filter(name=rollups.CLOCK).annotate(total=Subquery(total))
    found = clock.values_list("total", "as_of").first()  # one query for both
    if found is None:
        return None
    return found[0] or 0, found[1]


def current_year() -> int:
    return timezone.localdate().year


def current_targets(region_codes, year: int) -> dict[tuple[str, str], Target]:
    """The current target (latest row) per (region, milestone) of ``year``."""
    current: dict[tuple[str, str], Target] = {}
    rows = Target.objects.filter(region_code__in=list(region_codes), year=year).order_by(
        "region_code", "milestone", "-set_at", "-id"
    )
    for target in rows:
        current.setdefault((target.region_code, target.milestone), target)
    return current


def _children(region: Region) -> tuple[Level | None, list[Child]]:
    if region.level not in CHILD_MODELS:
        return None, []
    child_level = Level(region.level + 1)
    model = CHILD_MODELS[region.level]
    if model in (Province, Regency):  # read once per process
        prefix = f"{region.code}." if region.code else ""
        regions = [
            {"code": row.code, "name": row.name, "population": row.population}
            for row in populations()["province" if model is Province else "regency"]
            if row.code.startswith(prefix)
        ]
    else:
        regions = model.objects.filter(code__startswith=f"{region.code}.").order_by("code")
        regions = regions.values("code", "name")
    children = {
        row["code"]: Child(Region(row["code"], row["name"], child_level, row.get("population")))
        for row in regions
    }
    counts = (
        OnboardingCount.objects.filter(level=child_level, parent_code=region.code)
        .values("region_code", "milestone")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for row in counts:
        child = children.get(row["region_code"])
        if child is not None and row["total"]:
            child.counts[row["milestone"]] = row["total"]
    return child_level, list(children.values())


def evenness(region: Region, milestone: str = BUSINESSES) -> Evenness:
    """Evenness across the regencies of ``region`` (all of them for the country)."""
    regencies = [row for row in populations()["regency"] if row.population]  # once a process
    counts = OnboardingCount.objects.filter(level=Level.REGENCY, milestone=milestone)
    if region.level == Level.PROVINCE:
        regencies = [row for row in regencies if row.code.startswith(f"{region.code}.")]
        counts = counts.filter(parent_code=region.code)
    elif region.level >= Level.REGENCY:
        regency = region.code[:5]
        regencies = [row for row in regencies if row.code == regency]
        counts = counts.filter(region_code=regency)
    totals = dict(
        counts.values("region_code")
        .annotate(total=Sum("count"))
        .values_list("region_code", "total")
    )
    rates = [
        Rate(
            row.code,
            row.name,
            totals.get(row.code, 0),
            row.population,
            totals.get(row.code, 0) * PER / row.population,
        )
        for row in regencies
    ]
    values = [rate.per_1000 for rate in rates]
    mean = statistics.fmean(values) if values else None
    cv = None
    if len(values) >= 2 and mean:
        cv = statistics.pstdev(values) / mean
    lagging = sorted(rates, key=lambda rate: (rate.per_1000, rate.code))[:LAGGING]
    return Evenness(milestone, len(rates), mean, cv, lagging)


def series_period(region: Region) -> str:
    """Weeks for the country and a province; months below (weeks are kept down to provinces)."""
    if region.level <= Level.PROVINCE:
        return OnboardingSeries.Period.WEEK
    return OnboardingSeries.Period.MONTH


def series(region: Region, milestones=HEADLINE, period: str | None = None) -> dict:
    """Cumulative counts per period since the first fact, per milestone (every period filled)."""
    period = period or series_period(region)
    rows = (
        OnboardingSeries.objects.filter(
            period=period, region_code=region.code, milestone__in=list(milestones)
        )
        .values("milestone", "start")
        .annotate(total=Sum("count"))
        .order_by("start")
    )
    new: dict[str, dict[datetime.date, int]] = {milestone: {} for milestone in milestones}
    for row in rows:
        new[row["milestone"]][row["start"]] = row["total"]
    starts = sorted({start for per_start in new.values() for start in per_start})
    if not starts:
        return {milestone: [] for milestone in milestones}
    periods = _periods(starts[0], starts[-1], period)
    lines = {}
    for milestone in milestones:
        total, points = 0, []
        for start in periods:
            added = new[milestone].get(start, 0)
            total += added
            points.append(Point(start, added, total))
        lines[milestone] = points
    return lines


def _periods(first: datetime.date, last: datetime.date, period: str) -> list[datetime.date]:
    starts, start = [], first
    while start <= last:
        starts.append(start)
        if period == OnboardingSeries.Period.WEEK:
            start += datetime.timedelta(days=7)
        else:
            start = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return starts


def onboarding(region: Region, *, measure: str = BUSINESSES, year: int | None = None) -> Onboarding:
    """The whole onboarding dashboard of ``region`` (figures as of the last fold)."""
    rollups.refresh()
    year = year or current_year()
    figures = {m: Figure(m, milestone_label(m)) for m in MILESTONES}
    kinds = {kind: {} for kind in Enterprise.Kind.values}
    scales = {scale: {} for scale in SCALES}
    own = OnboardingCount.objects.filter(region_code=region.code).values_list(
        "is_3t", "enterprise_kind", "scale", "milestone", "count"
    )
    for is_3t, kind, scale, milestone, count in own:
        if not count or milestone not in figures:
            continue
        figures[milestone].count += count
        if is_3t:
            figures[milestone].count_3t += count
        kinds.setdefault(kind, {})
        kinds[kind][milestone] = kinds[kind].get(milestone, 0) + count
        scales.setdefault(scale, {})
        scales[scale][milestone] = scales[scale].get(milestone, 0) + count
    child_level, children = _children(region)
    codes = [region.code] + [child.region.code for child in children]
    by_code = {child.region.code: child for child in children}
    for (code, milestone), target in current_targets(codes, year).items():
        if code == region.code:
            if milestone in figures:
                figures[milestone].target = target.count
                figures[milestone].target_year = year
        else:
            by_code[code].targets[milestone] = target.count
    return Onboarding(
        region=region,
        as_of=as_of(),
        year=year,
        figures=list(figures.values()),
        by_kind=kinds,
        by_scale=scales,
        children=children,
        child_level=child_level,
        evenness=evenness(region, measure),
        period=series_period(region),
        series=series(region, tuple(dict.fromkeys((*HEADLINE, measure)))),
    )


def headline(
    region: Region, *, year: int | None = None
) -> tuple[list[Figure], datetime.datetime | None]:
    """The headline figures of ``region`` (businesses and stores live, with their 3T part and
    current targets) and their "as of": the console home's summary, in four queries."""
    rollups.refresh()
    year = year or current_year()
    figures = {m: Figure(m, milestone_label(m)) for m in HEADLINE}
    own = OnboardingCount.objects.filter(region_code=region.code, milestone__in=HEADLINE)
    for is_3t, milestone, count in own.values_list("is_3t", "milestone", "count"):
        figures[milestone].count += count
        figures[milestone].count_3t += count if is_3t else 0
    for (_code, milestone), target in current_targets([region.code], year).items():
        if milestone in figures:
            figures[milestone].target = target.count
            figures[milestone].target_year = year
    return list(figures.values()), as_of()


def stats(region: Region, milestone: str, *, year: int | None = None) -> dict:
    """The stats API's answer for one region and milestone: a handful of queries."""
    rollups.refresh()
    year = year or current_year()
    own = OnboardingCount.objects.filter(region_code=region.code, milestone=milestone)
    count = count_3t = 0
    for is_3t, value in own.values_list("is_3t", "count"):
        count += value
        count_3t += value if is_3t else 0
    _level, children = _children(region)
    codes = [region.code] + [child.region.code for child in children]
    targets = {
        code: target.count
        for (code, kind), target in current_targets(codes, year).items()
        if kind == milestone
    }
    target = targets.get(region.code)
    return {
        "region": {
            "code": region.url_code,
            "name": region.name,
            "level": region.level_name,
        },
        "milestone": milestone or "businesses",
        "as_of": as_of(),
        "count": count,
        "count_3t": count_3t,
        "target": target,
        "target_year": year if target is not None else None,
        "progress": (count / target) if target else None,
        "children": [
            {
                "code": child.region.code,
                "name": child.region.name,
                "count": child.count(milestone),
                "target": targets.get(child.region.code),
            }
            for child in children
        ],
    }


def targets_in_scope(scope: RegionScope, *, limit: int = 500) -> list[dict]:
    """Targets of the regions in ``scope``, grouped per (region, year, milestone): the current
    one first, then its history, newest first."""
    rows = Target.objects.select_related("set_by").order_by(
        "region_code", "-year", "milestone", "-set_at", "-id"
    )
    if not scope.is_national:
        condition = Q()
        for code in sorted(scope.codes or ()):
            condition |= Q(region_code=code) | Q(region_code__startswith=f"{code}.")
        rows = rows.filter(condition) if condition else rows.none()
    groups: dict[tuple, dict] = {}
    for target in rows[:limit]:
        key = (target.region_code, target.year, target.milestone)
        group = groups.setdefault(key, {"current": target, "history": []})
        if group["current"] is not target:
            group["history"].append(target)
    return list(groups.values())
