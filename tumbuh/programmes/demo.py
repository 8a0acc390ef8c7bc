"""Demo programme: the flagship digital-adoption programme for processing-sector UMKM.

DEMO CONFIGURATION: the 15 priority areas below are chosen from the shipped
``priority_areas.csv`` (the 13 provinces of the 2022 digital-adoption programme and two
super-priority destinations) and their quotas (summing to 30,000) are made up for the demo; the
ministry sets the real list and quotas in the console. Partners, mentors, cohorts, sessions and
attendance are synthetic. Everything goes through ``services`` and ``attendance`` (the same
write paths as the console and the API), deterministically from the seed.

Participants are food processors of the demo registry: in NTT, those of Belu and Kota Kupang meet
in person and the others of the province join an online cohort; the cohorts in other provinces
take the registry's businesses of their regency, then of their province. Each cohort's sessions
are run by a mentor of the partner that runs it. The demo records no outcome by hand: a
participant who attended every session completes the programme only when its store goes live
(the stores demo opens those stores through the stores services, and the milestone completes the
enrolment). Running the demo again adds only fresh sessions for the demo mentor, once the codes of
the last ones have closed.
"""

import datetime
import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation, User
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.core.money import thousands
from tumbuh.core.region_filter import region_q
from tumbuh.programmes import services
from tumbuh.programmes.attendance import VALID_AFTER, attendance_code, record_attendance
from tumbuh.programmes.models import Cohort, Enrolment, Mentor, Programme, Session
from tumbuh.regions.models import PriorityArea, Regency, Village
from tumbuh.registry.models import Enterprise, Milestone

PROGRAMME_NAME = "Pelatihan dan Pendampingan Adopsi Digital UMKM Sektor Pengolahan"
# (slug of the shipped priority area, demo quota); the quotas sum to 30,000.
AREAS = [
    ("atd-2022-13-kawasan-jawa-tengah", 3000),
    ("atd-2022-13-kawasan-daerah-khusus-ibukota-jakarta", 2500),
    ("atd-2022-13-kawasan-banten", 2500),
    ("atd-2022-13-kawasan-sumatera-utara", 2500),
    ("atd-2022-13-kawasan-nusa-tenggara-timur", 2500),
    ("atd-2022-13-kawasan-daerah-istimewa-yogyakarta", 2000),
    ("atd-2022-13-kawasan-kalimantan-barat", 2000),
    ("atd-2022-13-kawasan-nusa-tenggara-barat", 2000),
    ("atd-2022-13-kawasan-sulawesi-tenggara", 2000),
    ("dpsp-5-likupang", 2000),
    ("atd-2022-13-kawasan-kepulauan-bangka-belitung", 1500),
    ("atd-2022-13-kawasan-maluku-utara", 1500),
    ("atd-2022-13-kawasan-papua", 1500),
    ("dpsp-5-labuan-bajo", 1500),
    ("atd-2022-13-kawasan-papua-barat", 1000),
]
NTT = "atd-2022-13-kawasan-nusa-tenggara-timur"
LABUAN_BAJO = "dpsp-5-labuan-bajo"
DEMO_MENTOR = "pendamping@demo.tumbuh.id"
HALAL_MENTOR = "pendamping.halal@demo.tumbuh.id"
KUPANG_MENTOR = "pendamping.kupang@demo.tumbuh.id"
# Cohorts outside NTT (area slug, regency code, partner slug, mentor login): several provinces,
# 3T included; every partner that runs a cohort has its own mentor there.
OTHER_COHORTS = [
    ("atd-2022-13-kawasan-papua", "91.03", "pasar-nusantara", "pendamping.papua@demo.tumbuh.id"),
    (
        "atd-2022-13-kawasan-maluku-utara",
        "82.07",
        "bank-mitra-desa",
        "pendamping.morotai@demo.tumbuh.id",
    ),
    (
        "atd-2022-13-kawasan-sumatera-utara",
        "12.71",
        "pasar-nusantara",
        "pendamping.medan@demo.tumbuh.id",
    ),
    (
        "atd-2022-13-kawasan-jawa-tengah",
        "33.08",
        "bank-mitra-desa",
        "pendamping.magelang@demo.tumbuh.id",
    ),
    ("dpsp-5-labuan-bajo", "53.15", "kampus-flobamora", "pendamping.labuanbajo@demo.tumbuh.id"),
]
EXTRA_MENTORS = [
    # login, name, organisation, home region
    (HALAL_MENTOR, "Fransiska Nahak", "kampus-flobamora", "53.71"),
    (KUPANG_MENTOR, "Yohanis Manafe", "kampus-flobamora", "53.71"),
    ("pendamping.labuanbajo@demo.tumbuh.id", "Kristina Jehalu", "kampus-flobamora", "53.15"),
    ("pendamping.papua@demo.tumbuh.id", "Naomi Wenda", "pasar-nusantara", "91.03"),
    ("pendamping.medan@demo.tumbuh.id", "Rudi Sitompul", "pasar-nusantara", "12.71"),
    ("pendamping.morotai@demo.tumbuh.id", "Hasan Lasut", "bank-mitra-desa", "82.07"),
    ("pendamping.magelang@demo.tumbuh.id", "Sri Wahyuni", "bank-mitra-desa", "33.08"),
]
MEMBERS_PER_COHORT = 50
MEMBERS_OUTSIDE_NTT = 15


def load(*, seed: int, report: DemoReport) -> None:
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    if programme is None:
        areas = {slug: PriorityArea.objects.filter(slug=slug).first() for slug, _q in AREAS}
        missing = [slug for slug, area in areas.items() if area is None]
        if missing:
            report.say(f"programmes: priority areas not loaded ({', '.join(missing)}); skipped")
            return
        with transaction.atomic():
            programme = _build(seed=seed, areas=areas, report=report)
    sessions_today = _sessions_today(programme)
    mentor = Mentor.objects.filter(user__email=DEMO_MENTOR).first()
    if mentor is not None:
        report.add_login(
            HALAL_MENTOR, demo_password(HALAL_MENTOR, seed), "Pendamping PPH (halal), demo"
        )
    enrolments = Enrolment.objects.filter(cohort__programme=programme)
    report.say(
        f"programmes: {PROGRAMME_NAME} in {programme.areas.count()} priority areas "
        f"(demo configuration; quotas sum to "
        f"{thousands(sum(a.quota for a in programme.areas.all()))}), "
        f"{programme.cohorts.count()} cohorts, {enrolments.count()} enrolments, "
        f"{sessions_today} sessions today for {DEMO_MENTOR}"
    )
    report.add_link("/konsol/program/", "Program pelatihan (programmes console)")
    report.add_link("/sertifikat/", "Cek sertifikat (certificate check)")


def _organisation(slug, name, kind, region=""):
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        organisation = account_services.create_organisation(
            name=name,
            kind=kind,
            region_code=region,
            slug=slug,
            by=account_services.system_actor(),
        )
    return organisation


def _mentor_user(login, name, organisation, region, seed):
    user = User.objects.filter(email=login).first()
    if user is None:
        user = User.objects.create_user(email=login, full_name=name)
        user.set_password(demo_password(login, seed))
        user.save(update_fields=["password"])
    account_services.grant_membership(
        user=user,
        organisation=organisation,
        role=Membership.Role.MENTOR,
        region_code=region,
        by=account_services.system_actor(),
    )
    return user


def _first_village(regency_code: str) -> Village:
    return Village.objects.filter(regency_id=regency_code).order_by("code").first()


def _eligible(programme, enterprises):
    return [e for e in enterprises if not services.eligibility_problems(programme, e)]


def _build(*, seed: int, areas: dict, report: DemoReport) -> Programme:
    rng = random.Random(seed)
    admin = User.objects.filter(email="admin@demo.tumbuh.id").first()
    if admin is None:
        raise RuntimeError("The accounts demo (admin@demo.tumbuh.id) must load first.")
    ministry = _organisation("kementerian", "Kementerian (demo)", Organisation.Kind.MINISTRY)
    admin = User.objects.filter(email="admin@demo.tumbuh.id").first()
    partners = {
        "pasar-nusantara": _organisation(
            "pasar-nusantara",
            "Pasar Digital Nusantara (demo marketplace)",
            Organisation.Kind.MARKETPLACE,
        ),
        "kampus-flobamora": _organisation(
            "kampus-flobamora",
            "Kampus Digital Flobamora (demo university)",
            Organisation.Kind.UNIVERSITY,
            "53",
        ),
        "bank-mitra-desa": _organisation(
            "bank-mitra-desa", "Bank Mitra Desa (demo state bank)", Organisation.Kind.STATE_BANK
        ),
    }
    today = timezone.localdate()
    programme = services.create_programme(
        organisation=ministry,
        by=admin,
        name=PROGRAMME_NAME,
        description=(
            "Pelatihan dan pendampingan adopsi digital bagi 30.000 UMKM sektor pengolahan (KBLI "
            "kategori C) di 15 kawasan prioritas, sepanjang rantai pasoknya: toko daring, "
            "pembayaran QRIS, pemasaran digital. Peserta menerima paket data internet 6 bulan. "
            "Kawasan dan kuota di sini adalah konfigurasi demo; kementerian menetapkan daftar "
            "yang sebenarnya."
        ),
        starts_on=today - datetime.timedelta(days=120),
        ends_on=today + datetime.timedelta(days=240),
        kbli_sections=["C"],
        scales=[Enterprise.Scale.MIKRO, Enterprise.Scale.KECIL],
        target_count=30_000,
        sessions_required=3,
        milestones_required=[Milestone.Kind.STORE_LIVE],
        benefits=["Paket data internet 6 bulan"],
    )
    benefit = programme.benefits.get()
    programme_areas = {}
    for slug, quota in AREAS:
        programme_area = services.set_area_quota(
            programme=programme, area=areas[slug], quota=quota, by=admin
        )
        programme_areas[slug] = programme_area
        if slug in (NTT, LABUAN_BAJO):
            shares = [("kampus-flobamora", quota * 3 // 5), ("pasar-nusantara", quota * 2 // 5)]
        else:
            shares = [("pasar-nusantara", quota * 3 // 5), ("bank-mitra-desa", quota * 2 // 5)]
        for partner_slug, share in shares:
            services.set_partner_quota(
                programme_area=programme_area, partner=partners[partner_slug], quota=share, by=admin
            )

    # Mentors: the demo mentor (a login made by the accounts demo) and a few more.
    mentors = {}
    demo_user = User.objects.filter(email=DEMO_MENTOR).first()
    if demo_user is None:
        demo_user = _mentor_user(
            DEMO_MENTOR, "Yosefina Bria", partners["kampus-flobamora"], "53.04", seed
        )
    mentors[DEMO_MENTOR] = services.register_mentor(
        user=demo_user,
        organisation=partners["kampus-flobamora"],
        region_code="53.04",
        villages=list(Village.objects.filter(regency_id="53.04").order_by("code")[:12]),
        areas=[areas[NTT]],
        specialities=[Mentor.Speciality.DIGITAL_ADOPTION, Mentor.Speciality.NIB],
        by=admin,
    )
    for login, name, partner_slug, region in EXTRA_MENTORS:
        user = _mentor_user(login, name, partners[partner_slug], region, seed)
        specialities = [Mentor.Speciality.DIGITAL_ADOPTION]
        if login == HALAL_MENTOR:
            specialities = [Mentor.Speciality.HALAL_PROCESS]
        mentors[login] = services.register_mentor(
            user=user,
            organisation=partners[partner_slug],
            region_code=region,
            villages=list(Village.objects.filter(regency_id=region).order_by("code")[:8]),
            specialities=specialities,
            by=admin,
        )

    # NTT: the demo registry's food processors. Those in Belu (3T, the demo mentor's regency)
    # and Kota Kupang meet in person there; the others, spread over the province, join an
    # online cohort the demo mentor also runs. Manggarai Barat's join the Labuan Bajo cohort.
    registry_businesses = _eligible(
        programme,
        Enterprise.objects.deduplicated()
        .filter(region_q("village__code", "53"))
        .select_related("village")
        .order_by("pk"),
    )
    in_person = {"53.04": [], "53.71": [], "53.15": []}
    online = []
    for enterprise in registry_businesses:
        in_person.get(enterprise.village.regency_id, online).append(enterprise)
    cohort_specs = [
        (NTT, "53.04", "kampus-flobamora", DEMO_MENTOR, Cohort.Mode.OFFLINE, in_person["53.04"]),
        (NTT, "53.71", "kampus-flobamora", KUPANG_MENTOR, Cohort.Mode.OFFLINE, in_person["53.71"]),
        (NTT, "53.71", "kampus-flobamora", DEMO_MENTOR, Cohort.Mode.ONLINE, online),
    ]
    for area, regency, partner, mentor_login in OTHER_COHORTS:
        found = in_person[regency] if regency in in_person else _near(programme, regency)
        cohort_specs.append(
            (area, regency, partner, mentor_login, Cohort.Mode.HYBRID, found[:MEMBERS_OUTSIDE_NTT])
        )
    cohorts = []
    for number, (area_slug, regency_code, partner_slug, mentor_login, mode, found) in enumerate(
        cohort_specs, start=1
    ):
        regency = Regency.objects.filter(code=regency_code).first()
        if regency is None or not found:  # regions of that province not loaded, or nobody there
            continue
        mentor = mentors[mentor_login]
        if mentor.organisation_id != partners[partner_slug].pk:
            raise RuntimeError(f"{mentor_login} is not a mentor of {partner_slug}")
        place = regency.name.title()
        if mode == Cohort.Mode.ONLINE:
            place = f"Daring {areas[area_slug].name}"
        cohort = services.create_cohort(
            programme_area=programme_areas[area_slug],
            partner=partners[partner_slug],
            by=admin,
            name=f"Angkatan {number} · {place}",
            mode=mode,
            venue_village=_first_village(regency_code),
            starts_on=today - datetime.timedelta(days=60 - 7 * number),
            ends_on=today + datetime.timedelta(days=90 + 7 * number),
            schedule="Sabtu, 09.00–12.00 waktu setempat",
            capacity=60,
        )
        cohorts.append((cohort, mentor, found[:MEMBERS_PER_COHORT]))

    statuses = [
        ("applied", 3),
        ("accepted", 3),
        ("active", 4),
        ("rejected", 1),
        ("withdrawn", 1),
    ]
    pattern = [status for status, weight in statuses for _ in range(weight)]
    rng.shuffle(pattern)
    turn = 0
    for cohort, mentor, members in cohorts:
        past = [
            services.schedule_session(
                mentor=mentor,
                cohort=cohort,
                title=f"Sesi {n}: {topic}",
                starts_at=timezone.now().replace(minute=0, second=0, microsecond=0)
                - datetime.timedelta(days=7 * (4 - n)),
                by=admin,
            )
            for n, topic in enumerate(
                ["Foto produk dan katalog", "Toko daring dan QRIS", "Pemasaran lewat WhatsApp"],
                start=1,
            )
        ]
        for index, enterprise in enumerate(members):
            # Every fifth participant attends every session: it completes the programme when its
            # store goes live (the stores demo opens those stores).
            # The others go through the statuses in turn, so every status shows.
            if index % 5 == 0:
                target = "trained"
            else:
                target = pattern[turn % len(pattern)]
                turn += 1
            enrolment = services.enrol(
                cohort=cohort,
                enterprise=enterprise,
                by=admin,
                accept=target not in ("applied", "rejected"),
            )
            if target == "rejected":
                services.decide_enrolment(
                    enrolment=enrolment,
                    to=Enrolment.Status.REJECTED,
                    by=admin,
                    reason="Produk belum diolah sendiri (demo)",
                )
                continue
            if target == "withdrawn":
                services.decide_enrolment(
                    enrolment=enrolment,
                    to=Enrolment.Status.WITHDRAWN,
                    by=admin,
                    reason="Pindah usaha ke luar kawasan (demo)",
                )
                continue
            if target in ("active", "trained"):
                services.assign_mentor(
                    mentor=mentor, enterprise=enterprise, by=admin, programme=programme
                )
                services.deliver_benefit(
                    enrolment=enrolment, benefit=benefit, by=admin, note="Diaktifkan di gerai"
                )
                attended = past if target == "trained" else past[: rng.randrange(1, 3)]
                for session in attended:
                    record_attendance(
                        session=session,
                        enterprise=enterprise,
                        by=mentor.user,
                        code=attendance_code(session),
                        recorded_at=session.starts_at + datetime.timedelta(minutes=15),
                    )
    return programme


def _near(programme, regency_code: str) -> list[Enterprise]:
    """Eligible registry businesses of a regency, then of the rest of its province."""
    province = regency_code[:2]
    nearby = (
        Enterprise.objects.deduplicated()
        .filter(region_q("village__code", province))
        .select_related("village")
        .order_by("pk")
    )
    eligible = _eligible(programme, nearby)
    return sorted(eligible, key=lambda e: e.village.regency_id != regency_code)


def _sessions_today(programme) -> int:
    """Sessions for the demo mentor whose attendance code is open now or later today.

    Two cohort sessions (one starting this hour, one three hours later) and a visit in an hour,
    made when the demo mentor has no session whose code is still open; a run soon after
    another adds nothing.
    """
    mentor = Mentor.objects.filter(user__email=DEMO_MENTOR).first()
    if mentor is None:
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    open_now = Session.objects.filter(mentor=mentor, starts_at__gte=now - VALID_AFTER)
    if open_now.exists():
        return open_now.count()
    # The demo mentor's cohort with the most participants.
    cohort = (
        programme.cohorts.filter(sessions__mentor=mentor)
        .annotate(participants=Count("enrolments", distinct=True))
        .order_by("-participants", "pk")
        .first()
    )
    if cohort is None:
        return 0
    system = account_services.system_actor()
    for hours, title in ((0, "Sesi 4: Mencatat penjualan"), (3, "Sesi 5: Membaca data toko")):
        services.schedule_session(
            mentor=mentor,
            cohort=cohort,
            title=title,
            starts_at=now + datetime.timedelta(hours=hours),
            by=system,
        )
    assignment = mentor.assignments.filter(is_active=True).order_by("pk").first()
    if assignment is not None:
        services.schedule_session(
            mentor=mentor,
            enterprise=assignment.enterprise,
            title=f"Kunjungan: {assignment.enterprise.name}",
            starts_at=now + datetime.timedelta(hours=1),
            by=system,
        )
    return open_now.count()
