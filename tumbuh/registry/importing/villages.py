"""Finding the village of a row: from its Kemendagri code, or from names (fuzzy, within a regency).

Partners write villages as codes (``32.04.12.2001``, ``3204122001``), or as names with the
district and regency beside them, often with prefixes ("Desa", "Kel.", "Kec.", "Kab.") and typos.
The index holds every village's code and normalised names; names are matched exactly first, then
with rapidfuzz within the chosen regency (and district when given), and only a clear winner is
accepted: an ambiguous or distant name is refused with the reason, never guessed.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

from django.utils.translation import gettext as _

from tumbuh.regions.models import District, Province, Regency, Village

PREFIXES = re.compile(
    r"^(desa|kelurahan|kel|ds|kampung|kampong|nagari|gampong|kecamatan|kec|distrik|kabupaten|"
    r"kab|kota|kotamadya|kodya|provinsi|prov|adm|administrasi)\b\.?\s*"
)
MIN_SCORE = 86
MARGIN = 4


@lru_cache(maxsize=262_144)
def full_key(text: str) -> str:
    """Lower-case words, punctuation removed: "Kel. Sukamaju" → "kel sukamaju"."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", (text or "").lower()).split())


@lru_cache(maxsize=262_144)
def name_key(text: str) -> str:
    """Lower-case words without prefixes such as Desa, Kel., Kec., Kab., Kota.

    A name that is nothing but a prefix ("Kota", a village really called "Kampung") keeps it.
    """
    text = full_key(text)
    previous = None
    while previous != text:
        previous = text
        stripped = PREFIXES.sub("", text).strip()
        text = stripped or text
    return text


@dataclass
class Place:
    village_code: str
    district_code: str
    regency_code: str


class VillageNotFound(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class VillageIndex:
    """Every village, district and regency of the loaded regions, by code and by name."""

    villages: dict[str, str] = field(default_factory=dict)  # village code → district code
    village_names: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # district → key → codes
    villages_by_regency: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    district_names: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # regency → key → codes
    regency_names: dict[str, list[str]] = field(default_factory=dict)  # key → regency codes
    regency_by_province: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    province_names: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    all_names: ClassVar[dict[str, str]] = {}

    @classmethod
    def build(cls) -> "VillageIndex":
        index = cls()
        for code, name in Province.objects.values_list("code", "name"):
            index.province_names[name_key(name)] = code
            index.names[code] = name
        for code, province, name in Regency.objects.values_list("code", "province_id", "name"):
            key = name_key(name)
            index.regency_names.setdefault(key, []).append(code)
            index.regency_by_province.setdefault(province, {}).setdefault(key, []).append(code)
            index.names[code] = name
        for code, regency, name in District.objects.values_list("code", "regency_id", "name"):
            index.district_names.setdefault(regency, {}).setdefault(name_key(name), []).append(code)
            index.names[code] = name
        for code, district, name in Village.objects.values_list("code", "district_id", "name"):
            key = name_key(name)
            index.names[code] = name
            index.villages[code] = district
            index.village_names.setdefault(district, {}).setdefault(key, []).append(code)
            index.villages_by_regency.setdefault(district[:5], {}).setdefault(key, []).append(code)
        VillageIndex.all_names = index.names
        return index

    # --- codes -----------------------------------------------------------------------------

    def by_code(self, text: str) -> str | None:
        digits = re.sub(r"\D", "", text or "")
        if len(digits) != 10:
            return None
        code = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
        return code if code in self.villages else None

    # --- names -----------------------------------------------------------------------------

    @staticmethod
    def _pick(
        key: str, choices: dict[str, list[str]], text: str = ""
    ) -> tuple[list[str], str | None]:
        """Codes whose name matches ``key`` exactly, else the clear fuzzy winner.

        When several names share the key once prefixes are removed ("Kota Manna" and "Manna"),
        the one whose full name is written wins.
        """
        if key in choices:
            codes = choices[key]
            if len(codes) > 1 and text:
                written = full_key(text)
                exact = [
                    code for code in codes if full_key(VillageIndex.all_names[code]) == written
                ]
                if len(exact) == 1:
                    return exact, None
            return codes, None
        from rapidfuzz import fuzz, process  # a name to match: not at start-up

        found = process.extract(key, list(choices), scorer=fuzz.WRatio, limit=2)
        if not found or found[0][1] < MIN_SCORE:
            return [], None
        if len(found) > 1 and found[0][1] - found[1][1] < MARGIN:
            return [], found[1][0]
        return choices[found[0][0]], None

    def regency(self, regency_name: str, province_name: str, hint: str) -> str:
        key = name_key(regency_name)
        if not key:
            if hint:
                return hint
            raise VillageNotFound(
                "regency_name",
                _("The regency or city is missing; it is needed to find the village."),
            )
        choices = self.regency_names
        province_key = name_key(province_name)
        if province_key in self.province_names:
            choices = self.regency_by_province.get(self.province_names[province_key], {})
        is_city = bool(re.match(r"^\s*(kota|kotamadya|kodya)\b", (regency_name or "").lower()))
        codes, rival = self._pick(key, choices, regency_name)
        if len(codes) > 1 and hint in codes:
            return hint
        if len(codes) > 1:
            # "Kabupaten Bandung" and "Kota Bandung" share a key; the written prefix decides.
            named = [c for c in codes if self.names[c].lower().startswith("kota") == is_city]
            codes = named or codes
        if len(codes) == 1:
            return codes[0]
        if rival:
            raise VillageNotFound(
                "regency_name",
                _("The regency “%(name)s” is ambiguous (close to %(rival)s); write it in full.")
                % {"name": regency_name, "rival": rival},
            )
        raise VillageNotFound(
            "regency_name",
            _("No regency or city is called “%(name)s”.") % {"name": regency_name}
            if not codes
            else _("Several regencies are called “%(name)s”; add the province.")
            % {"name": regency_name},
        )

    def resolve(
        self,
        *,
        village_code: str = "",
        village_name: str = "",
        district_name: str = "",
        regency_name: str = "",
        province_name: str = "",
        regency_hint: str = "",
    ) -> str:
        """The village code for a row, or raise :class:`VillageNotFound` with the reason."""
        if village_code.strip():
            code = self.by_code(village_code)
            if code is None:
                raise VillageNotFound(
                    "village_code",
                    _("“%(code)s” is not a village code (e.g. 32.04.12.2001).")
                    % {"code": village_code},
                )
            return code
        if not name_key(village_name):
            raise VillageNotFound("village_name", _("The village (desa/kelurahan) is missing."))
        regency = self.regency(regency_name, province_name, regency_hint)
        district_key = name_key(district_name)
        if district_key:
            districts, _rival = self._pick(
                district_key, self.district_names.get(regency, {}), district_name
            )
            if len(districts) != 1:
                raise VillageNotFound(
                    "district_name",
                    _("No district “%(district)s” in %(regency)s.")
                    % {"district": district_name, "regency": self.names[regency]},
                )
            villages, _rival = self._pick(
                name_key(village_name), self.village_names[districts[0]], village_name
            )
            where = self.names[districts[0]]
        else:
            villages, _rival = self._pick(
                name_key(village_name), self.villages_by_regency.get(regency, {}), village_name
            )
            where = self.names[regency]
        if len(villages) == 1:
            return villages[0]
        if len(villages) > 1:
            raise VillageNotFound(
                "district_name",
                _("Several villages in %(place)s are called “%(village)s”; add the district.")
                % {"place": where, "village": village_name},
            )
        raise VillageNotFound(
            "village_name",
            _("No village “%(village)s” in %(place)s.") % {"village": village_name, "place": where},
        )
