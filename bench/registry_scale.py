"""The registry at national scale: build a synthetic registry by set-based SQL, then time its
pages and API calls.

    uv run python bench/registry_scale.py --businesses 30000000 [--samples 30] [--keep]
    uv run python bench/registry_scale.py --reuse tumbuh_scale_<pid>_<time>   # measure again

Builds, in a PostgreSQL database named for this run (``tumbuh_scale_<pid>_<time>``; dropped at
the end unless ``--keep``), the schema by ``tumbuh migrate`` and every region of the country by
``tumbuh load_regions``, then a registry of ``--businesses`` deduplicated businesses spread over
the 83,762 real villages in proportion to their regency's population (shared in equal parts among
the regency's villages: the shipped data has no population per village), each with:

- one owner (a person with a NIK hash, as an import writes it) and one KBLI code;
- one partner row (a source record), a second one from another partner for one business in four;
- one merged duplicate for one business in twelve (a record merged into it, its row moved along);
- milestones: registered (all), NIB issued (40 %, those with a NIB), capability assessed (30 %),
  trained (20 %), online store live (10 %), halal certified (5 %), first online sale (5 %), paid
  digitally (3 %).

Rows are made by ``INSERT … SELECT`` over ``generate_series`` with names from fixed Indonesian
vocabularies picked by hashing the row number (deterministic); the big tables' indexes and
foreign keys are dropped for the load and made again afterwards, as a bulk load should.

Then it times, as a national officer and as a provincial one, through Django's request handling
with DEBUG off (no network): the registry list (national, province, regency; first page and the
twentieth by cursor), search (a common word, a whole business name, its first two words), a
business's page, and the same through the API; beside two baselines of the same run:
``/healthz`` (the framework's floor) and a bare ``count(*)`` of the live businesses. The process
loads ``tumbuh.wsgi`` as a server's worker does. Prints one JSON line per build step and per measured call (p50/p95 in ms), with the
machine's load average.
"""

# The SQL is built from this module's constants and integers; nothing from outside reaches it.
# ruff: noqa: S608

import argparse
import importlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import server_env  # noqa: E402

ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
TABLES = (
    "registry_enterprise",
    "registry_person",
    "registry_ownership",
    "registry_enterprisekbli",
    "registry_sourcerecord",
    "registry_milestone",
)
PROVINCE_KEYED = TABLES[2:]  # their rows carry the business's province (models.province_key)
# Tables whose own triggers are switched off for the load: the province triggers above, and the
# dashboards' change triggers on businesses and milestones (the rollups are rebuilt afterwards).
TRIGGERS_OFF = ("registry_enterprise", *PROVINCE_KEYED)
FORMS = ["Warung", "Toko", "Kedai", "UD", "CV", "Usaha", "Rumah Produksi", "Dapur", "Sentra", ""]
PRODUCTS = [
    "Kue Kering",
    "Keripik Singkong",
    "Kopi",
    "Batik",
    "Tenun",
    "Kerupuk Ikan",
    "Sambal",
    "Madu",
    "Abon",
    "Gula Aren",
    "Tahu",
    "Tempe",
    "Jamu",
    "Roti",
    "Bakso",
    "Anyaman Pandan",
    "Sabun Sereh",
    "Keripik Pisang",
    "Dodol",
    "Emping",
]
WORDS = ["Maju", "Jaya", "Berkah", "Lestari", "Makmur", "Sejahtera", "Barokah", "Mandiri"]
FIRST = [
    "Siti", "Sri", "Muhammad", "Ahmad", "Dewi", "Nur", "Agus", "Budi", "Wahyuni", "Ratna",
    "Yuni", "Ani", "Rina", "Eko", "Joko", "Made", "Ketut", "Putu", "Maria", "Yohanes",
]  # fmt: skip
LAST = [
    "Lestari", "Rahayu", "Siregar", "Saputra", "Hidayat", "Nasution", "Gultom", "Wijaya",
    "Santoso", "Pratama", "Kurniawan", "Setiawan", "Lubis", "Harahap", "Simanjuntak", "Wati",
]  # fmt: skip
KBLI = ["10792", "10750", "47111", "56101", "13121", "10710", "10420", "14111", "16293", "10110"]
MILESTONES = [  # kind, share in thousandths
    ("nib_issued", 400),
    ("assessed", 300),
    ("trained", 200),
    ("store_live", 100),
    ("halal_certified", 50),
    ("first_online_sale", 50),
    ("paid_digitally", 30),
]
PARTNERS = 6
# Business number i with its village v (the rows that hang off a business carry its province).
EACH_BUSINESS = "bench_village v, generate_series(v.start + 1, v.start + v.n) AS i"


def line(**fields) -> None:
    print(json.dumps(fields), flush=True)


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def pick(values: list[str], seed: str) -> str:
    """SQL for a value of ``values`` chosen by hashing ``seed`` (an SQL integer expression)."""
    return f"({sql_array(values)})[1 + abs(hashint8(({seed})::bigint) % {len(values)})]"


def tumbuh(*arguments, env) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return result.stdout


def timed(step: str, function, *arguments):
    started = time.perf_counter()
    result = function(*arguments)
    line(bench="registry_scale", step=step, seconds=round(time.perf_counter() - started, 1))
    return result


# --- build ------------------------------------------------------------------------------------


def create_database(name: str, env: dict) -> None:
    import psycopg

    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    tumbuh("migrate", "--verbosity", "0", env=env)
    tumbuh("load_regions", "--json", env=env)


def actors():
    """A partner organisation per source, an import batch each, and the two officers timed."""
    from tumbuh.accounts import services as accounts
    from tumbuh.accounts.models import Membership, Organisation, User
    from tumbuh.registry.models import ImportBatch

    system = accounts.system_actor()
    ministry = accounts.create_organisation(
        name="Kementerian (bench)", kind=Organisation.Kind.MINISTRY, region_code="", by=system
    )
    province = accounts.create_organisation(
        name="Dinas Jawa Barat (bench)",
        kind=Organisation.Kind.PROVINCIAL_OFFICE,
        region_code="32",
        by=system,
    )
    officers = {}
    for key, organisation in (("national", ministry), ("province_32", province)):
        user = User.objects.create_user(
            email=f"{key}@bench.example.id", password=None, full_name=f"Officer {key}"
        )
        accounts.grant_membership(
            user=user, organisation=organisation, role=Membership.Role.OFFICER, by=system
        )
        officers[key] = user
    batches = []
    for number in range(PARTNERS):
        partner = accounts.create_organisation(
            name=f"Mitra {number + 1} (bench)",
            kind=Organisation.Kind.MARKETPLACE,
            region_code="",
            by=system,
        )
        batches.append(
            ImportBatch.objects.create(
                organisation=partner,
                file_name=f"mitra-{number + 1}.csv",
                status=ImportBatch.Status.DONE,
            )
        )
    return officers, batches


def saved_definitions(cursor) -> tuple[list[str], list[str]]:
    """Drop the big tables' indexes and constraints but their primary keys; return the SQL that
    makes them again: the indexes (a unique constraint's as a unique index), which two sessions
    can build at once, and the statements that attach the constraints afterwards, which are
    quick (``ALTER TABLE`` locks its table whole, so it must not wait behind an index build)."""
    tables = ",".join(f"'{table}'::regclass" for table in TABLES)
    cursor.execute(
        f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        f"FROM pg_constraint WHERE conrelid IN ({tables}) AND contype <> 'p'"
    )
    constraints = cursor.fetchall()
    cursor.execute(
        f"SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        f"WHERE i.indrelid IN ({tables}) AND NOT i.indisprimary AND NOT EXISTS "
        f"(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    )
    indexes = [sql for _name, sql in cursor.fetchall()]
    attach = []
    for table, name, sql, kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        if kind == "u":
            indexes.append(f'CREATE UNIQUE INDEX "{name}" ON {table} {sql.removeprefix("UNIQUE ")}')
            attach.append(
                f'ALTER TABLE {table} ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"'
            )
        else:
            # Foreign keys and checks come back NOT VALID: the rows were made to satisfy them,
            # and checking 30 M of them again would double the load (a real bulk load runs
            # VALIDATE CONSTRAINT afterwards, which takes no lock that blocks writes).
            attach.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql} NOT VALID')
    cursor.execute(
        "SELECT indexrelid::regclass::text FROM pg_index i "
        f"WHERE i.indrelid IN ({tables}) AND NOT i.indisprimary"
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"DROP INDEX {name}")
    return indexes, attach


def village_shares(cursor, businesses: int) -> None:
    """``bench_village``: how many businesses each village gets, and the first one's number."""
    cursor.execute(
        """
        CREATE UNLOGGED TABLE bench_village AS
        WITH weighted AS (
            SELECT v.code, coalesce(r.population, 1)::float
                   / count(*) OVER (PARTITION BY v.regency_id) AS weight
            FROM regions_village v JOIN regions_regency r ON r.code = v.regency_id
        ), shares AS (
            SELECT code, %(n)s * weight / sum(weight) OVER () AS share FROM weighted
        ), floors AS (
            SELECT code, floor(share)::bigint AS n, share - floor(share) AS rest FROM shares
        ), ranked AS (
            SELECT code, n + CASE WHEN row_number() OVER (ORDER BY rest DESC, code)
                <= %(n)s - sum(n) OVER () THEN 1 ELSE 0 END AS n
            FROM floors
        )
        SELECT code, n::bigint AS n, (sum(n) OVER (ORDER BY code) - n)::bigint AS start
        FROM ranked
        """.replace("%(n)s", str(int(businesses)))
    )


def fill_statements(businesses: int, batches) -> list[list[tuple[str, str]]]:
    """The registry's rows as ``INSERT … SELECT`` statements, in two lanes that touch different
    tables (so two sessions can run them at once, one per core): the businesses and their
    partner rows; the people, ownerships, KBLI codes and milestones. Each is (label, SQL)."""
    n = int(businesses)  # written into the SQL: a number, so no placeholders (and % stays %)
    owner = f"{pick(FIRST, 'i * 7 + 1')} || ' ' || {pick(LAST, 'i * 11 + 3')}"
    name = (
        f"ltrim({pick(FORMS, 'i * 13 + 5')} || ' ' || {pick(PRODUCTS, 'i * 17 + 7')} || ' ' || "
        f"{pick(WORDS, 'i * 19 + 11')} || ' ' || {pick(FIRST, 'i * 23 + 13')})"
    )
    scale = "CASE WHEN abs(hashint8(i * 29)) % 100 < 95 THEN 'mikro' " + (
        "WHEN abs(hashint8(i * 29)) % 100 < 99 THEN 'kecil' ELSE 'menengah' END"
    )
    kind = "CASE WHEN abs(hashint8(i * 31)) % 1000 < 3 THEN 'bumdes' " + (
        "WHEN abs(hashint8(i * 31)) % 1000 < 4 THEN 'cooperative' ELSE 'umkm' END"
    )
    has_nib = "abs(hashint8(i * 37)) % 1000 < 400"
    has_phone = "abs(hashint8(i * 41)) % 100 < 70"
    businesses_lane = [
        (
            "businesses",
            f"""
            INSERT INTO registry_enterprise (id, public_id, kind, name, trade_names, scale, nib,
                village_id, address, phone_hash, phone_masked, email, links, merged_into_id,
                created_at, updated_at)
            SELECT i, 'B' || lpad(i::text, 11, '0'), {kind}, {name}, '[]', {scale},
                CASE WHEN {has_nib} THEN '9' || lpad(i::text, 12, '0') END,
                v.code, '', CASE WHEN {has_phone} THEN md5(i::text) || md5((-i)::text) ELSE ''
                END, CASE WHEN {has_phone} THEN '+62812*****' || lpad((i % 1000)::text, 3, '0')
                ELSE '' END, '', '[]', NULL,
                timestamp '2025-01-01' + (i % 600) * interval '1 day', now()
            FROM bench_village v, generate_series(v.start + 1, v.start + v.n) AS i
            """,
        ),
        (
            "merged_records",
            f"""
            INSERT INTO registry_enterprise (id, public_id, kind, name, trade_names, scale, nib,
                village_id, address, phone_hash, phone_masked, email, links, merged_into_id,
                created_at, updated_at)
            SELECT {n} + e.id / 12, 'D' || lpad((e.id / 12)::text, 11, '0'), e.kind,
                lower(e.name), '[]', '', NULL, e.village_id, '', '', '', '', '[]', e.id,
                e.created_at + interval '3 days', now()
            FROM registry_enterprise e
            WHERE e.id % 12 = 0 AND e.id <= {n}
            """,
        ),
    ]
    batch_ids = "ARRAY[" + ",".join(str(batch.pk) for batch in batches) + "]"
    organisation_ids = "ARRAY[" + ",".join(str(batch.organisation_id) for batch in batches) + "]"
    # Every record's row (a merged record's row moved to the business it was merged into), and
    # a second partner's row for one business in four.
    businesses_lane.append(
        (
            "source_records",
            f"""
            INSERT INTO registry_sourcerecord (organisation_id, batch_id, file_name, row_number,
                row_hash, "values", enterprise_id, first_enterprise_id, rule, imported_at,
                province_code)
            SELECT ({organisation_ids})[1 + e.id % {PARTNERS}],
                ({batch_ids})[1 + e.id % {PARTNERS}], 'mitra.csv', e.id,
                md5('row' || e.id) || md5('wor' || e.id),
                jsonb_build_object('Nama Usaha', e.name, 'Kode Desa', e.village_id),
                coalesce(e.merged_into_id, e.id), e.id,
                CASE WHEN e.merged_into_id IS NULL THEN 'new' ELSE 'probable' END, e.created_at,
                substr(e.village_id, 1, 2)
            FROM registry_enterprise e
            UNION ALL
            SELECT ({organisation_ids})[1 + (e.id + 1) % {PARTNERS}],
                ({batch_ids})[1 + (e.id + 1) % {PARTNERS}], 'mitra.csv', e.id,
                md5('second' || e.id) || md5(e.id || 'second'),
                jsonb_build_object('Nama Usaha', upper(e.name), 'Kode Desa', e.village_id),
                e.id, e.id, 'exact', e.created_at + interval '30 days', substr(e.village_id, 1, 2)
            FROM registry_enterprise e
            WHERE e.merged_into_id IS NULL AND abs(hashint8(e.id * 47)) % 4 = 0
            """,
        )
    )
    parts = [
        "SELECT i, 'registered', timestamp '2025-01-01' + (i % 600) * interval '1 day', "
        f"'bench', substr(v.code, 1, 2) FROM {EACH_BUSINESS}"
    ]
    for number, (kind_name, share) in enumerate(MILESTONES):
        condition = (
            has_nib
            if kind_name == "nib_issued"
            else f"abs(hashint8(i * {53 + number * 6})) % 1000 < {share}"
        )
        parts.append(
            f"SELECT i, '{kind_name}', timestamp '2025-02-01' + (i % 580) * interval '1 day', "
            f"'bench', substr(v.code, 1, 2) FROM {EACH_BUSINESS} WHERE {condition}"
        )
    people_lane = [
        (
            "people",
            f"""
            INSERT INTO registry_person (id, public_id, full_name, nik_hash, nik_masked,
                nik_flags, sex, phone_hash, phone_masked, created_at)
            SELECT i, 'P' || lpad(i::text, 11, '0'), {owner},
                md5('nik' || i) || md5('kin' || i),
                lpad(((i % 90) + 10)::text, 4, '0') || '**********'
                || lpad((i % 100)::text, 2, '0'),
                '[]', CASE WHEN i % 2 = 0 THEN 'P' ELSE 'L' END, '', '', now()
            FROM generate_series(1, {n}) AS i
            """,
        ),
        (
            "ownerships",
            "INSERT INTO registry_ownership (enterprise_id, person_id, role, province_code) "
            f"SELECT i, i, 'owner', substr(v.code, 1, 2) FROM {EACH_BUSINESS}",
        ),
        (
            "kbli_codes",
            "INSERT INTO registry_enterprisekbli (enterprise_id, code, version, province_code) "
            f"SELECT i, {pick(KBLI, 'i * 43')}, '2020', substr(v.code, 1, 2) FROM {EACH_BUSINESS}",
        ),
        (
            "milestones",
            "INSERT INTO registry_milestone (enterprise_id, kind, occurred_at, source, "
            "province_code) " + " UNION ALL ".join(parts),
        ),
    ]
    return [businesses_lane, people_lane]


def in_lanes(database_url: str, lanes: list[list[tuple[str, str]]], setup: list[str]) -> dict:
    """Run each lane's statements in order in a session of its own, the lanes at once (one
    thread and one connection each); print each statement's time. Returns rows per label."""
    import threading

    import psycopg

    counts: dict[str, int] = {}
    failures: list[BaseException] = []

    def run(lane: list[tuple[str, str]]) -> None:
        try:
            with psycopg.connect(database_url, autocommit=True) as connection:
                for sql in setup:
                    connection.execute(sql)
                for label, sql in lane:
                    started = time.perf_counter()
                    counts[label] = connection.execute(sql).rowcount
                    line(
                        bench="registry_scale",
                        step=label,
                        rows=counts[label],
                        seconds=round(time.perf_counter() - started, 1),
                    )
        except BaseException as error:  # re-raised in the caller's thread below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return counts


def from_queue(database_url: str, jobs: list[tuple[str, str]], sessions: int, setup) -> None:
    """Run ``jobs`` (label, SQL; longest first) in ``sessions`` sessions at once, each taking the
    next job when it is free; print each job's time."""
    import queue
    import threading

    import psycopg

    waiting: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        waiting.put(job)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(database_url, autocommit=True) as connection:
                for sql in setup:
                    connection.execute(sql)
                while not failures:
                    try:
                        label, sql = waiting.get_nowait()
                    except queue.Empty:
                        return
                    started = time.perf_counter()
                    connection.execute(sql)
                    line(
                        bench="registry_scale",
                        step="index",
                        index=label,
                        seconds=round(time.perf_counter() - started, 1),
                    )
        except BaseException as error:  # re-raised in the caller's thread below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def index_jobs(indexes: list[str]) -> list[tuple[str, str]]:
    """The indexes, longest first: the GIN index of the names' words, then by table (businesses, partner rows,
    milestones, people, the rest)."""
    order = {table: number for number, table in enumerate(
        ("registry_enterprise", "registry_sourcerecord", "registry_milestone", "registry_person")
    )}  # fmt: skip

    def weight(sql: str) -> tuple[int, int]:
        table = next((t for t in TABLES if re.search(rf"[ .]{t}[ (]", sql)), "")
        return (0 if "gin" in sql.lower() else 1, order.get(table, len(order)))

    return [(sql.split(" ON ")[0].split(" INDEX ")[-1], sql) for sql in sorted(indexes, key=weight)]


def build(businesses: int) -> dict:
    from django.db import connection

    officers, batches = actors()
    database_url = os.environ["DATABASE_URL"]
    session = [
        "SET maintenance_work_mem = '2GB'",
        "SET max_parallel_maintenance_workers = 1",
        "SET synchronous_commit = off",
    ]
    with connection.cursor() as cursor:
        indexes, attach = timed("drop_indexes", saved_definitions, cursor)
        village_shares(cursor, businesses)
        # The rows are written with their province (models.province_key); the triggers that
        # keep it for the platform's own writes would look each business up again. The
        # dashboards' rollups are rebuilt once at the end instead of following every row.
        for table in TRIGGERS_OFF:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    connection.close()
    counts = timed(
        "insert_rows", in_lanes, database_url, fill_statements(businesses, batches), session
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_village")
        for table in TRIGGERS_OFF:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    connection.close()
    timed("create_indexes", from_queue, database_url, index_jobs(indexes), 2, session)
    with connection.cursor() as cursor:
        timed("attach_constraints", lambda: [cursor.execute(sql) for sql in attach])
        cursor.execute("SET maintenance_work_mem = '2GB'")
        timed("vacuum_analyze", lambda: [cursor.execute(f"VACUUM ANALYZE {t}") for t in TABLES])
    from tumbuh.dashboards import rollups

    rebuilt = timed("rebuild_rollups", rollups.rebuild)
    counts["rollup_groups"] = rebuilt.groups
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        counts["database_bytes"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
            f"WHERE c.relname IN ({','.join(repr(t) for t in TABLES)})"
        )
        for table, table_bytes, index_bytes in cursor.fetchall():
            line(
                bench="registry_scale",
                table=table,
                table_bytes=table_bytes,
                index_bytes=index_bytes,
            )
    return {"officers": officers, **counts}


# --- measure ----------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def time_calls(client, paths: list[str], samples: int) -> list[float]:
    for path in paths[:2]:  # warm-up: connections, templates, caches of the process
        client.get(path)
    durations = []
    for number in range(samples):
        path = paths[number % len(paths)]
        started = time.perf_counter()
        response = client.get(path)
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
    return durations


def cursor_of_page(client, path: str, page: int, *, api: bool) -> str:
    """The cursor of page ``page`` of a list, walked from the first."""
    cursor = ""
    for _ in range(page - 1):
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}cursor={cursor}" if cursor else path)
        cursor = (
            response.json()["next_cursor"] if api else response.context["page"].next_cursor
        ) or ""
    return cursor


def measure(officers: dict, samples: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tumbuh.registry.models import Enterprise

    setup_test_environment()  # response.context for walking the console's cursors
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM registry_person")
        top = cursor.fetchone()[0]
    ids = [rng.randint(1, top) for _ in range(samples)]
    public_ids = list(Enterprise.objects.filter(pk__in=ids).values_list("public_id", flat=True))
    names = list(Enterprise.objects.filter(pk__in=ids[:10]).values_list("name", flat=True))
    two_words = [" ".join(name.split()[:2]) for name in names]

    def client_of(user) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        return client

    national = client_of(officers["national"])
    provincial = client_of(officers["province_32"])
    console, api = "/konsol/registri/", "/api/v1/registry/enterprises"
    calls = {
        "healthz (baseline)": (national, ["/healthz"]),
        "console home (baseline: a console page without the registry)": (national, ["/konsol/"]),
        "console list, national": (national, [console]),
        "console list, province 32": (national, [f"{console}?province=32"]),
        "console list, regency 32.04": (national, [f"{console}?province=32&regency=32.04"]),
        "console list, provincial officer": (provincial, [console]),
        "console list, BumDes only (0.3 %)": (national, [f"{console}?kind=bumdes"]),
        "console list, province 32, paid digitally (3 %)": (
            national,
            [f"{console}?province=32&milestone=paid_digitally"],
        ),
        "console list, regency 32.04, KBLI section C": (
            national,
            [f"{console}?province=32&regency=32.04&kbli_section=C"],
        ),
        "console search, common word": (national, [f"{console}?q=kopi"]),
        "console search, a business name": (national, [f"{console}?q={quote(n)}" for n in names]),
        # The first two words of a name: one name in 200 or so, far more than a search ranks.
        "console search, two words": (national, [f"{console}?q={quote(w)}" for w in two_words]),
        "console business page": (national, [f"{console}usaha/{p}/" for p in public_ids]),
        "api list, national": (national, [api]),
        "api list, province 32": (national, [f"{api}?region=32"]),
        "api list, regency 32.04": (national, [f"{api}?region=32.04"]),
        "api search, a business name": (national, [f"{api}?q={quote(n)}" for n in names]),
        "api business": (national, [f"{api}/{p}" for p in public_ids]),
    }
    for label, path, is_api in (
        ("console list, national, page 20", console, False),
        ("console list, regency 32.04, page 20", f"{console}?province=32&regency=32.04", False),
        ("api list, national, page 20", api, True),
    ):
        cursor = cursor_of_page(national, path, 20, api=is_api)
        separator = "&" if "?" in path else "?"
        calls[label] = (national, [f"{path}{separator}cursor={cursor}"])
    with connection.cursor() as cursor:
        durations = []
        for _ in range(samples):
            started = time.perf_counter()
            cursor.execute("SELECT count(*) FROM registry_enterprise WHERE merged_into_id IS NULL")
            cursor.fetchone()
            durations.append((time.perf_counter() - started) * 1000)
    line(
        bench="registry_scale",
        call="count(*) of live businesses (baseline)",
        **percentiles(durations),
    )
    for label, (client, paths) in calls.items():
        load = os.getloadavg()[0]
        timings = percentiles(time_calls(client, paths, samples))
        line(bench="registry_scale", call=label, samples=samples, load_1m=round(load, 2), **timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its name)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database a run kept")
    parser.add_argument(
        "--unsettled",
        action="store_true",
        help="without the serving process's freeze after warm-up (core.memory), to compare",
    )
    options = parser.parse_args()

    name = options.reuse or f"tumbuh_scale_{os.getpid()}_{int(time.time())}"
    env = {
        **server_env(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-scale-"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    line(
        bench="registry_scale",
        database=name,
        businesses=None if options.reuse else options.businesses,
        settled=not options.unsettled,
        machine=f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        load_1m=round(os.getloadavg()[0], 2),
    )
    try:
        if not options.reuse:
            timed("migrate_and_load_regions", create_database, name, env)
        tumbuh("collectstatic", "--noinput", "--verbosity", "0", env=env)  # DEBUG off: manifest
        import django

        django.setup()
        # As in gunicorn's workers: the process freezes its long-lived objects after its first
        # requests (core.memory), so the collector's full passes stay short.
        if not options.unsettled:
            importlib.import_module("tumbuh.wsgi")

        if options.reuse:
            from tumbuh.accounts.models import User

            officers = {
                "national": User.objects.get(email="national@bench.example.id"),
                "province_32": User.objects.get(email="province_32@bench.example.id"),
            }
        else:
            started = time.perf_counter()
            built = build(options.businesses)
            officers = built.pop("officers")
            line(
                bench="registry_scale",
                step="registry_built",
                seconds=round(time.perf_counter() - started, 1),
                **built,
            )
        measure(officers, options.samples)
    finally:
        if not (options.keep or options.reuse):
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(ADMIN, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            line(bench="registry_scale", kept=name)


if __name__ == "__main__":
    main()
