"""Outcome-linked completion, certificates (PDF, public page: valid, revoked, unknown)."""

import datetime
import io

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tumbuh.conftest import make_enterprise
from tumbuh.core.refusals import Refused
from tumbuh.programmes.attendance import attendance_code, record_attendance
from tumbuh.programmes.certificates import certificate_pdf, qr_png
from tumbuh.programmes.models import Certificate, Enrolment
from tumbuh.programmes.services import (
    check_completion_of,
    revoke_certificate,
)
from tumbuh.programmes.tests.builders import make_enrolment, make_session
from tumbuh.registry.models import Milestone
from tumbuh.registry.services import record_milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcome_programme(programme):
    programme.sessions_required = 2
    programme.milestones_required = [Milestone.Kind.STORE_LIVE]
    programme.save()
    return programme


def attend(mentor, cohort, business, hours_ago):
    session = make_session(
        mentor=mentor,
        cohort=cohort,
        starts_at=timezone.now().replace(microsecond=0) - datetime.timedelta(hours=hours_ago),
    )
    record_attendance(
        session=session,
        enterprise=business,
        by=mentor.user,
        code=attendance_code(session),
        recorded_at=session.starts_at,
    )


def test_sessions_alone_do_not_complete_without_the_outcome(
    outcome_programme, cohort, mentor, business
):
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    attend(mentor, cohort, business, 30)
    attend(mentor, cohort, business, 5)
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert not Milestone.objects.filter(enterprise=business, kind="trained").exists()
    assert Certificate.objects.count() == 0


def test_outcome_reached_completes_records_trained_and_issues_certificate(
    outcome_programme, cohort, mentor, business
):
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    attend(mentor, cohort, business, 30)
    attend(mentor, cohort, business, 5)
    record_milestone(enterprise=business, kind=Milestone.Kind.STORE_LIVE, source="test", by=None)
    # The milestone already completed it.
    assert check_completion_of(enterprise=business, by=None) == []
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert Milestone.objects.filter(enterprise=business, kind="trained").count() == 1
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.business_name == "Keripik Tempe Bu Sari"
    assert len(certificate.code) == 16
    assert list(enrolment.events.values_list("to_status", flat=True)) == [
        "accepted",
        "active",
        "completed",
    ]


def test_outcome_first_then_last_session_completes(outcome_programme, cohort, mentor, business):
    make_enrolment(cohort, business, status=Enrolment.Status.ACTIVE)
    record_milestone(enterprise=business, kind=Milestone.Kind.STORE_LIVE, source="test", by=None)
    attend(mentor, cohort, business, 30)
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE
    attend(mentor, cohort, business, 5)
    assert Enrolment.objects.get().status == Enrolment.Status.COMPLETED
    assert Certificate.objects.count() == 1


@pytest.fixture
def certificate(outcome_programme, cohort, mentor, business):
    make_enrolment(cohort, business, status=Enrolment.Status.ACTIVE)
    record_milestone(enterprise=business, kind=Milestone.Kind.STORE_LIVE, source="test", by=None)
    attend(mentor, cohort, business, 30)
    attend(mentor, cohort, business, 5)
    return Certificate.objects.get()


def test_public_page_of_a_valid_certificate(client, certificate, programme):
    response = client.get(reverse("programmes:certificate", args=[certificate.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Berlaku" in html or "Valid" in html
    assert "Keripik Tempe Bu Sari" in html
    assert programme.name in html
    assert "Dicabut" not in html


def test_public_page_of_a_revoked_certificate(client, certificate, officer_32):
    revoke_certificate(certificate=certificate, by=officer_32, reason="Data ganda")
    response = client.get(reverse("programmes:certificate", args=[certificate.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dicabut" in html or "Revoked" in html
    assert "Data ganda" not in html  # the reason is internal
    assert (
        client.get(reverse("programmes:certificate-pdf", args=[certificate.code])).status_code
        == 404
    )


def test_unknown_certificate_is_404_with_the_lookup_form(client, db):
    response = client.get(reverse("programmes:certificate", args=["abcdefghjkmnpqrs"]))
    assert response.status_code == 404
    assert 'name="code"' in response.content.decode()


def test_lookup_redirects_to_the_certificate(client, certificate):
    typed = certificate.code.upper()[:8] + " " + certificate.code.upper()[8:]
    response = client.get(reverse("programmes:certificate-lookup"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:certificate", args=[certificate.code])


def test_revoking_needs_a_reason_and_happens_once(certificate, officer_32):
    with pytest.raises(Refused):
        revoke_certificate(certificate=certificate, by=officer_32, reason=" ")
    revoke_certificate(certificate=certificate, by=officer_32, reason="Salah terbit")
    with pytest.raises(Refused) as refused:
        revoke_certificate(certificate=certificate, by=officer_32, reason="Lagi")
    assert refused.value.reason == "already_revoked"
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Salah terbit"


def test_pdf_is_small_and_its_qr_code_points_to_the_public_page(client, certificate):
    response = client.get(reverse("programmes:certificate-pdf", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) < 30_000
    url = f"http://testserver/sertifikat/{certificate.code}/"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))
    assert [d.text for d in decoded] == [url]


def test_pdf_survives_names_outside_latin1(certificate):
    certificate.business_name = "Kopi “Ṣabar” 咖啡"
    pdf = certificate_pdf(certificate, verify_url="http://x/sertifikat/a/")
    assert pdf.startswith(b"%PDF")


def test_certificate_codes_are_random_and_unguessable(cohort, business):
    from tumbuh.programmes.models import new_certificate_code

    codes = {new_certificate_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 16 for code in codes)  # 16 × 5 bits = 80 bits


def test_certificate_page_shows_nothing_personal(client, certificate):
    business = certificate.enrolment.enterprise
    business.phone_masked = "0812****7890"
    business.address = "Jl. Raya Dayeuhkolot 12"
    business.save()
    html = client.get(reverse("programmes:certificate", args=[certificate.code])).content.decode()
    assert "0812" not in html and "Raya Dayeuhkolot" not in html


def test_other_enterprise_completion_untouched(outcome_programme, cohort, business):
    other = make_enterprise("Usaha Lain")
    make_enrolment(cohort, other, status=Enrolment.Status.ACTIVE)
    record_milestone(enterprise=business, kind=Milestone.Kind.STORE_LIVE, source="test", by=None)
    assert check_completion_of(enterprise=business, by=None) == []
    assert Enrolment.objects.get(enterprise=other).status == Enrolment.Status.ACTIVE


def test_a_milestone_recorded_elsewhere_completes_the_enrolment(
    outcome_programme, cohort, mentor, business
):
    """The outcome arrives after the last session, from another part: no explicit check call."""
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    attend(mentor, cohort, business, 30)
    attend(mentor, cohort, business, 5)
    assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE
    record_milestone(
        enterprise=business, kind=Milestone.Kind.STORE_LIVE, source="stores:test", by=None
    )
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert Milestone.objects.filter(enterprise=business, kind="trained").count() == 1
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
