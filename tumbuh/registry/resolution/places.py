"""Kemendagri codes for the places a partner file names, read from the shipped region files.

The registry's import resolves villages against the database; ``resolve_file`` must not touch
the database, so it reads ``tumbuh/regions/data`` (the same files the regions app loads) and
resolves what a row says: a village code in any form ("3204122001" or "32.04.12.2001"), or the
names of village, district and regency (province optional), with prefixes such as "Desa",
"Kec." and "Kab." removed. Names are matched exactly first, then, within the one regency or
district they must belong to, with rapidfuzz when a single candidate is clearly nearest. What
cannot be resolved stays unknown: the matching then uses what is left (the district without
the village, or nothing).
"""

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from tumbuh.registry.resolution.normalise import fold

REGIONS_DATA = Path(__file__).resolve().parents[2] / "regions" / "data"

_PREFIXES = re.compile(
    r"^(?:desa adat|desa|kelurahan|kel|ds|kampung|nagari|gampong|kecamatan|kec|distrik|"
    r"kabupaten|kab|provinsi|prov)\b\s*"
)
_REGENCY_WORDS = re.compile(r"^(?:kabupaten|kab)\s+|\b(?:administrasi|adm)\s+")
MIN_SCORE = 85
MARGIN = 5


def place_key(name: str | None) -> str:
    """Folded name without the administrative words in front ("Kec. Cibiru" → "cibiru")."""
    text = fold(name)
    previous = None
    while previous != text:
        previous = text
        text = _PREFIXES.sub("", text).strip()
    return text


def regency_key(name: str | None) -> str:
    """The key of a regency name: "Kabupaten Bandung" and "Kab. Bandung" → "bandung";
    "Kota Adm. Jakarta Pusat" → "kota jakarta pusat"."""
    return _REGENCY_WORDS.sub("", fold(name)).strip()


def _rows(file_name: str):
    path = REGIONS_DATA / file_name
    opener = gzip.open if file_name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        yield from csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8"))


@dataclass
class Place:
    district_code: str | None = None
    village_code: str | None = None
    village_name: str | None = None


@dataclass
class PlaceIndex:
    villages: dict[str, str] = field(default_factory=dict)  # village code → district code
    provinces: dict[str, str] = field(default_factory=dict)  # key → province code
    regencies: dict[str, list[str]] = field(default_factory=dict)  # key → regency codes
    # "Surabaya" for "Kota Surabaya": used only when no regency has that key.
    regency_aliases: dict[str, list[str]] = field(default_factory=dict)
    districts: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # regency → key → codes
    village_names: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # district → key → codes

    @classmethod
    def build(cls) -> "PlaceIndex":
        index = cls()
        for row in _rows("provinces.csv"):
            index.provinces[place_key(row["name"])] = row["code"]
        for row in _rows("regencies.csv"):
            key = regency_key(row["name"])
            index.regencies.setdefault(key, []).append(row["code"])
            if key.startswith("kota "):
                index.regency_aliases.setdefault(key.removeprefix("kota "), []).append(row["code"])
        for row in _rows("districts.csv.gz"):
            by_key = index.districts.setdefault(row["regency_code"], {})
            by_key.setdefault(place_key(row["name"]), []).append(row["code"])
        for row in _rows("villages.csv.gz"):
            index.villages[row["code"]] = row["district_code"]
            by_key = index.village_names.setdefault(row["district_code"], {})
            by_key.setdefault(place_key(row["name"]), []).append(row["code"])
        return index

    def resolve(
        self,
        *,
        village_code: str | None = None,
        village_name: str | None = None,
        district_name: str | None = None,
        regency_name: str | None = None,
        province_name: str | None = None,
    ) -> Place:
        code = village_code_form(village_code)
        if code and code in self.villages:
            return Place(district_code=self.villages[code], village_code=code)
        regencies = self._regencies(regency_name, province_name)
        district = None
        if len(regencies) == 1 and district_name:
            district = _one(self.districts.get(regencies[0], {}), place_key(district_name))
        if district is None:
            return Place()
        village = _one(self.village_names.get(district, {}), place_key(village_name))
        if village:
            return Place(district_code=district, village_code=village)
        return Place(district_code=district, village_name=village_name or None)

    def _regencies(self, regency_name, province_name) -> list[str]:
        if not regency_name:
            return []
        key = regency_key(regency_name)
        candidates = self.regencies.get(key) or self.regency_aliases.get(key, [])
        if len(candidates) > 1 and province_name:
            province = self.provinces.get(place_key(province_name))
            candidates = [code for code in candidates if code[:2] == province]
        return candidates


def _one(names: dict[str, list[str]], key: str) -> str | None:
    """The code of ``key`` among ``names``: exact, else the clearly nearest name."""
    if not key or not names:
        return None
    codes = names.get(key)
    if codes:
        return codes[0] if len(codes) == 1 else None
    best = process.extract(key, names.keys(), scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < MIN_SCORE:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < MARGIN:
        return None
    codes = names[best[0][0]]
    return codes[0] if len(codes) == 1 else None


def village_code_form(value: str | None) -> str | None:
    """ "3204122001" or "32.04.12.2001" → "32.04.12.2001"; anything else → None."""
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) != 10:
        return None
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


@cache
def place_index() -> PlaceIndex:
    return PlaceIndex.build()
