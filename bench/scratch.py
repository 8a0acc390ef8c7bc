"""A fresh database with all the regions, for benchmarks that run inside this process.

``fresh_database("sqlite" | "postgres", prefix=...)`` points Django at a temporary SQLite file
or at the scratch PostgreSQL database ``tumbuh_bench`` (dropped and created again), migrates it,
loads the regions (in subprocesses, not timed) and sets Django up; afterwards the caller imports
models as usual. Run a benchmark from the project root: ``uv run python bench/NAME.py``.
"""

import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgres://postgres@127.0.0.1:5432/tumbuh_bench"
ROOT = Path(__file__).resolve().parent.parent


def run(*arguments) -> None:
    """Run a ``tumbuh`` command against the scratch database; stop with its error if it fails."""
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])


def fresh_database(database: str, *, prefix: str) -> None:
    os.environ.update(
        {
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix=prefix),
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        }
    )
    if database == "postgres":
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS tumbuh_bench")
            connection.execute("CREATE DATABASE tumbuh_bench")
        os.environ["DATABASE_URL"] = POSTGRES_BENCH
    else:
        os.environ.pop("DATABASE_URL", None)
    run("migrate", "--verbosity", "0")
    run("load_regions", "--json")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
