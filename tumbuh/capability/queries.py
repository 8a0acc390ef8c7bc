"""Reads shared by the capability console, the API and the owner's pages.

Console readers are people (or API keys) whose role runs programmes or mentors businesses; what
they see is limited through ``tumbuh.accounts.scoping``: government staff see their regions, a
partner's staff the businesses it brought, serves or mentors (docs/permissions.md). Owners see
their own businesses through ``enterprises_of``.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import Coalesce, Left, RowNumber

from tumbuh.accounts.models import APIKey
from tumbuh.accounts.permissions import Capability, has_capability, roles_with
from tumbuh.accounts.scoping import reach_for, scoped_businesses
from tumbuh.capability.models import Assessment
from tumbuh.capability.scoring import LEVELS
from tumbuh.core.hooks import hooks
from tumbuh.core.region_filter import region_q
from tumbuh.regions.models import District, Province, Regency
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of, surviving

READER_ROLES = roles_with(Capability.RUN_PROGRAMMES) | roles_with(Capability.MENTOR_CASELOAD)
ASSESSOR_ROLES = READER_ROLES


def may_read(actor) -> bool:
    """Programme staff and mentors (people or API keys of those roles)."""
    if isinstance(actor, APIKey):
        return actor.is_active and actor.role in READER_ROLES
    return has_capability(actor, Capability.RUN_PROGRAMMES) or has_capability(
        actor, Capability.MENTOR_CASELOAD
    )


def _scoped_enterprises(enterprises, actor):
    return scoped_businesses(enterprises, actor, enterprise="pk", roles=READER_ROLES)


def may_see(actor, enterprise: Enterprise) -> bool:
    """Whether ``enterprise`` is among the businesses the actor reads as programme staff or
    mentor: in a government membership's regions, or one its partner brought, serves or
    mentors."""
    if reach_for(actor, roles=READER_ROLES).regions.allows(enterprise.village_id):
        return True
    return _scoped_enterprises(Enterprise.objects.filter(pk=enterprise.pk), actor).exists()


def visible_enterprise(actor, public_id: str) -> Enterprise | None:
    """The business with ``public_id`` if the actor may see it (merged → survivor)."""
    found = _scoped_enterprises(Enterprise.objects.select_related("village"), actor).filter(
        public_id=public_id
    )
    enterprise = found.first()
    if enterprise is None:
        return None
    enterprise = surviving(enterprise)
    return enterprise if may_see(actor, enterprise) else None


def owned_enterprise(user, public_id: str) -> Enterprise | None:
    """The business with ``public_id`` if ``user`` may act for it as its owner or manager."""
    return next((e for e in enterprises_of(user) if e.public_id == public_id), None)


# A mentor's businesses are known to the programmes app (assignments), above this one: the
# checks are listed in settings.CASELOAD_CHECKS (core.hooks). ``check(user, enterprise)`` answers
# True or False.
CaseloadCheck = Callable[[object, Enterprise], bool]


def may_assess(actor, enterprise: Enterprise) -> bool:
    """Whether ``actor`` may administer an assessment of ``enterprise`` as a mentor or officer.

    Programme staff may assess any business of their regions. A mentor may assess the
    businesses of their regions that every listed caseload check accepts; with none listed, a
    mentor may assess nobody (the check fails closed).
    """
    if not may_read(actor) or not may_see(actor, enterprise):
        return False
    if isinstance(actor, APIKey) or has_capability(actor, Capability.RUN_PROGRAMMES):
        return True
    checks = hooks("CASELOAD_CHECKS")
    return bool(checks) and all(check(actor, enterprise) for check in checks)


# --- levels by region -------------------------------------------------------------------------

# Length of a region code at each level: province "32", regency "32.04", district "32.04.12".
CHILD_LENGTH = {0: 2, 2: 5, 5: 8}
CHILD_MODEL = {0: Province, 2: Regency, 5: District}


@dataclass
class AreaLevels:
    """Businesses of one region by current capability level."""

    code: str
    name: str
    businesses: int = 0
    by_level: dict[int, int] = field(default_factory=lambda: {level.number: 0 for level in LEVELS})

    @property
    def assessed(self) -> int:
        return sum(self.by_level.values())

    @property
    def not_assessed(self) -> int:
        return self.businesses - self.assessed

    def level_counts(self) -> list[int]:
        return [self.by_level[level.number] for level in LEVELS]


def latest_levels(businesses, *, length: int, as_of=None, mode: str = "") -> Counter:
    """How many of ``businesses`` (deduplicated) are at each level, by the first ``length``
    characters of their village code: ``{(area, level): count}``. A business's level is that of
    the latest assessment of the business or of a record merged into it (two merges deep).

    One query, from the assessments: each is counted for the record it survives in, and only
    the latest per survivor is kept (a window function). Asking each business for its latest
    assessment instead took 17 s for the whole-country demo's 23,000 businesses on SQLite.
    """
    survivor = Coalesce(
        "enterprise__merged_into__merged_into_id", "enterprise__merged_into_id", "enterprise_id"
    )
    village = Coalesce(
        "enterprise__merged_into__merged_into__village_id",
        "enterprise__merged_into__village_id",
        "enterprise__village_id",
    )
    assessments = Assessment.objects.all()
    if as_of is not None:
        assessments = assessments.filter(taken_at__lte=as_of)
    if mode:
        assessments = assessments.filter(mode=mode)
    latest = (
        assessments.annotate(
            survivor=survivor,
            area=Left(village, length),
            rank=Window(
                RowNumber(),
                partition_by=[F("survivor")],
                order_by=[F("taken_at").desc(), F("pk").desc()],
            ),
        )
        .filter(survivor__in=businesses.values("pk"), rank=1)
        .values_list("area", "level")
    )
    return Counter(latest)


def levels_by_region(actor, *, region: str = "", as_of=None, mode: str = "") -> list[AreaLevels]:
    """Deduplicated businesses of ``region``'s child regions (provinces for the whole country)
    by their current level, of those the actor may see. Three queries, whatever the number of
    businesses."""
    if len(region) not in CHILD_LENGTH:
        raise ValueError(f"not a province or regency code: {region!r}")
    length = CHILD_LENGTH[len(region)]
    businesses = _scoped_enterprises(Enterprise.objects.deduplicated(), actor)
    if region:
        businesses = businesses.filter(region_q("village__code", region))
    areas: dict[str, AreaLevels] = {}
    rows = (
        businesses.annotate(area=Left("village_id", length))
        .values("area")
        .annotate(total=Count("pk"))
        .order_by("area")
    )
    for row in rows:
        areas[row["area"]] = AreaLevels(code=row["area"], name="", businesses=row["total"])
    for (area, level), total in latest_levels(
        businesses, length=length, as_of=as_of, mode=mode
    ).items():
        areas[area].by_level[level] = total
    names = dict(
        CHILD_MODEL[len(region)].objects.filter(code__in=areas).values_list("code", "name")
    )
    for area in areas.values():
        area.name = names.get(area.code, area.code)
    return list(areas.values())


def recent_assessments(actor, *, region: str = "", level: int | None = None, mode: str = ""):
    """Assessments of the businesses the actor may see, latest first, with their business and
    village."""
    assessments = scoped_businesses(Assessment.objects.all(), actor, roles=READER_ROLES)
    if region:
        assessments = assessments.filter(region_q("enterprise__village__code", region))
    if level:
        assessments = assessments.filter(level=level)
    if mode:
        assessments = assessments.filter(mode=mode)
    return assessments.select_related("enterprise__village", "instrument").latest_first()
