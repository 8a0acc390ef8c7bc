"""The sections beyond onboarding: figures recomputed by the worker, panels read from them.

Each section's facts are made through the apps' own services or their test builders; the
figures are then compared exactly, per region, with what a reader can count by hand.
"""

import datetime

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise, make_store
from tumbuh.dashboards import sections
from tumbuh.dashboards.models import Level, RollupClock, SectionFigure
from tumbuh.programmes.models import Enrolment
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Enterprise, Milestone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SARMI_VILLAGE = "91.10.13.2003"  # Kabupaten Sarmi, a 3T regency


def figures(section: str, region_code: str) -> dict:
    """The section's non-zero figures of one region: {(measure, dimension): value}."""
    return {
        (measure, dimension): value
        for measure, dimension, value in SectionFigure.objects.filter(
            section=section, region_code=region_code
        ).values_list("measure", "dimension", "value")
        if value
    }


def panel(region_code: str, key: str) -> sections.Panel:
    return next(item for item in sections.panels(region_code) if item.key == key)


def cells(item: sections.Panel) -> dict:
    return {row.label: [cell.text for cell in row.cells] for row in item.rows}


# --- the flagship programme -------------------------------------------------------------------


def flagship_scenario():
    from tumbuh.programmes.tests.builders import (
        food_business,
        make_area,
        make_cohort,
        make_enrolment,
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
    in_bandung = make_cohort(programme_area=bandung, village=DAYEUHKOLOT)
    in_kupang = make_cohort(programme_area=kupang, village=NAMOSAIN)
    statuses = [Enrolment.Status.ACTIVE, Enrolment.Status.ACCEPTED, Enrolment.Status.COMPLETED,
                Enrolment.Status.WITHDRAWN]  # fmt: skip
    for number, status in enumerate(statuses):
        make_enrolment(in_bandung, food_business(f"Usaha {number}"), status=status)
    make_enrolment(
        in_kupang, food_business("Usaha Kupang", village=NAMOSAIN), status=Enrolment.Status.APPLIED
    )
    # A smaller programme is not the flagship: its enrolments never count.
    other = make_programme_area(programme=make_programme(target_count=50), quota=40)
    make_enrolment(make_cohort(programme_area=other), food_business("Usaha Lain"))
    return programme, bandung.area, kupang.area


def test_the_flagship_programme_by_priority_area():
    programme, bandung, kupang = flagship_scenario()

    sections.refresh_sections()

    assert figures("programme", "") == {
        ("programme", programme.public_id): 30_000,
        ("quota", bandung.slug): 200,
        ("quota", kupang.slug): 100,
        ("enrolled", bandung.slug): 3,  # the withdrawn enrolment holds no place
        ("completed", bandung.slug): 1,
        ("enrolled", kupang.slug): 1,
    }
    regional = {("enrolled", bandung.slug): 3, ("completed", bandung.slug): 1}
    assert figures("programme", "32") == figures("programme", "32.04") == regional
    assert figures("programme", "53.71") == {("enrolled", kupang.slug): 1}
    shown = panel("", "programme")
    assert shown.figures == [("Program Unggulan", "30.000")]
    assert cells(shown) == {
        "Kawasan Bandung": ["200", "3", "1", "1.5 %"],
        "Kawasan Kupang": ["100", "1", "0", "1 %"],
        "All areas": ["300", "4", "1", "1.3 %"],
    }
    assert cells(panel("53", "programme")) == {
        "Kawasan Kupang": ["1", "0"],
        "All areas": ["1", "0"],
    }


# --- capability levels ------------------------------------------------------------------------


def test_capability_levels_follow_the_latest_assessment(settings):
    from tumbuh.capability.services import load_instrument
    from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, assess

    settings.CASELOAD_CHECKS = ["tumbuh.capability.tests.conftest.any_business"]
    instrument, _created = load_instrument()
    grown = make_enterprise("Usaha Tumbuh")
    assess(instrument, grown, LOWEST, days_ago=3)
    assess(instrument, grown, HIGHEST)
    assess(instrument, make_enterprise("Usaha Awal"), LOWEST)
    assess(instrument, make_enterprise("Usaha Kupang", village=NAMOSAIN), LOWEST)
    make_enterprise("Belum Dinilai")

    sections.refresh_sections()

    assert figures("capability", "") == {("businesses", "1"): 2, ("businesses", "5"): 1}
    assert figures("capability", "32.04") == {("businesses", "1"): 1, ("businesses", "5"): 1}
    assert figures("capability", "53") == {("businesses", "1"): 1}
    shown = panel("32", "capability")
    assert shown.figures == [("Businesses assessed", "2")]
    assert cells(shown)["1 · Starting"] == ["1", "50 %"]


# --- licensing --------------------------------------------------------------------------------


def opened(case, at, *, issued):
    """Date a case back as the licensing demo does: its opening event at ``at``, its issue at
    ``issued`` (the services stamp every step with the moment it is recorded)."""
    case.events.filter(from_step="").update(at=at)
    case.events.filter(to_step="issued").update(at=issued)
    type(case).objects.filter(pk=case.pk).update(step_entered_at=issued)


def test_licensing_counts_businesses_open_cases_and_median_waits(officer_32, officer_53):
    from tumbuh.licensing import services as licensing
    from tumbuh.licensing.models import HalalCase, NibCase
    from tumbuh.licensing.tests.conftest import (
        NIB_STEP_DATA,
        halal_case_at,
        halal_ready_enterprise,
    )

    now = timezone.now()
    for number, days in enumerate([4, 10]):
        case = licensing.start_nib_case(
            enterprise=make_enterprise(f"Usaha {number}"), by=officer_32
        )
        for to_step in NibCase.Step.values[1:]:
            data = NIB_STEP_DATA[case.step]
            if to_step == NibCase.Step.ISSUED:
                data = {"nib": f"912000123456{number}"}
            case = licensing.advance_nib_case(case=case, to=to_step, by=officer_32, **data)
        opened(case, now - datetime.timedelta(days=days, hours=1), issued=now)
    halal = halal_case_at(
        HalalCase.Step.ISSUED, enterprise=halal_ready_enterprise(nib="9120009876543"), by=officer_32
    )
    opened(halal, now - datetime.timedelta(days=30), issued=now)
    licensing.start_nib_case(
        enterprise=make_enterprise("Usaha Kupang", village=NAMOSAIN), by=officer_53
    )

    sections.refresh_sections()

    assert figures("licensing", "") == {
        ("nib_issued", ""): 2,
        ("halal_certified", ""): 1,
        ("nib_open", ""): 1,
        ("nib_waiting_days", ""): 7,  # the median of 4 and 10 days (and an hour each)
        ("halal_waiting_days", ""): 30,
    }
    assert figures("licensing", "53.71") == {("nib_open", ""): 1}
    assert figures("licensing", "32.04")[("nib_waiting_days", "")] == 7
    assert cells(panel("32", "licensing")) == {
        "Businesses issued (halal: valid today)": ["2", "1"],
        "Open cases": ["0", "0"],
        "Median waiting time": ["7 days", "30 days"],
    }


# --- stores and BBI ---------------------------------------------------------------------------


def stores_scenario():
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


def test_stores_orders_and_paid_value_with_the_shares_from_3t_and_bumdes():
    stores_scenario()

    sections.refresh_sections()

    assert figures("stores", "") == {
        ("stores_live", ""): 2,
        ("products_listed", ""): 4,  # each live store's opening product and its own
        ("orders", ""): 4,
        ("orders_paid", ""): 2,  # the refunded order's payment does not count
        ("paid_value", ""): 55_000,
        ("paid_value_3t", ""): 40_000,
        ("paid_value_bumdes", ""): 40_000,
    }
    assert figures("stores", "32.04") == {
        ("stores_live", ""): 1,
        ("products_listed", ""): 2,
        ("orders", ""): 3,
        ("orders_paid", ""): 1,
        ("paid_value", ""): 15_000,
    }
    assert SectionFigure.objects.get(
        section="stores", region_code="", measure="paid_value"
    ).unit == ("idr")
    shown = cells(panel("", "stores"))
    assert shown["Paid value"] == ["Rp55.000"]
    assert shown["Share of paid value from 3T regions"] == ["72.7 %"]
    assert shown["Share of paid value from BumDes"] == ["72.7 %"]


# --- connectivity -----------------------------------------------------------------------------


def test_connectivity_per_layer_sites_and_businesses_waiting():
    from tumbuh.connectivity import coverage
    from tumbuh.connectivity.models import Backhaul, PointOfPresence, Site, Technology
    from tumbuh.connectivity.tests.helpers import only_hand_made_villages, site_at, village_at
    from tumbuh.regions.models import Village

    only_hand_made_villages()
    first, _second, third, far = (
        village_at(number, km) for number, km in enumerate([0, 4, 8, 60], start=1)
    )
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

    sections.refresh_sections()

    kupang = Village.objects.filter(regency_id="53.71").count()
    assert figures("connectivity", "53.71") == {
        ("villages", ""): kupang,
        ("villages_signal", "4g"): 2,
        ("villages_signal", "2g"): 1,
        ("villages_signal", "none"): kupang - 3,
        ("villages_last_mile", ""): 3,
        ("villages_without_4g", ""): kupang - 2,
        ("villages_backbone", ""): 3,  # 20, 16 and 12 km from the point of presence
        ("villages_middle_mile", ""): 2,  # the 4G tower's microwave backhaul
        ("sites", "on_air"): 2,
        ("sites", "planned"): 1,
        ("businesses_waiting", ""): 1,  # the merged duplicate does not wait
    }
    national = figures("connectivity", "")
    assert national[("villages", "")] == Village.objects.count()
    assert national[("businesses_waiting", "")] == 2
    assert national[("sites", "on_air")] == 2
    shown = panel("53.71", "connectivity")
    assert ("BTS sites planned", "1") in shown.figures
    assert ("Businesses waiting for 4G", "1") in shown.figures
    assert cells(shown)["Signal: 4G"][0] == "2"


# --- partners' scorecard ----------------------------------------------------------------------


def test_partners_scorecard_counts_deduplicated_businesses_milestones_and_duplicates(tmp_path):
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

    sections.refresh_sections()

    one, two = str(first.pk), str(second.pk)
    assert figures("partners", "") == {
        ("businesses", one): 3,
        ("businesses", two): 2,
        ("carried", f"{one}:registered"): 3,
        ("carried", f"{one}:trained"): 1,
        ("carried", f"{two}:registered"): 2,
        ("carried", f"{two}:trained"): 1,
        ("duplicates", one): 1,  # Batik Sari Dua, merged later
        ("duplicates", two): 1,  # Keripik Maju, matched at import
    }
    assert figures("partners", "53") == {
        ("businesses", one): 1,
        ("carried", f"{one}:registered"): 1,
    }
    assert not SectionFigure.objects.filter(section="partners", level=Level.REGENCY).exists()
    shown = panel("", "partners")
    assert [row.label for row in shown.rows] == ["Mitra Pertama", "Mitra Kedua"]
    assert cells(shown)["Mitra Kedua"] == ["2", "0", "1", "0", "0", "0", "0", "0", "1"]
    assert "partners" not in [item.key for item in sections.panels("32.04")]


# --- reading the panels -----------------------------------------------------------------------


def test_a_regions_panels_show_only_its_region():
    stores_scenario()
    sections.refresh_sections()

    papua = render_to_string("dashboards/_sections.html", {"panels": sections.panels("91")})
    bandung = render_to_string("dashboards/_sections.html", {"panels": sections.panels("32.04")})

    assert "Rp40.000" in papua and "Rp15.000" not in papua
    assert "Rp15.000" in bandung and "Rp40.000" not in bandung
    assert "Partners" not in bandung


def test_a_stale_clock_enqueues_one_refresh_per_delay():
    sections.refresh_sections()
    make_store("Toko Baru")
    stale = timezone.now() - sections.SECTION_DELAY - datetime.timedelta(seconds=1)
    RollupClock.objects.filter(name__startswith=sections.CLOCK_PREFIX).update(as_of=stale)

    refreshed = panel("", "stores")  # the test's task backend runs the refresh at once

    assert cells(refreshed)["Live stores"] == ["1"]
    assert refreshed.as_of > stale
    RollupClock.objects.filter(name__startswith=sections.CLOCK_PREFIX).update(as_of=stale)
    make_store("Toko Kedua")
    assert cells(panel("", "stores"))["Live stores"] == ["1"]  # enqueued once within the delay
    cache.delete(sections.ENQUEUED_KEY)
    assert cells(panel("", "stores"))["Live stores"] == ["2"]


def test_sections_never_computed_say_so_and_the_page_reads_no_raw_tables(
    django_assert_max_num_queries, tmp_path
):
    cache.add(sections.ENQUEUED_KEY, "queued", 300)  # a refresh is queued, not yet run
    waiting = render_to_string("dashboards/_sections.html", {"panels": sections.panels("")})
    assert waiting.count("Being computed") == 6
    flagship_scenario()
    stores_scenario()
    sections.refresh_sections()

    # The clocks, the figures, and the names of the areas, the programme and the partners.
    with django_assert_max_num_queries(5):
        html = render_to_string("dashboards/_sections.html", {"panels": sections.panels("")})

    assert "Being computed" not in html
    assert "Program Unggulan" in html and "Rp55.000" in html
