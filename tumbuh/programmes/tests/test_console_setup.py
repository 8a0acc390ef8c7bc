"""Console pages to set up programmes (ministry staff) and schedule cohort sessions."""

import datetime

import pytest
from django.urls import reverse

from tumbuh.conftest import DAYEUHKOLOT, make_user
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.programmes import services
from tumbuh.programmes.models import Benefit, Programme, Session
from tumbuh.programmes.tests.builders import make_mentor, make_partner

# Pages and refusals in English, so that the tests read the msgids.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def programme_data(ministry, **changes):
    data = {
        "name": "Program Digital Baru",
        "description": "Pelatihan pemasaran digital.",
        "organisation": ministry.pk,
        "starts_on": "2027-01-01",
        "ends_on": "2027-06-30",
        "kbli_sections": "c, g",
        "scales": ["mikro", "kecil"],
        "region_codes": "32, 53.71",
        "target_count": "500",
        "sessions_required": "3",
        "milestones_required": [],
        "benefits": "Paket data\nSertifikat",
    }
    data.update(changes)
    return data


def test_ministry_staff_create_a_programme(client_of, national_admin, ministry):
    client = client_of(national_admin)
    home = client.get(reverse("programmes:console-home")).content.decode()
    assert reverse("programmes:programme-create") in home
    response = client.post(reverse("programmes:programme-create"), programme_data(ministry))
    programme = Programme.objects.get(name="Program Digital Baru")
    assert response.status_code == 302
    assert response.url == programme.get_absolute_url()
    assert programme.kbli_sections == ["C", "G"]
    assert programme.scales == ["mikro", "kecil"]
    assert programme.region_codes == ["32", "53.71"]
    assert programme.target_count == 500
    assert programme.sessions_required == 3
    assert set(Benefit.objects.filter(programme=programme).values_list("name", flat=True)) == {
        "Paket data",
        "Sertifikat",
    }


def test_ministry_staff_edit_a_programme(client_of, national_admin, ministry):
    programme = services.create_programme(
        organisation=ministry,
        by=national_admin,
        name="Lama",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 2, 1),
    )
    client = client_of(national_admin)
    url = reverse("programmes:programme-edit", args=[programme.public_id])
    assert url in client.get(programme.get_absolute_url()).content.decode()
    data = programme_data(ministry, name="Baru", ends_on="2027-03-01")
    response = client.post(url, data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Baru"
    assert str(programme.ends_on) == "2027-03-01"


def test_regional_officer_and_partner_may_not_create(client_of, officer_32, ministry, partner):
    partner_user = make_user(organisation=partner, full_name="Staf Mitra")
    for user in (officer_32, partner_user):
        client = client_of(user)
        assert client.get(reverse("programmes:programme-create")).status_code in (403, 404)
        response = client.post(reverse("programmes:programme-create"), programme_data(ministry))
        assert response.status_code in (403, 404)
    assert not Programme.objects.filter(name="Program Digital Baru").exists()


def test_officer_may_not_edit(client_of, officer_32, programme):
    url = reverse("programmes:programme-edit", args=[programme.public_id])
    assert client_of(officer_32).get(url).status_code in (403, 404)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"ends_on": "2026-12-01"}, "The programme ends before it starts."),
        ({"kbli_sections": "C, Z"}, "KBLI sections are letters A to U."),
        ({"target_count": "-5"}, "Targets and counts cannot be negative."),
    ],
)
def test_bad_programme_shows_reason_and_writes_nothing(
    client_of, national_admin, ministry, changes, reason
):
    events = AuditEvent.objects.count()
    response = client_of(national_admin).post(
        reverse("programmes:programme-create"), programme_data(ministry, **changes)
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Programme.objects.filter(name="Program Digital Baru").exists()
    assert AuditEvent.objects.count() == events


def session_data(mentor, **changes):
    data = {
        "title": "Foto produk",
        "mentor": mentor.pk,
        "starts_at": "2027-01-10T09:00",
        "duration_minutes": "90",
        "village": "",
    }
    data.update(changes)
    return data


def test_runner_schedules_a_session(client_of, officer_32, cohort, mentor):
    client = client_of(officer_32)
    url = reverse("programmes:session-create", args=[cohort.public_id])
    assert url in client.get(cohort.get_absolute_url()).content.decode()
    response = client.post(url, session_data(mentor))
    assert response.status_code == 302
    session = Session.objects.get(cohort=cohort)
    assert session.mentor == mentor
    assert session.village_id == cohort.venue_village_id == DAYEUHKOLOT
    assert len(session.attendance_secret) == 64
    assert AuditEvent.objects.filter(action="programmes.session_scheduled").exists()


def test_officer_of_another_province_may_not_schedule(client_of, officer_53, cohort, mentor):
    url = reverse("programmes:session-create", args=[cohort.public_id])
    response = client_of(officer_53).post(url, session_data(mentor))
    assert response.status_code in (403, 404)
    assert not Session.objects.exists()


def test_mentor_of_another_partner_is_refused(client_of, officer_32, cohort):
    other = make_mentor(organisation=make_partner(name="Mitra Lain"))
    url = reverse("programmes:session-create", args=[cohort.public_id])
    response = client_of(officer_32).post(url, session_data(other))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Session.objects.exists()
    with pytest.raises(Refused) as refusal:
        services.schedule_session(
            mentor=other, cohort=cohort, starts_at=cohort.created_at, title="x", by=officer_32
        )
    assert refusal.value.reason == "wrong_mentor"
    assert not Session.objects.exists()


def test_inactive_mentor_is_refused(client_of, officer_32, cohort, mentor):
    mentor.is_active = False
    mentor.save()
    url = reverse("programmes:session-create", args=[cohort.public_id])
    response = client_of(officer_32).post(url, session_data(mentor))
    assert response.status_code == 200
    assert "This mentor is no longer active." in response.content.decode()
    assert not Session.objects.exists()


def test_missing_start_is_refused(client_of, officer_32, cohort, mentor):
    url = reverse("programmes:session-create", args=[cohort.public_id])
    response = client_of(officer_32).post(url, session_data(mentor, starts_at=""))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Session.objects.exists()
    with pytest.raises(Refused) as refusal:
        services.schedule_session(
            mentor=mentor, cohort=cohort, starts_at=None, title="x", by=officer_32
        )
    assert refusal.value.reason == "start_required"
