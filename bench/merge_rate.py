"""Merge rate: how fast entity resolution's automatic merges are written, SQLite or PostgreSQL.

    uv run python bench/merge_rate.py --pairs 20000 [--database sqlite|postgres] [--runs 3]

Creates a fresh database (a temporary SQLite file, or a PostgreSQL database named for the run,
``tumbuh_bench_<pid>_<time>``, dropped at the end), loads the regions (not timed), then for each run writes ``--pairs`` pairs of
enterprises in real villages, each record with a partner row and the ``registered`` milestone
and each dropped record with an owner and a KBLI code (not timed), and times
``tumbuh.registry.merging.merge_pairs`` on all the pairs at once, the write path
``resolve_duplicates`` uses. Prints one JSON line per run and a summary with the median.
"""

import argparse
import json
import statistics
import time

from scratch import fresh_database, machine


def build_pairs(count: int, run_number: int) -> list[tuple[int, int, float]]:
    """``count`` (keep, drop) pairs with their rows, milestones, owners and codes."""
    from django.utils import timezone

    from tumbuh.accounts.models import Organisation
    from tumbuh.core.bulk import insert_rows, reserve_ids
    from tumbuh.regions.models import Village
    from tumbuh.registry.models import (
        Enterprise,
        EnterpriseKbli,
        Milestone,
        Ownership,
        Person,
        SourceRecord,
        new_public_id,
    )

    villages = list(Village.objects.filter(code__startswith="32.").values_list("code", flat=True))
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-mitra", defaults={"name": "Mitra Bench", "kind": Organisation.Kind.MARKETPLACE}
    )
    now = timezone.now()
    ids = reserve_ids(Enterprise, 2 * count)
    insert_rows(
        Enterprise,
        ["id", "public_id", "kind", "name", "trade_names", "scale", "village", "address",
         "phone_hash", "phone_masked", "email", "links", "created_at", "updated_at"],
        [(pk, new_public_id(), "umkm", f"Usaha {run_number}-{pk}", [], "mikro" if pk % 2 else "",
          villages[pk % len(villages)], "", "", "", "", [], now, now) for pk in ids],
    )  # fmt: skip
    insert_rows(
        SourceRecord,
        ["organisation", "file_name", "row_number", "row_hash", "values", "enterprise",
         "first_enterprise", "rule", "imported_at"],
        [(organisation.pk, "bench.csv", index, f"{run_number}-{pk}", {"Nama Usaha": str(pk)}, pk,
          pk, "new", now) for index, pk in enumerate(ids)],
    )  # fmt: skip
    insert_rows(
        Milestone,
        ["enterprise", "kind", "occurred_at", "source"],
        [(pk, "registered", now, "bench") for pk in ids],
    )
    people = reserve_ids(Person, count)
    insert_rows(
        Person,
        ["id", "public_id", "full_name", "nik_flags", "phone_hash", "phone_masked", "nik_masked",
         "sex", "created_at"],
        [(pk, new_public_id(), f"Pemilik {pk}", [], "", "", "", "", now) for pk in people],
    )  # fmt: skip
    drops = ids[count:]
    insert_rows(
        Ownership,
        ["enterprise", "person", "role"],
        [(drop, person, "owner") for drop, person in zip(drops, people, strict=True)],
    )
    insert_rows(
        EnterpriseKbli, ["enterprise", "code", "version"], [(d, "10794", "2020") for d in drops]
    )
    return [(keep, drop, 0.99) for keep, drop in zip(ids[:count], drops, strict=True)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()

    fresh_database(options.database, prefix="tumbuh-merge-")
    from django.db import transaction

    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.merging import merge_pairs
    from tumbuh.registry.models import Enterprise

    system = system_actor()
    rates = []
    for number in range(1, options.runs + 1):
        with transaction.atomic():
            pairs = build_pairs(options.pairs, number)
        started = time.perf_counter()
        merged = len(merge_pairs(pairs, method="automatic", by=system))
        seconds = time.perf_counter() - started
        assert merged == options.pairs, merged
        assert (
            Enterprise.objects.filter(pk__in=[d for _k, d, _p in pairs], merged_into=None).count()
            == 0
        )
        rates.append(merged / seconds)
        print(json.dumps({"bench": "merge_rate", "database": options.database, "run": number,
                          "pairs": merged, "seconds": round(seconds, 2),
                          "merges_per_second": round(merged / seconds)}), flush=True)  # fmt: skip
    print(json.dumps({
        "bench": "merge_rate", "summary": True, "database": options.database,
        "pairs": options.pairs, "runs": options.runs,
        "median_merges_per_second": round(statistics.median(rates)),
        "machine": machine(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
