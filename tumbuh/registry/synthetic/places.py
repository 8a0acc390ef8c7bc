"""The real villages the invented businesses live in, read straight from the shipped region files.

The generator must not need the database, so it reads ``tumbuh/regions/data`` itself with csv and
gzip. A village is chosen by first choosing its regency in proportion to the regency's population
(``region_population_area.csv``), then a village of that regency uniformly.

Villages whose name is shared with another village of the same district (16 pairs in the
Kemendagri list) are left out: a partner that names them could not be resolved by anyone, so the
ground truth could not call such a row good.
"""

import bisect
import csv
import gzip
import random
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

REGIONS_DATA = Path(__file__).resolve().parents[2] / "regions" / "data"


@dataclass
class Geography:
    """Flat lists of the chosen provinces' villages, districts and regencies, indexed by position."""

    province_names: dict[str, str]
    regency_codes: list[str]
    regency_names: list[str]
    district_codes: list[str]
    district_names: list[str]
    district_regency: list[int]
    village_codes: list[str]
    village_names: list[str]
    village_district: list[int]
    # Sampling: regencies by population, villages by regency.
    regency_cumulative: list[float]
    regency_villages: list[list[int]]
    regency_districts: list[list[int]]
    district_villages: list[list[int]]
    ambiguous_regency_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def village_count(self) -> int:
        return len(self.village_codes)

    def random_village(self, rng: random.Random) -> int:
        regency = bisect.bisect_right(
            self.regency_cumulative, rng.random() * self.regency_cumulative[-1]
        )
        return rng.choice(self.regency_villages[regency])

    def random_village_in_district(self, rng: random.Random, district: int) -> int:
        return rng.choice(self.district_villages[district])

    def random_district(self, rng: random.Random) -> int:
        return self.village_district[self.random_village(rng)]

    def regency_of_village(self, village: int) -> int:
        return self.district_regency[self.village_district[village]]

    def province_code_of_village(self, village: int) -> str:
        return self.village_codes[village][:2]


def _read_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _province_filter(provinces: list[str] | None, names: dict[str, str]) -> set[str]:
    if not provinces:
        return set(names)
    by_name = {name.lower(): code for code, name in names.items()}
    chosen = set()
    for wanted in provinces:
        text = str(wanted).strip()
        code = text if text in names else by_name.get(text.lower())
        if code is None:
            raise ValueError(f"unknown province {wanted!r}: use a Kemendagri code such as '32'")
        chosen.add(code)
    return chosen


def _base_name(regency_name: str) -> str:
    return regency_name.split(" ", 1)[-1].lower()


def load_geography(
    provinces: list[str] | None = None,
    data_dir: Path = REGIONS_DATA,
    villages: Collection[str] | None = None,
) -> Geography:
    """Read the region files, limited to ``provinces`` (codes such as "32", or names).

    ``villages`` (Kemendagri codes) limits the places further, to the villages a data collection
    visited: regencies are still chosen by population, then one of their listed villages.
    """
    province_names = {row["code"]: row["name"] for row in _read_csv(data_dir / "provinces.csv")}
    chosen = _province_filter(provinces, province_names)
    population = {
        row["code"]: float(row["population_total"] or 0)
        for row in _read_csv(data_dir / "region_population_area.csv")
        if row["level"] == "regency"
    }
    all_regencies = _read_csv(data_dir / "regencies.csv")
    # "Kabupaten Bandung" and "Kota Bandung" are both "Bandung" once the prefix is dropped.
    base_names: dict[str, int] = {}
    for row in all_regencies:
        base = _base_name(row["name"])
        base_names[base] = base_names.get(base, 0) + 1
    ambiguous = frozenset(
        row["name"] for row in all_regencies if base_names[_base_name(row["name"])] > 1
    )
    regencies = [row for row in all_regencies if row["province_code"] in chosen]
    regency_index = {row["code"]: index for index, row in enumerate(regencies)}
    districts = [
        row
        for row in _read_csv(data_dir / "districts.csv.gz")
        if row["regency_code"] in regency_index
    ]
    district_index = {row["code"]: index for index, row in enumerate(districts)}
    wanted = set(villages) if villages is not None else None
    villages = [
        row
        for row in _read_csv(data_dir / "villages.csv.gz")
        if row["district_code"] in district_index and (wanted is None or row["code"] in wanted)
    ]
    seen: dict[tuple[str, str], int] = {}
    for row in villages:
        key = (row["district_code"], row["name"].lower())
        seen[key] = seen.get(key, 0) + 1
    villages = [row for row in villages if seen[(row["district_code"], row["name"].lower())] == 1]

    village_district = [district_index[row["district_code"]] for row in villages]
    district_regency = [regency_index[row["regency_code"]] for row in districts]
    regency_villages: list[list[int]] = [[] for _ in regencies]
    district_villages: list[list[int]] = [[] for _ in districts]
    regency_districts: list[list[int]] = [[] for _ in regencies]
    for index, district in enumerate(village_district):
        district_villages[district].append(index)
        regency_villages[district_regency[district]].append(index)
    for index, regency in enumerate(district_regency):
        if district_villages[index]:
            regency_districts[regency].append(index)

    known = [value for value in population.values() if value > 0]
    fallback = sorted(known)[len(known) // 2] if known else 1.0
    cumulative = []
    total = 0.0
    for index, row in enumerate(regencies):
        weight = population.get(row["code"]) or fallback
        total += weight if regency_villages[index] else 0.0
        cumulative.append(total)
    if not villages:
        raise ValueError("no villages in the chosen provinces")

    return Geography(
        province_names=province_names,
        regency_codes=[row["code"] for row in regencies],
        regency_names=[row["name"] for row in regencies],
        district_codes=[row["code"] for row in districts],
        district_names=[row["name"] for row in districts],
        district_regency=district_regency,
        village_codes=[row["code"] for row in villages],
        village_names=[row["name"] for row in villages],
        village_district=village_district,
        regency_cumulative=cumulative,
        regency_villages=regency_villages,
        regency_districts=regency_districts,
        district_villages=district_villages,
        ambiguous_regency_names=ambiguous,
    )
