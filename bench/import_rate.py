"""Import rate of partner files into a fresh registry, on SQLite or PostgreSQL.

    uv run python bench/import_rate.py --businesses 100000 [--database sqlite|postgres]
        [--data DIR] [--seed 1]

Generates the synthetic partner files (or reuses them from ``--data``), creates a fresh database
(a temporary SQLite file, or the scratch PostgreSQL database ``tumbuh_bench``), loads the regions
and the partner organisations (not timed), then imports every partner file with
``tumbuh import_enterprises`` in its own process. Prints one JSON line per file and a summary
line with the rows per second over all files.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgres://postgres@127.0.0.1:5432/tumbuh_bench"
ROOT = Path(__file__).resolve().parent.parent


def run(*arguments, env) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data", type=Path, help="Reuse (or write) the generated files here.")
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    from tumbuh.registry.synthetic import generate

    data = options.data or Path(tempfile.mkdtemp(prefix="tumbuh-import-"))
    manifest = data / "manifest.json"
    if not manifest.exists():
        generate(businesses=options.businesses, seed=options.seed, out_dir=data)
    files = json.loads(manifest.read_text())["files"]

    with tempfile.TemporaryDirectory() as var_dir:
        env = {**os.environ, "TUMBUH_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "tumbuh.settings"}
        if options.database == "postgres":
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
                connection.execute("DROP DATABASE IF EXISTS tumbuh_bench")
                connection.execute("CREATE DATABASE tumbuh_bench")
            env["DATABASE_URL"] = POSTGRES_BENCH
        else:
            env.pop("DATABASE_URL", None)
        run("migrate", "--verbosity", "0", env=env)
        run("load_regions", "--json", env=env)
        setup = "; ".join(
            f"create_organisation(name={entry['name']!r}, kind={entry['kind']!r}, "
            f"slug={entry['slug']!r}, by=system_actor())"
            for entry in files
        )
        run(
            "shell",
            "-c",
            f"from tumbuh.accounts.services import create_organisation, system_actor; {setup}",
            env=env,
        )

        total_rows, total_seconds = 0, 0.0
        for entry in files:
            started = time.perf_counter()
            summary = json.loads(
                run("import_enterprises", str(data / Path(entry["path"]).name),
                    "--source", entry["slug"], "--json", env=env)
            )  # fmt: skip
            seconds = time.perf_counter() - started
            total_rows += summary["rows"]
            total_seconds += summary["seconds"]
            print(json.dumps({"bench": "import_rate", "database": options.database,
                              "file": summary["file"], "rows": summary["rows"],
                              "created": summary["created"], "linked": summary["linked"],
                              "rejected": summary["rejected"],
                              "import_seconds": summary["seconds"],
                              "process_seconds": round(seconds, 2),
                              "rows_per_second": summary["rows_per_second"]}), flush=True)  # fmt: skip
    print(json.dumps({
        "bench": "import_rate", "summary": True, "database": options.database,
        "businesses": options.businesses, "rows": total_rows,
        "import_seconds": round(total_seconds, 2),
        "rows_per_second": round(total_rows / total_seconds) if total_seconds else None,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }))  # fmt: skip


if __name__ == "__main__":
    main()
