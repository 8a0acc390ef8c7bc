"""Time and size of the server-drawn SVG maps (tumbuh.regions.maps).

    uv run python bench/maps.py [--runs 20] [--regency 64.02] [--points 2000]

Prints one JSON line per boundary file read (cold, once per process) and one per map: the first
render after the path caches are cleared (``cold_ms``, the boundaries already read), the median
of ``--runs`` further renders (``median_ms``, paths cached, only fills and titles change), and
the size raw and gzip-compressed at level 6 (the budget is 60 KB compressed). Values are random
shares with one in ten missing; every shape has a name and a link, as on the console. The point
map spreads ``--points`` points with real village names over the regency's extent
(default 64.02, Kutai Kartanegara, the largest point map measured).
"""

import argparse
import csv
import gzip
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def milliseconds(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--regency", default="64.02")
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    import django

    django.setup()
    from django.utils import translation

    from tumbuh.regions import boundaries, maps
    from tumbuh.regions.datafiles import DATA_DIR

    translation.activate("id")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    rng = random.Random(options.seed)

    for level in boundaries.LEVELS:
        started = time.perf_counter()
        layer = boundaries.layer(level)
        print(json.dumps({
            "bench": "maps", "measure": f"read {level} boundaries", "ms": milliseconds(started),
            "shapes": len(layer.codes), "points": len(layer.longitude),
            "file_bytes": boundaries.boundary_file(level).stat().st_size, "machine": machine,
        }))  # fmt: skip

    names = {}
    for filename in ["provinces.csv", "regencies.csv"]:
        with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
            names.update((row["code"], row["name"]) for row in csv.DictReader(handle))
    with gzip.open(DATA_DIR / "villages.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        village_names = [row["name"] for row in csv.DictReader(handle)]

    def values(level):
        return {
            code: None if rng.random() < 0.1 else rng.random() for code in boundaries.codes(level)
        }

    def choropleth(level, within=None):
        shares = values(level)
        return lambda: maps.choropleth(
            level, shares, title="Cakupan 4G", legend="Desa dengan sinyal 4G", within=within,
            labels=names, href=lambda code: f"/konsol/konektivitas/wilayah/{code}/", percent=True,
        )  # fmt: skip

    west, south, east, north = boundaries.layer("regency").bounds_of(options.regency)
    categories = {"4g": "4G", "3g": "Hanya 2G/3G", "none": "Tanpa sinyal"}
    points = [
        maps.MapPoint(
            latitude=rng.uniform(south, north),
            longitude=rng.uniform(west, east),
            label=rng.choice(village_names),
            category=rng.choice(list(categories)),
        )
        for _ in range(options.points)
    ]
    cases = {
        "national province choropleth": choropleth("province"),
        "national regency choropleth": choropleth("regency"),
        "regencies within Papua (91)": choropleth("regency", "91"),
        "regencies within Jawa Barat (32)": choropleth("regency", "32"),
        f"point map {options.regency} {names[options.regency]}, {options.points} points": (
            lambda: maps.point_map(options.regency, points, title="Desa", categories=categories)
        ),
    }
    for name, render in cases.items():
        maps._choropleth_drawing.cache_clear()
        maps._regency_drawing.cache_clear()
        started = time.perf_counter()
        svg = render()
        cold = milliseconds(started)
        timings = []
        for _ in range(options.runs):
            started = time.perf_counter()
            render()
            timings.append(time.perf_counter() - started)
        data = svg.encode("utf-8")
        print(json.dumps({
            "bench": "maps", "measure": name, "cold_ms": cold,
            "median_ms": round(statistics.median(timings) * 1000, 1), "runs": options.runs,
            "raw_bytes": len(data), "gzip6_bytes": len(gzip.compress(data, compresslevel=6)),
            "machine": machine,
        }))  # fmt: skip


if __name__ == "__main__":
    main()
