"""CSV imports for the connectivity ledger: BTS sites, fibre points of presence, village facts.

``import_csv(path=..., kind=...)`` reads the whole file and checks every row before anything is
written; then the good rows are written in one transaction with the ``ConnectivityImport``
batch, its rejections and an audit event, and the ledger is recomputed. Every data row ends as
created, updated, unchanged (already known with the same values) or rejected with its row,
column, value and a plain reason; the counts add up to ``total_rows``. Blank lines are not rows.
A file that cannot be read at all (not a text CSV, empty, a required column missing) raises
``ValidationError`` and nothing is written.

Headers are compared case-insensitively with punctuation ignored ("Kode Site", "kode_site" and
"KODE-SITE" are the same). Required columns are marked *; the first name is the one to use.

Sites (key: operator + kode_site)
    operator*; kode_site* (site_code, kode, code, site_id, kode_bts); nama (name, nama_site);
    latitude* (lintang, lat); longitude* (bujur, lon, lng); kode_desa (village_code,
    kode_kelurahan, kode_wilayah); teknologi* (technology: 2g/gsm, 3g/umts, 4g/lte);
    medan (terrain: datar/flat, berbukit/hilly, pegunungan/mountainous; default datar);
    status* (rencana/planned, kontrak/contracted, konstruksi/dibangun/under_construction,
    mengudara/on air/on_air, mati/off air/off_air); backhaul (serat optik/fibre/fiber,
    gelombang mikro/microwave, satelit/satellite/vsat, tidak ada/none; default none);
    pendanaan* (funding: negara/bakti/state, operator); tanggal_rencana (planned_on),
    tanggal_kontrak (contracted_on), tanggal_selesai_bangun (built_on), tanggal_on_air
    (on_air_on, tanggal_mengudara); sumber (source); tanggal_sumber* (source_date).
Points of presence (key: kode)
    kode* (code, kode_pop); nama* (name); operator; latitude*; longitude*; sumber;
    tanggal_sumber*.
Village facts (key: kode_desa + lapisan + nilai + sumber + tanggal, the model's constraint)
    kode_desa*; lapisan* (layer: cakupan/jaringan akses/last_mile, backhaul/middle_mile,
    titik akses/access_point, cek sinyal/signal_check); nilai* (value: a technology or
    tidak ada/none for cakupan and cek sinyal, a backhaul kind for backhaul, free text of at
    most 20 characters for titik akses); keterangan (detail); sumber; tanggal* (observed_on).

``sumber`` may be left out (or empty) when the import is made on behalf of an organisation:
the organisation's name is the source. Dates are 2024-12-31, 31/12/2024, 31-12-2024 or
31.12.2024 (day first), never in the future. Decimal commas in coordinates are accepted.

Decisions (see docs/connectivity-imports.md):

* Coordinates must lie within Indonesia's box (latitude −11.5…6.5, longitude 94…141.5) and
  within 50 km of a village centre, which refuses points at sea and swapped coordinates. A
  site's village is the nearest village centre unless ``kode_desa`` names one, which must exist
  and lie within 30 km of the coordinates. A point of presence gets its nearest village.
* An empty cell, or a column left out, never erases a known value: it keeps what the ledger
  has (or the default for a new row).
* An import is the operator's statement of fact, so a site may move to any status, not only
  along ``Site.TRANSITIONS``; each status change (and each new site) writes a ``SiteEvent``
  with the note "import <file>", dated by the status's own date column if given, else by the
  source date.
* A key that appears twice in the file: the first valid row is imported, the later ones are
  refused (duplicates are looked for among valid rows).
* Operators are matched case-insensitively: "TELKOMSEL" joins the existing "Telkomsel".
* Reasons are stored in Indonesian, the programme's language; file-level errors are raised in
  the active language.
"""

import csv
import datetime
import hashlib
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation, User
from tumbuh.accounts.permissions import Capability, roles_with
from tumbuh.accounts.scoping import NATIONAL, RegionScope, scope_for
from tumbuh.connectivity import coverage
from tumbuh.connectivity.models import (
    Backhaul,
    ConnectivityImport,
    ConnectivityRejection,
    PointOfPresence,
    Site,
    SiteEvent,
    Technology,
    Terrain,
    VillageFact,
)
from tumbuh.core.services import record_event
from tumbuh.regions.models import Village

Kind = ConnectivityImport.Kind

LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.0, 141.5)
MAX_KM_FROM_VILLAGE = 50.0  # a point farther from every village centre is at sea or mistyped
MAX_KM_FROM_NAMED_VILLAGE = 30.0  # a site named to a village must stand near it
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S")
CHUNK = 2000


def simple(text: str) -> str:
    """Lower-case letters and digits, single-spaced: how headers and values are compared."""
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


# --- columns and accepted values ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    name: str  # the name to use in files, shown when the column is missing
    aliases: tuple[str, ...]
    required: bool = False


SOURCE = Column("source", "sumber", ("sumber", "source", "sumber data"))
SOURCE_DATE = Column(
    "source_date", "tanggal_sumber", ("tanggal sumber", "source date", "tanggal data"), True
)
LATITUDE = Column("latitude", "latitude", ("latitude", "lintang", "lat"), True)
LONGITUDE = Column("longitude", "longitude", ("longitude", "bujur", "lon", "long", "lng"), True)
VILLAGE_CODE = Column(
    "village_code",
    "kode_desa",
    ("kode desa", "village code", "kode desa kelurahan", "kode kelurahan", "kode wilayah"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.SITES: (
        Column("operator", "operator", ("operator", "nama operator"), True),
        Column("code", "kode_site", ("kode site", "site code", "kode", "code", "site id",
               "id site", "kode bts"), True),
        Column("name", "nama", ("nama", "name", "nama site", "site name")),
        LATITUDE,
        LONGITUDE,
        VILLAGE_CODE,
        Column("technology", "teknologi", ("teknologi", "technology"), True),
        Column("terrain", "medan", ("medan", "terrain")),
        Column("status", "status", ("status", "status site"), True),
        Column("backhaul", "backhaul", ("backhaul", "jenis backhaul")),
        Column("funding", "pendanaan", ("pendanaan", "funding", "sumber dana"), True),
        Column("planned_on", "tanggal_rencana", ("tanggal rencana", "planned on")),
        Column("contracted_on", "tanggal_kontrak", ("tanggal kontrak", "contracted on")),
        Column("built_on", "tanggal_selesai_bangun", ("tanggal selesai bangun",
               "tanggal dibangun", "built on")),
        Column("on_air_on", "tanggal_on_air", ("tanggal on air", "tanggal mengudara",
               "on air on", "on air since", "on air date")),
        SOURCE,
        SOURCE_DATE,
    ),
    Kind.POINTS_OF_PRESENCE: (
        Column("code", "kode", ("kode", "code", "kode pop", "pop code"), True),
        Column("name", "nama", ("nama", "name", "nama pop"), True),
        Column("operator", "operator", ("operator", "nama operator")),
        LATITUDE,
        LONGITUDE,
        SOURCE,
        SOURCE_DATE,
    ),
    Kind.FACTS: (
        Column(VILLAGE_CODE.key, VILLAGE_CODE.name, VILLAGE_CODE.aliases, True),
        Column("layer", "lapisan", ("lapisan", "layer"), True),
        Column("value", "nilai", ("nilai", "value"), True),
        Column("detail", "keterangan", ("keterangan", "detail", "catatan")),
        SOURCE,
        Column("observed_on", "tanggal", ("tanggal", "observed on", "tanggal pengamatan",
               "tanggal observasi", "date"), True),
    ),
}  # fmt: skip

TECHNOLOGIES = {
    "2g": Technology.G2, "gsm": Technology.G2,
    "3g": Technology.G3, "umts": Technology.G3, "wcdma": Technology.G3, "hspa": Technology.G3,
    "4g": Technology.G4, "lte": Technology.G4, "4g lte": Technology.G4, "lte 4g": Technology.G4,
}  # fmt: skip
NO_SIGNAL = {
    "none": Technology.NONE, "tidak ada": Technology.NONE, "tidak ada sinyal": Technology.NONE,
    "no signal": Technology.NONE, "blank spot": Technology.NONE,
}  # fmt: skip
STATUSES = {
    "planned": Site.Status.PLANNED, "rencana": Site.Status.PLANNED,
    "direncanakan": Site.Status.PLANNED,
    "contracted": Site.Status.CONTRACTED, "kontrak": Site.Status.CONTRACTED,
    "dikontrak": Site.Status.CONTRACTED,
    "under construction": Site.Status.UNDER_CONSTRUCTION,
    "konstruksi": Site.Status.UNDER_CONSTRUCTION, "dibangun": Site.Status.UNDER_CONSTRUCTION,
    "sedang dibangun": Site.Status.UNDER_CONSTRUCTION,
    "on air": Site.Status.ON_AIR, "onair": Site.Status.ON_AIR, "mengudara": Site.Status.ON_AIR,
    "off air": Site.Status.OFF_AIR, "offair": Site.Status.OFF_AIR, "mati": Site.Status.OFF_AIR,
}  # fmt: skip
BACKHAULS = {
    "fibre": Backhaul.FIBRE, "fiber": Backhaul.FIBRE, "fo": Backhaul.FIBRE,
    "serat optik": Backhaul.FIBRE, "fiber optik": Backhaul.FIBRE,
    "fiber optic": Backhaul.FIBRE, "fibre optic": Backhaul.FIBRE,
    "microwave": Backhaul.MICROWAVE, "mw": Backhaul.MICROWAVE,
    "gelombang mikro": Backhaul.MICROWAVE,
    "satellite": Backhaul.SATELLITE, "satelit": Backhaul.SATELLITE, "vsat": Backhaul.SATELLITE,
    "none": Backhaul.NONE, "tidak ada": Backhaul.NONE,
}  # fmt: skip
TERRAINS = {
    "flat": Terrain.FLAT, "datar": Terrain.FLAT,
    "hilly": Terrain.HILLY, "berbukit": Terrain.HILLY, "perbukitan": Terrain.HILLY,
    "mountainous": Terrain.MOUNTAINOUS, "pegunungan": Terrain.MOUNTAINOUS,
}  # fmt: skip
FUNDINGS = {
    "state": Site.Funding.STATE, "negara": Site.Funding.STATE, "bakti": Site.Funding.STATE,
    "pemerintah": Site.Funding.STATE,
    "operator": Site.Funding.OPERATOR, "swasta": Site.Funding.OPERATOR,
}  # fmt: skip
LAYERS = {
    "last mile": VillageFact.Layer.LAST_MILE, "cakupan": VillageFact.Layer.LAST_MILE,
    "jaringan akses": VillageFact.Layer.LAST_MILE,
    "middle mile": VillageFact.Layer.MIDDLE_MILE, "backhaul": VillageFact.Layer.MIDDLE_MILE,
    "access point": VillageFact.Layer.ACCESS_POINT, "titik akses": VillageFact.Layer.ACCESS_POINT,
    "signal check": VillageFact.Layer.SIGNAL_CHECK, "cek sinyal": VillageFact.Layer.SIGNAL_CHECK,
}  # fmt: skip
# The accepted values as a reason lists them (values of the data, not translated).
ACCEPTED = {
    "technology": "2G, 3G, 4G (LTE)",
    "fact_technology": "tidak ada (none), 2G, 3G, 4G (LTE)",
    "status": "rencana (planned), kontrak (contracted), konstruksi (under_construction), "
    "mengudara (on_air), mati (off_air)",
    "backhaul": "serat optik (fibre), gelombang mikro (microwave), satelit (satellite), "
    "tidak ada (none)",
    "terrain": "datar (flat), berbukit (hilly), pegunungan (mountainous)",
    "funding": "negara/BAKTI (state), operator",
    "layer": "cakupan (last_mile), backhaul (middle_mile), titik akses (access_point), "
    "cek sinyal (signal_check)",
}
# A site status's own date column, which dates the SiteEvent of a change to it.
STATUS_DATES = {
    Site.Status.PLANNED: "planned_on",
    Site.Status.CONTRACTED: "contracted_on",
    Site.Status.ON_AIR: "on_air_on",
}
SITE_FIELDS = [
    "name", "latitude", "longitude", "village_id", "technology", "terrain", "status",
    "backhaul", "funding", "planned_on", "contracted_on", "built_on", "on_air_on", "source",
    "source_date",
]  # fmt: skip
POP_FIELDS = ["name", "operator", "latitude", "longitude", "village_id", "source", "source_date"]


# --- reading the file --------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, values)
    sha256: str


def read_csv(path: Path) -> Table:
    """Headers and non-blank rows of a CSV file; ``ValidationError`` if it cannot be read."""
    raw = path.read_bytes()
    if raw.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(
            _(
                "This is an Excel workbook, not a CSV file. Save it as “CSV UTF-8 (comma "
                "delimited)” and import that."
            )
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            _("The file is UTF-16 text. Save it from Excel as “CSV UTF-8 (comma delimited)”.")
        )
    if b"\x00" in raw:
        raise ValidationError(
            _("This is not a text CSV file. Save it as “CSV UTF-8 (comma delimited)”.")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8 (comma "
                "delimited)”."
            )
            % {"line": raw[: error.start].count(b"\n") + 1}
        ) from None
    if not text.strip():
        raise ValidationError(_("The file is empty."))
    first_line = text.lstrip("\r\n").splitlines()[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers, rows, number = None, [], 0
    try:
        for values in reader:
            number += 1
            if not any(value.strip() for value in values):
                continue  # blank lines are not rows
            if headers is None:
                headers = [value.strip() for value in values]
            else:
                rows.append((number, values))
    except csv.Error as error:
        raise ValidationError(
            _("Row %(row)s cannot be read as CSV: %(error)s") % {"row": number + 1, "error": error}
        ) from None
    if not rows:
        raise ValidationError(_("The file has column names but no rows."))
    return Table(headers=headers, rows=rows, sha256=hashlib.sha256(raw).hexdigest())


def map_columns(kind: str, headers: list[str], *, source_required: bool) -> dict[str, int]:
    """Each recognised column's position; ``ValidationError`` for a missing or doubled one."""
    by_alias = {simple(alias): column for column in COLUMNS[kind] for alias in column.aliases}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = by_alias.get(simple(header))
        if column is None:
            continue  # other columns are allowed and ignored
        if column.key in found:
            raise ValidationError(
                _("The columns “%(first)s” and “%(second)s” both hold %(column)s; keep one.")
                % {"first": headers[found[column.key]], "second": header, "column": column.name}
            )
        found[column.key] = index
    missing = [
        column.name
        for column in COLUMNS[kind]
        if column.key not in found and (column.required or (column is SOURCE and source_required))
    ]
    if missing:
        raise ValidationError(
            _("The file has no column for: %(missing)s. Columns found: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(header for header in headers[:12] if header) or "-",
            }
        )
    return found


# --- checking one row ---------------------------------------------------------------------------


class RowProblem(Exception):
    def __init__(self, key: str, value: str, reason: str):
        super().__init__(reason)
        self.key, self.value, self.reason = key, value, str(reason)


@dataclass
class Rejection:
    row_number: int
    column: str
    value: str
    reason: str


@dataclass
class Clean:
    """A valid row: its key, the model values it states, and where it stands."""

    number: int
    key: tuple
    key_column: str
    key_text: str
    values: dict
    latitude: float | None = None
    longitude: float | None = None
    village_code: str = ""  # named in the file
    nearest_code: str = ""  # the nearest village centre
    cells: dict[str, str] = field(default_factory=dict)  # the recognised cells, as written


@dataclass
class Context:
    kind: str
    headers: list[str]
    columns: dict[str, int]
    today: datetime.date
    default_source: str
    operators: dict[str, str] = field(default_factory=dict)  # lower-case → spelling kept
    scope: RegionScope = NATIONAL  # where the uploader may write

    def header(self, key: str) -> str:
        if key in self.columns:
            return self.headers[self.columns[key]]
        return next(column.name for column in COLUMNS[self.kind] if column.key == key)


class Row:
    """One data row's cells, read through the checks that refuse it with a reason."""

    def __init__(self, context: Context, number: int, values: list[str]):
        self.context, self.number, self.values = context, number, values

    def raw(self, key: str) -> str:
        index = self.context.columns.get(key)
        if index is None or index >= len(self.values):
            return ""
        return " ".join(self.values[index].split())

    def problem(self, key: str, reason: str, value: str | None = None) -> RowProblem:
        return RowProblem(key, self.raw(key) if value is None else value, reason)

    def text(self, key: str, *, limit: int, required: bool = False) -> str:
        value = self.raw(key)
        if required and not value:
            raise self.problem(
                key, _("%(column)s must not be empty.") % {"column": self.context.header(key)}
            )
        if len(value) > limit:
            raise self.problem(
                key,
                _("“%(value)s” is longer than %(limit)s characters.")
                % {"value": value if len(value) <= 40 else value[:40] + "…", "limit": limit},
            )
        return value

    def choice(self, key: str, accepted: dict, listed: str, *, required: bool = False) -> str:
        value = self.text(key, limit=100, required=required)
        if not value:
            return ""
        if simple(value) not in accepted:
            raise self.problem(
                key,
                _("“%(value)s” is not an accepted %(column)s; use one of: %(accepted)s.")
                % {"value": value, "column": self.context.header(key), "accepted": listed},
            )
        return accepted[simple(value)]

    def date(self, key: str, *, required: bool = False) -> datetime.date | None:
        value = self.text(key, limit=40, required=required)
        if not value:
            return None
        for pattern in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(value, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise self.problem(
                key,
                _("“%(value)s” is not a date (use 2024-12-31 or 31/12/2024).") % {"value": value},
            )
        if day > self.context.today:
            raise self.problem(key, _("“%(value)s” is in the future.") % {"value": value})
        return day

    def number_in_degrees(self, key: str) -> float:
        value = self.text(key, limit=40, required=True)
        text = value.replace("−", "-").replace(" ", "")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")  # a decimal comma
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise self.problem(
                key,
                _("“%(value)s” is not a number in decimal degrees (e.g. -10.2275).")
                % {"value": value},
            )
        return number

    def coordinates(self) -> tuple[float, float]:
        latitude = self.number_in_degrees("latitude")
        longitude = self.number_in_degrees("longitude")
        inside = (
            LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
            and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
        )
        if not inside:
            swapped = (
                LATITUDE_RANGE[0] <= longitude <= LATITUDE_RANGE[1]
                and LONGITUDE_RANGE[0] <= latitude <= LONGITUDE_RANGE[1]
            )
            place = {"latitude": self.raw("latitude"), "longitude": self.raw("longitude")}
            reason = (
                _("%(latitude)s, %(longitude)s is outside Indonesia; latitude and longitude look swapped.")
                if swapped
                else _(
                    "%(latitude)s, %(longitude)s is outside Indonesia (latitude -11.5 to 6.5, "
                    "longitude 94 to 141.5)."
                )
            ) % place  # fmt: skip
            raise self.problem("latitude", reason)
        return latitude, longitude

    def village_code(self, *, required: bool = False) -> str:
        value = self.text("village_code", limit=40, required=required)
        if not value:
            return ""
        digits = re.sub(r"\D", "", value)
        if len(digits) != 10 or not re.fullmatch(r"[\d.\-/\s]+", value):
            raise self.problem("village_code", _not_a_village(value))
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"

    def source(self) -> str:
        """The source named in the row, else the organisation the import is made for."""
        if self.context.default_source:
            return self.text("source", limit=150) or self.context.default_source
        return self.text("source", limit=150, required=True)

    def check_width(self) -> None:
        width = len(self.context.headers)
        if len(self.values) > width and any(value.strip() for value in self.values[width:]):
            raise RowProblem(
                "",
                "",
                _("The row has %(found)s values but the header names %(expected)s columns.")
                % {"found": len(self.values), "expected": width},
            )


def _not_a_village(code: str) -> str:
    return _("“%(code)s” is not a village code (e.g. 32.04.12.2001).") % {"code": code}


def clean_site(row: Row) -> Clean:
    operator = row.text("operator", limit=60, required=True)
    operator = row.context.operators.setdefault(operator.lower(), operator)
    code = row.text("code", limit=40, required=True)
    values = {"operator": operator, "code": code}
    if name := row.text("name", limit=150):
        values["name"] = name
    latitude, longitude = row.coordinates()
    values["latitude"], values["longitude"] = latitude, longitude
    village_code = row.village_code()
    values["technology"] = row.choice(
        "technology", TECHNOLOGIES, ACCEPTED["technology"], required=True
    )
    if terrain := row.choice("terrain", TERRAINS, ACCEPTED["terrain"]):
        values["terrain"] = terrain
    values["status"] = row.choice("status", STATUSES, ACCEPTED["status"], required=True)
    if backhaul := row.choice("backhaul", BACKHAULS, ACCEPTED["backhaul"]):
        values["backhaul"] = backhaul
    values["funding"] = row.choice("funding", FUNDINGS, ACCEPTED["funding"], required=True)
    for key in ("planned_on", "contracted_on", "built_on", "on_air_on"):
        if day := row.date(key):
            values[key] = day
    values["source"] = row.source()
    values["source_date"] = row.date("source_date", required=True)
    return Clean(
        number=row.number,
        key=(operator, code),
        key_column="code",
        key_text=f"{operator} {code}",
        values=values,
        latitude=latitude,
        longitude=longitude,
        village_code=village_code,
    )


def clean_point_of_presence(row: Row) -> Clean:
    code = row.text("code", limit=40, required=True)
    values = {"code": code, "name": row.text("name", limit=150, required=True)}
    if operator := row.text("operator", limit=60):
        values["operator"] = operator
    latitude, longitude = row.coordinates()
    values["latitude"], values["longitude"] = latitude, longitude
    values["source"] = row.source()
    values["source_date"] = row.date("source_date", required=True)
    return Clean(
        number=row.number,
        key=(code,),
        key_column="code",
        key_text=code,
        values=values,
        latitude=latitude,
        longitude=longitude,
    )


def clean_fact(row: Row) -> Clean:
    village_code = row.village_code(required=True)
    layer = row.choice("layer", LAYERS, ACCEPTED["layer"], required=True)
    if layer in (VillageFact.Layer.LAST_MILE, VillageFact.Layer.SIGNAL_CHECK):
        value = row.choice(
            "value", TECHNOLOGIES | NO_SIGNAL, ACCEPTED["fact_technology"], required=True
        )
    elif layer == VillageFact.Layer.MIDDLE_MILE:
        value = row.choice("value", BACKHAULS, ACCEPTED["backhaul"], required=True)
    else:
        value = row.text("value", limit=20, required=True)
    values = {"village_id": village_code, "layer": layer, "value": value}
    if detail := row.text("detail", limit=200):
        values["detail"] = detail
    values["source"] = row.source()
    values["observed_on"] = row.date("observed_on", required=True)
    key = (village_code, layer, value, values["source"], values["observed_on"])
    return Clean(
        number=row.number,
        key=key,
        key_column="village_code",
        key_text=" / ".join(str(part) for part in key),
        values=values,
        village_code=village_code,
    )


CLEANERS = {
    Kind.SITES: clean_site,
    Kind.POINTS_OF_PRESENCE: clean_point_of_presence,
    Kind.FACTS: clean_fact,
}


# --- checks across rows: villages, places, duplicates -------------------------------------------


def _rejection(row: Clean, context: Context, key: str, reason: str) -> Rejection:
    return Rejection(
        row_number=row.number,
        column=context.header(key)[:100] if key else "",
        value=row.cells.get(key, "")[:200],
        reason=str(reason)[:300],
    )


def _distance_km(latitude_1, longitude_1, latitude_2, longitude_2) -> float:
    points = coverage.unit_vectors([latitude_1, latitude_2], [longitude_1, longitude_2])
    return float(coverage.arc_km(np.linalg.norm(points[0] - points[1])))


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def place_rows(rows: list[Clean], context: Context) -> tuple[list[Clean], list[Rejection]]:
    """Check named villages and coordinates; give each located row its nearest village."""
    named = sorted({row.village_code for row in rows if row.village_code})
    villages = {}
    for chunk in _chunks(named):
        found = Village.objects.filter(code__in=chunk)
        for code, name, latitude, longitude in found.values_list(
            "code", "name", "latitude", "longitude"
        ):
            villages[code] = (name, latitude, longitude)
    located = [row for row in rows if row.latitude is not None]
    if located:
        points = coverage.VillagePoints.load()
        if points.codes:
            chords, indexes = points.tree.query(
                coverage.unit_vectors(
                    [row.latitude for row in located], [row.longitude for row in located]
                ),
                k=1,
            )
            for row, km, index in zip(located, coverage.arc_km(chords), indexes, strict=True):
                if km <= MAX_KM_FROM_VILLAGE:
                    row.nearest_code = points.codes[index]
    good, rejections = [], []
    for row in rows:
        if row.village_code and row.village_code not in villages:
            reason = _not_a_village(row.cells.get("village_code", ""))
            rejections.append(_rejection(row, context, "village_code", reason))
        elif row.latitude is not None and not row.nearest_code:
            reason = _(
                "%(latitude)s, %(longitude)s is more than %(limit)s km from every village "
                "centre; check the coordinates."
            ) % {
                "latitude": row.cells.get("latitude", ""),
                "longitude": row.cells.get("longitude", ""),
                "limit": int(MAX_KM_FROM_VILLAGE),
            }
            rejections.append(_rejection(row, context, "latitude", reason))
        elif distance := _too_far_from_named_village(row, villages):
            name = villages[row.village_code][0]
            reason = _(
                "The coordinates are %(distance)s km from the centre of %(code)s %(name)s (the "
                "limit is %(limit)s km); check the village code or the coordinates."
            ) % {
                "distance": f"{distance:.1f}",
                "code": row.village_code,
                "name": name,
                "limit": int(MAX_KM_FROM_NAMED_VILLAGE),
            }
            rejections.append(_rejection(row, context, "village_code", reason))
        else:
            good.append(row)
    return good, rejections


def _too_far_from_named_village(row: Clean, villages: dict) -> float | None:
    """The distance to the named village's centre when it is beyond the limit, else None."""
    if not row.village_code or row.latitude is None:
        return None
    _name, latitude, longitude = villages[row.village_code]
    if latitude is None or longitude is None:
        return None
    distance = _distance_km(row.latitude, row.longitude, latitude, longitude)
    return distance if distance > MAX_KM_FROM_NAMED_VILLAGE else None


def _scope_of(by) -> RegionScope:
    """Where ``by`` may write connectivity data; commands (no person) write everywhere."""
    if by is None:
        return NATIONAL
    return scope_for(by, roles=roles_with(Capability.PLAN_INFRASTRUCTURE))


def keep_in_scope(rows: list[Clean], context: Context) -> tuple[list[Clean], list[Rejection]]:
    """Rows about a village outside the uploader's regions are refused, naming the village."""
    if context.scope.is_national:
        return rows, []
    good, rejections = [], []
    for row in rows:
        code = row.village_code or row.nearest_code
        if code and not context.scope.allows(code):
            reason = _(
                "Village %(code)s is outside your regions; only your regions' data can be imported."
            ) % {"code": code}
            column = "village_code" if row.village_code else "latitude"
            rejections.append(_rejection(row, context, column, reason))
            continue
        good.append(row)
    return good, rejections


def drop_duplicates(rows: list[Clean], context: Context) -> tuple[list[Clean], list[Rejection]]:
    """The first valid row of each key stays; a later one is refused, naming the first."""
    first: dict[tuple, int] = {}
    good, rejections = [], []
    for row in rows:
        if row.key in first:
            reason = _(
                "“%(key)s” appears twice in this file (first in row %(row)s); only that row is "
                "imported."
            ) % {"key": row.key_text, "row": first[row.key]}
            rejections.append(_rejection(row, context, row.key_column, reason))
            continue
        first[row.key] = row.number
        good.append(row)
    return good, rejections


def check_rows(table: Table, context: Context) -> tuple[list[Clean], list[Rejection]]:
    """Every row either clean or refused with its reason; nothing is written here."""
    cleaner = CLEANERS[context.kind]
    clean, rejections = [], []
    for number, values in table.rows:
        row = Row(context, number, values)
        cells = {key: row.raw(key) for key in context.columns}
        try:
            row.check_width()
            found = cleaner(row)
        except RowProblem as problem:
            rejections.append(
                Rejection(
                    row_number=number,
                    column=context.header(problem.key)[:100] if problem.key else "",
                    value=problem.value[:200],
                    reason=problem.reason[:300],
                )
            )
            continue
        found.cells = cells
        clean.append(found)
    clean, refused = place_rows(clean, context)
    rejections += refused
    clean, refused = keep_in_scope(clean, context)
    rejections += refused
    clean, refused = drop_duplicates(clean, context)
    rejections += refused
    rejections.sort(key=lambda rejection: rejection.row_number)
    return clean, rejections


# --- writing ----------------------------------------------------------------------------------


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _locked(model: type[Model], pks: Iterable[int]) -> list:
    """Rows by primary key, locked in key order (a no-op on SQLite, which has one writer)."""
    found = []
    for chunk in _chunks(sorted(pks)):
        found += model.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
    return found


def _apply(instance: Model, values: dict, names: list[str]) -> bool:
    """Set the stated values that differ; True when anything changed."""
    changed = False
    for name in names:
        if name in values and getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed = True
    return changed


def _village_for(row: Clean, existing) -> str:
    """The named village; else the one the ledger has if the place is the same; else the nearest."""
    if row.village_code:
        return row.village_code
    if existing is not None and (existing.latitude, existing.longitude) == (
        row.latitude,
        row.longitude,
    ):
        return existing.village_id
    return row.nearest_code


def _event_date(site: Site) -> datetime.date:
    """A status change happened on the status's own date when the file gives it, else on the
    date of the source that reports it."""
    own = STATUS_DATES.get(site.status)
    return (getattr(site, own) if own else None) or site.source_date


def write_sites(rows: list[Clean], *, by: User | None, note: str) -> Written:
    written = Written()
    pks = []
    for chunk in _chunks(rows):
        keys = {row.key for row in chunk}
        pks += [
            pk
            for pk, operator, code in Site.objects.filter(
                operator__in={operator for operator, _code in keys},
                code__in={code for _operator, code in keys},
            ).values_list("pk", "operator", "code")
            if (operator, code) in keys
        ]
    existing = {(site.operator, site.code): site for site in _locked(Site, pks)}
    new, changed, events = [], [], []
    now = timezone.now()
    for row in rows:
        site = existing.get(row.key)
        values = {**row.values, "village_id": _village_for(row, site)}
        if site is None:
            site = Site(**values)
            new.append(site)
            events.append((site, ""))
            continue
        old_status = site.status
        if _apply(site, values, SITE_FIELDS):
            site.updated_at = now
            changed.append(site)
            if site.status != old_status:
                events.append((site, old_status))
        else:
            written.unchanged += 1
    Site.objects.bulk_create(new, batch_size=1000)
    Site.objects.bulk_update(changed, [*SITE_FIELDS, "updated_at"], batch_size=1000)
    SiteEvent.objects.bulk_create(
        SiteEvent(
            site=site,
            from_status=from_status,
            to_status=site.status,
            occurred_on=_event_date(site),
            note=note[:300],
            by=by,
        )
        for site, from_status in events
    )
    written.created, written.updated = len(new), len(changed)
    return written


def write_points_of_presence(rows: list[Clean]) -> Written:
    written = Written()
    codes = [row.key[0] for row in rows]
    pks = []
    for chunk in _chunks(codes):
        pks += PointOfPresence.objects.filter(code__in=chunk).values_list("pk", flat=True)
    existing = {point.code: point for point in _locked(PointOfPresence, pks)}
    new, changed = [], []
    for row in rows:
        point = existing.get(row.key[0])
        values = {**row.values, "village_id": _village_for(row, point)}
        if point is None:
            new.append(PointOfPresence(**values))
        elif _apply(point, values, POP_FIELDS):
            changed.append(point)
        else:
            written.unchanged += 1
    now = timezone.now()
    for point in changed:
        point.updated_at = now
    PointOfPresence.objects.bulk_create(new, batch_size=1000)
    PointOfPresence.objects.bulk_update(changed, [*POP_FIELDS, "updated_at"], batch_size=1000)
    written.created, written.updated = len(new), len(changed)
    return written


def write_facts(rows: list[Clean], *, by: User | None, batch: ConnectivityImport) -> Written:
    written = Written()
    villages = sorted({row.village_code for row in rows})
    pks = []
    for chunk in _chunks(villages):
        pks += VillageFact.objects.filter(village_id__in=chunk).values_list("pk", flat=True)
    existing = {
        (fact.village_id, fact.layer, fact.value, fact.source, fact.observed_on): fact
        for fact in _locked(VillageFact, pks)
    }
    new, changed = [], []
    for row in rows:
        fact = existing.get(row.key)
        if fact is None:
            new.append(VillageFact(**row.values, batch=batch, recorded_by=by))
        elif _apply(fact, row.values, ["detail"]):
            changed.append(fact)
        else:
            written.unchanged += 1
    VillageFact.objects.bulk_create(new, batch_size=1000)
    VillageFact.objects.bulk_update(changed, ["detail"], batch_size=1000)
    written.created, written.updated = len(new), len(changed)
    return written


# --- the import -------------------------------------------------------------------------------


def import_csv(
    *,
    path: Path,
    kind: str,
    organisation: Organisation | None = None,
    by: User | None = None,
    file_name: str | None = None,
    scope: RegionScope | None = None,
) -> ConnectivityImport:
    """Import a CSV of ``kind`` (sites, pops, facts); return the batch with its counts.

    Rows about villages outside ``scope`` (by default the regions where ``by`` plans) are refused.
    Raises ``ValidationError`` when the file cannot be read (nothing is written then). Rows are
    all checked first, then the good ones written in one transaction; the ledger is recomputed
    when anything was created or updated.
    """
    if kind not in Kind.values:
        raise ValidationError(
            _("Unknown kind of import “%(kind)s”; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Kind.values)}
        )
    file_name = file_name or path.name
    table = read_csv(path)
    columns = map_columns(kind, table.headers, source_required=organisation is None)
    context = Context(
        kind=kind,
        headers=table.headers,
        columns=columns,
        today=timezone.localdate(),
        default_source=organisation.name[:150] if organisation else "",
        scope=scope or _scope_of(by),
    )
    if kind == Kind.SITES:
        for operator in (
            Site.objects.order_by("operator").values_list("operator", flat=True).distinct()
        ):
            context.operators.setdefault(operator.lower(), operator)
    with translation.override(settings.LANGUAGE_CODE):  # reasons are kept in Indonesian
        clean, rejections = check_rows(table, context)
    with transaction.atomic():
        batch = ConnectivityImport.objects.create(
            kind=kind,
            organisation=organisation,
            uploaded_by=by,
            file_name=file_name[:255],
            file_sha256=table.sha256,
            total_rows=len(table.rows),
            rejected_count=len(rejections),
        )
        if kind == Kind.SITES:
            written = write_sites(clean, by=by, note=f"import {file_name}")
        elif kind == Kind.POINTS_OF_PRESENCE:
            written = write_points_of_presence(clean)
        else:
            written = write_facts(clean, by=by, batch=batch)
        ConnectivityRejection.objects.bulk_create(
            (
                ConnectivityRejection(
                    batch=batch,
                    row_number=rejection.row_number,
                    column=rejection.column,
                    value=rejection.value,
                    reason=rejection.reason,
                )
                for rejection in rejections
            ),
            batch_size=1000,
        )
        batch.created_count = written.created
        batch.updated_count = written.updated
        batch.unchanged_count = written.unchanged
        batch.save(update_fields=["created_count", "updated_count", "unchanged_count"])
        record_event(
            actor=by,
            action="connectivity.imported",
            target=batch,
            region_code=organisation.region_code if organisation else "",
            data={
                "kind": kind,
                "file": file_name,
                "rows": batch.total_rows,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
                "rejected": batch.rejected_count,
            },
        )
    if written.created or written.updated:
        coverage.recompute()  # coverage, fibre distances and reported facts changed
    return batch
