"""Time `tumbuh load_regions` into a fresh database, then again (idempotent refresh).

    uv run python bench/load_regions.py [--runs 3] [--database sqlite|postgres]

Prints one JSON line per run and a summary line with medians. PostgreSQL uses a scratch database
`tumbuh_bench_<pid>_<time>_<run>` on 127.0.0.1 (trust authentication), named per run and dropped
after it.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def tumbuh(*arguments, env):
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def postgres_database(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(statement)


def one_run(database: str) -> dict:
    with tempfile.TemporaryDirectory() as var_dir:
        env = {**os.environ, "TUMBUH_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "tumbuh.settings"}
        name = f"tumbuh_bench_{os.getpid()}_{int(time.time() * 1000)}"
        if database == "postgres":
            postgres_database(f"CREATE DATABASE {name}")
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        else:
            env.pop("DATABASE_URL", None)
        tumbuh("migrate", "--verbosity", "0", env=env)
        try:
            first = json.loads(tumbuh("load_regions", "--json", env=env))
            again = json.loads(tumbuh("load_regions", "--json", env=env))
        finally:
            if database == "postgres":
                postgres_database(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
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
