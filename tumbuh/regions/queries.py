"""Reusable reads over regions, shared by the pages and the API."""

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from tumbuh.core.region_filter import region_q
from tumbuh.regions.models import District, PriorityArea, Province, Regency, Village

LEVELS = ("province", "regency", "district", "village")
MODELS = {"province": Province, "regency": Regency, "district": District, "village": Village}
CODE_LENGTHS = {2: "province", 5: "regency", 8: "district", 13: "village"}


def level_of(code: str) -> str | None:
    return CODE_LENGTHS.get(len(code or ""))


def village_detail(code: str, *, with_designations: bool = False) -> Village | None:
    villages = Village.objects.select_related("district", "regency", "regency__province")
    if with_designations:
        villages = villages.prefetch_related("regency__designations")
    return villages.filter(code=code).first()


def region_detail(level: str, code: str):
    """One region with what its summary shows, in as few queries as possible."""
    if level == "village":
        return village_detail(code, with_designations=True)
    if level == "regency":
        return regency_detail(code)
    if level == "district":
        return District.objects.select_related("regency__province").filter(code=code).first()
    return Province.objects.filter(code=code).first()


def regency_detail(code: str) -> Regency | None:
    return (
        Regency.objects.select_related("province")
        .prefetch_related("designations")
        .filter(code=code)
        .first()
    )


@lru_cache(maxsize=1)
def _scope_names() -> dict[str, str]:
    names = dict(Province.objects.values_list("code", "name"))
    names.update(Regency.objects.values_list("code", "name"))
    return names


@dataclass(frozen=True)
class Populated:
    """A province or regency with its name and population (None where the data has none)."""

    code: str
    name: str
    population: int | None


@lru_cache(maxsize=1)
def populations() -> dict[str, tuple[Populated, ...]]:
    """Every province and regency with its population, in code order, read once per process
    (the regions change only through ``load_regions``): "province" and "regency" → rows."""
    return {
        level: tuple(
            Populated(code, name, population)
            for code, name, population in model.objects.order_by("code").values_list(
                "code", "name", "population"
            )
        )
        for level, model in (("province", Province), ("regency", Regency))
    }


def forget_cached_names() -> None:
    _scope_names.cache_clear()
    populations.cache_clear()


def region_name(code: str) -> str:
    """A readable name for any region code; "National" for the empty code."""
    if not code:
        return _("National")
    name = _scope_names().get(code)
    if name is None:
        model = MODELS.get(level_of(code) or "")
        name = (
            model.objects.filter(code=code).values_list("name", flat=True).first()
            if model
            else None
        )
    return name or code


@dataclass
class RegionHit:
    code: str
    name: str
    level: str
    context: str


def _ranked(queryset: QuerySet, q: str) -> QuerySet:
    return queryset.annotate(
        rank=Case(
            When(name__iexact=q, then=Value(0)),
            When(name__istartswith=q, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "name", "code")


def search_regions(
    q: str, *, level: str | None = None, within: str = "", limit: int = 20
) -> list[RegionHit]:
    """Regions whose name contains ``q``: exact matches first, then prefixes, then the rest.

    ``level`` limits the search to one level; ``within`` to the descendants of a region code.
    """
    q = q.strip()
    if len(q) < 2:
        return []
    hits: list[RegionHit] = []
    for current in LEVELS if level is None else (level,):
        if len(hits) >= limit:
            break
        queryset = MODELS[current].objects.filter(name__icontains=q)
        if within:
            queryset = queryset.filter(region_q("code", within)).exclude(code=within)
        if current == "village":
            queryset = queryset.select_related("district", "regency", "regency__province")
        elif current == "district":
            queryset = queryset.select_related("regency", "regency__province")
        elif current == "regency":
            queryset = queryset.select_related("province")
        for region in _ranked(queryset, q)[: limit - len(hits)]:
            hits.append(RegionHit(region.code, region.name, current, _context(region, current)))
    return hits


def _context(region, level: str) -> str:
    if level == "village":
        return f"{region.district.name}, {region.regency.name}, {region.regency.province.name}"
    if level == "district":
        return f"{region.regency.name}, {region.regency.province.name}"
    if level == "regency":
        return region.province.name
    return ""


@dataclass
class Picker:
    """The state of the four-level region picker, parsed from request parameters.

    The deepest consistent choice wins: a regency that is not in the chosen province is
    dropped (the visitor changed the province without JavaScript), and a village code alone
    fills in its parents.
    """

    chosen: dict[str, object] = field(default_factory=dict)
    options: dict[str, list] = field(default_factory=dict)

    @property
    def deepest(self):
        for level in reversed(LEVELS):
            if self.chosen.get(level) is not None:
                return self.chosen[level], level
        return None, None


def picker_from(params, *, deepest: str = "village") -> Picker:
    picker = Picker()
    codes = {level: (params.get(level) or "").strip() for level in LEVELS}
    # A deeper code alone is enough: derive the parents from it.
    for level, length in (("village", 13), ("district", 8), ("regency", 5)):
        code = codes[level]
        if len(code) == length:
            for parent, parent_length in (("province", 2), ("regency", 5), ("district", 8)):
                if parent_length < length and not codes[parent]:
                    codes[parent] = code[:parent_length]
    parent_code = None
    for level in LEVELS[: LEVELS.index(deepest) + 1]:
        code = codes[level]
        if parent_code is None and level != "province":
            picker.chosen[level] = None
            continue
        choices = MODELS[level].objects.only("code", "name").order_by("name")
        if parent_code:
            choices = choices.filter(region_q("code", parent_code))
        picker.options[level] = list(choices)
        selected = next((region for region in picker.options[level] if region.code == code), None)
        picker.chosen[level] = selected
        parent_code = selected.code if selected else None
    return picker


def priority_areas() -> QuerySet[PriorityArea]:
    return PriorityArea.objects.annotate(regency_count=Count("members")).order_by(
        "collection", "name"
    )
