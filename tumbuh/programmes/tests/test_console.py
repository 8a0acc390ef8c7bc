"""Console pages: access, scoping (an officer of 32 never sees 53's cohorts), exports, reviews."""

import re

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Membership
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_user
from tumbuh.programmes.models import Enrolment, PartnerQuota, QuotaTransfer
from tumbuh.programmes.tests.builders import (
    assign,
    make_area,
    make_cohort,
    make_enrolment,
    make_mentor,
    make_partner,
    make_programme_area,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_53(programme):
    area = make_area(regencies=("53.71",), name="Kawasan Kupang")
    programme_area = make_programme_area(programme=programme, area=area, quota=40)
    return make_cohort(programme_area=programme_area, village=NAMOSAIN, name="Angkatan Kupang")


@pytest.fixture
def both(cohort, cohort_53):
    cohort.name = "Angkatan Bandung"
    cohort.save()
    bandung = make_enterprise("Keripik Bandung", phone_masked="0812****0001")
    kupang = make_enterprise("Se'i Kupang", village=NAMOSAIN)
    make_enrolment(cohort, bandung, status=Enrolment.Status.APPLIED)
    make_enrolment(cohort_53, kupang, status=Enrolment.Status.ACTIVE)
    return cohort, cohort_53


def test_console_needs_run_programmes(client_of, db):
    seller = make_user(full_name="Penjual")
    response = client_of(seller).get(reverse("programmes:console-home"))
    assert response.status_code == 403


def test_officer_of_32_sees_only_32s_cohorts(client_of, officer_32, both):
    cohort, cohort_53 = both
    client = client_of(officer_32)
    html = client.get(reverse("programmes:cohort-list")).content.decode()
    assert "Angkatan Bandung" in html
    assert "Angkatan Kupang" not in html
    assert client.get(cohort_53.get_absolute_url()).status_code == 404
    assert client.get(cohort.get_absolute_url()).status_code == 200
    enrolment_53 = cohort_53.enrolments.get()
    assert client.get(enrolment_53.get_absolute_url()).status_code == 404


def test_officer_of_53_sees_only_53s_cohorts(client_of, officer_53, both):
    _ = both
    html = client_of(officer_53).get(reverse("programmes:cohort-list")).content.decode()
    assert "Angkatan Kupang" in html and "Angkatan Bandung" not in html


def test_progress_is_scoped_and_counts_deduplicated_businesses(
    client_of, officer_32, national_admin, programme, both
):
    cohort, _cohort_53 = both
    # A second record of the same business, merged later, enrolled in another cohort of the
    # area: the area counts one business.
    keeper = cohort.enrolments.get().enterprise
    duplicate = make_enterprise("Keripik Bandung (dobel)", merged_into=keeper)
    other = make_cohort(programme_area=cohort.programme_area, name="Angkatan Bandung 2")
    make_enrolment(other, duplicate, status=Enrolment.Status.ACCEPTED)

    from tumbuh.programmes.queries import progress

    rows = progress(officer_32, programme)
    totals = {row.area_name: row for row in rows if row.partner_id is None}
    assert list(totals) == [cohort.programme_area.area.name]
    assert totals[cohort.programme_area.area.name].businesses == 1
    national = {
        row.area_name: row.businesses
        for row in progress(national_admin, programme)
        if row.partner_id is None
    }
    assert national == {cohort.programme_area.area.name: 1, "Kawasan Kupang": 1}


def test_programme_page_and_exports(client_of, national_admin, programme, both, query_count):
    client = client_of(national_admin)
    client.get(programme.get_absolute_url())  # warm caches (sessions, permissions)
    with query_count() as queries:
        response = client.get(programme.get_absolute_url())
    assert response.status_code == 200
    assert len(queries) <= 20
    assert "Kawasan Kupang" in response.content.decode()
    csv_response = client.get(reverse("programmes:enrolments-csv", args=[programme.public_id]))
    body = csv_response.content.decode("utf-8-sig")
    assert "Keripik Bandung" in body and "Se'i Kupang" in body
    assert "0812" not in body  # no phone numbers in exports
    progress_csv = client.get(reverse("programmes:progress-csv", args=[programme.public_id]))
    assert progress_csv.status_code == 200
    assert "Kawasan Kupang" in progress_csv.content.decode("utf-8-sig")


def test_officer_export_leaves_out_other_provinces(client_of, officer_32, programme, both):
    body = (
        client_of(officer_32)
        .get(reverse("programmes:enrolments-csv", args=[programme.public_id]))
        .content.decode("utf-8-sig")
    )
    assert "Keripik Bandung" in body and "Kupang" not in body


def test_review_accepts_an_application(client_of, officer_32, both):
    cohort, _ = both
    enrolment = cohort.enrolments.get()
    response = client_of(officer_32).post(
        reverse("programmes:enrolment-decide", args=[enrolment.public_id]),
        {"to": "accepted", "reason": ""},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACCEPTED


def test_review_refusal_changes_nothing(client_of, officer_32, both):
    cohort, _ = both
    enrolment = cohort.enrolments.get()
    client = client_of(officer_32)
    response = client.post(
        reverse("programmes:enrolment-decide", args=[enrolment.public_id]),
        {"to": "rejected", "reason": ""},
        follow=True,
    )
    assert "alasan" in response.content.decode().lower() or "reason" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPLIED


def test_officer_cannot_review_another_provinces_enrolment(client_of, officer_32, both):
    _, cohort_53 = both
    enrolment = cohort_53.enrolments.get()
    response = client_of(officer_32).post(
        reverse("programmes:enrolment-decide", args=[enrolment.public_id]),
        {"to": "withdrawn", "reason": "coba"},
    )
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_area_page_burndown_and_transfer_by_ministry(client_of, national_admin, cohort, partner):
    programme_area = cohort.programme_area
    receiver = make_partner(name="Koperasi Penerima")
    url = reverse(
        "programmes:area-detail",
        args=[programme_area.programme.public_id, programme_area.area.slug],
    )
    client = client_of(national_admin)
    make_enrolment(cohort, make_enterprise("Satu"), status=Enrolment.Status.APPLIED)
    html = client.get(url).content.decode()
    assert "<svg" in html and "<polyline" in html
    # Each chart is a picture with a name (axe: svg-img-alt): the area's says what its caption
    # says, the partner's names the partner.
    charts = re.findall(r'<svg [^>]*role="img" aria-label="([^"]+)"', html)
    captions = re.findall(r"</svg><figcaption>([^<]+)</figcaption>", html)
    assert html.count("<svg") == len(charts) == 2
    assert charts[0] == captions[0]
    assert partner.name in charts[1]
    response = client.post(
        url,
        {"from_partner": partner.pk, "to_partner": receiver.pk, "amount": 10, "reason": "Geser"},
    )
    assert response.status_code == 302
    assert PartnerQuota.objects.get(partner=receiver).quota == 10
    assert QuotaTransfer.objects.count() == 1


def test_regional_officer_cannot_post_a_transfer(client_of, officer_32, cohort, partner):
    programme_area = cohort.programme_area
    url = reverse(
        "programmes:area-detail",
        args=[programme_area.programme.public_id, programme_area.area.slug],
    )
    response = client_of(officer_32).post(
        url, {"from_partner": partner.pk, "to_partner": partner.pk, "amount": 1, "reason": "x"}
    )
    assert response.status_code == 404
    assert QuotaTransfer.objects.count() == 0


def test_mentor_balance_shows_caseloads_and_uncovered_villages(
    client_of, national_admin, cohort, both
):
    mentor = make_mentor(region_code="32.04")
    assign(mentor, cohort.enrolments.get().enterprise)
    html = client_of(national_admin).get(reverse("programmes:console-mentors")).content.decode()
    assert mentor.user.full_name in html
    assert "Namosain" in html.title()  # the Kupang participant's village has no mentor


def test_mentors_are_scoped(client_of, officer_53, db):
    mentor = make_mentor(region_code="32.04")
    html = client_of(officer_53).get(reverse("programmes:console-mentors")).content.decode()
    assert mentor.user.full_name not in html
    assert client_of(officer_53).get(mentor.get_absolute_url()).status_code == 404


def test_owner_applies_from_the_public_cohort_page(client_of, cohort):
    from tumbuh.conftest import make_owner
    from tumbuh.registry.models import EnterpriseKbli

    business = make_enterprise("Sambal Bu Ani")
    EnterpriseKbli.objects.create(enterprise=business, code="10774")
    owner = make_owner(business)
    client = client_of(owner)
    url = reverse("programmes:cohort-public", args=[cohort.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"business": business.public_id}, follow=True)
    assert Enrolment.objects.get(enterprise=business).status == Enrolment.Status.APPLIED
    assert "Sambal Bu Ani" in response.content.decode()


def test_partner_staff_see_the_console(client_of, partner, cohort):
    staff = make_user(organisation=partner, role=Membership.Role.OFFICER)
    assert client_of(staff).get(reverse("programmes:console-home")).status_code == 200


def test_ministry_adds_an_area_and_sets_a_partner_share(client_of, national_admin, programme):
    from tumbuh.programmes.models import ProgrammeArea

    area = make_area(regencies=("32.73",), name="Kawasan Kota Bandung")
    client = client_of(national_admin)
    response = client.post(programme.get_absolute_url(), {"area": area.pk, "quota": 300})
    assert response.status_code == 302
    programme_area = ProgrammeArea.objects.get(programme=programme, area=area)
    assert programme_area.quota == 300
    url = reverse("programmes:area-detail", args=[programme.public_id, area.slug])
    receiver = make_partner(name="Mitra Baru")
    client.post(url, {"action": "share", "partner": receiver.pk, "quota": 200})
    assert PartnerQuota.objects.get(programme_area=programme_area, partner=receiver).quota == 200
    response = client.post(
        url, {"action": "share", "partner": make_partner().pk, "quota": 101}, follow=True
    )
    assert PartnerQuota.objects.filter(programme_area=programme_area).count() == 1
    assert "300" in response.content.decode()  # the refusal names the area's quota


def test_officer_may_not_set_quotas(client_of, officer_32, programme):
    area = make_area(regencies=("32.73",))
    response = client_of(officer_32).post(
        programme.get_absolute_url(), {"area": area.pk, "quota": 5}
    )
    assert response.status_code == 404
    assert not programme.areas.filter(area=area).exists()


def test_partner_opens_a_cohort_in_its_area(client_of, programme, programme_area, partner, cohort):
    from tumbuh.programmes.models import Cohort

    staff = make_user(organisation=partner, role=Membership.Role.OFFICER)
    client = client_of(staff)
    url = reverse("programmes:cohort-create", args=[programme.public_id])
    assert client.get(url).status_code == 200
    data = {
        "programme_area": programme_area.pk,
        "partner": partner.pk,
        "name": "Angkatan Baru",
        "mode": "hybrid",
        "venue_village": "32.04.12.2002",
        "starts_on": "2026-12-01",
        "ends_on": "2027-01-31",
        "schedule": "Sabtu pagi",
        "capacity": 25,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    created = Cohort.objects.get(name="Angkatan Baru")
    assert (created.partner, created.capacity, created.mode) == (partner, 25, "hybrid")
    outside = client.post(url, dict(data, name="Di Luar", venue_village=NAMOSAIN))
    assert outside.status_code == 200
    assert not Cohort.objects.filter(name="Di Luar").exists()


def test_list_pages_query_counts_do_not_grow(
    client_of, national_admin, programme_area, query_count
):
    client = client_of(national_admin)
    make_cohort(programme_area=programme_area)
    for url in (reverse("programmes:cohort-list"), reverse("programmes:console-mentors")):
        client.get(url)
        with query_count() as few:
            client.get(url)
        for _n in range(5):
            cohort = make_cohort(programme_area=programme_area)
            make_enrolment(cohort, make_enterprise("Tambahan"), status=Enrolment.Status.ACTIVE)
            assign(make_mentor(region_code="32.04"), make_enterprise("Binaan"))
        with query_count() as many:
            client.get(url)
        assert len(many) == len(few), url


def test_public_pages_fit_in_14_kb_compressed(client, db):
    from tumbuh.core.tests.weight import served_size

    response = client.get(reverse("programmes:certificate-lookup"))
    assert served_size(response) < 14_000


def test_benefit_delivery_and_mentor_assignment(client_of, officer_32, cohort, partner, business):
    from tumbuh.programmes.models import Assignment, Benefit, BenefitDelivery

    benefit = Benefit.objects.create(programme=cohort.programme, name="Paket data internet 6 bulan")
    enrolment = make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    mentor = make_mentor(organisation=partner)
    client = client_of(officer_32)
    page = client.get(enrolment.get_absolute_url()).content.decode()
    assert "Paket data internet 6 bulan" in page and mentor.user.full_name in page
    client.post(
        reverse("programmes:enrolment-benefit", args=[enrolment.public_id]),
        {"benefit": benefit.pk, "note": "Kartu perdana diaktifkan"},
    )
    assert BenefitDelivery.objects.get(enrolment=enrolment).note == "Kartu perdana diaktifkan"
    client.post(
        reverse("programmes:enrolment-benefit", args=[enrolment.public_id]), {"benefit": benefit.pk}
    )
    assert BenefitDelivery.objects.count() == 1
    client.post(
        reverse("programmes:enrolment-assign", args=[enrolment.public_id]),
        {"mentor": mentor.public_id},
    )
    assert Assignment.objects.filter(mentor=mentor, enterprise=business, is_active=True).exists()


def test_officer_of_53_cannot_assign_in_32(officer_53, cohort, partner, business):
    from tumbuh.core.refusals import Refused
    from tumbuh.programmes.services import assign_mentor

    mentor = make_mentor(organisation=partner)
    with pytest.raises(Refused):
        assign_mentor(mentor=mentor, enterprise=business, by=officer_53)


def test_outcomes_follow_merges_and_count_each_business_once(national_admin, programme, cohort):
    from tumbuh.programmes.queries import progress
    from tumbuh.registry.services import record_milestone

    keeper = make_enterprise("Keripik Asli")
    duplicate = make_enterprise("Keripik Asli (dobel)", merged_into=keeper)
    only_duplicate_keeper = make_enterprise("Abon Asli")
    only_duplicate = make_enterprise("Abon (dobel)", merged_into=only_duplicate_keeper)
    for business in (keeper, only_duplicate_keeper):
        record_milestone(enterprise=business, kind="store_live", source="test", by=None)
    make_enrolment(cohort, keeper, status=Enrolment.Status.ACTIVE)
    second = make_cohort(programme_area=cohort.programme_area, partner=cohort.partner)
    make_enrolment(second, duplicate, status=Enrolment.Status.ACTIVE)
    make_enrolment(second, only_duplicate, status=Enrolment.Status.ACTIVE)
    [row] = [r for r in progress(national_admin, programme) if r.partner_id == cohort.partner_id]
    assert row.businesses == 2
    assert row.outcomes == {"store_live": 2}
