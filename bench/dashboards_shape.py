"""The dashboards over rollups of the shape a 30 M registry gives them, without the registry.

    uv run python bench/dashboards_shape.py --businesses 30000000 [--samples 30] [--keep]
    uv run python bench/dashboards_shape.py --reuse tumbuh_shape_<pid>_<time>   # pages again

The dashboards read only their rollups (``OnboardingCount``, ``OnboardingSeries``), whose size
follows the regions and the categories filled, not the businesses. A 30 M registry takes about
70 GB and 90 minutes to build here (``docs/scale.md``), more than this machine can spare; its
rollups take a few hundred MB. So this bench makes the rollups a rebuild over
``bench/registry_scale.py``'s registry would make, from the same rules:

- the businesses of each of the 83,762 real villages, in proportion to its regency's population
  (shared equally among the regency's villages), ``village_shares``'s numbers;
- each business's kind (0.3 % BumDes, 0.1 % cooperatives), scale (95 % micro, 4 % small, 1 %
  medium), registration day (2025-01-01 + i mod 600, also its "registered" milestone) and
  milestones (NIB 40 %, assessed 30 %,
  trained 20 %, store live 10 %, halal 5 %, first online sale 5 %, paid digitally 3 %, each on
  2025-02-01 + i mod 580), chosen by hashing the business's number as registry_scale does (with
  DuckDB's hash instead of PostgreSQL's ``hashint8``: other draws, the same shares);
- grouped by DuckDB into every level and period of the two rollups (merged duplicates count for
  nothing, so they are left out), and copied into PostgreSQL in a database named for this run.

Then, printing one JSON line each with the machine's load average:

1. ``rollups``: the rows each rollup holds per level, and the time to make them;
2. ``incremental``: 100,000 new businesses and then 100,000 milestones of theirs written to the
   (otherwise empty) registry through the change triggers, each folded by
   ``rollups.apply_changes`` into the 30 M-shaped rollups;
3. the dashboard pages and stats API calls through Django's request handling with DEBUG off,
   as a national and a provincial officer, beside ``/healthz`` and the console home (a console
   page without dashboards) of the same run; then the pages drawn again (their kept body
   missed), as the first read after a fold is.

What it cannot measure: the rebuild from a 30 M registry (there is none), and the pages' raw
count baseline (``bench/dashboards.py`` has both, at the size a registry can be built).
"""

# The SQL is built from this module's constants and integers; nothing from outside reaches it.
# ruff: noqa: S608

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import registry_scale  # noqa: E402
from bench.dashboards import load  # noqa: E402
from bench.registry_scale import ADMIN, MILESTONES, line, percentiles, time_calls, tumbuh  # noqa: E402
from bench.serving import server_env  # noqa: E402

NEW = 100_000
FIRST_NEW_ID = 900_000_000  # far above anything the registry holds


def villages(cursor, businesses: int) -> list[tuple]:
    """Each village's code, 3T flag, number of businesses and first business number."""
    registry_scale.village_shares(cursor, businesses)
    cursor.execute(
        "SELECT b.code, coalesce(r.is_3t, false), b.n, b.start FROM bench_village b "
        "JOIN regions_regency r ON r.code = substr(b.code, 1, 5) WHERE b.n > 0"
    )
    rows = cursor.fetchall()
    cursor.execute("DROP TABLE bench_village")
    return rows


def facts_sql() -> str:
    """Every counted fact, one row per (village, kind, scale, milestone, day), in DuckDB."""
    kind = (
        "CASE WHEN hash(i * 31) % 1000 < 3 THEN 'bumdes' "
        "WHEN hash(i * 31) % 1000 < 4 THEN 'cooperative' ELSE 'umkm' END"
    )
    scale = (
        "CASE WHEN hash(i * 29) % 100 < 95 THEN 'mikro' "
        "WHEN hash(i * 29) % 100 < 99 THEN 'kecil' ELSE 'menengah' END"
    )
    milestones = ", ".join(
        f"CASE WHEN hash(i * {53 + number * 6}) % 1000 < {share} THEN '{name}' END"
        for number, (name, share) in enumerate(MILESTONES)
    )
    return f"""
        WITH business AS (
            SELECT v.code AS village, v.is_3t, i, {kind} AS kind, {scale} AS scale
            FROM villages v, range(v.start + 1, v.start + v.n + 1) AS t(i)
        ), fact AS (
            SELECT village, is_3t, kind, scale, unnest(['', 'registered']) AS milestone,
                DATE '2025-01-01' + CAST(i % 600 AS INTEGER) AS day
            FROM business
            UNION ALL
            SELECT village, is_3t, kind, scale, milestone,
                DATE '2025-02-01' + CAST(i % 580 AS INTEGER) AS day
            FROM (SELECT *, unnest([{milestones}]) AS milestone FROM business)
            WHERE milestone IS NOT NULL
        )
        SELECT village, is_3t, kind, scale, milestone, day, count(*) AS n
        FROM fact GROUP BY ALL
    """


LEVELS = {0: 0, 1: 2, 2: 5, 3: 8, 4: 13}  # level → code length (models.CODE_LENGTH)


def _code(level: int) -> str:
    return f"left(village, {LEVELS[level]})" if LEVELS[level] else "''"


def _parent(level: int) -> str:
    return f"left(village, {LEVELS[level - 1]})" if level and LEVELS[level - 1] else "''"


def rollup_rows(con) -> dict[str, object]:
    """The two rollups' rows as DuckDB relations, at every level they keep."""
    counts = " UNION ALL ".join(
        f"SELECT {level} AS level, {_code(level)} AS region_code, {_parent(level)} AS "
        "parent_code, is_3t, kind AS enterprise_kind, scale, milestone, sum(n) AS count "
        "FROM facts GROUP BY ALL"
        for level in LEVELS
    )
    series = " UNION ALL ".join(
        f"SELECT '{period}' AS period, date_trunc('{unit}', day)::DATE AS start, {level} AS "
        f"level, {_code(level)} AS region_code, {_parent(level)} AS parent_code, is_3t, "
        "kind AS enterprise_kind, milestone, sum(n) AS count FROM facts GROUP BY ALL"
        for period, unit, levels in (("M", "month", (0, 1, 2, 3)), ("W", "week", (0, 1)))
        for level in levels
    )
    return {"counts": counts, "series": series}


def copy_in(con, table: str, columns: list[str], select: str) -> int:
    """Copy the rows of a DuckDB query into a PostgreSQL table (through a CSV file)."""
    from django.db import connection

    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        con.sql(select).write_csv(file.name, header=False)
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with (
                cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
                ) as copy,
                open(file.name, "rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(f"SELECT count(*) FROM {table}")
            return cursor.fetchone()[0]


def build_rollups(businesses: int) -> dict:
    import duckdb
    import pyarrow as pa
    from django.db import connection
    from django.utils import timezone

    from tumbuh.dashboards import rollups
    from tumbuh.dashboards.models import RollupClock

    started = time.perf_counter()
    with connection.cursor() as cursor:
        rows = villages(cursor, businesses)
    con = duckdb.connect()
    codes, flags, counts, starts = (list(column) for column in zip(*rows, strict=True))
    con.register(
        "village_rows",
        pa.table(
            {
                "code": pa.array(codes, pa.string()),
                "is_3t": pa.array(flags, pa.bool_()),
                "n": pa.array(counts, pa.int64()),
                "start": pa.array(starts, pa.int64()),
            }
        ),
    )
    con.execute("CREATE TABLE villages AS SELECT * FROM village_rows")
    con.execute(f"CREATE TABLE facts AS {facts_sql()}")
    facts = con.sql("SELECT count(*), sum(n) FROM facts").fetchall()[0]
    generated = time.perf_counter() - started
    selects = rollup_rows(con)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dashboards_onboardingcount, dashboards_onboardingseries")
        count_rows = copy_in(
            con,
            "dashboards_onboardingcount",
            [
                "level",
                "region_code",
                "parent_code",
                "is_3t",
                "enterprise_kind",
                "scale",
                "milestone",
                "count",
            ],
            selects["counts"],
        )
        series_rows = copy_in(
            con,
            "dashboards_onboardingseries",
            [
                "period",
                "start",
                "level",
                "region_code",
                "parent_code",
                "is_3t",
                "enterprise_kind",
                "milestone",
                "count",
            ],
            selects["series"],
        )
        cursor.execute("ANALYZE dashboards_onboardingcount")
        cursor.execute("ANALYZE dashboards_onboardingseries")
        cursor.execute(
            "SELECT level, count(*) FROM dashboards_onboardingcount GROUP BY 1 ORDER BY 1"
        )
        count_levels = dict(cursor.fetchall())
        cursor.execute(
            "SELECT period || level, count(*) FROM dashboards_onboardingseries GROUP BY 1 "
            "ORDER BY 1"
        )
        series_levels = dict(cursor.fetchall())
        cursor.execute(
            "SELECT pg_total_relation_size('dashboards_onboardingcount') "
            "+ pg_total_relation_size('dashboards_onboardingseries')"
        )
        size = cursor.fetchone()[0]
    now = timezone.now()
    RollupClock.objects.update_or_create(
        name=rollups.CLOCK, defaults={"as_of": now, "changes_applied": 0, "rebuilt_at": now}
    )
    return {
        "businesses": businesses,
        "facts": int(facts[1]),
        "fact_groups": int(facts[0]),
        "count_rows": count_rows,
        "count_rows_by_level": {str(k): v for k, v in count_levels.items()},
        "series_rows": series_rows,
        "series_rows_by_period_level": series_levels,
        "size_mb": round(size / 1e6, 1),
        "generate_s": round(generated, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def incremental() -> None:
    """100,000 businesses, then 100,000 milestones, each folded into the 30 M-shaped rollups."""
    from django.db import connection

    from tumbuh.dashboards import rollups

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"""
            INSERT INTO registry_enterprise (id, public_id, kind, name, trade_names, scale, nib,
                village_id, address, phone_hash, phone_masked, email, links, merged_into_id,
                created_at, updated_at)
            SELECT {FIRST_NEW_ID} + n, 'N' || lpad(n::text, 11, '0'), 'umkm',
                'Usaha Baru ' || n, '[]', 'mikro', NULL, v.code, '', '', '', '', '[]', NULL,
                now() - (n % 30) * interval '1 day', now()
            FROM generate_series(1, {NEW}) AS n
            JOIN (SELECT code, row_number() OVER (ORDER BY code) AS k FROM regions_village) v
                ON v.k = 1 + (n * 7919) % 83762
            """
        )
        inserted = time.perf_counter() - started
    fold = rollups.apply_changes()
    line(
        bench="dashboards_shape",
        step="incremental_businesses",
        rows=NEW,
        insert_s=round(inserted, 2),
        fold_s=round(fold.seconds, 2),
        groups=fold.groups,
        load_1m=load(),
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"""
            INSERT INTO registry_milestone (enterprise_id, kind, occurred_at, source,
                province_code)
            SELECT e.id, 'store_live', e.created_at + interval '2 days', 'bench',
                substr(e.village_id, 1, 2)
            FROM registry_enterprise e WHERE e.id > {FIRST_NEW_ID}
            """
        )
        inserted = time.perf_counter() - started
    fold = rollups.apply_changes()
    line(
        bench="dashboards_shape",
        step="incremental_milestones",
        rows=NEW,
        insert_s=round(inserted, 2),
        fold_s=round(fold.seconds, 2),
        groups=fold.groups,
        load_1m=load(),
    )


def measure(officers: dict, samples: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from tumbuh.dashboards import rollups
    from tumbuh.dashboards.models import RollupClock
    from tumbuh.dashboards.sections import refresh_sections

    def client_of(user) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        return client

    refresh_sections()  # the other sections' figures (empty here) and their clocks
    national = client_of(officers["national"])
    provincial = client_of(officers["province_32"])
    stats = "/api/v1/stats/onboarding"
    calls = {
        "healthz (baseline)": (national, ["/healthz"]),
        "console home (baseline: no dashboard on it)": (provincial, ["/konsol/organisasi/"]),
        "console home with the headline": (national, ["/konsol/"]),
        "dashboard, national": (national, ["/konsol/dasbor/"]),
        "dashboard, province 32": (national, ["/konsol/dasbor/wilayah/32/"]),
        "dashboard, regency 32.04": (national, ["/konsol/dasbor/wilayah/32.04/"]),
        "dashboard, district 32.04.12": (national, ["/konsol/dasbor/wilayah/32.04.12/"]),
        "dashboard, provincial officer": (provincial, ["/konsol/dasbor/"]),
        "api stats, national": (national, [f"{stats}?milestone=store_live"]),
        "api stats, province 32": (national, [f"{stats}?region=32&milestone=store_live"]),
        "api stats, regency 32.04": (national, [f"{stats}?region=32.04&milestone=registered"]),
        "api series, national": (national, [f"{stats}/series?milestone=store_live"]),
    }
    for label, (client, paths) in calls.items():
        before = load()
        timings = percentiles(time_calls(client, paths, samples))
        line(bench="dashboards_shape", call=label, samples=samples, load_1m=before, **timings)
    # The pages above keep their rendered body while what they show is unchanged. Here the
    # rollup clock moves before every request, as a fold moves it: within the redraw delay the
    # page is shown as drawn ("after a fold"); with no delay the onboarding part is drawn again
    # each time ("drawn again"; the sections' part, which a fold does not change, stays kept).
    redraw = settings.TUMBUH_DASHBOARD_REDRAW_SECONDS
    for label, path, delay in (
        ("dashboard, national, after a fold", "/konsol/dasbor/", redraw),
        ("dashboard, national, drawn again", "/konsol/dasbor/", 0),
        ("dashboard, province 32, drawn again", "/konsol/dasbor/wilayah/32/", 0),
        ("dashboard, regency 32.04, drawn again", "/konsol/dasbor/wilayah/32.04/", 0),
    ):
        settings.TUMBUH_DASHBOARD_REDRAW_SECONDS = delay
        national.get(path)
        before = load()
        durations = []
        for _ in range(samples):
            RollupClock.objects.filter(name=rollups.CLOCK).update(as_of=timezone.now())
            started = time.perf_counter()
            response = national.get(path)
            durations.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
        line(
            bench="dashboards_shape",
            call=label,
            samples=samples,
            redraw_seconds=delay,
            load_1m=before,
            **percentiles(durations),
        )
    settings.TUMBUH_DASHBOARD_REDRAW_SECONDS = redraw


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=30_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its name)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure the pages of a kept database")
    options = parser.parse_args()

    name = options.reuse or f"tumbuh_shape_{os.getpid()}_{int(time.time())}"
    env = {
        **server_env(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-shape-"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    line(
        bench="dashboards_shape",
        database=name,
        businesses=options.businesses,
        machine=f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        load_1m=load(),
    )
    try:
        if not options.reuse:
            registry_scale.timed(
                "migrate_and_load_regions", registry_scale.create_database, name, env
            )
        tumbuh("collectstatic", "--noinput", "--verbosity", "0", env=env)  # DEBUG off: manifest
        import django

        django.setup()
        if options.reuse:
            from tumbuh.accounts.models import User

            officers = {
                key: User.objects.get(email=f"{key}@bench.example.id")
                for key in ("national", "province_32")
            }
        else:
            officers, _batches = registry_scale.actors()
            line(
                bench="dashboards_shape",
                step="rollups",
                load_1m=load(),
                **build_rollups(options.businesses),
            )
            incremental()
        measure(officers, options.samples)
    finally:
        if not (options.keep or options.reuse):
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(ADMIN, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            line(bench="dashboards_shape", kept=name)


if __name__ == "__main__":
    main()
