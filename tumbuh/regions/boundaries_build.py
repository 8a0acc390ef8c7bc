"""Package the province and regency boundaries for the server-drawn maps (run by hand, rarely).

    python -m tumbuh.regions.boundaries_build /work/shared/data/geo

Reads ``provinces_simplified.geojson`` and ``regencies_simplified.geojson`` from the shared data
folder and writes ``province_boundaries.json.gz`` and ``regency_boundaries.json.gz`` into
``tumbuh/regions/data``; :mod:`tumbuh.regions.boundaries` reads them. For every ring:

1. the closing point is dropped and the coordinates are put on the integer grid of 0.0001°, the
   grid the source was already rounded to, so nothing is lost;
2. consecutive repeated points and exactly collinear points are dropped, and rings left with fewer
   than three points are skipped;
3. every point gets its Visvalingam–Whyatt *effective area* (the area of the triangle it forms
   with its neighbours at the moment it would be removed, made monotonic), so a map can drop, at
   drawing time and in one vectorised step, every point that would not move a pixel at its scale.
   The last three points of a ring are never removed.

The weights are stored on a logarithmic scale in one byte (four steps per doubling), the points
as differences from the previous point, which compress well. The output is deterministic (gzip
without a timestamp), so rebuilding from the same source changes no byte.
"""

import argparse
import gzip
import heapq
import json
import math
import sys
from pathlib import Path

import numpy as np

from tumbuh.regions.boundaries import (
    FORMAT,
    WEIGHT_ANCHOR,
    WEIGHT_OFFSET,
    WEIGHT_STEPS,
    boundary_file,
)
from tumbuh.regions.datafiles import DATA_DIR

GRID_DEGREES = 1e-4
SOURCES = {
    "province": "provinces_simplified.geojson",
    "regency": "regencies_simplified.geojson",
}


def effective_areas(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Visvalingam–Whyatt effective area of every point of a closed ring (no closing point).

    Removes the point with the smallest triangle first, updating its two neighbours, until three
    points remain; those get ``inf``. A point's weight is never below an earlier removal's, so
    keeping the points whose weight is at least ``t`` gives the same ring as simplifying to ``t``.
    """
    count = len(x)
    xs, ys = x.tolist(), y.tolist()
    previous = [(i - 1) % count for i in range(count)]
    following = [(i + 1) % count for i in range(count)]

    def triangle(a: int, b: int, c: int) -> float:
        return abs((xs[b] - xs[a]) * (ys[c] - ys[a]) - (xs[c] - xs[a]) * (ys[b] - ys[a])) / 2

    current = [triangle(previous[i], i, following[i]) for i in range(count)]
    heap = [(area, i) for i, area in enumerate(current)]
    heapq.heapify(heap)
    weight = [math.inf] * count
    removed = [False] * count
    remaining, floor = count, 0.0
    while remaining > 3:
        area, i = heapq.heappop(heap)
        if removed[i] or area != current[i]:
            continue  # a stale entry: the point's triangle changed since it was pushed
        floor = max(floor, area)
        weight[i] = floor
        removed[i] = True
        remaining -= 1
        before, after = previous[i], following[i]
        following[before], previous[after] = after, before
        for j in (before, after):
            current[j] = triangle(previous[j], j, following[j])
            heapq.heappush(heap, (current[j], j))
    return np.array(weight)


def encode_weights(weights: np.ndarray) -> np.ndarray:
    """One byte per weight (see tumbuh.regions.boundaries); the smallest area on the grid is 0.5."""
    finite = np.isfinite(weights)
    steps = np.round(WEIGHT_STEPS * np.log2(np.where(finite, weights, 1.0))) + WEIGHT_OFFSET
    return np.where(finite, np.clip(steps, 1, WEIGHT_ANCHOR - 1), WEIGHT_ANCHOR).astype(np.uint8)


def polygon_rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"unexpected geometry type {geometry['type']}")


def grid_ring(ring: list[list[float]]) -> np.ndarray | None:
    """The ring on the integer grid, without closing, repeated or collinear points (or None)."""
    points = np.round(np.array(ring, dtype=float) / GRID_DEGREES).astype(np.int64)
    if len(points) > 1 and (points[0] == points[-1]).all():
        points = points[:-1]
    points = points[(points != np.roll(points, 1, axis=0)).any(axis=1)]
    if len(points) < 3:
        return None
    weights = effective_areas(points[:, 0].astype(float), points[:, 1].astype(float))
    keep = weights > 0
    if keep.sum() < 3:
        return None
    return np.column_stack([points[keep], encode_weights(weights[keep])])


def pack_level(features: list[dict]) -> dict:
    codes, ring_counts, point_counts, chunks = [], [], [], []
    for feature in sorted(features, key=lambda feature: feature["properties"]["code"]):
        rings = [grid_ring(ring) for ring in polygon_rings(feature["geometry"])]
        rings = [ring for ring in rings if ring is not None]
        if not rings:
            raise ValueError(f"{feature['properties']['code']} has no ring left")
        codes.append(feature["properties"]["code"])
        ring_counts.append(len(rings))
        point_counts.extend(len(ring) for ring in rings)
        chunks.extend(rings)
    table = np.concatenate(chunks)
    deltas = np.diff(table[:, :2], axis=0, prepend=[[0, 0]])
    return {
        "codes": codes,
        "rings": ring_counts,
        "points": point_counts,
        "xy": deltas.ravel().tolist(),
        "weight": table[:, 2].tolist(),
    }


def build(source_dir: Path, data_dir: Path = DATA_DIR) -> dict[str, dict]:
    """Write both files; return, per level, the counts and the size written."""
    report = {}
    for level, filename in SOURCES.items():
        features = json.loads((source_dir / filename).read_text(encoding="utf-8"))["features"]
        packed = pack_level(features)
        document = {
            "format": FORMAT,
            "level": level,
            "source": f"cahyadsn/wilayah_boundaries via shared/data/geo/{filename} (MIT, © Cahya DSN)",
            "grid_degrees": GRID_DEGREES,
            "xy": "longitude, latitude in grid units, each point as the difference from the previous one",
            "weight": f"Visvalingam–Whyatt effective area: {WEIGHT_ANCHOR} = kept always, otherwise 2 ** ((w - {WEIGHT_OFFSET}) / {WEIGHT_STEPS}) square grid units",
            **packed,
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        path = boundary_file(level, data_dir)
        with open(path, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as handle:
            handle.write(text.encode("utf-8"))
        report[level] = {
            "shapes": len(packed["codes"]),
            "rings": len(packed["points"]),
            "points": sum(packed["points"]),
            "bytes": path.stat().st_size,
        }
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source_dir", type=Path, help="the shared data's geo/ folder")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="default: the regions data")
    options = parser.parse_args(argv)
    json.dump(build(options.source_dir, options.out), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
