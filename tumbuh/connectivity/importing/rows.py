"""Checking one row: its cells read through checks that refuse it with a reason, and the
cleaner of each kind (sites, points of presence, village facts).
"""

import datetime
import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tumbuh.accounts.scoping import NATIONAL, RegionScope
from tumbuh.connectivity.importing.columns import (
    ACCEPTED,
    BACKHAULS,
    COLUMNS,
    FUNDINGS,
    LAYERS,
    NO_SIGNAL,
    STATUSES,
    TECHNOLOGIES,
    TERRAINS,
)
from tumbuh.connectivity.importing.common import Kind, _not_a_village, simple
from tumbuh.connectivity.models import VillageFact

LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.0, 141.5)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S")


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
