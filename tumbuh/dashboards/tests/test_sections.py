"""The sections beyond onboarding: figures recomputed by the worker, panels read from them.

Each section's facts are made through the apps' own services or their test builders (the
shared ``scenarios``); the figures are then compared exactly, per region, with what a reader can
count by hand.
"""

import datetime

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise, make_store
from tumbuh.dashboards import sections
from tumbuh.dashboards.models import Level, RollupClock, SectionFigure, SectionSeries
from tumbuh.dashboards.tests import scenarios
from tumbuh.dashboards.tests.scenarios import (
    connectivity_scenario,
    flagship_scenario,
    monthly_scenario,
    partners_scenario,
    ready_plan,
    stores_scenario,
)
from tumbuh.regions.models import Village
from tumbuh.stores.models import Order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


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


def test_the_flagship_programme_by_priority_area_and_partner():
    programme, bandung, kupang, partners = flagship_scenario()
    west, east, spare = (str(partner.pk) for partner in partners)

    sections.refresh_sections()

    assert figures("programme", "") == {
        ("programme", programme.public_id): 30_000,
        ("quota", bandung.slug): 200,
        ("quota", kupang.slug): 100,
        ("enrolled", bandung.slug): 3,  # the withdrawn enrolment holds no place
        ("completed", bandung.slug): 1,
        ("enrolled", kupang.slug): 1,
        ("partner_quota", f"{west}:{bandung.slug}"): 120,
        ("partner_quota", f"{spare}:{bandung.slug}"): 30,
        ("partner_quota", f"{east}:{kupang.slug}"): 60,
        ("partner_enrolled", f"{west}:{bandung.slug}"): 3,
        ("partner_completed", f"{west}:{bandung.slug}"): 1,
        ("partner_enrolled", f"{east}:{kupang.slug}"): 1,
    }
    regional = {
        ("enrolled", bandung.slug): 3,
        ("completed", bandung.slug): 1,
        ("partner_enrolled", f"{west}:{bandung.slug}"): 3,
        ("partner_completed", f"{west}:{bandung.slug}"): 1,
    }
    assert figures("programme", "32") == figures("programme", "32.04") == regional
    assert figures("programme", "53.71") == {
        ("enrolled", kupang.slug): 1,
        ("partner_enrolled", f"{east}:{kupang.slug}"): 1,
    }
    shown = panel("", "programme")
    assert shown.figures == [("Program Unggulan", "30.000")]
    assert cells(shown) == {
        "Kawasan Bandung": ["200", "3", "1", "1.5 %"],
        "Kawasan Kupang": ["100", "1", "0", "1 %"],
        "All areas": ["300", "4", "1", "1.3 %"],
        # the partners, most enrolments first, with their share of the area's quota
        "Mitra Bandung · Kawasan Bandung": ["120", "3", "1", "2.5 %"],
        "Mitra Timur · Kawasan Kupang": ["60", "1", "0", "1.7 %"],
        "Mitra Cadangan · Kawasan Bandung": ["30", "0", "0", "0 %"],
    }
    assert [row.label for row in shown.rows][3:] == [
        "Mitra Bandung · Kawasan Bandung",
        "Mitra Timur · Kawasan Kupang",
        "Mitra Cadangan · Kawasan Bandung",
    ]
    assert shown.note == (
        "After the areas: the 10 partners with the most enrolments, each in the area where it "
        "runs cohorts (its quota: its share of the area's quota)."
    )
    assert cells(panel("53", "programme")) == {
        "Kawasan Kupang": ["1", "0"],
        "All areas": ["1", "0"],
        "Mitra Timur · Kawasan Kupang": ["1", "0"],
    }


def test_the_programme_panel_shows_the_ten_partners_with_the_most_enrolments():
    from tumbuh.programmes.tests.builders import (
        food_business,
        make_area,
        make_cohort,
        make_enrolment,
        make_partner,
        make_programme,
        make_programme_area,
    )

    area = make_programme_area(
        programme=make_programme(target_count=1_000), area=make_area(name="Kawasan"), quota=500
    )
    for number in range(12):  # partner k enrols k businesses
        cohort = make_cohort(programme_area=area, partner=make_partner(name=f"Mitra {number:02d}"))
        for serial in range(number):
            make_enrolment(cohort, food_business(f"Usaha {number}-{serial}"))

    sections.refresh_sections()

    shown = panel("32", "programme")
    assert [row.label for row in shown.rows] == [
        "Kawasan",
        "All areas",
        *(f"Mitra {number:02d} · Kawasan" for number in range(11, 1, -1)),
    ]
    assert cells(shown)["All areas"] == ["66", "0"]
    assert cells(shown)["Mitra 11 · Kawasan"] == ["11", "0"]


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
    connectivity_scenario()

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
    assert plan_figures(shown) == []  # no ready plan yet


def test_the_national_connectivity_panel_has_a_row_per_province():
    connectivity_scenario()

    sections.refresh_sections()

    shown = panel("", "connectivity")
    assert shown.columns == ["Province", "Villages", "Backbone within reach", "Middle mile",
                             "Last mile", "Without 4G", "BTS sites on air"]  # fmt: skip
    counts = {
        code: Village.objects.filter(code__startswith=code).count() for code in ("32", "53", "91")
    }
    total = sum(counts.values())
    assert Village.objects.count() == total  # the session loads these three provinces
    assert shown.table()[1:] == [
        ["Jawa Barat", counts["32"], 0, 0, 0, counts["32"], 0],
        ["Nusa Tenggara Timur", counts["53"], 3, 2, 3, counts["53"] - 2, 2],
        ["Papua", counts["91"], 0, 0, 0, counts["91"], 0],
        ["All provinces", total, 3, 2, 3, total - 2, 2],
    ]
    assert cells(shown)["All provinces"][0] == f"{total:,}".replace(",", ".")
    assert ("BTS sites on air", "2") in shown.figures
    assert shown.note.startswith("Villages per province:")
    # A province's panel keeps its villages by layer and signal, with their shares.
    assert [row.label for row in panel("53", "connectivity").rows][:3] == [
        "Backbone within reach (fibre point of presence)",
        "Middle mile (backhaul)",
        "Last mile (any signal)",
    ]


def test_sites_against_the_latest_ready_plan(national_admin):
    from tumbuh.connectivity import services as connectivity

    first, second, third, _far = connectivity_scenario()
    ready_plan("Rencana Lama", [first.code] * 5, days_ago=30)  # an older ready plan
    plan = ready_plan(
        "Rencana Baru", [first.code, second.code, third.code, DAYEUHKOLOT], days_ago=1
    )
    ready_plan("Rencana Gagal", [first.code], status="failed")  # never ready: not a plan

    sections.refresh_sections()

    kupang = figures("connectivity", "53.71")
    assert kupang[("plan_picks", plan.public_id)] == 3
    assert not [key for key in kupang if key[0] == "plan_sites"]  # nothing adopted yet
    assert figures("connectivity", "32")[("plan_picks", plan.public_id)] == 1
    assert figures("connectivity", "")[("plan_picks", plan.public_id)] == 4
    assert plan_figures(panel("53.71", "connectivity")) == [
        ("Sites picked by the latest ready site plan", "3"),
        ("Picked sites not yet adopted", "3"),
        ("Picked sites planned", "0"),
        ("Picked sites contracted", "0"),
        ("Picked sites under construction", "0"),
        ("Picked sites on air", "0"),
    ]

    sites = {
        site.village_id: site for site in connectivity.adopt_plan(plan=plan, by=national_admin)
    }
    for village, steps in (
        (second.code, ["contracted"]),
        (third.code, ["contracted", "under_construction", "on_air"]),
        (DAYEUHKOLOT, ["contracted", "under_construction"]),
    ):
        site = sites[village]
        for step in steps:
            connectivity.change_site_status(site=site, to_status=step, by=national_admin)
            site.refresh_from_db()
    sections.refresh_sections()

    assert {
        key: value
        for key, value in figures("connectivity", "53.71").items()
        if key[0].startswith("plan_")
    } == {
        ("plan_picks", plan.public_id): 3,
        ("plan_sites", "planned"): 1,
        ("plan_sites", "contracted"): 1,
        ("plan_sites", "on_air"): 1,
    }
    assert plan_figures(panel("", "connectivity")) == [
        ("Sites picked by the latest ready site plan", "4"),
        ("Picked sites not yet adopted", "0"),
        ("Picked sites planned", "1"),
        ("Picked sites contracted", "1"),
        ("Picked sites under construction", "1"),
        ("Picked sites on air", "1"),
    ]
    # The adopted sites count among the BTS sites by status too (the scenario's own: 2 on air,
    # 1 planned).
    assert figures("connectivity", "")[("sites", "on_air")] == 3
    assert figures("connectivity", "")[("sites", "planned")] == 2


def plan_figures(shown) -> list:
    """The panel's figures about the sites against the plan."""
    return [
        (label, text)
        for label, text in shown.figures
        if label.startswith(("Sites picked", "Picked sites"))
    ]


# --- partners' scorecard ----------------------------------------------------------------------


def test_partners_scorecard_counts_deduplicated_businesses_milestones_and_duplicates(tmp_path):
    first, second = partners_scenario(tmp_path)

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
    django_assert_num_queries, tmp_path
):
    from tumbuh.regions.queries import region_name

    cache.add(sections.ENQUEUED_KEY, "queued", 300)  # a refresh is queued, not yet run
    waiting = render_to_string("dashboards/_sections.html", {"panels": sections.panels("")})
    assert waiting.count("Being computed") == len(sections.SECTIONS)
    flagship_scenario()
    stores_scenario()
    partners_scenario(tmp_path)
    sections.refresh_sections()
    region_name("32")  # the provinces' names are kept by the process once read

    # The clocks, the figures (with the provinces' connectivity), the monthly series, and the
    # names of the areas, the programme, the programme's partners and the scorecard's partners.
    with django_assert_num_queries(7):
        html = render_to_string("dashboards/_sections.html", {"panels": sections.panels("")})

    assert "Being computed" not in html
    assert "Program Unggulan" in html and "Rp55.000" in html
    assert "Mitra Bandung · Kawasan Bandung" in html and "Mitra Pertama" in html
    assert "Nusa Tenggara Timur" in html


# --- monthly series ---------------------------------------------------------------------------


def months(section: str, region_code: str) -> dict:
    """The section's stored months of one region: {(measure, "YYYY-MM"): value}."""
    return {
        (measure, f"{month:%Y-%m}"): value
        for measure, month, value in SectionSeries.objects.filter(
            section=section, region_code=region_code
        ).values_list("measure", "month", "value")
    }


@pytest.fixture
def monthly(officer_32, officer_53, national_admin):
    monthly_scenario(officer_32=officer_32, officer_53=officer_53, planner=national_admin)
    sections.refresh_sections()


@pytest.mark.usefixtures("monthly")
def test_monthly_series_per_regency_province_and_the_country():
    # The enrolment applied at 01:00 WIB on 1 February (31 January in UTC) counts in February,
    # its completion at 00:30 WIB on 1 April in April; the withdrawn one holds no place.
    bandung_programme = {
        ("enrolled", "2026-01"): 1,
        ("enrolled", "2026-02"): 1,
        ("completed", "2026-04"): 1,
    }
    assert months("programme", "32.04") == months("programme", "32") == bandung_programme
    assert months("programme", "53.71") == months("programme", "53") == {("enrolled", "2026-03"): 1}
    assert months("programme", "") == {**bandung_programme, ("enrolled", "2026-03"): 1}

    assert months("licensing", "32.04") == {
        ("nib_issued", "2026-02"): 1,
        ("halal_issued", "2026-01"): 1,
    }
    assert months("licensing", "53.71") == {("nib_issued", "2026-03"): 1}
    assert months("licensing", "") == {
        ("nib_issued", "2026-02"): 1,
        ("nib_issued", "2026-03"): 1,
        ("halal_issued", "2026-01"): 1,
    }

    # The refunded order counts neither in January nor anywhere.
    assert (
        months("stores", "32.04")
        == months("stores", "32")
        == {
            ("orders_paid", "2026-01"): 1,
            ("paid_value", "2026-01"): 15_000,
            ("orders_paid", "2026-02"): 1,
            ("paid_value", "2026-02"): 15_000,
        }
    )
    assert months("stores", "91.10") == {
        ("orders_paid", "2026-02"): 1,
        ("paid_value", "2026-02"): 40_000,
    }
    assert months("stores", "") == {
        ("orders_paid", "2026-01"): 1,
        ("paid_value", "2026-01"): 15_000,
        ("orders_paid", "2026-02"): 2,
        ("paid_value", "2026-02"): 55_000,
    }

    # The contracted site's event is not a site going on air.
    assert months("connectivity", "32.04") == {("sites_on_air", "2026-01"): 1}
    assert months("connectivity", "53") == {("sites_on_air", "2026-03"): 1}
    assert months("connectivity", "") == {
        ("sites_on_air", "2026-01"): 1,
        ("sites_on_air", "2026-03"): 1,
    }

    # Stocks have no series; the rows' levels follow their codes.
    assert not SectionSeries.objects.filter(section__in=["capability", "partners"]).exists()
    assert set(SectionSeries.objects.values_list("level", "region_code")) == {
        (Level.NATIONAL, ""),
        (Level.PROVINCE, "32"),
        (Level.PROVINCE, "53"),
        (Level.PROVINCE, "91"),
        (Level.REGENCY, "32.04"),
        (Level.REGENCY, "53.71"),
        (Level.REGENCY, "91.10"),
    }


@pytest.mark.usefixtures("monthly")
def test_a_panel_fills_the_months_and_adds_them_up():
    shown = panel("", "programme").series

    assert shown.months == tuple(datetime.date(2026, month, 1) for month in (1, 2, 3, 4))
    assert [(line.measure, line.values, line.cumulative) for line in shown.lines] == [
        ("enrolled", (1, 1, 1, 0), [1, 2, 3, 3]),
        ("completed", (0, 0, 0, 1), [0, 0, 0, 1]),
    ]
    # A regency's series runs from its own first month to its last.
    assert panel("53.71", "connectivity").series.months == (datetime.date(2026, 3, 1),)
    assert panel("", "capability").series is None
    assert panel("", "partners").series is None
    assert panel("53.71", "stores").series.months == ()  # nothing paid in Kupang
    assert panel("32.04", "stores").series.table() == [
        ["Month", "Orders paid", "Orders paid (cumulative)", "Paid value",
         "Paid value (cumulative)"],
        ["2026-01", 1, 1, 15_000, 15_000],
        ["2026-02", 1, 2, 15_000, 30_000],
    ]  # fmt: skip


@pytest.mark.usefixtures("monthly")
def test_a_panel_draws_its_cumulative_chart_and_the_table_of_its_months():
    html = render_to_string("dashboards/_sections.html", {"panels": sections.panels("")})

    stores = html[html.index('id="section-stores"') : html.index('id="section-connectivity"')]
    # One chart per unit: the orders, then the rupiah.
    assert stores.count("<svg") == 2
    assert 'aria-label="Cumulative per month: Orders paid"' in stores
    assert 'aria-label="Cumulative per month: Paid value"' in stores
    assert "<title>Paid value: Rp70.000</title>" in stores
    assert "<details><summary>The figures of the chart</summary>" in stores
    assert (
        '<tr><th scope="row">January 2026</th><td class="num">1</td><td class="num">1</td>'
        '<td class="num">Rp15.000</td><td class="num">Rp15.000</td></tr>'
    ) in stores
    assert (
        '<tr><th scope="row">February 2026</th><td class="num">2</td><td class="num">3</td>'
        '<td class="num">Rp55.000</td><td class="num">Rp70.000</td></tr>'
    ) in stores
    assert ">Orders paid (cumulative)</th>" in stores
    connectivity = html[
        html.index('id="section-connectivity"') : html.index('id="section-partners"')
    ]
    assert '<polyline fill="none" stroke="#0072b2"' in connectivity
    assert '<th scope="row">February 2026</th><td class="num">0</td><td class="num">1</td>' in (
        connectivity
    )  # the month between, filled
    capability = html[html.index('id="section-capability"') : html.index('id="section-licensing"')]
    assert "<svg" not in capability and "Per month" not in capability
    # A single month is drawn as a point.
    kupang = render_to_string("dashboards/_sections.html", {"panels": sections.panels("53.71")})
    assert '<circle cx="320.0"' in kupang


@pytest.mark.usefixtures("monthly")
def test_a_refresh_replaces_the_series():
    before = sorted(
        SectionSeries.objects.values_list("section", "region_code", "measure", "month", "value")
    )
    make_store("Toko Lain")  # nothing monthly

    sections.refresh_sections()

    assert (
        sorted(
            SectionSeries.objects.values_list("section", "region_code", "measure", "month", "value")
        )
        == before
    )
    Order.objects.filter(paid_at__isnull=False, status="paid", total_idr=40_000).update(
        paid_at=scenarios.at_wib(2026, 1, 31, 23, 59)
    )  # Sarmi's payment moves to January

    result = sections.refresh_sections()

    assert months("stores", "") == {
        ("orders_paid", "2026-01"): 2,
        ("paid_value", "2026-01"): 55_000,
        ("orders_paid", "2026-02"): 1,
        ("paid_value", "2026-02"): 15_000,
    }
    assert (
        result["series"]["stores"] == SectionSeries.objects.filter(section="stores").count() == 16
    )
    assert result["series"]["capability"] == result["series"]["partners"] == 0


@pytest.mark.usefixtures("monthly")
def test_the_series_cost_one_grouped_query_per_measure():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        sections.refresh_sections()

    by_month = [query["sql"] for query in captured if "trunc" in query["sql"].lower()]
    # Enrolments, completions, NIBs, halal certificates, orders paid with their value (one
    # query for both measures), sites gone on air: each a GROUP BY of the regency and month.
    assert len(by_month) == 6
    assert all("GROUP BY" in sql for sql in by_month)
    # The series are written in as many inserts as the sections that have rows.
    inserts = [query["sql"] for query in captured if "INSERT INTO" in query["sql"]]
    assert sum('"dashboards_sectionseries"' in sql for sql in inserts) == 4
