"""Checks across rows: named villages and distances to village centres, the uploader's
regions, and keys that appear twice; then every row is clean or refused.

NumPy is imported where a distance is measured, as in ``coverage``: not at start-up.
"""

from django.utils.translation import gettext as _

from tumbuh.connectivity import coverage
from tumbuh.connectivity.importing.common import _chunks, _not_a_village
from tumbuh.connectivity.importing.reading import Table
from tumbuh.connectivity.importing.rows import CLEANERS, Clean, Context, Rejection, Row, RowProblem
from tumbuh.regions.models import Village

MAX_KM_FROM_VILLAGE = 50.0  # a point farther from every village centre is at sea or mistyped
MAX_KM_FROM_NAMED_VILLAGE = 30.0  # a site named to a village must stand near it


def _rejection(row: Clean, context: Context, key: str, reason: str) -> Rejection:
    return Rejection(
        row_number=row.number,
        column=context.header(key)[:100] if key else "",
        value=row.cells.get(key, "")[:200],
        reason=str(reason)[:300],
    )


def _distance_km(latitude_1, longitude_1, latitude_2, longitude_2) -> float:
    import numpy as np

    points = coverage.unit_vectors([latitude_1, latitude_2], [longitude_1, longitude_2])
    return float(coverage.arc_km(np.linalg.norm(points[0] - points[1])))


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
