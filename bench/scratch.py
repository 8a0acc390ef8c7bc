"""A fresh database with all the regions, for benchmarks that run inside this process.

``fresh_database("sqlite" | "postgres", prefix=...)`` points Django at a temporary SQLite file
or at a PostgreSQL database named for this run (``tumbuh_bench_<pid>_<time>``, so two people's
runs never share one; dropped when the process exits unless ``TUMBUH_BENCH_KEEP=1``), migrates it,
loads the regions (in subprocesses, not timed) and sets Django up; afterwards the caller imports
models as usual. Run a benchmark from the project root: ``uv run python bench/NAME.py``.
"""

import atexit
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parent.parent


def run(*arguments) -> None:
    """Run a ``tumbuh`` command against the scratch database; stop with its error if it fails."""
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])


def drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fresh_database(database: str, *, prefix: str) -> None:
    os.environ.update(
        {
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix=prefix),
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        }
    )
    if database == "postgres":
        import psycopg

        name = f"tumbuh_bench_{os.getpid()}_{int(time.time())}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        if os.environ.get("TUMBUH_BENCH_KEEP"):
            print(f"keeping the database {name}", file=sys.stderr)
        else:
            atexit.register(drop_database, name)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    run("migrate", "--verbosity", "0")
    run("load_regions", "--json")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
