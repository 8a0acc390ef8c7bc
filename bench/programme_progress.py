"""Programme progress: the per-area, per-partner progress query and page for 30,000 enrolments.

    uv run python bench/programme_progress.py [--database postgres|sqlite] [--enrolments 30000]
        [--runs 30] [--database-url postgres://.../NAME]

Creates a fresh database (``bench/scratch.py``: the scratch PostgreSQL database
``tumbuh_bench`` or a temporary SQLite file; ``--database-url`` names another PostgreSQL
database to drop and create instead, for a machine shared with other people), loads the regions
(not timed), then builds the flagship programme in 15 shipped priority areas with two partners
each, 10 cohorts per area and ``--enrolments`` enrolments of as many businesses spread over the
statuses, 1% of them enrolled twice through a record merged later, and registry milestones for
a share of the participants (not timed). It then times ``queries.progress`` (the query behind
the console's programme page, the progress CSV and the API) and the whole console page as a
national admin sees it, ``--runs`` times each, and prints one JSON line per measurement with
p50 and p95 in milliseconds.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scratch

AREAS = [
    "atd-2022-13-kawasan-jawa-tengah",
    "atd-2022-13-kawasan-daerah-khusus-ibukota-jakarta",
    "atd-2022-13-kawasan-banten",
    "atd-2022-13-kawasan-sumatera-utara",
    "atd-2022-13-kawasan-nusa-tenggara-timur",
    "atd-2022-13-kawasan-daerah-istimewa-yogyakarta",
    "atd-2022-13-kawasan-kalimantan-barat",
    "atd-2022-13-kawasan-nusa-tenggara-barat",
    "atd-2022-13-kawasan-sulawesi-tenggara",
    "dpsp-5-likupang",
    "atd-2022-13-kawasan-kepulauan-bangka-belitung",
    "atd-2022-13-kawasan-maluku-utara",
    "atd-2022-13-kawasan-papua",
    "dpsp-5-labuan-bajo",
    "atd-2022-13-kawasan-papua-barat",
]
STATUS_WEIGHTS = [
    ("applied", 10),
    ("accepted", 15),
    ("active", 45),
    ("completed", 20),
    ("withdrawn", 6),
    ("rejected", 4),
]


def own_database(url: str, prefix: str) -> None:
    """Like ``scratch.fresh_database("postgres")`` but for the PostgreSQL database ``url``."""
    import tempfile

    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix=prefix),
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
            "DATABASE_URL": url,
        }
    )
    scratch.run("migrate", "--verbosity", "0")
    scratch.run("load_regions", "--json")
    sys.path.insert(0, str(scratch.ROOT))
    import django

    django.setup()


def build(enrolments: int, seed: int = 1):
    from django.db import transaction
    from django.utils import timezone

    from tumbuh.accounts.models import Membership, Organisation, User
    from tumbuh.core.bulk import insert_rows, reserve_ids
    from tumbuh.programmes.models import (
        Cohort,
        Enrolment,
        PartnerQuota,
        Programme,
        ProgrammeArea,
    )
    from tumbuh.regions.models import PriorityArea, Village
    from tumbuh.registry.models import Enterprise, Milestone, new_public_id

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        ministry = Organisation.objects.create(
            name="Kementerian", slug="kementerian", kind=Organisation.Kind.MINISTRY
        )
        admin = User.objects.create_user(email="admin@bench.id", full_name="Admin", password=None)
        Membership.objects.create(user=admin, organisation=ministry, role=Membership.Role.ADMIN)
        partners = [
            Organisation.objects.create(
                name=f"Mitra {n}", slug=f"mitra-{n}", kind=Organisation.Kind.UNIVERSITY
            )
            for n in range(1, 5)
        ]
        programme = Programme.objects.create(
            organisation=ministry,
            name="Pelatihan dan Pendampingan Adopsi Digital UMKM Sektor Pengolahan",
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
            kbli_sections=["C"],
            target_count=30_000,
            sessions_required=3,
            milestones_required=["store_live"],
        )
        quota = -(-enrolments // len(AREAS)) + 100
        cohorts = []
        area_villages = []
        for index, slug in enumerate(AREAS):
            area = PriorityArea.objects.get(slug=slug)
            programme_area = ProgrammeArea.objects.create(
                programme=programme, area=area, quota=quota
            )
            pair = [partners[index % 4], partners[(index + 1) % 4]]
            for partner in pair:
                PartnerQuota.objects.create(
                    programme_area=programme_area, partner=partner, quota=quota // 2
                )
            regencies = list(area.members.values_list("regency_id", flat=True))
            villages = list(
                Village.objects.filter(regency_id__in=regencies)
                .order_by("code")
                .values_list("code", flat=True)[:400]
            )
            area_villages.append(villages)
            for number in range(10):
                cohorts.append(
                    Cohort.objects.create(
                        programme=programme,
                        programme_area=programme_area,
                        partner=pair[number % 2],
                        name=f"Angkatan {index}-{number}",
                        mode=Cohort.Mode.OFFLINE,
                        venue_village_id=villages[number % len(villages)],
                        starts_on=programme.starts_on,
                        ends_on=programme.ends_on,
                        capacity=quota,
                    )
                )
        enterprises = enrolments
        enterprise_ids = reserve_ids(Enterprise, enterprises)
        rows = []
        for position, pk in enumerate(enterprise_ids):
            villages = area_villages[position % len(AREAS)]
            rows.append(
                (pk, new_public_id(), "umkm", f"Usaha {pk}", [], "mikro",
                 villages[rng.randrange(len(villages))], "", "", "", "", [], now, now)
            )  # fmt: skip
        insert_rows(
            Enterprise,
            ["id", "public_id", "kind", "name", "trade_names", "scale", "village", "address",
             "phone_hash", "phone_masked", "email", "links", "created_at", "updated_at"],
            rows,
        )  # fmt: skip
        statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
        enrolment_rows = []
        for position, pk in enumerate(enterprise_ids):
            area_index = position % len(AREAS)
            cohort = cohorts[area_index * 10 + rng.randrange(10)]
            status = statuses[rng.randrange(len(statuses))]
            applied = now - datetime.timedelta(days=rng.randrange(120))
            enrolment_rows.append(
                (new_public_id(), cohort.pk, pk, status, applied, now,
                 now if status == "completed" else None)
            )  # fmt: skip
        # 1%: a second record of the same business, enrolled in another cohort of the area and
        # merged into the first afterwards: counted once.
        duplicates = enterprise_ids[: enterprises // 100]
        duplicate_ids = reserve_ids(Enterprise, len(duplicates))
        insert_rows(
            Enterprise,
            ["id", "public_id", "kind", "name", "trade_names", "scale", "village", "address",
             "phone_hash", "phone_masked", "email", "links", "created_at", "updated_at",
             "merged_into"],
            [(dup, new_public_id(), "umkm", f"Usaha {keep} (dobel)", [], "mikro",
              rows[i][6], "", "", "", "", [], now, now, keep)
             for i, (dup, keep) in enumerate(zip(duplicate_ids, duplicates, strict=True))],
        )  # fmt: skip
        for i, dup in enumerate(duplicate_ids):
            area_index = i % len(AREAS)
            cohort = cohorts[area_index * 10 + (i % 10)]
            enrolment_rows.append((new_public_id(), cohort.pk, dup, "active", now, now, None))
        insert_rows(
            Enrolment,
            ["public_id", "cohort", "enterprise", "status", "applied_at", "updated_at",
             "completed_at"],
            enrolment_rows,
        )  # fmt: skip
        milestones = []
        for pk in enterprise_ids:
            for kind, share in (
                ("store_live", 0.4),
                ("first_online_sale", 0.2),
                ("nib_issued", 0.3),
            ):
                if rng.random() < share:
                    milestones.append((pk, kind, now, "bench"))
        insert_rows(Milestone, ["enterprise", "kind", "occurred_at", "source"], milestones)
    return admin, programme, len(enrolment_rows)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--enrolments", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    if options.database_url:
        own_database(options.database_url, prefix="tumbuh-progress-")
    else:
        scratch.fresh_database(options.database, prefix="tumbuh-progress-")

    from django.db import connection
    from django.test import Client

    from tumbuh.programmes import queries

    started = time.perf_counter()
    admin, programme, rows = build(options.enrolments)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    common = {
        "bench": "programme_progress",
        "database": connection.vendor,
        "enrolments": rows,
        "areas": len(AREAS),
        "runs": options.runs,
        "machine": scratch.machine(),
    }
    print(json.dumps({**common, "step": "build", "seconds": round(build_seconds, 1)}), flush=True)

    result = queries.progress(admin, programme)
    totals = [row for row in result if row.partner_id is None]
    assert len(totals) == len(AREAS), len(totals)
    samples = []
    for _ in range(options.runs):
        started = time.perf_counter()
        queries.progress(admin, programme)
        samples.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                **common,
                "step": "progress_query",
                "businesses_counted": sum(row.businesses for row in totals),
                **percentiles(samples),
            }
        ),
        flush=True,
    )

    client = Client()
    client.force_login(admin)
    url = programme.get_absolute_url()
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, response.status_code
    captured = []
    with connection.execute_wrapper(
        lambda run, sql, *args: captured.append(sql) or run(sql, *args)
    ):
        client.get(url, HTTP_HOST="localhost")
    samples = []
    for _ in range(options.runs):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="localhost")
        samples.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                **common,
                "step": "progress_page",
                "queries": len(captured),
                "html_bytes": len(response.content),
                **percentiles(samples),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
