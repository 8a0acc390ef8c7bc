"""Maps drawn on the server as inline SVG from the shipped boundaries (no tiles, no scripts).

:func:`choropleth` colours provinces or regencies by a value (4G coverage share, businesses
waiting); :func:`point_map` draws points (villages) inside one regency. Both return a
``SafeString`` to put straight into a page: a ``viewBox`` 1000 units wide, ``width="100%"``, the
legend drawn inside, a ``<title>`` on every shape and point (a tooltip on hover), no scripts, no
styles (the Content Security Policy allows neither inline), no external references. A map
without links is ``role="img"`` named by its title, so assistive technology reads only that name:
put the figures in a table next to the map. A map with links is ``role="group"``, so the links
(named by their titles) stay reachable.

Projection: plate carrée with longitudes scaled by the cosine of the drawn extent's middle
latitude (equirectangular). Indonesia lies within 11° of the equator, so shapes and areas are off
by less than 2 % and any map of a province or regency by much less; north is up.

Geometry, with shapely: at the scale of a map every island or hole under 1.5 square units is left
out, except a shape's largest ring (so every shape stays on the map, in tenths of a unit if it is
smaller than one); each ring is simplified with Douglas–Peucker to half a unit
(``shapely.simplify`` on the ring as a closed line, topology preserved: no stretch moves more
than half a unit and a ring never crosses itself), and the neighbours around a regency are cut
to the frame (``shapely.clip_by_rect``). Coordinates are whole viewBox
units in relative path commands. The path strings depend only on the level and the extent, so
they are computed once per process and cached; a call only adds the fills, titles, links and
legend.

Numbers are written the Indonesian way whatever the language (thousands with dots, decimal
comma, "45,3 %"), like the ``thousands`` template filter.
"""

import bisect
import hashlib
import html
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.core.money import decimal_text as format_number
from tumbuh.regions.boundaries import Layer, layer

WIDTH = 1000  # viewBox units
MARGIN = 10
MAX_MAP_HEIGHT = 700  # a tall province or regency is drawn narrower, centred
SIMPLIFY_TOLERANCE = 0.5  # Douglas–Peucker, in viewBox units (tenths for a shape under a unit)
RING_MIN_AREA_PX2 = 1.5  # smaller islands and holes are left out
LEGEND_FONT_SIZE = 18
LEGEND_ROW_HEIGHT = 28
LEGEND_COLUMNS = 3

# ColorBrewer YlGnBu (sequential, colour-blind safe), by number of classes.
SEQUENTIAL = {
    1: ["#41b6c4"],
    2: ["#a1dab4", "#225ea8"],
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    8: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    9: [
        "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4",
        "#1d91c0", "#225ea8", "#253494", "#081d58",
    ],
}  # fmt: skip
# Okabe–Ito (qualitative, colour-blind safe), in the order categories are given.
CATEGORICAL = [
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#56b4e9",
    "#f0e442",
    "#000000",
]
NO_DATA_BACKGROUND = "#f2f2f2"
NO_DATA_LINE = "#8c8c8c"
QUANTILES = (0.2, 0.4, 0.6, 0.8)  # default classes: quintiles of the drawn shapes' values


@dataclass(frozen=True)
class MapPoint:
    """One place on a point map; ``category`` picks its colour and legend entry."""

    latitude: float
    longitude: float
    label: str
    category: str


# --- geometry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Degrees to viewBox units: ``x = offset_x + (longitude - west) * kx * scale``."""

    west: float
    north: float
    kx: float
    scale: float  # viewBox units per degree of latitude
    offset_x: float
    offset_y: float
    height: int  # of the map area

    def project(self, longitude, latitude):
        x = self.offset_x + (np.asarray(longitude) - self.west) * self.kx * self.scale
        y = self.offset_y + (self.north - np.asarray(latitude)) * self.scale
        return x, y

    @property
    def square_px_per_square_degree(self) -> float:
        return self.kx * self.scale * self.scale


def _frame(west: float, south: float, east: float, north: float) -> _Frame:
    kx = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * kx, 1e-6), max(north - south, 1e-6)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (MAX_MAP_HEIGHT - 2 * MARGIN) / span_y)
    return _Frame(
        west=west,
        north=north,
        kx=kx,
        scale=scale,
        offset_x=(WIDTH - span_x * scale) / 2,
        offset_y=MARGIN,
        height=math.ceil(span_y * scale + 2 * MARGIN),
    )


def _kept_rings(boundaries: Layer, shapes: np.ndarray, frame: _Frame) -> np.ndarray:
    """The rings of ``shapes`` worth drawing at the frame's scale, in order: every ring of at
    least ``RING_MIN_AREA_PX2`` square units, and the largest ring of each shape."""
    selected = np.zeros(len(boundaries.codes), dtype=bool)
    selected[shapes] = True
    largest = np.maximum.reduceat(boundaries.ring_area, boundaries.shape_offsets[:-1])
    ring_shape = boundaries.ring_shape
    keep = selected[ring_shape] & (
        (boundaries.ring_area * frame.square_px_per_square_degree >= RING_MIN_AREA_PX2)
        | (boundaries.ring_area == largest[ring_shape])
    )
    return np.flatnonzero(keep)


def _ring_lines(boundaries: Layer, rings: np.ndarray, frame: _Frame) -> np.ndarray:
    """Each of ``rings`` (ascending ring numbers) as a closed shapely line in viewBox units."""
    points = np.isin(boundaries.point_ring, rings)
    x, y = frame.project(boundaries.longitude[points], boundaries.latitude[points])
    owner = np.searchsorted(rings, boundaries.point_ring[points])
    closed = shapely.linearrings(np.column_stack([x, y]), indices=owner)  # repeats each first point
    coordinates, index = shapely.get_coordinates(closed, return_index=True)
    return shapely.linestrings(coordinates, indices=index)


def simplified(lines: np.ndarray, tolerance: float = SIMPLIFY_TOLERANCE) -> np.ndarray:
    """Rings (closed lines) simplified with Douglas–Peucker to ``tolerance`` viewBox units.

    Only points are removed, and no stretch of a ring ends up further than ``tolerance`` from
    where it was; the topology is preserved, so a ring never comes to cross itself (it keeps
    the points that prevent it). Simplified as lines, not polygons, so the first point stays:
    GEOS also drops a polygon's first point when it can, which may move the stretch next to it
    up to twice the tolerance.
    """
    return shapely.simplify(lines, tolerance, preserve_topology=True)


def _polygons(lines: np.ndarray) -> np.ndarray:
    """Closed lines of at least four points (three and the repeated first) as polygons."""
    lines = lines[shapely.get_num_coordinates(lines) >= 4]
    coordinates, index = shapely.get_coordinates(lines, return_index=True)
    return shapely.polygons(shapely.linearrings(coordinates, indices=index))


def _points(rings: np.ndarray, numbers: np.ndarray):
    """The points of ``rings`` (shapely lines or rings, one per number in ``numbers``) as x, y
    and the ring number of each point."""
    coordinates, index = shapely.get_coordinates(rings, return_index=True)
    return coordinates[:, 0], coordinates[:, 1], numbers[index]


def _encode(x, y, rings, shapes, *, tenths: bool = False) -> dict[int, str]:
    """Path data per shape: relative commands on whole units (or tenths), rings of ≥ 3 points.

    Consecutive points that round to the same unit are merged, as is a last point equal to the
    first; a ring left with fewer than three points is dropped.
    """
    factor = 10 if tenths else 1
    qx = np.rint(x * factor).astype(np.int64)
    qy = np.rint(y * factor).astype(np.int64)
    same = np.zeros(len(qx), dtype=bool)
    same[1:] = (qx[1:] == qx[:-1]) & (qy[1:] == qy[:-1]) & (rings[1:] == rings[:-1])
    qx, qy, rings, shapes = qx[~same], qy[~same], rings[~same], shapes[~same]
    if not len(qx):
        return {}
    is_start = np.diff(rings, prepend=-1) != 0
    starts = np.flatnonzero(is_start)
    lasts = np.append(starts[1:], len(rings)) - 1
    closing = lasts[(qx[lasts] == qx[starts]) & (qy[lasts] == qy[starts]) & (lasts > starts)]
    keep = np.ones(len(qx), dtype=bool)
    keep[closing] = False
    ring_number = np.cumsum(is_start) - 1
    keep &= np.bincount(ring_number, weights=keep)[ring_number] >= 3
    qx, qy, rings, shapes = qx[keep], qy[keep], rings[keep], shapes[keep]
    if not len(qx):
        return {}
    starts = np.flatnonzero(np.diff(rings, prepend=-1))
    dx, dy = np.diff(qx, prepend=0), np.diff(qy, prepend=0)
    # A ring's first point is relative to the previous ring's first point (where "z" leaves the
    # pen); the first ring of a shape is absolute (a path's first "m" is read as absolute, and the
    # pairs after any "m" as relative lines).
    start_shapes = shapes[starts]
    new_shape = np.diff(start_shapes, prepend=-1) != 0
    reference_x = np.where(new_shape, 0, np.roll(qx[starts], 1))
    reference_y = np.where(new_shape, 0, np.roll(qy[starts], 1))
    dx[starts], dy[starts] = qx[starts] - reference_x, qy[starts] - reference_y
    if tenths:
        pairs = [f"{a / 10:g} {b / 10:g}" for a, b in zip(dx.tolist(), dy.tolist(), strict=True)]
    else:
        pairs = [f"{a} {b}" for a, b in zip(dx.tolist(), dy.tolist(), strict=True)]
    ends = np.append(starts[1:], len(qx))
    paths: dict[int, list[str]] = {}
    for start, end, shape in zip(
        starts.tolist(), ends.tolist(), start_shapes.tolist(), strict=True
    ):
        paths.setdefault(shape, []).append(f"m{' '.join(pairs[start:end])}z")
    return {shape: "".join(parts).replace(" -", "-") for shape, parts in paths.items()}


def _shape_paths(boundaries: Layer, shapes: np.ndarray, frame: _Frame) -> dict[int, str]:
    """Path data of every shape, each drawn at least as its largest ring."""
    rings = _kept_rings(boundaries, shapes, frame)
    x, y, numbers = _points(simplified(_ring_lines(boundaries, rings, frame)), rings)
    paths = _encode(x, y, numbers, boundaries.ring_shape[numbers])
    missing = [shape for shape in shapes.tolist() if shape not in paths]
    if missing:
        # Shapes smaller than a unit (a city on the national map): their largest ring in tenths.
        selected = np.isin(boundaries.ring_shape, missing)
        area = np.where(selected, boundaries.ring_area, -1.0)
        largest = np.maximum.reduceat(area, boundaries.shape_offsets[:-1])
        rings = np.flatnonzero(selected & (area == largest[boundaries.ring_shape]))
        lines = simplified(_ring_lines(boundaries, rings, frame), SIMPLIFY_TOLERANCE / 10)
        x, y, numbers = _points(lines, rings)
        paths.update(_encode(x, y, numbers, boundaries.ring_shape[numbers], tenths=True))
    return paths


@dataclass(frozen=True)
class _Drawing:
    frame: _Frame
    codes: tuple[str, ...]
    paths: tuple[str, ...]


@lru_cache(maxsize=128)
def _choropleth_drawing(level: str, within: str | None) -> _Drawing:
    boundaries = layer(level)
    if within is None:
        shapes = np.arange(len(boundaries.codes))
    else:
        shapes = np.array(
            [i for i, code in enumerate(boundaries.codes) if code.split(".")[0] == within]
        )
        if not len(shapes):
            raise ValueError(f"no regencies within province {within!r}")
    west, south = boundaries.bounds[shapes, 0].min(), boundaries.bounds[shapes, 1].min()
    east, north = boundaries.bounds[shapes, 2].max(), boundaries.bounds[shapes, 3].max()
    frame = _frame(float(west), float(south), float(east), float(north))
    paths = _shape_paths(boundaries, shapes, frame)
    return _Drawing(
        frame=frame,
        codes=tuple(boundaries.codes[i] for i in shapes.tolist()),
        paths=tuple(paths.get(i, "") for i in shapes.tolist()),
    )


@lru_cache(maxsize=128)
def _regency_drawing(regency_code: str) -> tuple[_Frame, str, str]:
    """The frame around one regency, its outline, and its neighbours cut to the frame."""
    boundaries = layer("regency")
    if regency_code not in boundaries.positions:
        raise ValueError(f"no regency boundary with code {regency_code!r}")
    own = boundaries.index(regency_code)
    frame = _frame(*boundaries.bounds_of(regency_code))
    # The visible extent in degrees (the frame is wider than the regency if it is tall).
    west = frame.west - frame.offset_x / (frame.kx * frame.scale)
    east = west + WIDTH / (frame.kx * frame.scale)
    north = frame.north + frame.offset_y / frame.scale
    south = frame.north - (frame.height - frame.offset_y) / frame.scale
    b = boundaries.bounds
    nearby = np.flatnonzero(
        (b[:, 0] <= east) & (b[:, 2] >= west) & (b[:, 1] <= north) & (b[:, 3] >= south)
    )
    nearby = nearby[nearby != own]
    lines = simplified(_ring_lines(boundaries, _kept_rings(boundaries, nearby, frame), frame))
    # Cut to the frame (2 units beyond it, so no edge shows); a ring may fall apart in pieces.
    box = (-2.0, -2.0, WIDTH + 2.0, frame.height + 2.0)
    pieces = shapely.get_parts(shapely.clip_by_rect(_polygons(lines), *box))
    rings = shapely.get_rings(pieces)
    x, y, numbers = _points(rings, np.arange(len(rings)))
    # All neighbours in one path: one shape number for all, so the path continues relative.
    neighbours = _encode(x, y, numbers, np.zeros_like(numbers)).get(0, "")
    outline = _shape_paths(boundaries, np.array([own]), frame)[own]
    return frame, outline, neighbours


# --- SVG ------------------------------------------------------------------------------------


def escape(text) -> str:
    """Text for an XML attribute or element (the standard library's escape: & < > " ')."""
    return html.escape(str(text))


def _legend(
    items: Sequence[tuple[str, str]], top: float, heading: str = "", notes=()
) -> tuple[str, int]:
    """Legend rows under the map: ``items`` are (swatch fill, text); returns SVG and height."""
    parts = [f'<g font-size="{LEGEND_FONT_SIZE}" fill="#222">']
    y = top + 6
    if heading:
        y += LEGEND_ROW_HEIGHT
        parts.append(
            f'<text x="{MARGIN}" y="{y - 8:.0f}" font-weight="bold">{escape(heading)}</text>'
        )
    column_width = (WIDTH - 2 * MARGIN) // LEGEND_COLUMNS
    for number, (fill, text) in enumerate(items):
        column = number % LEGEND_COLUMNS
        if column == 0:
            y += LEGEND_ROW_HEIGHT
        x = MARGIN + column * column_width
        parts.append(
            f'<rect x="{x}" y="{y - 22:.0f}" width="28" height="18" fill="{fill}" stroke="#666"'
            f' stroke-width="0.5"/><text x="{x + 36}" y="{y - 8:.0f}">{escape(text)}</text>'
        )
    for note in notes:
        y += LEGEND_ROW_HEIGHT
        parts.append(f'<text x="{MARGIN}" y="{y - 8:.0f}">{escape(note)}</text>')
    parts.append("</g>")
    return "".join(parts), math.ceil(y - top + 6)


def _svg(*, title: str, height: int, body: str, interactive: bool) -> SafeString:
    # A role="img" hides its children from assistive technology, so a map with links is a group.
    role = "group" if interactive else "img"
    label = escape(title)
    return mark_safe(  # noqa: S308 - every text and attribute value below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' role="{role}" aria-label="{label}"><title>{label}</title>{body}</svg>'
    )


def _checked_href(url: str) -> str:
    if not (url.startswith("/") or url.startswith(("https://", "http://"))) or url.startswith("//"):
        raise ValueError(f"a map link must be a path or an http(s) URL, not {url!r}")
    return escape(url)


def _breaks(values: list[float], percent: bool) -> list[float]:
    if not values:
        return []
    quantiles = np.quantile(values, QUANTILES, method="inverted_cdf")
    digits = 3 if percent else (0 if all(float(v).is_integer() for v in values) else 1)
    breaks = sorted({round(float(q), digits) for q in quantiles})
    return [value for value in breaks if value > min(values)]


def _class_labels(breaks: Sequence[float], values: list[float], percent: bool) -> list[str]:
    def text(value):
        return format_number(value, percent=percent)

    if not breaks:
        if not values:
            return []
        low, high = min(values), max(values)
        return [text(low) if low == high else f"{text(low)} – {text(high)}"]
    labels = [f"< {text(breaks[0])}"]
    labels += [f"{text(low)} – {text(high)}" for low, high in itertools.pairwise(breaks)]
    labels.append(f"≥ {text(breaks[-1])}")
    return labels


def choropleth(
    level: str,
    values: Mapping[str, float | None],
    *,
    title: str,
    legend: str,
    bins: Sequence[float] | None = None,
    within: str | None = None,
    href: Callable[[str], str | None] | None = None,
    labels: Mapping[str, str] | None = None,
    percent: bool = False,
) -> SafeString:
    """Provinces or regencies of Indonesia coloured by ``values`` (Kemendagri code → number).

    ``level`` is "province" or "regency"; ``within`` (a province code, regencies only) draws
    only that province's regencies, filling the frame. ``bins`` are the class breaks, ascending:
    ``[20, 40]`` makes three classes, below 20, from 20 up to 40, and 40 or more; by default the
    breaks are the quintiles of the drawn shapes' values. ``bins`` are in the unit of the values.
    A missing, None or NaN value is drawn hatched as "No data". With ``percent`` the values (and
    bins) are shares: 0.453 is shown "45,3 %".
    ``labels`` name the shapes (code otherwise); ``href`` makes a shape a link when it returns a
    URL (a path or http(s) only). ``title`` is the accessible name; ``legend`` heads the legend.
    """
    if level not in ("province", "regency"):
        raise ValueError(f"level must be 'province' or 'regency', not {level!r}")
    if within is not None and level != "regency":
        raise ValueError("within (a province code) only applies to the regency level")
    drawing = _choropleth_drawing(level, within)
    labels = labels or {}

    drawn: dict[str, float | None] = {}
    for code in drawing.codes:
        value = values.get(code)
        value = None if value is None else float(value)
        drawn[code] = value if value is not None and math.isfinite(value) else None
    present = [value for value in drawn.values() if value is not None]
    if bins is None:
        breaks = _breaks(present, percent)
    else:
        breaks = [float(value) for value in bins]
        if any(low >= high for low, high in itertools.pairwise(breaks)):
            raise ValueError("bins must be strictly increasing")
    class_labels = _class_labels(breaks, present, percent)
    if len(class_labels) > len(SEQUENTIAL):
        raise ValueError(f"at most {len(SEQUENTIAL)} classes ({len(SEQUENTIAL) - 1} bins)")
    palette = SEQUENTIAL.get(len(class_labels), [])

    # The hatch pattern's id must not clash with another map's on the same page.
    digest = hashlib.blake2s(
        repr((level, within, str(title), str(legend), breaks, tuple(drawn.values()))).encode(),
        digest_size=4,
    ).hexdigest()
    no_data = f"nodata-{digest}"
    parts = [
        f'<defs><pattern id="{no_data}" width="6" height="6" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="6" height="6" fill="{NO_DATA_BACKGROUND}"/>'
        f'<path d="M0 0v6" stroke="{NO_DATA_LINE}" stroke-width="1.5"/></pattern></defs>',
        f'<g stroke="#fff" stroke-width="{0.5 if within is None else 1}" stroke-linejoin="round"'
        ' fill-rule="evenodd">',
    ]
    no_data_text = _("No data")
    interactive = False
    for code, path in zip(drawing.codes, drawing.paths, strict=True):
        value = drawn[code]
        if value is None:
            fill, shown = f"url(#{no_data})", no_data_text
        else:
            fill = palette[bisect.bisect_right(breaks, value)]
            shown = format_number(value, percent=percent)
        name = escape(f"{labels.get(code, code)}: {shown}")
        url = href(code) if href else None
        if url:
            interactive = True
            parts.append(
                f'<a href="{_checked_href(url)}"><title>{name}</title>'
                f'<path data-code="{code}" d="{path}" fill="{fill}"/></a>'
            )
        else:
            parts.append(
                f'<path data-code="{code}" d="{path}" fill="{fill}"><title>{name}</title></path>'
            )
    parts.append("</g>")
    items = [*zip(palette, class_labels, strict=True), (f"url(#{no_data})", no_data_text)]
    legend_svg, legend_height = _legend(items, drawing.frame.height, heading=legend)
    parts.append(legend_svg)
    return _svg(
        title=title,
        height=drawing.frame.height + legend_height,
        body="".join(parts),
        interactive=interactive,
    )


def point_map(
    regency_code: str,
    points: Sequence[MapPoint],
    *,
    title: str,
    categories: Mapping[str, str],
) -> SafeString:
    """Points (villages, sites) as small circles over one regency and its neighbours, faint.

    ``categories`` maps each point's category to its legend text, in legend order; colours are
    assigned in that order. A point outside the drawn extent (a wrong coordinate) is left out and
    the legend says how many were.
    """
    if len(categories) > len(CATEGORICAL):
        raise ValueError(f"at most {len(CATEGORICAL)} categories")
    frame, outline, neighbours = _regency_drawing(regency_code)
    unknown = {point.category for point in points} - set(categories)
    if unknown:
        raise ValueError(f"points with categories not in the legend: {', '.join(sorted(unknown))}")

    parts = []
    if neighbours:
        parts.append(f'<path d="{neighbours}" fill="#e6e6e6" stroke="#fff" fill-rule="evenodd"/>')
    parts.append(
        f'<path d="{outline}" fill="#fcfcfc" stroke="#444" stroke-width="1.5"'
        ' stroke-linejoin="round" fill-rule="evenodd"/>'
    )
    outside = 0
    counts = dict.fromkeys(categories, 0)
    if points:
        x, y = frame.project(
            [float(point.longitude) for point in points],
            [float(point.latitude) for point in points],
        )
        inside = (x >= 0) & (x <= WIDTH) & (y >= 0) & (y <= frame.height)
        outside = int((~inside).sum())
        by_category: dict[str, list[str]] = {category: [] for category in categories}
        for point, px, py, shown in zip(
            points, x.tolist(), y.tolist(), inside.tolist(), strict=True
        ):
            if not shown:
                continue
            counts[point.category] += 1
            name = escape(f"{point.label}: {categories[point.category]}")
            by_category[point.category].append(
                f'<circle cx="{px:.0f}" cy="{py:.0f}" r="4"><title>{name}</title></circle>'
            )
        for colour, category in zip(CATEGORICAL, categories, strict=False):
            if by_category[category]:
                parts.append(f'<g fill="{colour}" stroke="#fff" stroke-width="0.75">')
                parts.extend(by_category[category])
                parts.append("</g>")
    items = [
        (colour, f"{text} ({format_number(counts[category])})")
        for colour, (category, text) in zip(CATEGORICAL, categories.items(), strict=False)
    ]
    notes = []
    if outside:
        notes.append(
            ngettext(
                "%(count)s point lies outside the map and is not drawn.",
                "%(count)s points lie outside the map and are not drawn.",
                outside,
            )
            % {"count": format_number(outside)}
        )
    legend_svg, legend_height = _legend(items, frame.height, notes=notes)
    parts.append(legend_svg)
    return _svg(
        title=title, height=frame.height + legend_height, body="".join(parts), interactive=False
    )
