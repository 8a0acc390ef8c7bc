"""The dashboards at national scale: rollup rebuild, incremental fold, and page and API timings.

    uv run python bench/dashboards.py --businesses 1000000 [--samples 30] [--keep]
    uv run python bench/dashboards.py --reuse tumbuh_scale_<pid>_<time>   # a registry_scale DB

Builds a synthetic registry with ``bench/registry_scale.py``'s set-based build (in a PostgreSQL
database named for this run, dropped at the end unless ``--keep``) or reuses one a run kept.
Then, printing one JSON line each, with the machine's load average:

1. ``rebuild``: ``tumbuh rebuild_rollups``' work (:func:`tumbuh.dashboards.rollups.rebuild`,
   the registry read by ranges of ``--rebuild-range`` business ids) beside a baseline
   (``--rebuild-baseline``: ``one_read``, the same rebuild reading the registry by one
   statement, or ``before``, :func:`rebuild_before`, three reads of the registry), run
   alternately ``--rebuild-runs`` times each on the same registry: one line per run, then the
   medians, their ratio, whether both left the same rollups (a digest of every row), and the
   rows each rollup holds per level. Before them, the size of the rebuild's one read (its
   temporary table) beside a table of the facts by village, kind, scale, milestone and day.
2. ``incremental``: 100,000 new milestones written by one set-based statement (the change
   triggers run inside it; its time is beside the same statement's time with the triggers off),
   then folded by :func:`~tumbuh.dashboards.rollups.apply_changes`; the folded national count
   is checked against a raw count.
3. The pages and API calls of the dashboards and open data, as a national and a provincial
   officer, through Django's request handling with DEBUG off (no network), beside two baselines
   of the same run: ``/healthz`` and the raw count by province × milestone that the rollups
   replace.
"""

# The SQL is built from this module's constants and integers; nothing from outside reaches it.
# ruff: noqa: S608

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import registry_scale  # noqa: E402
from bench.registry_scale import ADMIN, line, percentiles, time_calls, tumbuh  # noqa: E402
from bench.serving import server_env  # noqa: E402

NEW_MILESTONES = 100_000
RAW_COUNT = (
    "SELECT substr(e.village_id, 1, 2), m.kind, count(*) FROM registry_milestone m "
    "JOIN registry_enterprise e ON e.id = m.enterprise_id WHERE e.merged_into_id IS NULL "
    "GROUP BY 1, 2"
)


def load() -> float:
    return round(os.getloadavg()[0], 2)


def rebuild_before():
    """The rebuild as it was before the one-read rebuild (7 December 2026), kept as the baseline:
    the registry's facts read three times (village counts, district months, province weeks),
    inserted into rollups emptied by DELETE."""
    from django.db import connection, transaction

    from tumbuh.dashboards import rollups
    from tumbuh.dashboards.models import Level, RollupClock

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        rollups._locked(cursor, wait=True)
        cursor.execute("LOCK TABLE dashboards_onboardingchange IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DELETE FROM dashboards_onboardingchange")
        cursor.execute("DELETE FROM dashboards_onboardingcount")
        cursor.execute("DELETE FROM dashboards_onboardingseries")
        facts = f"({rollups._registry_facts()})"
        cursor.execute(rollups._count_upsert(Level.VILLAGE, facts, upsert=False))
        for level in (Level.DISTRICT, Level.REGENCY, Level.PROVINCE, Level.NATIONAL):
            cursor.execute(rollups._rolled_up("dashboards_onboardingcount", level))
        for period, levels in rollups.SERIES_LEVELS.items():
            finest, *coarser = sorted(levels, reverse=True)
            cursor.execute(rollups._series_upsert(period, finest, facts, upsert=False))
            for level in coarser:
                cursor.execute(
                    rollups._rolled_up("dashboards_onboardingseries", level, period=period)
                )
        cursor.execute(
            "SELECT coalesce(sum(count), 0), count(*) FROM dashboards_onboardingcount "
            "WHERE level = %s",
            [Level.NATIONAL],
        )
        facts_counted, _rows = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM dashboards_onboardingcount")
        groups = cursor.fetchone()[0]
        RollupClock.objects.filter(name=rollups.CLOCK).delete()
        rollups._touch_clock(changes=0, rebuilt=True)
    return rollups.Fold(int(facts_counted), groups, time.perf_counter() - started)


def rollup_digest(cursor) -> str:
    """A digest of every rollup row but its id: equal digests, equal rollups."""
    cursor.execute(
        "SELECT md5(string_agg(concat_ws('|', level, region_code, parent_code, is_3t, "
        "enterprise_kind, scale, milestone, count), ',' ORDER BY region_code COLLATE \"C\", "
        "is_3t, enterprise_kind, scale, milestone)) FROM dashboards_onboardingcount"
    )
    counts = cursor.fetchone()[0]
    cursor.execute(
        "SELECT md5(string_agg(concat_ws('|', period, start, level, region_code, parent_code, "
        "is_3t, enterprise_kind, milestone, count), ',' ORDER BY period, "
        'region_code COLLATE "C", start, is_3t, enterprise_kind, milestone)) '
        "FROM dashboards_onboardingseries"
    )
    return f"{counts}/{cursor.fetchone()[0]}"


def intermediate() -> None:
    """The size of the one read's table, beside the day-grain table it replaced as a design."""
    from django.db import connection, transaction

    from tumbuh.dashboards import rollups

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.01")
        started = time.perf_counter()
        rollups._fill_rebuilt(cursor)
        seconds = time.perf_counter() - started
        cursor.execute(f"SELECT grain, count(*) FROM {rollups.REBUILT} GROUP BY grain")
        rows = dict(cursor.fetchall())
        cursor.execute(f"SELECT pg_total_relation_size('{rollups.REBUILT}')")
        size = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT DISTINCT village_id, enterprise_kind, scale, milestone, "
            f"day FROM ({rollups._registry_facts()}) f) d"
        )
        day_rows = cursor.fetchone()[0]
        transaction.set_rollback(True)
    line(
        bench="dashboards",
        step="rebuild_intermediate",
        seconds=round(seconds, 1),
        rows_by_grain=rows,
        rows=sum(rows.values()),
        bytes=size,
        day_grain_rows=day_rows,
        load_1m=load(),
    )


def rebuild(runs: int, *, baseline: str = "one_read", id_range: int | None = None) -> None:
    """The rebuild now and a baseline, alternately ``runs`` times each; medians and their ratio.

    ``baseline``: "one_read", the registry read by one statement (the rebuild's read before it
    went by ranges of business ids), or "before", the rebuild before the one read
    (:func:`rebuild_before`). ``id_range``: the ranges' size now (default: the rollups')."""
    from django.db import connection

    from tumbuh.dashboards import rollups

    baselines = {"one_read": partial(rollups.rebuild, id_range=2**62), "before": rebuild_before}
    seconds = {"before": [], "now": []}
    digests = set()
    for run in range(runs):
        methods = (
            ("before", baselines[baseline]),
            ("now", partial(rollups.rebuild, id_range=id_range)),
        )
        for method, function in methods:
            before = load()
            fold = function()
            seconds[method].append(fold.seconds)
            with connection.cursor() as cursor:
                digests.add(rollup_digest(cursor))
            line(
                bench="dashboards",
                step="rebuild",
                method=method,
                run=run + 1,
                seconds=round(fold.seconds, 1),
                facts=fold.changes,
                groups=fold.groups,
                load_1m_before=before,
                load_1m=load(),
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_onboardingcount")
        cursor.execute("ANALYZE dashboards_onboardingseries")
        rows = {}
        for table in ("dashboards_onboardingcount", "dashboards_onboardingseries"):
            cursor.execute(f"SELECT level, count(*) FROM {table} GROUP BY level ORDER BY level")
            rows[table] = dict(cursor.fetchall())
            cursor.execute(f"SELECT pg_total_relation_size('{table}')")
            rows[f"{table}_bytes"] = cursor.fetchone()[0]
    before, now = statistics.median(seconds["before"]), statistics.median(seconds["now"])
    line(
        bench="dashboards",
        step="rebuild_medians",
        runs=runs,
        baseline=baseline,
        id_range=id_range or rollups.REBUILD_RANGE,
        before_seconds=round(before, 1),
        now_seconds=round(now, 1),
        ratio=round(before / now, 2),
        same_rollups=len(digests) == 1,
        rows_by_level=rows,
        load_1m=load(),
    )


def _insert_milestones(cursor, kind: str) -> float:
    started = time.perf_counter()
    cursor.execute(
        "INSERT INTO registry_milestone (enterprise_id, kind, occurred_at, source, province_code) "
        "SELECT e.id, %s, now() - (e.id %% 300) * interval '1 day', 'bench', "
        "substr(e.village_id, 1, 2) FROM registry_enterprise e "
        "WHERE e.merged_into_id IS NULL AND NOT EXISTS (SELECT 1 FROM registry_milestone m "
        "WHERE m.enterprise_id = e.id AND m.kind = %s) ORDER BY e.id LIMIT %s",
        [kind, kind, NEW_MILESTONES],
    )
    return time.perf_counter() - started


def incremental() -> None:
    from django.db import connection, transaction

    from tumbuh.dashboards import rollups
    from tumbuh.dashboards.models import Level, OnboardingCount
    from tumbuh.registry.models import Milestone

    rollups.apply_changes()
    with connection.cursor() as cursor:
        # The same statement without the change triggers, rolled back: the triggers' cost.
        with transaction.atomic():
            cursor.execute("ALTER TABLE registry_milestone DISABLE TRIGGER USER")
            bare = _insert_milestones(cursor, Milestone.Kind.FIRST_ONLINE_SALE)
            transaction.set_rollback(True)
        with transaction.atomic():
            written = _insert_milestones(cursor, Milestone.Kind.FIRST_ONLINE_SALE)
        cursor.execute("SELECT count(*) FROM dashboards_onboardingchange")
        change_rows = cursor.fetchone()[0]
    fold = rollups.apply_changes()
    counted = sum(
        OnboardingCount.objects.filter(
            level=Level.NATIONAL, milestone=Milestone.Kind.FIRST_ONLINE_SALE
        ).values_list("count", flat=True)
    )
    raw = Milestone.objects.filter(
        kind=Milestone.Kind.FIRST_ONLINE_SALE, enterprise__merged_into__isnull=True
    ).count()
    line(
        bench="dashboards",
        step="incremental",
        milestones=NEW_MILESTONES,
        insert_seconds=round(written, 2),
        insert_without_triggers_seconds=round(bare, 2),
        change_rows=change_rows,
        fold_seconds=round(fold.seconds, 2),
        folded_changes=fold.changes,
        national_count=counted,
        raw_count=raw,
        agrees=counted == raw,
        load_1m=load(),
    )


def measure(officers: dict, samples: int) -> None:
    from django.db import connection
    from django.test import Client

    def client_of(user) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        return client

    national = client_of(officers["national"])
    provincial = client_of(officers["province_32"])
    public = Client(HTTP_HOST="127.0.0.1")
    stats = "/api/v1/stats/onboarding"
    calls = {
        "healthz (baseline)": (national, ["/healthz"]),
        "dashboard, national": (national, ["/konsol/dasbor/"]),
        "dashboard, province 32": (national, ["/konsol/dasbor/wilayah/32/"]),
        "dashboard, regency 32.04": (national, ["/konsol/dasbor/wilayah/32.04/"]),
        "dashboard, provincial officer": (provincial, ["/konsol/dasbor/"]),
        "targets page": (national, ["/konsol/dasbor/target/"]),
        "api stats, national": (national, [f"{stats}?milestone=store_live"]),
        "api stats, province 32": (national, [f"{stats}?region=32&milestone=store_live"]),
        "api stats, regency 32.04": (national, [f"{stats}?region=32.04&milestone=registered"]),
        "open data home": (public, ["/data/"]),
        "open data map": (public, ["/data/peta.svg"]),
        "ckan package_list": (public, ["/api/3/action/package_list"]),
    }
    with connection.cursor() as cursor:
        durations = []
        for _ in range(max(3, samples // 5)):
            started = time.perf_counter()
            cursor.execute(RAW_COUNT)
            cursor.fetchall()
            durations.append((time.perf_counter() - started) * 1000)
    line(
        bench="dashboards",
        call="raw count by province × milestone (baseline: what the rollups replace)",
        load_1m=load(),
        **percentiles(durations),
    )
    for label, (client, paths) in calls.items():
        before = load()
        timings = percentiles(time_calls(client, paths, samples))
        line(bench="dashboards", call=label, samples=samples, load_1m=before, **timings)
    # The pages above keep their rendered body while what they show is unchanged; here every
    # request draws it again, as the first read after a change does.
    from django.core.cache import cache

    for label, path in (
        ("dashboard, national, drawn again", "/konsol/dasbor/"),
        ("dashboard, province 32, drawn again", "/konsol/dasbor/wilayah/32/"),
    ):
        before = load()
        durations = []
        for _ in range(samples):
            cache.clear()
            started = time.perf_counter()
            national.get(path)
            durations.append((time.perf_counter() - started) * 1000)
        line(
            bench="dashboards",
            call=label,
            samples=samples,
            load_1m=before,
            **percentiles(durations),
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its name)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database a run kept")
    parser.add_argument(
        "--steps",
        default="rebuild,incremental,measure",
        help="which steps to run, comma-separated (default: all three)",
    )
    parser.add_argument(
        "--rebuild-runs",
        type=int,
        default=3,
        help="rebuilds timed by each method, alternately (default: 3)",
    )
    parser.add_argument(
        "--rebuild-baseline",
        choices=["one_read", "before"],
        default="one_read",
        help="the rebuild timed beside today's (default: the registry read by one statement)",
    )
    parser.add_argument(
        "--rebuild-range", type=int, help="business ids per read of the rebuild now"
    )
    options = parser.parse_args()
    steps = set(options.steps.split(","))

    name = options.reuse or f"tumbuh_dash_{os.getpid()}_{int(time.time())}"
    env = {
        **server_env(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-dash-"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    line(
        bench="dashboards",
        database=name,
        businesses=None if options.reuse else options.businesses,
        machine=f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        load_1m=load(),
    )
    try:
        if options.reuse:
            tumbuh("migrate", "--verbosity", "0", env=env)
        else:
            registry_scale.timed(
                "migrate_and_load_regions", registry_scale.create_database, name, env
            )
        tumbuh("collectstatic", "--noinput", "--verbosity", "0", env=env)  # DEBUG off: manifest
        import django

        django.setup()
        from tumbuh.accounts.models import User

        if options.reuse:
            officers = {
                "national": User.objects.get(email="national@bench.example.id"),
                "province_32": User.objects.get(email="province_32@bench.example.id"),
            }
        else:
            built = registry_scale.build(options.businesses)
            officers = built.pop("officers")
            line(bench="dashboards", step="registry_built", **built)
        if "rebuild" in steps:
            intermediate()
            rebuild(
                options.rebuild_runs,
                baseline=options.rebuild_baseline,
                id_range=options.rebuild_range,
            )
        if "incremental" in steps:
            incremental()
        if "measure" in steps:
            measure(officers, options.samples)
    finally:
        if not (options.keep or options.reuse):
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(ADMIN, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            line(bench="dashboards", kept=name)


if __name__ == "__main__":
    main()
