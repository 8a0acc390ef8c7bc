"""Write paths for regions: loading the shipped data, and editing priority areas."""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.core import page_cache
from tumbuh.core.refusals import Refused
from tumbuh.core.region_filter import in_region, region_q
from tumbuh.core.services import record_event
from tumbuh.core.times import zone_of_province
from tumbuh.regions.datafiles import DATA_DIR, POSTAL_CODE, DataFileError, read_rows
from tumbuh.regions.error_codes import RegionsError
from tumbuh.regions.models import (
    CentroidPrecision,
    District,
    Island,
    PriorityArea,
    PriorityAreaRegency,
    Province,
    Regency,
    ThreeTDesignation,
    TimeZone,
    Village,
)
from tumbuh.regions.queries import forget_cached_names

# The 2022 splits: a priority area named by a pre-2022 Papua province also covers the provinces
# carved out of it (note in priority_areas.csv).
PROVINCE_SUCCESSORS = {"91": ["93", "94", "95"], "92": ["96"]}

COLLECTION_DESCRIPTIONS = {
    "dpsp_5": "5 Destinasi Pariwisata Super Prioritas (DPSP)",
    "dpp_10": "10 Destinasi Pariwisata Prioritas (“10 Bali Baru”)",
    "atd_2022_13_kawasan": "Adopsi Teknologi Digital 4.0, 2022: 13 kawasan",
}

PRECISIONS = set(CentroidPrecision.values)
# The first digit of a village's own 4-digit part says what kind of village it is.
VILLAGE_KINDS = {"1": Village.Kind.KELURAHAN, "2": Village.Kind.DESA, "3": Village.Kind.DESA_ADAT}
THREE_T_FLAGS = {
    ThreeTDesignation.Category.DISADVANTAGED: "is_disadvantaged",
    ThreeTDesignation.Category.LAND_BORDER: "is_land_border",
    ThreeTDesignation.Category.OUTERMOST_SMALL_ISLAND: "has_outermost_small_island",
}


@dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_data: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    """What ``load_regions`` did, level by level."""

    levels: dict[str, LevelCounts] = field(default_factory=dict)
    designations: int = 0
    areas_created: int = 0
    areas_updated: int = 0
    areas_unchanged: int = 0
    areas_kept_edited: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "levels": {name: vars(counts) for name, counts in self.levels.items()},
            "designations": self.designations,
            "priority_areas": {
                "created": self.areas_created,
                "updated": self.areas_updated,
                "unchanged": self.areas_unchanged,
                "kept_as_edited": self.areas_kept_edited,
            },
            "seconds": round(self.seconds, 2),
        }


def area_slug(collection: str, name: str) -> str:
    """``dpsp_5`` + ``Danau Toba`` → ``dpsp-5-danau-toba``: hyphens only, readable in a URL."""
    return slugify(f"{collection} {name}".replace("_", " "))[:80]


def _time_zone(province_code: str) -> str:
    """The province's zone, by the one rule every time shown follows (``core.times``)."""
    return TimeZone(zone_of_province(province_code))


class _Loader:
    """Reads every file first (so a malformed file stops the load before any write)."""

    def __init__(self, data_dir: Path, provinces: Iterable[str] | None):
        self.dir = data_dir
        self.only = set(provinces) if provinces else None

    def wanted(self, code: str) -> bool:
        return self.only is None or code[:2] in self.only

    def centroids(self, filename: str, known: set[str]) -> dict[str, tuple]:
        result = {}
        for row in read_rows(
            self.dir / filename, ["code", "name", "latitude", "longitude", "precision"]
        ):
            code = row["code"]
            if code in result:
                raise row.fail(f"code {code} appears twice")
            if code not in known:
                if self.only is not None and not self.wanted(code):
                    continue
                raise row.fail(f"code {code} is not in the region list")
            result[code] = (*row.coordinates(), row.choice("precision", PRECISIONS))
        return result

    def population(self) -> dict[str, tuple[int, float]]:
        columns = [
            "code",
            "level",
            "name",
            "population_male",
            "population_female",
            "population_total",
            "area_km2",
        ]
        result = {}
        for row in read_rows(self.dir / "region_population_area.csv", columns):
            row.choice("level", {"province", "regency"})
            result[row["code"]] = (row.whole_number("population_total"), row.number("area_km2"))
        return result

    def read(self) -> dict[str, list]:
        rows: dict[str, dict[str, dict]] = {}
        population = self.population()

        provinces = {}
        for row in read_rows(self.dir / "provinces.csv", ["code", "name"]):
            code = row.code("code", "province")
            if code in provinces:
                raise row.fail(f"code {code} appears twice")
            if self.wanted(code):
                provinces[code] = {
                    "code": code,
                    "name": row.text("name"),
                    "time_zone": _time_zone(code),
                }
        regencies = {}
        for row in read_rows(self.dir / "regencies.csv", ["code", "province_code", "name"]):
            code = row.code("code", "regency")
            parent = row.code("province_code", "province")
            if not self.wanted(code):
                continue
            if code in regencies:
                raise row.fail(f"code {code} appears twice")
            if parent not in provinces or not in_region(code, parent):
                raise row.fail(f"province {parent} of regency {code} is unknown or inconsistent")
            name = row.text("name")
            regencies[code] = {
                "code": code,
                "name": name,
                "province_id": parent,
                "kind": "kota" if name.startswith("Kota ") else "kabupaten",
            }
        districts = {}
        for row in read_rows(self.dir / "districts.csv.gz", ["code", "regency_code", "name"]):
            code = row.code("code", "district")
            parent = row.code("regency_code", "regency")
            if not self.wanted(code):
                continue
            if code in districts:
                raise row.fail(f"code {code} appears twice")
            if parent not in regencies or not in_region(code, parent):
                raise row.fail(f"regency {parent} of district {code} is unknown or inconsistent")
            districts[code] = {"code": code, "name": row.text("name"), "regency_id": parent}
        villages = {}
        for row in read_rows(self.dir / "villages.csv.gz", ["code", "district_code", "name"]):
            code = row["code"]
            if not self.wanted(code):
                continue
            row.code("code", "village")
            parent = row.code("district_code", "district")
            if code in villages:
                raise row.fail(f"code {code} appears twice")
            if parent not in districts or not in_region(code, parent):
                raise row.fail(f"district {parent} of village {code} is unknown or inconsistent")
            villages[code] = {
                "code": code,
                "name": row.text("name"),
                "district_id": parent,
                "regency_id": parent[:5],
                "postal_code": "",
                "kind": VILLAGE_KINDS[code[9]],
            }
        for row in read_rows(
            self.dir / "village_postal_codes.csv.gz", ["village_code", "postal_code"]
        ):
            code = row["village_code"]
            if code in villages:
                if not POSTAL_CODE.match(row["postal_code"]):
                    raise row.fail(f"postal_code {row['postal_code']!r} is not 5 digits")
                villages[code]["postal_code"] = row["postal_code"]
            elif self.wanted(code):
                raise row.fail(f"village {code} is not in the region list")

        rows = {
            "province": provinces,
            "regency": regencies,
            "district": districts,
            "village": villages,
        }
        for level, filename in [
            ("province", "province_centroids.csv.gz"),
            ("regency", "regency_centroids.csv.gz"),
            ("district", "district_centroids.csv.gz"),
            ("village", "village_centroids.csv.gz"),
        ]:
            for code, (latitude, longitude, precision) in self.centroids(
                filename, set(rows[level])
            ).items():
                rows[level][code].update(
                    latitude=latitude, longitude=longitude, centroid_precision=precision
                )
        for level in ("province", "regency"):
            for code, values in rows[level].items():
                values["population"], values["area_km2"] = population.get(code, (None, None))

        flags_by_regency: dict[str, set[str]] = {}
        designations = []
        columns = ["regency_code", "name", "province_name", "category", "source", "note"]
        for row in read_rows(self.dir / "regions_3t.csv", columns):
            code = row.code("regency_code", "regency")
            category = row.choice("category", set(THREE_T_FLAGS))
            if not self.wanted(code):
                continue
            if code not in regencies:
                raise row.fail(f"regency {code} is not in the region list")
            if category in flags_by_regency.setdefault(code, set()):
                raise row.fail(f"regency {code} is listed twice as {category}")
            flags_by_regency[code].add(category)
            designations.append(
                {
                    "regency_id": code,
                    "category": category,
                    "source": row.text("source"),
                    "note": row["note"].strip(),
                }
            )
        for code, values in regencies.items():
            categories = flags_by_regency.get(code, set())
            for category, flag in THREE_T_FLAGS.items():
                values[flag] = category in categories
            values["is_3t"] = bool(categories)

        islands = {}
        columns = [
            "code",
            "name",
            "regency_code",
            "latitude",
            "longitude",
            "is_populated",
            "is_outermost_small",
        ]
        for row in read_rows(self.dir / "islands_decimal.csv.gz", columns):
            code = row["code"]
            if not self.wanted(code):
                continue
            row.code("code", "island")
            regency = row["regency_code"].strip() or None
            if regency is not None and regency not in regencies:
                raise row.fail(f"regency {regency} of island {code} is unknown")
            if code[:2] not in provinces:
                raise row.fail(f"province {code[:2]} of island {code} is unknown")
            latitude, longitude = row.coordinates()
            islands[code] = {
                "code": code,
                "name": row.text("name"),
                "province_id": code[:2],
                "regency_id": regency,
                "latitude": latitude,
                "longitude": longitude,
                "is_populated": row.flag("is_populated"),
                "is_outermost_small": row.flag("is_outermost_small"),
            }

        areas: dict[str, dict] = {}
        columns = [
            "programme",
            "area_name",
            "region_code",
            "region_level",
            "region_name",
            "role",
            "source",
            "note",
        ]
        for row in read_rows(self.dir / "priority_areas.csv", columns):
            collection, name = row.text("programme"), row.text("area_name")
            level = row.choice("region_level", {"province", "regency"})
            role = row.choice("role", set(PriorityAreaRegency.Role.values))
            code = row.code("region_code", level)
            slug = area_slug(collection, name)
            area = areas.setdefault(
                slug,
                {
                    "slug": slug,
                    "name": name,
                    "collection": collection,
                    "source": row.text("source"),
                    "members": {},
                },
            )
            if level == "regency":
                members = [code]
            else:
                province_codes = [code, *PROVINCE_SUCCESSORS.get(code, [])]
                members = [r for r in regencies if r[:2] in province_codes]
            for regency in members:
                if regency in regencies:
                    area["members"][regency] = role
                elif self.wanted(regency):
                    raise row.fail(f"regency {regency} is not in the region list")

        return {
            "province": list(provinces.values()),
            "regency": list(regencies.values()),
            "district": list(districts.values()),
            "village": list(villages.values()),
            "island": list(islands.values()),
            "designations": designations,
            "areas": list(areas.values()),
        }


def _upsert(model: type[models.Model], rows: list[dict], scope: set[str] | None) -> LevelCounts:
    """Create new rows and update changed ones in bulk; leave identical rows alone."""
    counts = LevelCounts()
    fields = [name for name in rows[0] if name != "code"] if rows else []
    existing_rows = model.objects.all()
    if scope is not None:
        existing_rows = existing_rows.filter(
            models.Q(*[region_q("code", province) for province in scope], _connector=models.Q.OR)
        )
    existing = {values[0]: values[1:] for values in existing_rows.values_list("code", *fields)}
    changed = []
    for values in rows:
        current = existing.pop(values["code"], None)
        candidate = tuple(values[name] for name in fields)
        if current is None:
            counts.created += 1
            changed.append(model(**values))
        elif current != candidate:
            counts.updated += 1
            changed.append(model(**values))
        else:
            counts.unchanged += 1
    counts.not_in_data = len(existing)
    if changed:
        model.objects.bulk_create(
            changed,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=fields,
        )
    return counts


def _sync_priority_area(values: dict, report: LoadReport, *, reset: bool, provinces) -> None:
    """Create or refresh a shipped area; leave an area edited in the console alone.

    Only the regencies of the loaded provinces are compared, so a load limited to some
    provinces never removes the others. An unchanged area is not written at all.
    """
    area = PriorityArea.objects.filter(slug=values["slug"]).first()
    if area is not None and area.edited_at is not None and not reset:
        report.areas_kept_edited += 1
        return
    shipped = {
        "name": values["name"],
        "collection": values["collection"],
        "source": values["source"],
        "description": COLLECTION_DESCRIPTIONS.get(values["collection"], ""),
        "edited_at": None,
    }
    is_new = area is None
    if is_new:
        area = PriorityArea(slug=values["slug"])
    fields_changed = is_new or any(getattr(area, key) != value for key, value in shipped.items())
    if fields_changed:
        for key, value in shipped.items():
            setattr(area, key, value)
        area.save()
    current = area.members.all()
    if provinces is not None:
        current = current.filter(regency__province_id__in=provinces)
    current = dict(current.values_list("regency_id", "role"))
    wanted = values["members"]
    gone = set(current) - set(wanted)
    if gone:
        area.members.filter(regency_id__in=gone).delete()
    added = [code for code in wanted if code not in current]
    PriorityAreaRegency.objects.bulk_create(
        PriorityAreaRegency(area=area, regency_id=code, role=wanted[code]) for code in added
    )
    recast = [code for code in wanted if code in current and current[code] != wanted[code]]
    for code in recast:
        area.members.filter(regency_id=code).update(role=wanted[code])
    if is_new:
        report.areas_created += 1
    elif fields_changed or gone or added or recast:
        report.areas_updated += 1
    else:
        report.areas_unchanged += 1


@transaction.atomic
def load_regions(
    *,
    data_dir: Path | None = None,
    provinces: Iterable[str] | None = None,
    reset_priority_areas: bool = False,
) -> LoadReport:
    """Load (or refresh) every region, island, 3T designation and priority area.

    Idempotent: a second run changes nothing. All files are read and checked before the first
    write, and everything runs in one transaction, so a malformed file loads nothing. Regions
    that disappeared from the data are counted (``not_in_data``) but kept, because records
    elsewhere may point at them. ``provinces`` limits the load to some provinces (for tests and
    small demos). Priority areas are created when missing; an area edited by ministry staff is
    kept unless ``reset_priority_areas``.
    """
    started = time.perf_counter()
    provinces = sorted(set(provinces)) if provinces else None
    data = _Loader(data_dir or DATA_DIR, provinces).read()
    scope = set(provinces) if provinces else None
    report = LoadReport()
    for level, model in [
        ("province", Province),
        ("regency", Regency),
        ("district", District),
        ("village", Village),
        ("island", Island),
    ]:
        report.levels[level] = _upsert(model, data[level], scope)

    designations = ThreeTDesignation.objects.all()
    if scope is not None:
        designations = designations.filter(regency_id__in=[r["code"] for r in data["regency"]])
    wanted = {(d["regency_id"], d["category"]): d for d in data["designations"]}
    for designation in designations:
        if (designation.regency_id, designation.category) not in wanted:
            designation.delete()
    for (regency, category), values in wanted.items():
        ThreeTDesignation.objects.update_or_create(
            regency_id=regency,
            category=category,
            defaults={"source": values["source"], "note": values["note"]},
        )
    report.designations = len(wanted)
    loaded_provinces = [province["code"] for province in data["province"]]
    for values in data["areas"]:
        _sync_priority_area(
            values,
            report,
            reset=reset_priority_areas,
            provinces=loaded_provinces if scope is not None else None,
        )
    transaction.on_commit(forget_cached_names)
    page_cache.bump(page_cache.EVERY_PAGE)  # every public page names its region
    report.seconds = time.perf_counter() - started
    return report


# --- Priority areas, edited by ministry staff --------------------------------------------------


def _require_editor(by: User | None) -> None:
    """Ministry staff who manage the priority areas edit them; anyone else, and no actor at all,
    is refused."""
    if by is None or not has_capability(by, Capability.MANAGE_PRIORITY_AREAS):
        raise PermissionDenied(str(Capability.MANAGE_PRIORITY_AREAS.label))


@transaction.atomic
def update_priority_area(
    *, area: PriorityArea, name: str, description: str, regency_roles: dict[str, str], by: User
) -> PriorityArea:
    """Rename an area and set its regencies (code → role); records what changed."""
    _require_editor(by)
    name = name.strip()
    if not name:
        raise Refused(RegionsError.NAME_EMPTY, _("A priority area needs a name."), field="name")
    unknown = set(regency_roles) - set(
        Regency.objects.filter(code__in=regency_roles).values_list("code", flat=True)
    )
    if unknown:
        raise Refused(
            RegionsError.UNKNOWN_REGENCY,
            _("Unknown regency codes: %(codes)s") % {"codes": ", ".join(sorted(unknown))},
        )
    bad_roles = {
        role for role in regency_roles.values() if role not in PriorityAreaRegency.Role.values
    }
    if bad_roles:
        raise Refused(RegionsError.UNKNOWN_ROLE, _("Unknown role in a priority area."))
    if not regency_roles:
        raise Refused(RegionsError.NO_REGENCIES, _("A priority area needs at least one regency."))
    before = dict(area.members.values_list("regency_id", "role"))
    changes = {
        "added": sorted(set(regency_roles) - set(before)),
        "removed": sorted(set(before) - set(regency_roles)),
        "role_changed": sorted(
            code for code in set(before) & set(regency_roles) if before[code] != regency_roles[code]
        ),
    }
    if area.name != name:
        changes["name"] = [area.name, name]
    if area.description != description:
        changes["description_changed"] = True
    area.name, area.description, area.edited_at = name, description, timezone.now()
    area.save(update_fields=["name", "description", "edited_at", "updated_at"])
    area.members.exclude(regency_id__in=regency_roles).delete()
    for code, role in regency_roles.items():
        PriorityAreaRegency.objects.update_or_create(
            area=area, regency_id=code, defaults={"role": role}
        )
    record_event(actor=by, action="regions.priority_area_updated", target=area, data=changes)
    return area


@transaction.atomic
def create_priority_area(*, name: str, collection: str, by: User) -> PriorityArea:
    """Create an empty-named area; its regencies are added with ``update_priority_area``."""
    _require_editor(by)
    name = name.strip()
    if not name:
        raise Refused(RegionsError.NAME_EMPTY, _("A priority area needs a name."), field="name")
    base = area_slug(collection, name)[:70] or "kawasan"
    slug, number = base, 2
    while PriorityArea.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    area = PriorityArea.objects.create(slug=slug, name=name, collection=collection)
    record_event(actor=by, action="regions.priority_area_created", target=area, data={"name": name})
    return area


__all__ = [
    "DataFileError",
    "LoadReport",
    "create_priority_area",
    "load_regions",
    "update_priority_area",
]
