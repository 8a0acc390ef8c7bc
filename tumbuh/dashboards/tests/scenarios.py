"""The facts behind the dashboard sections, made through the apps' own paths (their services
or their tests' builders), shared by ``test_sections`` (the stored figures, the monthly series
and the panels) and ``test_sections_api`` (the API and the downloads).

Each builder says in its docstring what it makes, so that a test's expected figures can be
counted by hand from it.
"""

import datetime

from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise, make_store
from tumbuh.core.times import WIB, ZONES
from tumbuh.programmes.models import Enrolment

SARMI_VILLAGE = "91.10.13.2003"  # Kabupaten Sarmi, a 3T regency


def flagship_scenario():
    """The flagship programme (target 30,000) in two priority areas.

    Kawasan Bandung (quota 200): Mitra Bandung (its share: 120) runs a cohort in Dayeuhkolot
    with an active, an accepted, a completed and a withdrawn enrolment; Mitra Cadangan holds a
    share of 30 and has enrolled no one. Kawasan Kupang (quota 100): Mitra Timur (its share: 60)
    runs a cohort in Namosain with one applied enrolment. A smaller programme's enrolment never
    counts. Returns the programme, the two areas and the three partners.
    """
    from tumbuh.programmes.tests.builders import (
        food_business,
        make_area,
        make_cohort,
        make_enrolment,
        make_partner,
        make_partner_quota,
        make_programme,
        make_programme_area,
    )

    programme = make_programme(name="Program Unggulan", target_count=30_000)
    bandung = make_programme_area(
        programme=programme, area=make_area(name="Kawasan Bandung"), quota=200
    )
    kupang = make_programme_area(
        programme=programme, area=make_area(regencies=("53.71",), name="Kawasan Kupang"), quota=100
    )
    west, east = make_partner(name="Mitra Bandung"), make_partner(name="Mitra Timur")
    spare = make_partner_quota(
        programme_area=bandung, partner=make_partner(name="Mitra Cadangan"), quota=30
    ).partner
    in_bandung = make_cohort(programme_area=bandung, partner=west, quota=120, village=DAYEUHKOLOT)
    in_kupang = make_cohort(programme_area=kupang, partner=east, quota=60, village=NAMOSAIN)
    statuses = [Enrolment.Status.ACTIVE, Enrolment.Status.ACCEPTED, Enrolment.Status.COMPLETED,
                Enrolment.Status.WITHDRAWN]  # fmt: skip
    for number, status in enumerate(statuses):
        make_enrolment(in_bandung, food_business(f"Usaha {number}"), status=status)
    make_enrolment(
        in_kupang, food_business("Usaha Kupang", village=NAMOSAIN), status=Enrolment.Status.APPLIED
    )
    # A smaller programme is not the flagship: its enrolments never count.
    other = make_programme_area(programme=make_programme(target_count=50), quota=40)
    make_enrolment(make_cohort(programme_area=other, partner=west), food_business("Usaha Lain"))
    return programme, bandung.area, kupang.area, (west, east, spare)


def stores_scenario():
    """A live store in Kabupaten Bandung (Rp15,000 product) and a BumDes store in Sarmi, 3T
    (Rp40,000), and a draft store. Bandung: one paid order, one unpaid, one paid then refunded;
    Sarmi: one paid order."""
    from tumbuh.stores.services import orders
    from tumbuh.stores.tests.order_builders import order_for, shop_with_product

    system = system_actor()
    bandung, keripik = shop_with_product(price_idr=15_000)
    sarmi, sagu = shop_with_product(price_idr=40_000, village=SARMI_VILLAGE, kind="bumdes")
    make_store("Toko Draf", live=False)
    paid = order_for(bandung, keripik, payment="transfer")
    orders.transition(order=paid, to="paid", by=system)
    order_for(bandung, keripik)  # cash at pickup, not paid yet
    refunded = order_for(bandung, keripik, payment="transfer")
    orders.transition(order=refunded, to="paid", by=system)
    orders.transition(order=refunded, to="refunded", by=system)
    orders.transition(order=order_for(sarmi, sagu, payment="transfer"), to="paid", by=system)


def partners_scenario(tmp_path):
    """Two partners' imports. Mitra Pertama brings Keripik Maju, Batik Sari, Batik Sari Dua
    (later merged into Batik Sari: a duplicate) and Tenun Ina (in NTT); Mitra Kedua brings
    Keripik Maju again (matched at import: a duplicate) and Kopi Baru. Keripik Maju is
    trained. Returns the two partners."""
    from tumbuh.registry import services as registry_services
    from tumbuh.registry.models import Enterprise, Milestone
    from tumbuh.registry.tests.console_helpers import import_rows, nik, partner, row

    first = partner(name="Mitra Pertama")
    second = partner(name="Mitra Kedua")
    keripik = row("Keripik Maju", owner="Ani", nik=nik("320412", serial=1), kbli="10792")
    import_rows(
        tmp_path,
        first,
        [
            keripik,
            row("Batik Sari", owner="Budi", nik=nik("320412", serial=2), kbli="13912"),
            row("Batik Sari Dua", owner="Cici", nik=nik("320412", serial=3), kbli="13912"),
            row("Tenun Ina", owner="Dewi", nik=nik("537101", serial=4), village=NAMOSAIN,
                kbli="13912"),
        ],
        name="pertama.csv",
    )  # fmt: skip
    import_rows(
        tmp_path,
        second,
        [keripik, row("Kopi Baru", owner="Eka", nik=nik("320412", serial=5), kbli="10761")],
        name="kedua.csv",
    )
    batik, batik_two, maju = (
        Enterprise.objects.get(name=name)
        for name in ("Batik Sari", "Batik Sari Dua", "Keripik Maju")
    )
    registry_services.merge_enterprises(keep=batik, drop=batik_two, by=system_actor())
    registry_services.record_milestone(
        enterprise=maju, kind=Milestone.Kind.TRAINED, source="test", by=None
    )
    return first, second


def connectivity_scenario():
    """Four hand-made villages of Kota Kupang, 0, 4, 8 and 60 km east of (0°, 105° E), the
    district's real villages removed: a 4G tower on air in the first (microwave backhaul), a 2G
    one in the last, a planned 4G site in the third; a fibre point of presence 20 km east.
    Businesses: one in the first village, one in the third with a merged duplicate, one in
    Dayeuhkolot (no 4G in the ledger). Returns the four villages."""
    from tumbuh.connectivity import coverage
    from tumbuh.connectivity.models import Backhaul, PointOfPresence, Site, Technology
    from tumbuh.connectivity.tests.helpers import only_hand_made_villages, site_at, village_at
    from tumbuh.registry import services as registry_services

    only_hand_made_villages()
    villages = [village_at(number, km) for number, km in enumerate([0, 4, 8, 60], start=1)]
    first, _second, third, far = villages
    tower = site_at(0, first)
    Site.objects.filter(pk=tower.pk).update(backhaul=Backhaul.MICROWAVE)
    site_at(60, far, technology=Technology.G2)
    site_at(8, third, status=Site.Status.PLANNED)
    PointOfPresence.objects.create(
        code="POP-1", name="PoP", latitude=0.0, longitude=105.0 + 20 / 111.195,
        source="uji", source_date=datetime.date(2026, 1, 1),
    )  # fmt: skip
    coverage.recompute()
    make_enterprise("Usaha Bersinyal", village=first.code)
    waiting = make_enterprise("Usaha Menunggu", village=third.code)
    duplicate = make_enterprise("Usaha Menunggu (ganda)", village=third.code)
    registry_services.merge_enterprises(keep=waiting, drop=duplicate, by=system_actor())
    make_enterprise("Usaha Bandung")  # Dayeuhkolot has no 4G in the ledger
    return villages


def ready_plan(name: str, villages, *, days_ago: int = 0, status="ready"):
    """A site plan as the planner leaves it (without running a solver): one pick per village
    code of ``villages``, in order, finished ``days_ago`` days ago."""
    from tumbuh.connectivity.models import Backhaul, PlannedSite, SitePlan
    from tumbuh.regions.models import Village

    finished = timezone.now() - datetime.timedelta(days=days_ago)
    plan = SitePlan.objects.create(
        name=name,
        region_code="",
        budget_idr=10_000_000_000,
        solver=SitePlan.Solver.GREEDY,
        solver_status="heuristic",
        status=status,
        finished_at=finished if status == "ready" else None,
    )
    for rank, code in enumerate(villages, start=1):
        village = Village.objects.get(code=code)
        PlannedSite.objects.create(
            plan=plan,
            rank=rank,
            village=village,
            label=f"{village.name} {rank}",
            backhaul=Backhaul.SATELLITE,
            cost_idr=2_650_000_000,
            covered_villages=[code],
            enterprises=1,
            people=1_000,
            value=1.0,
            reason="uji",
        )
    return plan


def at_wib(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """A moment in Western Indonesian Time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZONES[WIB])


def monthly_scenario(*, officer_32, officer_53, planner):
    """Events in January to April 2026 in Kabupaten Bandung (32.04) and Kota Kupang (53.71), or
    Sarmi (91.10) for a store, each dated after it is made through the apps' paths:

    - flagship programme (a cohort in each regency): in Bandung, an enrolment applied on 10
      January, one applied on 1 February at 01:00 WIB (still 31 January in UTC) and completed on
      1 April at 00:30 WIB (31 March in UTC), and a withdrawn one (holds no place) applied in
      January; in Kupang, one applied on 5 March;
    - licensing: a NIB issued to a Bandung business on 15 February and to a Kupang business on
      10 March (``officer_32``, ``officer_53``); a halal certificate issued in Bandung on 10
      January;
    - stores: in Bandung, orders paid on 15 January and 20 February (Rp15,000 each) and a third
      paid in January then refunded; in Sarmi, one paid on 3 February (Rp40,000);
    - connectivity: a site in Dayeuhkolot goes on air on 20 January, one in Namosain on 2 March,
      and a third in Dayeuhkolot is only contracted (``planner`` changes them).
    """
    from tumbuh.connectivity import services as connectivity
    from tumbuh.connectivity.models import Site
    from tumbuh.connectivity.tests.helpers import site_at
    from tumbuh.licensing import services as licensing
    from tumbuh.licensing.models import HalalCase, HalalCertificate, NibCase
    from tumbuh.licensing.tests.conftest import (
        NIB_STEP_DATA,
        halal_case_at,
        halal_ready_enterprise,
    )
    from tumbuh.programmes.tests.builders import (
        food_business,
        make_area,
        make_cohort,
        make_enrolment,
        make_partner,
        make_programme,
        make_programme_area,
    )
    from tumbuh.regions.models import Village
    from tumbuh.stores.models import Order
    from tumbuh.stores.services import orders
    from tumbuh.stores.tests.order_builders import order_for, shop_with_product

    programme = make_programme(name="Program Bulanan", target_count=1_000)
    bandung = make_programme_area(programme=programme, area=make_area(), quota=100)
    kupang = make_programme_area(
        programme=programme, area=make_area(regencies=("53.71",)), quota=100
    )
    partner = make_partner(name="Mitra Bulanan")
    in_bandung = make_cohort(programme_area=bandung, partner=partner, village=DAYEUHKOLOT)
    in_kupang = make_cohort(programme_area=kupang, partner=partner, village=NAMOSAIN)
    for name, status, applied, completed in (
        ("Usaha Januari", Enrolment.Status.ACTIVE, at_wib(2026, 1, 10), None),
        ("Usaha Februari", Enrolment.Status.COMPLETED, at_wib(2026, 2, 1, 1),
         at_wib(2026, 4, 1, 0, 30)),
        ("Usaha Mundur", Enrolment.Status.WITHDRAWN, at_wib(2026, 1, 12), None),
    ):  # fmt: skip
        enrolment = make_enrolment(in_bandung, food_business(name), status=status)
        Enrolment.objects.filter(pk=enrolment.pk).update(applied_at=applied, completed_at=completed)
    kupang_enrolment = make_enrolment(
        in_kupang, food_business("Usaha Maret", village=NAMOSAIN), status=Enrolment.Status.APPLIED
    )
    Enrolment.objects.filter(pk=kupang_enrolment.pk).update(applied_at=at_wib(2026, 3, 5))

    for number, (village, by, issued) in enumerate(
        (
            (DAYEUHKOLOT, officer_32, at_wib(2026, 2, 15)),
            (NAMOSAIN, officer_53, at_wib(2026, 3, 10)),
        )
    ):
        case = licensing.start_nib_case(
            enterprise=make_enterprise(f"Usaha Berizin {number}", village=village), by=by
        )
        for to_step in NibCase.Step.values[1:]:
            data = NIB_STEP_DATA[case.step]
            if to_step == NibCase.Step.ISSUED:
                data = {"nib": f"912000765432{number}"}
            case = licensing.advance_nib_case(case=case, to=to_step, by=by, **data)
        NibCase.objects.filter(pk=case.pk).update(step_entered_at=issued)
    halal = halal_case_at(
        HalalCase.Step.ISSUED, enterprise=halal_ready_enterprise(nib="9120001111111"), by=officer_32
    )
    assert HalalCertificate.objects.get(case=halal).issued_on == datetime.date(2026, 1, 10)

    system = system_actor()
    shop, keripik = shop_with_product(price_idr=15_000)
    sarmi, sagu = shop_with_product(price_idr=40_000, village=SARMI_VILLAGE)
    for store, product, paid_at, refunded in (
        (shop, keripik, at_wib(2026, 1, 15), False),
        (shop, keripik, at_wib(2026, 2, 20), False),
        (shop, keripik, at_wib(2026, 1, 16), True),
        (sarmi, sagu, at_wib(2026, 2, 3), False),
    ):
        order = order_for(store, product, payment="transfer")
        orders.transition(order=order, to="paid", by=system)
        if refunded:
            orders.transition(order=order, to="refunded", by=system)
        Order.objects.filter(pk=order.pk).update(paid_at=paid_at)

    dayeuhkolot, namosain = (
        Village.objects.get(code=DAYEUHKOLOT),
        Village.objects.get(code=NAMOSAIN),
    )
    for village, code, on in (
        (dayeuhkolot, "S-JAN", datetime.date(2026, 1, 20)),
        (namosain, "S-MAR", datetime.date(2026, 3, 2)),
    ):
        site = site_at(0, village, status=Site.Status.UNDER_CONSTRUCTION, code=code)
        connectivity.change_site_status(site=site, to_status=Site.Status.ON_AIR, by=planner, on=on)
    contracted = site_at(0, dayeuhkolot, status=Site.Status.PLANNED, code="S-KONTRAK")
    connectivity.change_site_status(
        site=contracted, to_status=Site.Status.CONTRACTED, by=planner, on=datetime.date(2026, 2, 2)
    )
