"""Province and regency boundaries, as shipped in ``data/*_boundaries.json.gz``.

The files are made by :mod:`tumbuh.regions.boundaries_build` from the shared data's simplified
GeoJSON (MIT, © Cahya DSN; see ``data/PROVENANCE.md``). Each level is read once per process into a
:class:`Layer`: every point of every ring in flat NumPy arrays, so a map can project and thin a
whole level in a few vectorised steps, and :meth:`Layer.rings` for one shape's rings.

Coordinates are WGS84 degrees on a 0.0001° grid. Every point carries its Visvalingam–Whyatt
effective area (square degrees; ``inf`` for the three points a ring always keeps): at a scale of
``s`` pixels per degree, a point whose ``weight * s**2`` is below a fraction of a square pixel
can be dropped without changing the drawing. The maps (:mod:`tumbuh.regions.maps`) no longer read
it: they simplify with shapely at their own scale.
"""

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tumbuh.regions.datafiles import DATA_DIR

LEVELS = ("province", "regency")
FORMAT = "tumbuh-boundaries/1"
# The weight byte: WEIGHT_ANCHOR = never removed; otherwise the effective area is
# 2 ** ((byte - WEIGHT_OFFSET) / WEIGHT_STEPS) square grid units.
WEIGHT_STEPS = 4
WEIGHT_OFFSET = 8
WEIGHT_ANCHOR = 255


def boundary_file(level: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{level}_boundaries.json.gz"


@dataclass(frozen=True, eq=False)
class Layer:
    """All shapes of one level (province or regency), ordered by code.

    Shape ``i`` owns rings ``shape_offsets[i]:shape_offsets[i + 1]``; ring ``j`` owns points
    ``ring_offsets[j]:ring_offsets[j + 1]``. A shape is a multipolygon whose rings (outer
    boundaries and holes alike) are drawn with the even-odd rule.
    """

    level: str
    codes: tuple[str, ...]
    shape_offsets: np.ndarray
    ring_offsets: np.ndarray
    longitude: np.ndarray
    latitude: np.ndarray
    weight: np.ndarray
    ring_area: np.ndarray  # square degrees, unprojected
    ring_shape: np.ndarray  # the shape of every ring
    point_ring: np.ndarray  # the ring of every point
    bounds: np.ndarray  # per shape: west, south, east, north
    positions: dict[str, int]  # code → shape number

    def index(self, code: str) -> int:
        try:
            return self.positions[code]
        except KeyError:
            raise KeyError(f"no {self.level} boundary with code {code!r}") from None

    def rings(self, code: str) -> list[np.ndarray]:
        """The rings of one shape, each an ``(n, 2)`` array of longitude, latitude (not closed)."""
        shape = self.index(code)
        rings = []
        for ring in range(self.shape_offsets[shape], self.shape_offsets[shape + 1]):
            start, end = self.ring_offsets[ring], self.ring_offsets[ring + 1]
            rings.append(np.column_stack([self.longitude[start:end], self.latitude[start:end]]))
        return rings

    def bounds_of(self, code: str) -> tuple[float, float, float, float]:
        """West, south, east, north of one shape, in degrees."""
        return tuple(float(value) for value in self.bounds[self.index(code)])


def read_layer(path: Path, level: str) -> Layer:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("format") != FORMAT or document.get("level") != level:
        raise ValueError(f"{path.name} is not a {level} boundary file of format {FORMAT}")
    grid = document["grid_degrees"]
    xy = np.cumsum(np.array(document["xy"], dtype=np.int64).reshape(-1, 2), axis=0)
    longitude, latitude = xy[:, 0] * grid, xy[:, 1] * grid

    encoded = np.array(document["weight"], dtype=np.float64)
    area = 2.0 ** ((encoded - WEIGHT_OFFSET) / WEIGHT_STEPS) * grid * grid
    weight = np.where(encoded == WEIGHT_ANCHOR, np.inf, area)

    ring_counts = np.array(document["rings"], dtype=np.int64)
    point_counts = np.array(document["points"], dtype=np.int64)
    shape_offsets = np.concatenate([[0], np.cumsum(ring_counts)])
    ring_offsets = np.concatenate([[0], np.cumsum(point_counts)])
    ring_shape = np.repeat(np.arange(len(ring_counts)), ring_counts)
    point_ring = np.repeat(np.arange(len(point_counts)), point_counts)

    # Shoelace area of every ring, summed per ring with reduceat over the flat arrays.
    following = np.arange(len(longitude)) + 1
    following[ring_offsets[1:] - 1] = ring_offsets[:-1]
    cross = longitude * latitude[following] - longitude[following] * latitude
    ring_area = np.abs(np.add.reduceat(cross, ring_offsets[:-1])) / 2

    point_shape = ring_shape[point_ring]
    bounds = np.empty((len(ring_counts), 4))
    for column, (values, reduce) in enumerate(
        [
            (longitude, np.minimum),
            (latitude, np.minimum),
            (longitude, np.maximum),
            (latitude, np.maximum),
        ]
    ):
        bounds[:, column] = reduce.reduceat(
            values, np.searchsorted(point_shape, np.arange(len(ring_counts)))
        )
    return Layer(
        level=level,
        codes=tuple(document["codes"]),
        shape_offsets=shape_offsets,
        ring_offsets=ring_offsets,
        longitude=longitude,
        latitude=latitude,
        weight=weight,
        ring_area=ring_area,
        ring_shape=ring_shape,
        point_ring=point_ring,
        bounds=bounds,
        positions={code: position for position, code in enumerate(document["codes"])},
    )


@cache
def layer(level: str) -> Layer:
    """The shipped boundaries of ``level`` ("province" or "regency"), read once per process."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return read_layer(boundary_file(level), level)


def codes(level: str) -> tuple[str, ...]:
    """Every code with a shipped boundary at ``level``, in order."""
    return layer(level).codes
