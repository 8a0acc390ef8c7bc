"""A partner file of 50,000 new businesses resolved against a registry of millions, through
the blocking keys' indexes (``registry.resolution.candidates``) instead of the whole registry.

    uv run python bench/resolve_incremental.py --businesses 1000000 [--new 50000] [--keep]
    uv run python bench/resolve_incremental.py --reuse tumbuh_resinc_<pid>_<time>
    uv run python bench/resolve_incremental.py --businesses 1000000 --national

Builds the registry with ``bench/registry_scale.py``'s builder in a PostgreSQL database named
for this run (``tumbuh_resinc_<pid>_<time>``, dropped at the end unless ``--keep``; a kept one is
reused with ``--reuse``), then:

1. writes the blocking keys of every live business, province by province, in
   ``--key-workers`` processes (what the first national re-resolution does for a registry
   upgraded to this version; ``--national`` runs that
   whole re-resolution instead, one part per province, and prints each part);
2. writes a partner batch of ``--new`` businesses as an import leaves them (new enterprises,
   owners, source records of rule "new"), spread over the country like the registry: one in five
   is a business already in the registry written differently (same village, the name in capitals
   without its form, the owner's name; half of them with the owner's NIK, a third with its
   phone), the others new businesses with names from the same vocabularies;
3. times ``resolve_batch`` on it with the shipped model, after timing its steps separately
   (reading the new records, their keys, the candidate query, reading the candidates); with
   ``--compare``, also the full read it made before (every live business, scored against the
   file), and how many pairs each way finds (probabilities differ a little: term frequencies
   come from fewer records).

Prints JSON lines: each step's seconds, the candidates read, merges, pairs queued, the load
average; the candidate queries' plans (index or not).
"""

# The SQL is built from this module's constants and integers; nothing from outside reaches it.
# ruff: noqa: S608

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.registry_scale import ADMIN, create_database  # noqa: E402
from bench.registry_scale import build as build_registry  # noqa: E402
from bench.serving import server_env  # noqa: E402

BENCH = "resolve_incremental"


def line(**fields) -> None:
    print(
        json.dumps({"bench": BENCH, **fields, "load_1m": round(os.getloadavg()[0], 2)}),
        flush=True,
    )


def timed(step: str, function, *arguments, **keywords):
    started = time.perf_counter()
    result = function(*arguments, **keywords)
    line(step=step, seconds=round(time.perf_counter() - started, 2))
    return result


def write_keys(workers: int = 2) -> dict:
    """Every live business's blocking keys, one province at a time, by ``workers`` processes
    (the provinces dealt out largest first to the least loaded)."""
    import multiprocessing

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT left(village_id, 2), count(*) FROM registry_enterprise "
            "WHERE merged_into_id IS NULL GROUP BY 1 ORDER BY 2 DESC, 1"
        )
        sizes = cursor.fetchall()
    shares: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for code, count in sizes:
        least = loads.index(min(loads))
        shares[least].append(code)
        loads[least] += count
    connection.close()  # not shared with the children
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        written = sum(pool.map(_write_keys_of, shares))
    return {"keys": written, "workers": workers}


def _write_keys_of(codes: list[str]) -> int:
    """One worker's provinces (a process of its own, set up from the inherited environment)."""
    import django

    django.setup()
    from tumbuh.registry.resolution import candidates
    from tumbuh.registry.services import registry_records

    written = 0
    for code in codes:
        records = registry_records(province_code=code)
        if records.num_rows:
            written += candidates.store_keys(candidates.keys_of(records))
    return written


def national_run() -> None:
    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.services import run_resolution, start_resolution_run

    started = time.perf_counter()
    run = start_resolution_run(by=system_actor(), enqueue=False)
    last = [time.perf_counter()]

    def progress(part):
        now = time.perf_counter()
        line(
            step="national_part",
            province=part.province_code or "across",
            status=part.status,
            records=part.records,
            comparisons=part.comparisons,
            merged=part.merged,
            queued=part.queued,
            seconds=round(now - last[0], 1),
        )
        last[0] = now

    run_resolution(run=run, by=system_actor(), progress=progress)
    line(step="national_run", seconds=round(time.perf_counter() - started, 1))


def activate_shipped_model() -> None:
    from tumbuh.registry.models import ResolutionModel
    from tumbuh.registry.resolution.model import default_model

    model = default_model()
    ResolutionModel.objects.filter(is_active=True).update(is_active=False)
    ResolutionModel.objects.create(
        parameters=model.to_dict(),
        upper_threshold=model.upper,
        lower_threshold=model.lower,
        trained_on=model.trained_on.get("records", 0),
    )


FORMS = ["Warung", "Toko", "Kedai", "UD", "CV", "Usaha", "Dapur", "Sentra", ""]
PRODUCTS = ["Kue Basah", "Keripik Tempe", "Kopi Bubuk", "Songket", "Ikan Asin", "Rengginang",
            "Sale Pisang", "Bawang Goreng", "Terasi", "Kerupuk Kulit", "Batik", "Kopi", "Madu"]  # fmt: skip
WORDS = ["Maju", "Jaya", "Berkah", "Lestari", "Makmur", "Sejahtera", "Barokah", "Mandiri"]
FIRST = ["Siti", "Sri", "Muhammad", "Ahmad", "Dewi", "Nur", "Agus", "Budi", "Wahyuni", "Ratna"]
LAST = ["Lestari", "Rahayu", "Siregar", "Saputra", "Hidayat", "Nasution", "Gultom", "Wijaya"]


def pick(values: list[str], seed: str) -> str:
    array = "ARRAY[" + ",".join(f"'{value}'" for value in values) + "]"
    return f"({array})[1 + abs(hashint8(({seed})::bigint) % {len(values)})]"


def write_batch(new: int):
    """A partner batch of ``new`` businesses as an import leaves them; returns it."""
    from django.db import connection, transaction

    from tumbuh.accounts import services as accounts
    from tumbuh.accounts.models import Organisation
    from tumbuh.registry.models import ImportBatch

    partner = accounts.create_organisation(
        name=f"Mitra baru {int(time.time())} (bench)",
        kind=Organisation.Kind.MARKETPLACE,
        region_code="",
        by=accounts.system_actor(),
    )
    batch = ImportBatch.objects.create(
        organisation=partner, file_name="mitra-baru.csv", status=ImportBatch.Status.DONE
    )
    name = (
        f"ltrim({pick(FORMS, 'g * 13 + 5')} || ' ' || {pick(PRODUCTS, 'g * 17 + 7')} || ' ' || "
        f"{pick(WORDS, 'g * 19 + 11')} || ' ' || {pick(FIRST, 'g * 23 + 13')})"
    )
    owner = f"{pick(FIRST, 'g * 7 + 3')} || ' ' || {pick(LAST, 'g * 11 + 1')}"
    # All or nothing: a batch half written would stay in a reused registry.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM registry_enterprise")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM registry_person")
        person_base = cursor.fetchone()[0]
        # The registry business each new row copies (a duplicate) or sits beside (a new one):
        # picked by hashing, through the primary key.
        cursor.execute(f"""
            CREATE TEMPORARY TABLE bench_new AS
            WITH picked AS (
                SELECT g, 1 + abs(hashint8(g * 101 + 7)) % {top} AS source_id
                FROM generate_series(1, {new * 2}) AS g
            )
            SELECT row_number() OVER (ORDER BY p.g) AS n, e.id AS source_id, e.name,
                e.village_id, e.phone_hash, o.person_id AS source_person,
                p.g
            FROM picked p JOIN registry_enterprise e ON e.id = p.source_id
                AND e.merged_into_id IS NULL
            LEFT JOIN registry_ownership o ON o.enterprise_id = e.id
        """)
        cursor.execute(f"DELETE FROM bench_new WHERE n > {new}")
        cursor.execute(f"""
            INSERT INTO registry_enterprise (id, public_id, kind, name, trade_names, scale, nib,
                village_id, address, phone_hash, phone_masked, email, links, merged_into_id,
                created_at, updated_at)
            SELECT {top} + n, 'N' || lpad({batch.pk}::text, 3, '0') || lpad(n::text, 8, '0'), 'umkm',
                CASE WHEN n % 5 = 0 THEN upper(regexp_replace(name,
                    '^(Warung|Toko|Kedai|UD|CV|Usaha|Rumah Produksi|Dapur|Sentra) ', ''))
                    ELSE {name} END,
                '[]', '', NULL, village_id, '',
                CASE WHEN n % 5 = 0 AND n % 3 = 0 THEN phone_hash ELSE '' END, '', '', '[]', NULL,
                now(), now()
            FROM bench_new
        """)
        # Owners: the same person (found by NIK, as the import finds it) for half of the
        # duplicates, a new person of the same name for the other half, new people otherwise.
        cursor.execute(f"""
            INSERT INTO registry_person (id, public_id, full_name, nik_hash, nik_masked, nik_flags,
                sex, phone_hash, phone_masked, created_at)
            SELECT {person_base} + b.n, 'Q' || lpad({batch.pk}::text, 3, '0') || lpad(b.n::text, 8, '0'),
                CASE WHEN b.n % 5 = 0 THEN coalesce(p.full_name, {owner.replace("g ", "b.n ")})
                    ELSE {owner.replace("g ", "b.n ")} END,
                md5('newnik{batch.pk}-' || b.n) || md5('kinwen{batch.pk}-' || b.n), '', '[]', '', '', '', now()
            FROM bench_new b LEFT JOIN registry_person p ON p.id = b.source_person
            WHERE NOT (b.n % 10 = 0 AND b.source_person IS NOT NULL)
        """)
        cursor.execute(f"""
            INSERT INTO registry_ownership (enterprise_id, person_id, role)
            SELECT {top} + n, CASE WHEN n % 10 = 0 AND source_person IS NOT NULL
                THEN source_person ELSE {person_base} + n END, 'owner'
            FROM bench_new
        """)
        cursor.execute(f"""
            INSERT INTO registry_sourcerecord (organisation_id, batch_id, file_name, row_number,
                row_hash, "values", enterprise_id, first_enterprise_id, rule, imported_at)
            SELECT {partner.pk}, {batch.pk}, 'mitra-baru.csv', n + 1,
                md5('new-row' || n) || md5('wor-wen' || n), '{{}}', {top} + n, {top} + n, 'new',
                now()
            FROM bench_new
        """)
        for table in ("registry_enterprise", "registry_person"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("SELECT count(*) FROM bench_new WHERE n % 5 = 0")
        duplicates = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_new")
        cursor.execute("ANALYZE registry_enterprise")
        cursor.execute("ANALYZE registry_person")
        cursor.execute("ANALYZE registry_ownership")
    batch.created_count = new
    batch.save(update_fields=["created_count"])
    line(step="batch_written", new=new, written_as_duplicates=duplicates)
    return batch


def plan_nodes(rows) -> str:
    """The plan's nodes without their conditions (which list thousands of values)."""
    nodes = [row[0].strip().lstrip("-> ").split("  (")[0] for row in rows]
    return " | ".join(node for node in nodes if "Scan" in node or "Join" in node)


def steps(batch) -> dict:
    """The steps of ``resolve_batch`` before it merges, timed one by one (nothing written but
    the batch's keys, which resolve_batch writes again)."""
    from django.db import connection

    from tumbuh.registry.models import Enterprise, SourceRecord
    from tumbuh.registry.resolution import candidates
    from tumbuh.registry.services import registry_records

    created = SourceRecord.objects.filter(batch=batch, rule="new")
    new_ids = set(
        Enterprise.objects.deduplicated()
        .filter(pk__in=created.values("first_enterprise_id"))
        .values_list("pk", flat=True)
    )
    new = timed("read_new_records", registry_records, enterprise_ids=new_ids)
    keys = timed("new_keys", candidates.keys_of, new)
    timed("store_new_keys", candidates.store_keys, keys)
    found = timed("candidate_query", candidates.candidate_ids, new, keys)
    ids = set().union(*found.values()) - new_ids
    existing = timed("read_candidates", registry_records, enterprise_ids=ids)
    line(
        step="candidates",
        new=new.num_rows,
        candidate_ids=len(ids),
        candidates_read=existing.num_rows,
        found_by={rule: len(rule_ids - new_ids) for rule, rule_ids in found.items()},
    )
    with connection.cursor() as cursor:
        sample = [value for value in keys["name_key"].to_pylist() if value is not None][:5000]
        cursor.execute(
            "EXPLAIN SELECT enterprise_id FROM registry_blockingkeys "
            "WHERE name_key = ANY(%s::bigint[])",
            [sample],
        )
        name_plan = plan_nodes(cursor.fetchall())
        phones = [value for value in new["phone_hash"].to_pylist() if value][:5000] or ["x"]
        cursor.execute(
            "EXPLAIN SELECT id FROM registry_enterprise WHERE merged_into_id IS NULL "
            "AND phone_hash <> '' AND phone_hash = ANY(%s::text[])",
            [phones],
        )
        phone_plan = plan_nodes(cursor.fetchall())
    line(step="plans", name_key=name_plan, phone=phone_plan)
    return {"new": new, "existing": existing, "new_ids": new_ids}


def compare_with_full_read(new, existing, new_ids: set[int]) -> None:
    """What resolve_batch did before: read every live business and score the file against
    all of them. Timed, and its pairs compared with the candidates' (nothing written)."""
    from tumbuh.registry.resolution import engine
    from tumbuh.registry.services import active_model, registry_records

    model = active_model()
    everything = timed("full_read", registry_records)
    new_record_ids = {str(pk) for pk in new_ids}
    whole = everything.filter(
        [record_id not in new_record_ids for record_id in everything["record_id"].to_pylist()]
    )
    full = timed("match_new_full", engine.match_new, whole, new, model)
    fewer = timed("match_new_candidates", engine.match_new, existing, new, model)

    def pairs(table, *, sure: bool) -> set:
        return {
            (row["new_record_id"], row["existing_record_id"])
            for row in table.to_pylist()
            if not sure or (row["match_probability"] >= model.upper and row["is_sure"])
        }

    # Every pair the blocking rules make (threshold 0): the same pairs, or a rule uncovered.
    every_full = pairs(engine.match_new(whole, new, model, threshold=0.0), sure=False)
    every_candidates = pairs(engine.match_new(existing, new, model, threshold=0.0), sure=False)
    line(
        step="compare_blocked_pairs",
        blocked_pairs_full=len(every_full),
        blocked_pairs_candidates=len(every_candidates),
        blocked_pairs_in_both=len(every_full & every_candidates),
    )
    line(
        step="compare_with_full_read",
        records_read_full=whole.num_rows,
        records_read_candidates=existing.num_rows,
        pairs_full=len(pairs(full, sure=False)),
        pairs_candidates=len(pairs(fewer, sure=False)),
        pairs_in_both=len(pairs(full, sure=False) & pairs(fewer, sure=False)),
        sure_full=len(pairs(full, sure=True)),
        sure_candidates=len(pairs(fewer, sure=True)),
        sure_in_both=len(pairs(full, sure=True) & pairs(fewer, sure=True)),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its name)")
    parser.add_argument("--reuse", metavar="DATABASE", help="a database a --keep run kept")
    parser.add_argument(
        "--national", action="store_true", help="run the national re-resolution first"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time the full read resolve_batch made before, and compare the pairs",
    )
    parser.add_argument(
        "--rewrite-keys", action="store_true", help="write every business's keys again"
    )
    parser.add_argument(
        "--no-steps",
        action="store_true",
        help="time resolve_batch alone: the candidates are not read before it (a colder cache)",
    )
    parser.add_argument(
        "--key-workers",
        type=int,
        default=2,
        help="processes writing every business's keys (default: 2)",
    )
    options = parser.parse_args()

    name = options.reuse or f"tumbuh_resinc_{os.getpid()}_{int(time.time())}"
    env = {
        **server_env(),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-resinc-"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    line(
        database=name,
        businesses=None if options.reuse else options.businesses,
        new=options.new,
        machine=f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    )
    try:
        if not options.reuse:
            timed("migrate_and_load_regions", create_database, name, env)
        import django

        django.setup()
        from django.db import connection

        from tumbuh.accounts.services import system_actor
        from tumbuh.registry.models import BlockingKeys, Enterprise
        from tumbuh.registry.services import resolve_batch

        if not options.reuse:
            built = timed("build_registry", build_registry, options.businesses)
            built.pop("officers", None)
            line(step="registry_built", **built)
        activate_shipped_model()
        live = Enterprise.objects.deduplicated().count()
        if options.national:
            national_run()
        elif options.rewrite_keys or BlockingKeys.objects.count() < live:
            line(step="all_keys", **timed("write_all_keys", write_keys, options.key_workers))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_blockingkeys")
        line(step="registry", live_businesses=live, keys=BlockingKeys.objects.count())
        batch = timed("write_batch", write_batch, options.new)
        if not options.no_steps:
            read = steps(batch)
            if options.compare:
                compare_with_full_read(read["new"], read["existing"], read["new_ids"])
            del read
        started = time.perf_counter()
        outcome = resolve_batch(batch=batch, by=system_actor())
        line(
            step="resolve_batch",
            seconds=round(time.perf_counter() - started, 2),
            registry=live,
            new=outcome["new"],
            candidates_read=outcome["candidates"],
            merged=outcome["merged"],
            queued=outcome["queued"],
            found_by=outcome.get("found_by"),
        )
    finally:
        if not options.keep and not options.reuse:
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            line(kept=name)


if __name__ == "__main__":
    main()
