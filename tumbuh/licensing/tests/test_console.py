"""Console pages: scoping (officers see their region, mentors their cases, owners their own),
moving a case through the forms, the KBLI picker, counts per region and expiry reminders."""

import datetime

import pytest
from django.urls import reverse

from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner
from tumbuh.licensing import queries, services
from tumbuh.licensing.models import HalalCase, NibCase
from tumbuh.licensing.tests.conftest import (
    APPLICANT,
    NIB,
    NIK,
    halal_case_at,
    halal_ready_enterprise,
    nib_case_at,
    png_bytes,
)
from tumbuh.registry.services import merge_enterprises

pytestmark = pytest.mark.django_db


# --- scoping ----------------------------------------------------------------------------------


def test_officers_see_only_their_region(client_of, officer_32, officer_53):
    here = nib_case_at(
        NibCase.Step.ACCOUNT, enterprise=make_enterprise("Keripik Jabar"), by=officer_32
    )
    there = nib_case_at(
        NibCase.Step.ACCOUNT,
        enterprise=make_enterprise("Tenun NTT", village=NAMOSAIN),
        by=officer_53,
    )
    page = client_of(officer_32).get(reverse("licensing:nib-list"))
    assert page.status_code == 200
    assert b"Keripik Jabar" in page.content and b"Tenun NTT" not in page.content
    assert client_of(officer_32).get(there.get_absolute_url()).status_code == 404
    assert client_of(officer_53).get(here.get_absolute_url()).status_code == 404
    assert client_of(officer_53).get(there.get_absolute_url()).status_code == 200


def test_a_mentor_sees_and_moves_only_assigned_cases(client_of, mentor_32, officer_32):
    mine = nib_case_at(
        NibCase.Step.ACCOUNT,
        enterprise=make_enterprise("Milik Saya"),
        by=officer_32,
        mentor=mentor_32,
    )
    other = nib_case_at(
        NibCase.Step.ACCOUNT, enterprise=make_enterprise("Bukan Saya"), by=officer_32
    )
    client = client_of(mentor_32)
    page = client.get(reverse("licensing:nib-list"))
    assert b"Milik Saya" in page.content and b"Bukan Saya" not in page.content
    assert client.get(other.get_absolute_url()).status_code == 404
    response = client.post(mine.get_absolute_url(), {"to_step": "business", **APPLICANT})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.step == NibCase.Step.BUSINESS
    assert mine.events.last().actor == mentor_32


def test_owner_starts_and_follows_but_cannot_move(client_of, officer_32):
    enterprise = make_enterprise("Warung Ani", address="Jl. Raya 1")
    owner = make_owner(enterprise)
    client = client_of(owner)
    start = client.get(reverse("licensing:nib-start"))
    assert start.status_code == 200 and b"Warung Ani" in start.content
    response = client.post(reverse("licensing:nib-start"), {"business": enterprise.public_id})
    case = NibCase.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and b"Warung Ani" in page.content
    assert b'name="nik"' not in page.content  # read-only: no step forms
    assert (
        client.post(case.get_absolute_url(), {"to_step": "business", **APPLICANT}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.step == NibCase.Step.ACCOUNT
    # The console lists are for officers and mentors.
    assert client.get(reverse("licensing:nib-list")).status_code == 403


def test_owner_cannot_start_for_someone_else(client_of):
    owner = make_owner(make_enterprise("Milik Sendiri"))
    stranger = make_enterprise("Orang Lain")
    response = client_of(owner).post(
        reverse("licensing:nib-start"), {"business": stranger.public_id}
    )
    assert response.status_code == 404
    assert not NibCase.objects.exists()


def test_officer_cannot_start_outside_the_region(client_of, officer_53):
    enterprise = make_enterprise("Keripik Jabar")
    response = client_of(officer_53).post(
        reverse("licensing:nib-start"), {"business": enterprise.public_id}
    )
    assert response.status_code == 404
    assert not NibCase.objects.exists()


def test_start_twice_redirects_to_the_open_case(client_of, officer_32):
    enterprise = make_enterprise("Keripik Jabar")
    client = client_of(officer_32)
    client.post(reverse("licensing:nib-start"), {"business": enterprise.public_id})
    response = client.post(
        reverse("licensing:nib-start"), {"business": enterprise.public_id}, follow=True
    )
    assert NibCase.objects.count() == 1
    assert b"already has an open NIB case" in response.content


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("licensing:nib-start"))
    assert response.status_code == 302 and "next=" in response.url


# --- moving cases through the pages -----------------------------------------------------------


def test_nib_case_through_the_forms(client_of, officer_32):
    enterprise = make_enterprise("Keripik Ani", address="Jl. Raya 12")
    client = client_of(officer_32)
    client.post(reverse("licensing:nib-start"), {"business": enterprise.public_id})
    case = NibCase.objects.get()
    url = case.get_absolute_url()
    client.post(url, {"to_step": "business", **APPLICANT})
    page = client.get(url)
    assert NIK.encode() not in page.content and b"3204**********01" in page.content
    client.post(
        url,
        {
            "to_step": "kbli",
            "business_name": "Keripik Ani",
            "address": "Jl. Raya 12",
            "village": enterprise.village_id,
            "capital_idr": "15.000.000",
            "workforce": "2",
            "scale": "mikro",
        },
    )
    picker = client.get(url, {"kbli": "keripik"})
    assert b"10794" in picker.content
    client.post(url, {"to_step": "submitted", "kbli_codes": ["10794"]})
    refused = client.post(url, {"to_step": "issued", "nib": "123"}, follow=True)
    assert b"A NIB has 13 digits" in refused.content
    client.post(url, {"to_step": "issued", "nib": NIB})
    case.refresh_from_db()
    enterprise.refresh_from_db()
    assert case.step == NibCase.Step.ISSUED and case.capital_idr == 15_000_000
    assert enterprise.nib == NIB


def test_halal_case_through_the_forms(client_of, officer_32, mentor_32):
    enterprise = halal_ready_enterprise()
    client = client_of(officer_32)
    client.post(reverse("licensing:halal-start"), {"business": enterprise.public_id})
    case = HalalCase.objects.get()
    url = case.get_absolute_url()
    client.post(url, {"to_step": "mentor", "sihalal_account": "ani@example.id"})
    page = client.get(url)
    assert b"Siti Pendamping" in page.content
    client.post(url, {"to_step": "products", "mentor": mentor_32.pk})
    client.post(
        url,
        {
            "action": "products",
            "product_0_name": "Keripik Pisang",
            "product_0_ingredients": "Pisang; alami\nMinyak goreng; ID3211000\nGaram; dikecualikan",
            "product_1_name": "Abon Sapi",
            "product_1_ingredients": "Daging sapi; sembelihan",
            "process_description": "Digoreng",
            "is_simple_process": "yes",
        },
    )
    refused = client.post(url, {"to_step": "submitted", "registration_number": "SH1"}, follow=True)
    assert b"slaughtered animal" in refused.content
    case.refresh_from_db()
    assert case.step == HalalCase.Step.PRODUCTS
    abon = case.products.get(name="Abon Sapi").ingredients.get()
    assert abon.is_from_slaughtered_animal and not abon.certificate_number
    client.post(
        url,
        {
            "action": "products",
            "product_0_name": "Keripik Pisang",
            "product_0_ingredients": "Pisang; alami\nMinyak goreng; ID3211000",
            "process_description": "Digoreng",
            "is_simple_process": "yes",
        },
    )
    client.post(url, {"to_step": "submitted", "registration_number": "SH1"})
    client.post(url, {"to_step": "verification"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        url,
        {"action": "photo", "photo": SimpleUploadedFile("a.png", png_bytes()), "caption": "Dapur"},
    )
    client.post(url, {"action": "checklist", **dict.fromkeys(services.HALAL_CHECKLIST, "on")})
    client.post(url, {"to_step": "document_check"})
    client.post(url, {"to_step": "fatwa"})
    client.post(
        url,
        {
            "to_step": "issued",
            "number": "ID3211",
            "issued_on": "2026-01-10",
            "valid_until": "2030-01-10",
        },
    )
    case.refresh_from_db()
    assert case.step == HalalCase.Step.ISSUED
    assert case.certificate.product_names == ["Keripik Pisang"]
    assert case.photos.count() == 1


def test_halal_start_shows_why_a_business_is_not_eligible(client_of, officer_32):
    enterprise = make_enterprise("Usaha Menengah", scale="menengah")
    page = client_of(officer_32).get(
        reverse("licensing:halal-start"), {"business": enterprise.public_id}
    )
    assert b"only for micro and small businesses" in page.content
    assert b"needs a NIB first" in page.content


# --- console home: counts and reminders -------------------------------------------------------


def test_counts_per_region_count_each_business_once(officer_32, national_admin, mentor_32):
    first = make_enterprise("Keripik Ani")
    second = make_enterprise("Keripik Ani (lagi)")
    nib_case_at(NibCase.Step.ISSUED, enterprise=first, by=officer_32)
    case = nib_case_at(NibCase.Step.SUBMITTED, enterprise=second, by=officer_32)
    services.record_nib(case=case, nib="9120007654321", by=officer_32)
    merge_enterprises(keep=first, drop=second, by=officer_32)
    halal_case_at(
        HalalCase.Step.ISSUED,
        enterprise=halal_ready_enterprise("Abon NTT", village=NAMOSAIN, nib="9120001111111"),
        by=national_admin,
        mentor=None,
    )
    national = {
        row.code: (row.nib_issued, row.halal_certified)
        for row in queries.region_counts(national_admin, on=datetime.date(2026, 6, 1))
    }
    assert national == {"32": (1, 0), "53": (0, 1)}
    regional = {
        row.code: (row.nib_issued, row.halal_certified)
        for row in queries.region_counts(officer_32, on=datetime.date(2026, 6, 1))
    }
    assert regional == {"32.04": (1, 0)}


def test_console_home_lists_expiring_certificates(client_of, officer_32, query_count):
    soon = halal_case_at(
        HalalCase.Step.FATWA, enterprise=halal_ready_enterprise("Segera Habis"), by=officer_32
    )
    today = datetime.date.today()
    services.issue_halal_certificate(
        case=soon,
        number="ID-SOON",
        issued_on=today - datetime.timedelta(days=300),
        valid_until=today + datetime.timedelta(days=30),
        by=officer_32,
    )
    later = halal_case_at(
        HalalCase.Step.FATWA,
        enterprise=halal_ready_enterprise("Masih Lama", nib="9120002222222"),
        by=officer_32,
    )
    services.issue_halal_certificate(
        case=later,
        number="ID-LATER",
        issued_on=today - datetime.timedelta(days=10),
        valid_until=today + datetime.timedelta(days=600),
        by=officer_32,
    )
    client = client_of(officer_32)
    with query_count() as queries_run:
        page = client.get(reverse("licensing:console-home"))
    assert page.status_code == 200
    assert b"ID-SOON" in page.content and b"ID-LATER" not in page.content
    assert len(queries_run) <= 15
    wide = client.get(reverse("licensing:console-home"), {"days": "700"})
    assert b"ID-LATER" in wide.content


def test_list_filters_and_query_count(client_of, officer_32, query_count):
    for number in range(6):
        nib_case_at(
            NibCase.Step.ACCOUNT, enterprise=make_enterprise(f"Usaha {number}"), by=officer_32
        )
    nib_case_at(NibCase.Step.KBLI, enterprise=make_enterprise("Sudah KBLI"), by=officer_32)
    client = client_of(officer_32)
    with query_count() as queries_run:
        page = client.get(reverse("licensing:nib-list"), {"step": "kbli"})
    assert b"Sudah KBLI" in page.content and b"Usaha 1" not in page.content
    assert b"1 case" in page.content
    many = client.get(reverse("licensing:nib-list"))
    assert b"7 cases" in many.content
    with query_count() as more_queries:
        client.get(reverse("licensing:nib-list"))
    assert len(more_queries) == len(queries_run)  # not one query per row
    assert (
        client.get(reverse("licensing:nib-list"), {"stale": "3"}).content.count(b"<tr>") == 2
    )  # header + "no case"
    htmx = client.get(
        reverse("licensing:nib-list"), {"step": "kbli"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in htmx.content and b"Sudah KBLI" in htmx.content


def test_the_case_list_searches_business_names_as_the_registry_does(client_of, officer_32):
    """A phrase of whole words, the last one possibly cut short, case and punctuation ignored."""
    for name in ("Warung Kopi Siti", "Kopiah Haji", "Sukopi", "CV. Maju-Jaya"):
        nib_case_at(NibCase.Step.ACCOUNT, enterprise=make_enterprise(name), by=officer_32)
    client = client_of(officer_32)

    def listed(text):
        page = client.get(reverse("licensing:nib-list"), {"q": text}).content.decode()
        return {name for name in ("Warung Kopi Siti", "Kopiah Haji", "Sukopi", "CV. Maju-Jaya")
                if name in page}  # fmt: skip

    assert listed("kopi") == {"Warung Kopi Siti", "Kopiah Haji"}
    assert listed("warung kopi s") == {"Warung Kopi Siti"}
    assert listed("maju jaya") == {"CV. Maju-Jaya"}
    assert listed("arung") == set()


def test_the_start_page_picks_a_business_by_a_phrase_of_its_name_or_its_nib(officer_32):
    make_enterprise("Keripik Pisang Bu Siti")
    make_enterprise("Pisangan Jaya", nib="9120009876543")
    make_enterprise("Toko Kripik", village=NAMOSAIN)  # outside the officer's region

    def picked(text):
        return {enterprise.name for enterprise in queries.startable_enterprises(officer_32, text)}

    assert picked("keripik pisang") == {"Keripik Pisang Bu Siti"}
    assert picked("pisang") == {"Keripik Pisang Bu Siti", "Pisangan Jaya"}
    assert picked("isang") == set()  # a word's beginning, not its middle
    assert picked("9120009876543") == {"Pisangan Jaya"}
    assert picked("kripik") == set()


# --- KBLI picker ------------------------------------------------------------------------------


def test_kbli_search_by_title_and_code():
    titles = [m.code for m in queries.search_kbli("keripik")]
    assert titles == ["10794"]
    by_words = [m.code for m in queries.search_kbli("perdagangan eceran makanan")]
    assert "47249" in by_words
    by_code = [m.code for m in queries.search_kbli("1079")]
    assert by_code[:2] == ["10791", "10792"] and all(code.startswith("1079") for code in by_code)
    assert [m.code for m in queries.search_kbli("10794")] == ["10794"]
    assert queries.search_kbli("") == [] and queries.search_kbli("zzzz") == []
    assert queries.search_kbli("10794")[0].risk.level == queries.RISK_MEDIUM_LOW
    assert queries.kbli_risk("47911").level == queries.RISK_LOW
    assert queries.kbli_risk("06100").level == queries.RISK_HIGH


def test_kbli_picker_page_works_without_javascript(client_of, officer_32):
    client = client_of(officer_32)
    page = client.get(reverse("licensing:kbli-search"), {"q": "Keripik"})
    assert (
        page.status_code == 200
        and b"10794" in page.content
        and b'<form method="get"' in page.content
    )
    assert b"indication" in page.content
    fragment = client.get(
        reverse("licensing:kbli-search"), {"q": "keripik"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in fragment.content and b"10794" in fragment.content


@pytest.mark.parametrize("step", NibCase.Step.values)
def test_every_nib_step_page_renders(client_of, officer_32, step):
    case = nib_case_at(step, by=officer_32)
    page = client_of(officer_32).get(case.get_absolute_url())
    assert page.status_code == 200
    assert case.get_step_display().encode() in page.content
    has_form = b'name="to_step"' in page.content
    assert has_form == case.is_open


@pytest.mark.parametrize("step", HalalCase.Step.values)
def test_every_halal_step_page_renders(client_of, officer_32, mentor_32, step):
    case = halal_case_at(step, by=officer_32, mentor=mentor_32)
    owner = make_owner(case.enterprise)
    officer_page = client_of(officer_32).get(case.get_absolute_url())
    assert officer_page.status_code == 200
    assert (b'name="to_step"' in officer_page.content) == case.is_open
    owner_page = client_of(owner).get(case.get_absolute_url())
    assert owner_page.status_code == 200 and b'name="to_step"' not in owner_page.content
    if step == HalalCase.Step.ISSUED:
        assert b"ID32110001234560126" in owner_page.content


def test_console_home_lists_the_cases_waiting_longest(client_of, officer_32, officer_53):
    nib_case_at(NibCase.Step.KBLI, enterprise=make_enterprise("Menunggu Lama"), by=officer_32)
    nib_case_at(NibCase.Step.ISSUED, enterprise=make_enterprise("Sudah Selesai"), by=officer_32)
    nib_case_at(
        NibCase.Step.ACCOUNT,
        enterprise=make_enterprise("Tenun NTT", village=NAMOSAIN),
        by=officer_53,
    )
    page = client_of(officer_32).get(reverse("licensing:console-home"))
    assert b"Menunggu Lama" in page.content
    assert b"Sudah Selesai" not in page.content and b"Tenun NTT" not in page.content


def test_owner_sees_why_their_business_cannot_self_declare_yet(client_of):
    enterprise = make_enterprise("Warung Ani", scale="mikro")
    owner = make_owner(enterprise)
    page = client_of(owner).get(reverse("licensing:halal-start"))
    assert b"needs a NIB first" in page.content
    assert b"only for micro and small" not in page.content


def test_owner_finds_their_case_from_the_start_page(client_of, officer_32):
    enterprise = make_enterprise("Warung Ani")
    owner = make_owner(enterprise)
    case = nib_case_at(NibCase.Step.KBLI, enterprise=enterprise, by=officer_32)
    nib_case_at(NibCase.Step.KBLI, enterprise=make_enterprise("Usaha Lain"), by=officer_32)
    page = client_of(owner).get(reverse("licensing:nib-start"))
    assert case.get_absolute_url().encode() in page.content
    assert b"Usaha Lain" not in page.content
