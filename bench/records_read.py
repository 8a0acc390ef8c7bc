"""How fast the resolution engine's records come out of the registry: ``registry_records`` by
id (the incremental resolution's candidates) and for one province (the national run's parts and
the blocking keys), on a registry a ``--keep`` run of ``bench/registry_scale.py`` or
``bench/resolve_incremental.py`` kept.

    uv run python bench/records_read.py --reuse tumbuh_resinc_<pid>_<time> [--ids 200000]

Reads ``--ids`` live businesses picked at random (seeded: the same ids in every run) and the
province with the fewest businesses and the one with the most, ``--repeat`` times each, with a
baseline of the same run: the ids themselves read back by a bare ``SELECT`` of the same rows.
Prints one JSON line per read (median seconds, µs per record) with the machine's load. To compare
two versions of the code, run it from each checkout against the same database, one after the
other.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import server_env  # noqa: E402

BENCH = "records_read"


def line(**fields) -> None:
    print(
        json.dumps({"bench": BENCH, **fields, "load_1m": round(os.getloadavg()[0], 2)}),
        flush=True,
    )


def median_seconds(function, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", metavar="DATABASE", required=True)
    parser.add_argument("--ids", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    os.environ.update(
        {
            **server_env(),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{options.reuse}",
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-records-read-"),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.db import connection

    from tumbuh.core.bulk import select_in
    from tumbuh.registry.services import registry_records

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM registry_enterprise WHERE merged_into_id IS NULL")
        live = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT left(village_id, 2), count(*) FROM registry_enterprise "
            "WHERE merged_into_id IS NULL GROUP BY 1 ORDER BY 2, 1"
        )
        provinces = cursor.fetchall()
    ids = sorted(random.Random(15).sample(live, min(options.ids, len(live))))
    line(
        database=options.reuse,
        live_businesses=len(live),
        ids=len(ids),
        code=str(Path(registry_records.__code__.co_filename).parent.parent),
        machine=f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    )

    def bare() -> int:
        return len(
            select_in(
                "SELECT id, nib, phone_hash, name, village_id FROM registry_enterprise "
                "WHERE id IN {values}",
                ids,
            )
        )

    reads = {
        "bare_select_by_id": bare,
        "records_by_id": lambda: registry_records(enterprise_ids=ids).num_rows,
    }
    for code, _count in (provinces[0], provinces[-1]):
        reads[f"records_province_{code}"] = lambda code=code: (
            registry_records(province_code=code).num_rows
        )
    for read, function in reads.items():
        seconds, rows = median_seconds(function, options.repeat)
        line(
            read=read,
            rows=rows,
            seconds=round(seconds, 3),
            us_per_record=round(seconds / max(rows, 1) * 1e6, 1),
        )


if __name__ == "__main__":
    main()
