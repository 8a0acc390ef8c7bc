"""Coverage recomputation for every village of Indonesia with 10,000 sites on air.

    uv run python bench/coverage.py [--sites 10000] [--database sqlite|postgres] [--runs 3]

Creates a fresh database (a temporary SQLite file, or the scratch PostgreSQL database
``tumbuh_bench``), loads all 83,762 villages (not timed), places ``--sites`` 4G sites near
villages drawn with a fixed seed (a third of them on hilly or mountainous terrain) and 500 fibre
points of presence, then times ``coverage.recompute()``:

- ``first``: the ledger is empty, every village's row is created;
- ``unchanged``: the same sites again, nothing to write (the spatial work alone, plus reading);
- ``moved``: a tenth of the sites switched off air, the rows that changed are written.

Prints one JSON line per run and phase, and a summary with the medians.
"""

import argparse
import datetime
import json
import random
import statistics

from scratch import fresh_database, machine


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()

    fresh_database(options.database, prefix="tumbuh-coverage-")
    from tumbuh.connectivity.coverage import recompute
    from tumbuh.connectivity.models import PointOfPresence, Site, VillageConnectivity
    from tumbuh.regions.models import Village

    rng = random.Random(1)
    villages = list(
        Village.objects.exclude(latitude=None).values_list("code", "latitude", "longitude")
    )
    day = datetime.date(2026, 1, 1)
    PointOfPresence.objects.bulk_create(
        PointOfPresence(code=f"B-{n}", name=f"PoP {n}", latitude=lat, longitude=lon,
                        source="bench", source_date=day)
        for n, (_c, lat, lon) in enumerate(rng.sample(villages, 500))
    )  # fmt: skip
    timings = {"first": [], "unchanged": [], "moved": []}
    for number in range(1, options.runs + 1):
        Site.objects.all().delete()
        VillageConnectivity.objects.all().delete()
        sites = Site.objects.bulk_create(
            (
                Site(operator="Bench", code=f"{number}-{n}", village_id=code,
                     latitude=lat + rng.uniform(-0.02, 0.02), longitude=lon + rng.uniform(-0.02, 0.02),
                     technology="4g", terrain=rng.choice(["flat", "flat", "hilly", "mountainous"]),
                     status="on_air", funding="operator", on_air_on=day, source="bench",
                     source_date=day)
                for n, (code, lat, lon) in enumerate(rng.sample(villages, options.sites))
            ),
            batch_size=2000,
        )  # fmt: skip
        for phase in ("first", "unchanged", "moved"):
            if phase == "moved":
                Site.objects.filter(pk__in=[s.pk for s in sites[::10]]).update(status="off_air")
            summary = recompute()
            timings[phase].append(summary["seconds"])
            print(json.dumps({"bench": "coverage", "database": options.database, "run": number,
                              "phase": phase, **summary}), flush=True)  # fmt: skip
    print(json.dumps({
        "bench": "coverage", "summary": True, "database": options.database,
        "sites": options.sites, "villages": len(villages), "runs": options.runs,
        **{f"median_{phase}_seconds": round(statistics.median(values), 3)
           for phase, values in timings.items()},
        "machine": machine(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
