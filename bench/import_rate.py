"""Import rate of partner files into a fresh registry, against a COPY of the same file.

    uv run python bench/import_rate.py --businesses 100000 [--database postgres|sqlite]
        [--clean] [--resolve] [--data DIR] [--seed 1]

Generates the synthetic partner files (or reuses them from ``--data``; ``--clean`` writes one
clean CSV file from one partner instead of the four default partners), creates a fresh
database (a temporary SQLite file, or a PostgreSQL database named for this run,
``tumbuh_bench_<pid>_<time>``, dropped at the end), loads the regions and the partner
organisations (not timed), then imports every partner file with ``tumbuh import_enterprises``
in its own process: the wall time of the whole command, start-up included (with its
bytecode cached, as installed; the CPU time of the command is printed beside it, since on a
shared machine the wall time mostly measures the neighbours). On PostgreSQL each
CSV file is first copied with ``COPY`` into a plain table of text columns in the same database
(the baseline: the database's own bulk load of the same bytes). ``--resolve`` runs
``tumbuh resolve_duplicates`` after the imports and times it too (the end-to-end figure).

Prints one JSON line per file (import and COPY rows per second, and their ratio; and the
rates the command's own CPU time and its database session's allow, each as if the other side
took no time), a line for the resolution, and a summary line with the machine's load.
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
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


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def copy_baseline(url: str, path: Path, delimiter: str) -> tuple[int, float]:
    """COPY the CSV file into a plain table of text columns; (rows, seconds)."""
    import csv

    import psycopg

    with open(path, encoding="utf-8-sig", newline="") as handle:
        width = len(next(csv.reader(handle, delimiter=delimiter)))
    columns = ", ".join(f"c{index} text" for index in range(width))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_copy")
        started = time.perf_counter()
        connection.execute(f"CREATE TABLE bench_copy ({columns})")
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY bench_copy FROM STDIN (FORMAT csv, HEADER true, DELIMITER %s)",
                [delimiter],
            ) as copy,
            open(path, "rb") as data,
        ):
            for block in iter(lambda: data.read(1 << 20), b""):
                copy.write(block)
        seconds = time.perf_counter() - started
        rows = connection.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
        connection.execute("DROP TABLE bench_copy")
    return rows, seconds


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving ``database`` while it runs (polled from
    /proc every 0.2 s: the server is on this machine), so that the database's own work is
    counted too, whatever the neighbours do to the wall time."""

    def __init__(self, url: str, database: str):
        self.url, self.database, self.seconds = url, database, {}

    def _poll(self):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stopped.is_set():
                pids = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchall()
                for (pid,) in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    ticks = int(fields[11]) + int(fields[12])
                    self.seconds[pid] = ticks / os.sysconf("SC_CLK_TCK")
                self.stopped.wait(0.2)

    def __enter__(self):
        import threading

        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()

    @property
    def total(self) -> float:
        return round(sum(self.seconds.values()), 2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--data", type=Path, help="Reuse (or write) the generated files here.")
    parser.add_argument("--clean", action="store_true", help="One clean CSV file, one partner.")
    parser.add_argument("--resolve", action="store_true", help="Then run resolve_duplicates.")
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    from tumbuh.registry.synthetic import generate
    from tumbuh.registry.synthetic.partners import PartnerSpec

    data = options.data or Path(tempfile.mkdtemp(prefix="tumbuh-import-"))
    manifest = data / "manifest.json"
    if not manifest.exists():
        partners = None
        if options.clean:
            partners = [
                PartnerSpec("dinas-bersih", "provincial_office", "csv", "dinas", coverage=1.0,
                            noise=0.3, bad_rate=0.0, name="Dinas (clean list)")
            ]  # fmt: skip
        generate(businesses=options.businesses, seed=options.seed, out_dir=data, partners=partners)
    files = json.loads(manifest.read_text())["files"]

    database = f"tumbuh_bench_{os.getpid()}_{int(time.time())}"
    with tempfile.TemporaryDirectory() as var_dir:
        env = {**os.environ, "TUMBUH_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "tumbuh.settings"}
        # Start-up as in production: bytecode compiled once (by the set-up commands) and cached,
        # in a directory of this run, so that nothing is written into the checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(var_dir) / "pycache")
        if options.database == "postgres":
            import psycopg

            with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{database}"')
            env["DATABASE_URL"] = f"{POSTGRES_SERVER}/{database}"
        else:
            env.pop("DATABASE_URL", None)
        try:
            summary = measure(options, data, files, env)
        finally:
            if options.database == "postgres":
                with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(json.dumps({**summary, "database_name": database, "dropped": True}))


def measure(options, data: Path, files: list[dict], env: dict) -> dict:
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
    total_rows, total_seconds, copy_rows, copy_seconds = 0, 0.0, 0, 0.0
    for entry in files:
        path = data / Path(entry["path"]).name
        baseline, rows = {}, 0
        if options.database == "postgres" and path.suffix == ".csv":
            with open(path, encoding="utf-8-sig") as handle:
                first = handle.readline()
            delimiter = max((",", ";", "\t", "|"), key=first.count)
            try:
                rows, seconds = copy_baseline(env["DATABASE_URL"], path, delimiter)
            except Exception as error:  # a file COPY cannot read has no baseline
                print(
                    json.dumps(
                        {"bench": "import_rate", "file": path.name, "copy_error": str(error)}
                    )
                )
                rows, seconds = 0, 0.0
        if rows:
            copy_rows, copy_seconds = copy_rows + rows, copy_seconds + seconds
            baseline = {
                "copy_rows": rows,
                "copy_seconds": round(seconds, 3),
                "copy_rows_per_second": round(rows / seconds),
            }
        load_before = load()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        backend = (
            BackendCpu(env["DATABASE_URL"], env["DATABASE_URL"].rsplit("/", 1)[1])
            if options.database == "postgres"
            else contextlib.nullcontext()
        )
        with backend:
            summary = json.loads(
                run("import_enterprises", str(path), "--source", entry["slug"], "--json", env=env)
            )
        seconds = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        total_rows += summary["rows"]
        total_seconds += seconds
        rate = round(summary["rows"] / seconds)
        line = {
            "bench": "import_rate",
            "database": options.database,
            "file": summary["file"],
            "rows": summary["rows"],
            "created": summary["created"],
            "linked": summary["linked"],
            "rejected": summary["rejected"],
            "import_seconds_in_command": summary["seconds"],
            "process_seconds": round(seconds, 2),
            "process_cpu_seconds": round(cpu_seconds, 2),  # the command's
            "postgres_cpu_seconds": getattr(backend, "total", None),  # its database backend's
            "rows_per_second": rate,
            # The most either side allows: the rate if the other took no time at all. The
            # command's one database session runs on one core, so its CPU time bounds the rate
            # whatever the Python side does.
            "python_bound_rows_per_second": round(summary["rows"] / cpu_seconds)
            if cpu_seconds
            else None,
            "postgres_bound_rows_per_second": round(summary["rows"] / backend.total)
            if getattr(backend, "total", None)
            else None,
            **baseline,
            "import_to_copy": round(rate / baseline["copy_rows_per_second"], 3)
            if baseline
            else None,
            "load_before": load_before,
            "load_after": load(),
        }
        print(json.dumps(line), flush=True)
    resolve_seconds = None
    if options.resolve:
        started = time.perf_counter()
        resolved = json.loads(run("resolve_duplicates", "--json", env=env))
        resolve_seconds = round(time.perf_counter() - started, 2)
        print(json.dumps({"bench": "import_rate", "resolve_duplicates": resolved,
                          "process_seconds": resolve_seconds, "load_after": load()}), flush=True)  # fmt: skip
    rate = round(total_rows / total_seconds) if total_seconds else None
    copy_rate = round(copy_rows / copy_seconds) if copy_seconds else None
    return {
        "bench": "import_rate",
        "summary": True,
        "database": options.database,
        "businesses": options.businesses,
        "clean": options.clean,
        "rows": total_rows,
        "process_seconds": round(total_seconds, 2),
        "rows_per_second": rate,
        "copy_rows_per_second": copy_rate,
        "import_to_copy": round(rate / copy_rate, 3) if rate and copy_rate else None,
        "end_to_end_seconds": round(total_seconds + resolve_seconds, 2)
        if resolve_seconds is not None
        else None,
        "load": load(),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }


if __name__ == "__main__":
    main()
