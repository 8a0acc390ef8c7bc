"""Blank spots ranked by what connectivity would unlock, with the weights in plain sight.

A blank spot is a village without 4G in the ledger (a village the ledger has not computed yet
counts as without). Its score is

    enterprise × businesses + bumdes × BumDes + people × (population / 1,000) + three_t × (3T)

over the deduplicated businesses registered there (merged records count once), the BumDes
among them, an estimate of its population (its regency's population shared evenly among the
regency's villages: village figures are not published with the boundaries we ship), and
whether its regency is 3T. Ties go to the village with more businesses, then to the code, so
the order is stable. Each row carries the reasons that made its score.
"""

from collections import Counter
from dataclasses import asdict, dataclass

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts.permissions import Capability, roles_with
from tumbuh.accounts.scoping import scoped
from tumbuh.connectivity.models import Technology
from tumbuh.core.money import thousands
from tumbuh.core.region_filter import region_q
from tumbuh.regions.models import Regency, Village
from tumbuh.registry.models import Enterprise


@dataclass(frozen=True)
class RankingWeights:
    """Points per business, per BumDes (on top of its point as a business), per thousand
    people, and for a 3T village. Planners can change them on the ranking page."""

    enterprise: float = 1.0
    bumdes: float = 5.0
    people: float = 1.0
    three_t: float = 10.0

    @classmethod
    def from_mapping(cls, data) -> "RankingWeights":
        """Weights from a form or query string; a missing or unreadable one keeps its default."""
        values = {}
        for name, default in asdict(cls()).items():
            try:
                value = float(str(data.get(name, default)).replace(",", "."))
            except ValueError:
                value = default
            values[name] = max(0.0, min(value, 1_000.0))
        return cls(**values)


@dataclass(frozen=True)
class BlankSpot:
    rank: int
    code: str
    name: str
    regency: str
    last_mile: str
    enterprises: int
    bumdes: int
    people: int
    is_3t: bool
    score: float
    reasons: tuple[str, ...]


def population_estimates(regency_codes=None) -> dict[str, float]:
    """People per village by regency: the regency's population over its number of villages."""
    regencies = Regency.objects.exclude(population=None).annotate(village_count=Count("villages"))
    if regency_codes is not None:
        regencies = regencies.filter(code__in=regency_codes)
    return {
        code: population / count
        for code, population, count in regencies.values_list("code", "population", "village_count")
        if count
    }


def blank_villages(actor=None, *, region_code: str = ""):
    """Villages without 4G, limited to ``actor``'s regions and to ``region_code`` if given."""
    villages = Village.objects.exclude(connectivity__last_mile=Technology.G4)
    if actor is not None:
        villages = scoped(
            villages, actor, field="code", roles=roles_with(Capability.PLAN_INFRASTRUCTURE)
        )
    if region_code:
        villages = villages.filter(region_q("code", region_code))
    return villages


def businesses_by_village(village_codes) -> tuple[Counter, Counter]:
    """Deduplicated businesses and BumDes per village code."""
    businesses, bumdes = Counter(), Counter()
    live = Enterprise.objects.deduplicated().filter(village_id__in=village_codes)
    for village, kind, count in (
        live.values_list("village_id", "kind").annotate(count=Count("pk")).order_by()
    ):
        businesses[village] += count
        if kind == Enterprise.Kind.BUMDES:
            bumdes[village] += count
    return businesses, bumdes


def rank_blank_spots(
    actor=None,
    *,
    weights: RankingWeights = RankingWeights(),
    region_code: str = "",
    limit: int | None = None,
) -> list[BlankSpot]:
    """The blank spots in ``actor``'s regions, best first."""
    rows = list(
        blank_villages(actor, region_code=region_code).values_list(
            "code", "name", "regency_id", "regency__name", "regency__is_3t",
            "connectivity__last_mile",
        )
    )  # fmt: skip
    codes = [row[0] for row in rows]
    businesses, bumdes = Counter(), Counter()
    for start in range(0, len(codes), 5_000):  # stay under SQLite's parameter limit
        chunk_businesses, chunk_bumdes = businesses_by_village(codes[start : start + 5_000])
        businesses.update(chunk_businesses)
        bumdes.update(chunk_bumdes)
    people = population_estimates({row[2] for row in rows})
    scored = []
    for code, name, regency_code, regency, is_3t, last_mile in rows:
        count, bumdes_count = businesses[code], bumdes[code]
        population = round(people.get(regency_code, 0))
        parts = [
            weights.enterprise * count,
            weights.bumdes * bumdes_count,
            weights.people * population / 1_000,
            weights.three_t * bool(is_3t),
        ]
        reasons = []
        if count:
            reasons.append(
                ngettext("%(count)d business waiting", "%(count)d businesses waiting", count)
                % {"count": count}
            )
        if bumdes_count:
            reasons.append(
                ngettext("%(count)d BumDes", "%(count)d BumDes", bumdes_count)
                % {"count": bumdes_count}
            )
        if population:
            reasons.append(_("about %(people)s people") % {"people": thousands(population)})
        if is_3t:
            reasons.append(_("3T regency"))
        last = last_mile or Technology.NONE
        reasons.append(_("best signal today: %(signal)s") % {"signal": Technology(last).label})
        scored.append((round(sum(parts), 3), count, code, name, regency, last, bumdes_count,
                       population, bool(is_3t), tuple(reasons)))  # fmt: skip
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    if limit is not None:
        scored = scored[:limit]
    return [
        BlankSpot(rank, code, name, regency, last, count, bumdes_count, population, is_3t,
                  score, reasons)
        for rank, (score, count, code, name, regency, last, bumdes_count, population, is_3t,
                   reasons) in enumerate(scored, start=1)
    ]  # fmt: skip
