"""Site planner on real village centroids: the greedy against the exact MILP (HiGHS).

    uv run python bench/plan_sites.py [--candidates 8000] [--runs 3] [--seed 1] [--radius-km 5]
        [--budgets-idr 500000000000,2000000000000,5000000000000] [--time-limit 60]
        [--mip-rel-gap 1e-4] [--min-3t-share 0.5] [--province-min 91:20,53:20]

Candidates are real villages (``tumbuh/regions/data/village_centroids.csv.gz``) drawn with a fixed
seed from the provinces where blank spots concentrate: Papua (91–96), Maluku (81–82), Nusa
Tenggara Timur (53) and Kalimantan (61–65). A candidate covers the villages of those provinces
within ``--radius-km`` of its centroid (great-circle distance, via a KD-tree on 3D unit vectors).
A village is 3T when its regency is in ``regions_3t.csv``. Businesses, people and the distance to
the nearest fibre point of presence are synthetic and seeded; the first line states how. Costs are
the defaults of ``planning.Costs``.

Prints one JSON line per budget and run, and a summary line per budget with the median seconds of
each solver, the MILP statuses, and the median of the MILP's proven gap and of the greedy/MILP
ratio.
"""

import argparse
import csv
import gzip
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tumbuh" / "regions" / "data"
PROVINCES = ("91", "92", "93", "94", "95", "96", "81", "82", "53", "61", "62", "63", "64", "65")
EARTH_RADIUS_KM = 6371.0088
SYNTHETIC = {
    "enterprises": "Poisson with a log-normal mean per village (median 4, sigma 1.0)",
    "people": "log-normal per village (median 900, sigma 0.8), at least 50",
    "distance_to_pop_km": "unknown for 15% of candidates; otherwise exponential, mean 40 km",
}


def unit_vectors(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(latitudes), np.radians(longitudes)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def load_villages() -> tuple[list[str], list[str], np.ndarray]:
    codes, names, points = [], [], []
    with gzip.open(DATA / "village_centroids.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["code"][:2] in PROVINCES and row["latitude"] and row["longitude"]:
                codes.append(row["code"])
                names.append(row["name"])
                points.append((float(row["latitude"]), float(row["longitude"])))
    return codes, names, np.array(points)


def regencies_3t() -> set[str]:
    with open(DATA / "regions_3t.csv", encoding="utf-8") as handle:
        return {row["regency_code"] for row in csv.DictReader(handle)}


def build(options, planning):
    codes, names, points = load_villages()
    rng = np.random.default_rng(options.seed)
    vectors = unit_vectors(points[:, 0], points[:, 1])
    tree = cKDTree(vectors)
    chosen = np.sort(
        rng.choice(len(codes), size=min(options.candidates, len(codes)), replace=False)
    )
    chord = 2 * np.sin(options.radius_km / (2 * EARTH_RADIUS_KM))
    reach = tree.query_ball_point(vectors[chosen], r=chord)

    enterprises = rng.poisson(rng.lognormal(np.log(4), 1.0, size=len(codes)))
    people = np.maximum(50, rng.lognormal(np.log(900), 0.8, size=len(codes))).round()
    distances = rng.exponential(40.0, size=len(chosen))
    unknown = rng.random(len(chosen)) < 0.15

    costs = planning.Costs()
    three_t = regencies_3t()
    candidates = []
    covered = set()
    for position, index in enumerate(chosen):
        covers = tuple(codes[k] for k in sorted(reach[position]))
        covered.update(covers)
        distance = None if unknown[position] else float(distances[position])
        candidates.append(
            planning.Candidate(
                key=codes[index],
                label=names[index],
                province_code=codes[index][:2],
                is_3t=codes[index][:5] in three_t,
                covers=covers,
                options=planning.backhaul_options(distance, costs),
            )
        )
    lookup = {code: k for k, code in enumerate(codes)}
    places = {
        code: planning.Place(
            enterprises=int(enterprises[lookup[code]]), people=int(people[lookup[code]])
        )
        for code in covered
    }
    return candidates, places


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--radius-km", type=float, default=5.0)
    parser.add_argument(
        "--budgets-idr",
        default="500000000000,2000000000000,5000000000000",
        help="Comma-separated budgets in rupiah.",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="MILP seconds.")
    parser.add_argument("--mip-rel-gap", type=float, default=1e-4, help="MILP relative gap.")
    parser.add_argument("--min-3t-share", type=float, help="Minimum 3T share of the money, 0..1.")
    parser.add_argument("--province-min", default="", help="Minimum sites, e.g. 91:20,53:20.")
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    import django

    django.setup()
    from tumbuh.connectivity import planning

    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    started = time.perf_counter()
    candidates, places = build(options, planning)
    print(json.dumps({
        "bench": "plan_sites", "setup": True, "candidates": len(candidates),
        "places": len(places), "covers_per_candidate": round(
            sum(len(c.covers) for c in candidates) / len(candidates), 2),
        "candidates_3t": sum(c.is_3t for c in candidates),
        "radius_km": options.radius_km, "seed": options.seed, "synthetic": SYNTHETIC,
        "build_seconds": round(time.perf_counter() - started, 2), "machine": machine,
    }), flush=True)  # fmt: skip

    minimums = {}
    for part in filter(None, options.province_min.split(",")):
        code, _, count = part.partition(":")
        minimums[code.strip()] = int(count)
    equity = planning.Equity(min_3t_share=options.min_3t_share, province_min_sites=minimums)

    for budget in (int(text) for text in options.budgets_idr.split(",")):
        results = []
        for run in range(1, options.runs + 1):
            result = planning.compare(
                candidates,
                places,
                budget,
                equity=equity,
                time_limit=options.time_limit,
                mip_rel_gap=options.mip_rel_gap,
            )
            results.append(result)
            milp, greedy = result["milp"], result["greedy"]
            print(json.dumps({
                "bench": "plan_sites", "budget_idr": budget, "run": run,
                "milp_seconds": milp["seconds"], "milp_status": milp["status"],
                "milp_sites": milp["sites"], "milp_objective": milp["objective"],
                "milp_bound": milp["bound"], "gap": result["gap"],
                "greedy_seconds": greedy["seconds"], "greedy_sites": greedy["sites"],
                "greedy_objective": greedy["objective"], "ratio": result["ratio"],
                "greedy_gap_to_bound": result["greedy_gap_to_bound"],
                "milp_enterprises": milp["covered_enterprises"],
                "greedy_enterprises": greedy["covered_enterprises"],
            }), flush=True)  # fmt: skip
        print(json.dumps({
            "bench": "plan_sites", "summary": True, "budget_idr": budget,
            "runs": options.runs, "candidates": len(candidates), "places": len(places),
            "min_3t_share": options.min_3t_share, "province_min": minimums,
            "milp_statuses": dict(Counter(r["milp"]["status"] for r in results)),
            "median_greedy_seconds": statistics.median(r["greedy"]["seconds"] for r in results),
            "median_milp_seconds": statistics.median(r["milp"]["seconds"] for r in results),
            "gap": statistics.median(r["gap"] for r in results),
            "ratio": statistics.median(r["ratio"] for r in results), "time_limit": options.time_limit,
            "mip_rel_gap": options.mip_rel_gap, "machine": machine,
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
