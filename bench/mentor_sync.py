"""Mentor sync: one mentor's week offline (2,000 queued records) applied by the server.

    uv run python bench/mentor_sync.py [--records 2000] [--database sqlite|postgres] [--runs 3]

Creates a fresh database (a temporary SQLite file, or the scratch PostgreSQL database
``tumbuh_bench``), loads the regions (not timed), then for each run builds a mentor with a
cohort of 50 accepted participants in their caseload and the week's sessions (not timed), and
times ``tumbuh.programmes.mentor.sync.apply_batch`` on the queue a device would send after a week
without signal: half attendance (codes typed during each session), 40 % visit notes, 10 % signal
checks, posted in the device's slices of 500. Then it times the same queue posted again (every
record a replay). Prints one JSON line per run and a summary with the medians.
"""

import argparse
import datetime
import json
import statistics
import time
import uuid

from scratch import fresh_database, machine

SLICE = 500
PARTICIPANTS = 50


def build_queue(count: int, run_number: int) -> tuple[object, list[dict]]:
    """A mentor, their cohort and sessions, and ``count`` records as the device queued them."""
    from django.utils import timezone

    from tumbuh.accounts.models import Membership, Organisation, User
    from tumbuh.accounts.services import create_organisation, grant_membership, system_actor
    from tumbuh.programmes.attendance import attendance_code
    from tumbuh.programmes.models import (
        Assignment,
        Cohort,
        Enrolment,
        Mentor,
        PartnerQuota,
        Programme,
        ProgrammeArea,
        Session,
    )
    from tumbuh.regions.models import PriorityArea, PriorityAreaRegency, Village
    from tumbuh.registry.models import Enterprise

    now = timezone.now().replace(microsecond=0)
    villages = list(
        Village.objects.filter(code__startswith="53.")
        .order_by("code")
        .values_list("code", flat=True)[:20]
    )
    partner = create_organisation(
        name=f"Mitra Bench {run_number}",
        kind=Organisation.Kind.UNIVERSITY,
        region_code="53",
        slug=f"mitra-bench-{run_number}",
        by=system_actor(),
    )
    user = User.objects.create_user(
        email=f"pendamping{run_number}@bench.id", full_name="Pendamping Bench", password=None
    )
    grant_membership(
        user=user,
        organisation=partner,
        role=Membership.Role.MENTOR,
        region_code="53",
        by=system_actor(),
    )
    mentor = Mentor.objects.create(user=user, organisation=partner, region_code="53")
    mentor.villages.set(villages)
    area = PriorityArea.objects.create(
        slug=f"bench-{run_number}", name=f"Kawasan Bench {run_number}", collection="bench"
    )
    PriorityAreaRegency.objects.create(area=area, regency_id=villages[0][:5])
    programme = Programme.objects.create(
        organisation=partner,
        name="Program Bench",
        starts_on=now.date() - datetime.timedelta(30),
        ends_on=now.date() + datetime.timedelta(150),
        kbli_sections=["C"],
        sessions_required=50,
    )
    programme_area = ProgrammeArea.objects.create(programme=programme, area=area, quota=1000)
    PartnerQuota.objects.create(programme_area=programme_area, partner=partner, quota=1000)
    cohort = Cohort.objects.create(
        programme=programme,
        programme_area=programme_area,
        partner=partner,
        name="Angkatan Bench",
        mode=Cohort.Mode.OFFLINE,
        venue_village_id=villages[0],
        starts_on=now.date() - datetime.timedelta(10),
        ends_on=now.date() + datetime.timedelta(60),
        capacity=PARTICIPANTS,
    )
    businesses = Enterprise.objects.bulk_create(
        Enterprise(name=f"Usaha Bench {run_number}-{n}", village_id=villages[n % len(villages)])
        for n in range(PARTICIPANTS)
    )
    Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, enterprise=b, status=Enrolment.Status.ACCEPTED, applied_at=now)
        for b in businesses
    )
    Assignment.objects.bulk_create(
        Assignment(mentor=mentor, enterprise=b, assigned_at=now) for b in businesses
    )
    attendance = count // 2
    sessions = [
        Session.objects.create(
            mentor=mentor,
            cohort=cohort,
            title=f"Sesi {n + 1}",
            village_id=villages[0],
            starts_at=now - datetime.timedelta(days=7) + datetime.timedelta(hours=3 * n),
        )
        for n in range(-(-attendance // PARTICIPANTS))
    ]
    records = []

    def record(kind, data, base_version=None):
        records.append(
            {
                "client_id": str(uuid.uuid4()),
                "kind": kind,
                "base_version": base_version,
                "data": data,
            }
        )

    for n in range(attendance):
        session = sessions[n // PARTICIPANTS]
        typed = session.starts_at + datetime.timedelta(minutes=20 + n % 60)
        record(
            "attendance",
            {
                "session": session.public_id,
                "enterprise": businesses[n % PARTICIPANTS].public_id,
                "code": attendance_code(session),
                "recorded_at": typed.isoformat(),
            },
        )
    notes = count * 2 // 5
    for n in range(notes):
        visited = now - datetime.timedelta(days=7) + datetime.timedelta(minutes=7 * n)
        record(
            "visit_note",
            {
                "enterprise": businesses[n % PARTICIPANTS].public_id,
                "visited_at": visited.isoformat(),
                "text": f"Kunjungan {n}: membantu foto produk dan membuka toko daring di marketplace.",
            },
        )
    for n in range(count - attendance - notes):
        checked = now - datetime.timedelta(days=7) + datetime.timedelta(minutes=30 * n)
        record(
            "signal_check",
            {
                "village": villages[n % len(villages)],
                "technology": ["none", "2g", "3g"][n % 3],
                "checked_at": checked.isoformat(),
                "place": "balai desa",
            },
        )
    return user, records


def post_queue(user, records) -> tuple[float, dict]:
    from tumbuh.programmes.mentor.sync import apply_batch

    counts: dict[str, int] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(records), SLICE):
        for result in apply_batch(user=user, records=records[start : start + SLICE]):
            counts[result.status] = counts.get(result.status, 0) + 1
    counts["cpu_seconds"] = time.process_time() - cpu
    return time.perf_counter() - started, counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()

    fresh_database(options.database, prefix="tumbuh-mentor-sync-")
    from django.db import transaction

    from tumbuh.programmes.models import Attendance, VisitNote

    firsts, replays, cpus = [], [], []
    for number in range(1, options.runs + 1):
        with transaction.atomic():
            user, records = build_queue(options.records, number)
        seconds, counts = post_queue(user, records)
        cpu_seconds = counts.pop("cpu_seconds")
        assert counts == {"applied": options.records}, counts
        again, replay_counts = post_queue(user, records)
        replay_counts.pop("cpu_seconds")
        assert replay_counts == {"duplicate": options.records}, replay_counts
        assert Attendance.objects.filter(recorded_by=user).count() == options.records // 2
        assert VisitNote.objects.filter(mentor__user=user).count() == options.records * 2 // 5
        firsts.append(seconds)
        cpus.append(cpu_seconds)
        replays.append(again)
        print(
            json.dumps(
                {
                    "bench": "mentor_sync",
                    "database": options.database,
                    "run": number,
                    "records": options.records,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu_seconds, 2),
                    "records_per_second": round(options.records / seconds),
                    "replay_seconds": round(again, 2),
                }
            ),
            flush=True,
        )
    print(
        json.dumps(
            {
                "bench": "mentor_sync",
                "summary": True,
                "database": options.database,
                "records": options.records,
                "runs": options.runs,
                "slice": SLICE,
                "median_seconds": round(statistics.median(firsts), 2),
                "median_cpu_seconds": round(statistics.median(cpus), 2),
                "median_replay_seconds": round(statistics.median(replays), 2),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
