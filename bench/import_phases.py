"""Where the time of a partner import goes, phase by phase, on PostgreSQL.

    uv run python bench/import_phases.py FILE [--slug dinas-bersih] [--profile OUT.prof]

Creates a database named for the run (``tumbuh_bench_<pid>_<time>``, dropped at the end),
migrates it, loads the regions and the partner organisation (not timed), then imports FILE in
this process with a timer around each phase of the importer: reading and hashing the rows,
checking them (phone numbers apart), the lookups in the registry, linking and encrypting, the
COPY into the staging table, the set-based writes, the commit of each chunk (where PostgreSQL
checks the deferred foreign keys), and ``resolve_batch`` after it. Prints one JSON line with
the seconds of each phase, the CPU seconds of this process and of its PostgreSQL backend and,
for the writes, of each statement; ``--profile`` also writes a cProfile of the import.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--slug", default="dinas-bersih")
    parser.add_argument("--profile", type=Path)
    options = parser.parse_args()

    import psycopg

    database = f"tumbuh_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES_SERVER}/{database}",
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
    }
    try:
        for arguments in (
            ["migrate", "--verbosity", "0"],
            ["load_regions", "--json"],
            ["shell", "-c", "from tumbuh.accounts.services import create_organisation, "
             f"system_actor; create_organisation(name='Mitra', kind='provincial_office', "
             f"slug={options.slug!r}, by=system_actor())"],
        ):  # fmt: skip
            subprocess.run(  # noqa: S603 - our own command
                [sys.executable, "-m", "tumbuh.cli", *arguments],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        os.environ.update(env)
        print(json.dumps(measure(options)))
    finally:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def measure(options) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from tumbuh.accounts.models import Organisation
    from tumbuh.accounts.services import system_actor
    from tumbuh.registry import services
    from tumbuh.registry.importing import checks, pipeline, staging
    from tumbuh.registry.services import import_file

    seconds = collections.defaultdict(float)
    statements = collections.defaultdict(float)

    def timed(name, function):
        def inner(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started

        return inner

    def by_statement(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split()
            target = words[2] if words[0] in ("INSERT", "UPDATE") and len(words) > 2 else words[0]
            statements[f"{words[0]} {target}".replace('"', "")] += time.perf_counter() - started

    pipeline.Importer._chunk = timed("chunks (all phases)", pipeline.Importer._chunk)
    pipeline.Importer.row_hash = timed("hash", pipeline.Importer.row_hash)
    checks.RowChecker.clean = timed("check", checks.RowChecker.clean)
    pipeline.Importer._with_known_villages = timed(
        "village codes", pipeline.Importer._with_known_villages
    )
    pipeline.Importer._look_up = timed("look up (NIB, NIK, owners)", pipeline.Importer._look_up)
    pipeline.Importer._link = timed("link and encrypt (with look up)", pipeline.Importer._link)
    checks.RowChecker._phone = timed("check: phone numbers", checks.RowChecker._phone)
    services.resolve_batch = timed("resolve_batch (after the import)", services.resolve_batch)
    staging.stage = timed("stage (binary COPY)", staging.stage)
    staging.write = timed("write (set-based statements)", staging.write)
    BaseDatabaseWrapper._commit = timed(
        "commit (deferred foreign keys)", BaseDatabaseWrapper._commit
    )

    organisation = Organisation.objects.get(slug=options.slug)
    profiler = None
    if options.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(by_statement):
        batch = import_file(path=options.file, organisation=organisation, by=system_actor())
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    backend_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    if profiler:
        profiler.disable()
        profiler.dump_stats(options.profile)
    return {
        "bench": "import_phases",
        "file": options.file.name,
        "rows": batch.processed_rows,
        "created": batch.created_count,
        "rejected": batch.rejected_count,
        "seconds": round(total, 2),
        "rows_per_second": round(batch.processed_rows / total),
        # The machine is shared: CPU seconds say what the import costs, whatever the neighbours.
        "python_cpu_seconds": round(cpu, 2),
        "postgres_cpu_seconds": round(backend_cpu, 2),  # this session's backend, set-up included
        "phases": {name: round(value, 2) for name, value in seconds.items()},
        "statements": {
            name: round(value, 2)
            for name, value in sorted(statements.items(), key=lambda item: -item[1])
            if value >= 0.05
        },
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


if __name__ == "__main__":
    main()
