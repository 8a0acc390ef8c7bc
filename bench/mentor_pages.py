"""Mentor app page weights: every page's HTML, raw and gzip-compressed, against the 14 KB budget.

    uv run python bench/mentor_pages.py [--businesses 60] [--participants 40]

Creates a fresh SQLite database with the regions (not timed), a mentor with ``--businesses``
businesses in the caseload (with milestones and a masked phone), a session of today with
``--participants`` enrolled participants and a few visit notes, then fetches each page of
/pendamping/ as that mentor with Django's test client and prints one JSON line per page: the
HTML size, its size as the app serves it (gzip-compressed by the app itself), and whether it is within the
14 KB budget (one TCP round trip on a 2G link). Images are not counted; the pages have none.
"""

import argparse
import datetime
import gzip
import json

from scratch import fresh_database, machine

BUDGET_BYTES = 14 * 1024


def build(businesses: int, participants: int) -> dict:
    from django.utils import timezone

    from tumbuh.accounts.models import Membership, Organisation, User
    from tumbuh.accounts.services import create_organisation, grant_membership, system_actor
    from tumbuh.core.validators import mask_phone
    from tumbuh.programmes.attendance import save_visit_note
    from tumbuh.programmes.models import (
        Assignment,
        Cohort,
        Enrolment,
        Mentor,
        Programme,
        ProgrammeArea,
        Session,
    )
    from tumbuh.regions.models import PriorityArea, Village
    from tumbuh.registry.models import Enterprise, Milestone

    now = timezone.now().replace(microsecond=0)
    villages = list(
        Village.objects.filter(code__startswith="53.")
        .order_by("code")[:12]
        .values_list("code", flat=True)
    )
    partner = create_organisation(
        name="Mitra Bench",
        kind=Organisation.Kind.UNIVERSITY,
        region_code="53",
        slug="mitra-bench",
        by=system_actor(),
    )
    user = User.objects.create_user(email="pendamping@bench.id", full_name="Yohana Pendamping")
    grant_membership(
        user=user,
        organisation=partner,
        role=Membership.Role.MENTOR,
        region_code="53",
        by=system_actor(),
    )
    mentor = Mentor.objects.create(user=user, organisation=partner, region_code="53")
    mentor.villages.set(villages)
    area = PriorityArea.objects.create(slug="bench", name="Kawasan Bench", collection="bench")
    programme = Programme.objects.create(
        organisation=partner,
        name="Pelatihan dan Pendampingan Adopsi Digital UMKM Sektor Pengolahan",
        starts_on=now.date() - datetime.timedelta(30),
        ends_on=now.date() + datetime.timedelta(150),
    )
    programme_area = ProgrammeArea.objects.create(programme=programme, area=area, quota=1000)
    cohort = Cohort.objects.create(
        programme=programme,
        programme_area=programme_area,
        partner=partner,
        name="Angkatan Kupang 1",
        mode=Cohort.Mode.OFFLINE,
        venue_village_id=villages[0],
        starts_on=now.date(),
        ends_on=now.date() + datetime.timedelta(60),
        capacity=participants,
    )
    rows = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"Usaha Pengolahan Ikan Asap dan Abon Nomor {n:03d}",
            village_id=villages[n % len(villages)],
            scale="mikro",
            phone_masked=mask_phone(f"+62812345{n:05d}"),
        )
        for n in range(businesses)
    )
    Assignment.objects.bulk_create(
        Assignment(mentor=mentor, enterprise=row, assigned_at=now) for row in rows
    )
    Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, enterprise=row, status="accepted", applied_at=now)
        for row in rows[:participants]
    )
    Milestone.objects.bulk_create(
        Milestone(enterprise=row, kind=kind, occurred_at=now, source="bench")
        for row in rows
        for kind in ("registered", "assessed", "store_live")
    )
    session = Session.objects.create(
        mentor=mentor,
        cohort=cohort,
        title="Foto produk dan katalog daring",
        starts_at=now,
        village_id=villages[0],
    )
    notes = [
        save_visit_note(
            mentor=mentor,
            enterprise=rows[0],
            text="Membantu memotret produk, menulis deskripsi dan membuka toko di marketplace. "
            * 3,
            visited_at=now - datetime.timedelta(days=n),
            by=mentor.user,
        )
        for n in range(10)
    ]
    return {"user": user, "business": rows[0], "session": session, "note": notes[0]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--businesses", type=int, default=60)
    parser.add_argument("--participants", type=int, default=40)
    options = parser.parse_args()

    fresh_database("sqlite", prefix="tumbuh-mentor-pages-")
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["testserver"]
    data = build(options.businesses, options.participants)
    client = Client()
    client.force_login(data["user"])
    business, session = data["business"].public_id, data["session"].public_id
    pages = {
        "mentor-home": reverse("programmes:mentor-home"),
        "mentor-caseload": reverse("programmes:mentor-caseload"),
        "mentor-business": reverse("programmes:mentor-business", args=[business]),
        "mentor-note-new": reverse("programmes:mentor-note-new", args=[business]),
        "mentor-note": reverse("programmes:mentor-note", args=[data["note"].public_id]),
        "mentor-session": reverse("programmes:mentor-session", args=[session]),
        "mentor-signal-check": reverse("programmes:mentor-signal-check"),
    }
    heaviest = 0
    for name, url in pages.items():
        # As served: the app compresses the page for a browser that accepts gzip.
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, (name, response.status_code)
        compressed = len(response.content)
        heaviest = max(heaviest, compressed)
        print(
            json.dumps(
                {
                    "bench": "mentor_pages",
                    "page": name,
                    "html_bytes": len(gzip.decompress(response.content)),
                    "gzip_bytes": compressed,
                    "within_budget": compressed <= BUDGET_BYTES,
                }
            ),
            flush=True,
        )
    print(
        json.dumps(
            {
                "bench": "mentor_pages",
                "summary": True,
                "businesses": options.businesses,
                "participants": options.participants,
                "heaviest_gzip_bytes": heaviest,
                "budget_bytes": BUDGET_BYTES,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
