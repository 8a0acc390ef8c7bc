"""Time `tumbuh load_regions` into a fresh database, then again (idempotent refresh).

    uv run python bench/load_regions.py [--runs 3] [--database sqlite|postgres]

Prints one JSON line per run and a summary line with medians. PostgreSQL uses a scratch database
`tumbuh_bench` on 127.0.0.1 (trust authentication), dropped and re-created for every run.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgres://postgres@127.0.0.1:5432/tumbuh_bench"


def tumbuh(*arguments, env):
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def fresh_postgres():
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS tumbuh_bench")
        connection.execute("CREATE DATABASE tumbuh_bench")


def one_run(database: str) -> dict:
    with tempfile.TemporaryDirectory() as var_dir:
        env = {**os.environ, "TUMBUH_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "tumbuh.settings"}
        if database == "postgres":
            fresh_postgres()
            env["DATABASE_URL"] = POSTGRES_BENCH
        else:
            env.pop("DATABASE_URL", None)
        tumbuh("migrate", "--verbosity", "0", env=env)
        first = json.loads(tumbuh("load_regions", "--json", env=env))
        again = json.loads(tumbuh("load_regions", "--json", env=env))
        assert first["levels"]["village"]["created"] == 83_762
        assert again["levels"]["village"]["unchanged"] == 83_762
        return {"first_load_s": first["seconds"], "reload_s": again["seconds"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()
    machine = f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
    runs = []
    for number in range(1, options.runs + 1):
        run = one_run(options.database)
        runs.append(run)
        print(
            json.dumps(
                {"bench": "load_regions", "database": options.database, "run": number, **run}
            )
        )
    print(
        json.dumps(
            {
                "bench": "load_regions",
                "database": options.database,
                "summary": True,
                "runs": len(runs),
                "median_first_load_s": statistics.median(r["first_load_s"] for r in runs),
                "median_reload_s": statistics.median(r["reload_s"] for r in runs),
                "villages": 83_762,
                "machine": machine,
            }
        )
    )


if __name__ == "__main__":
    main()
