"""The photo of a paper sign-in sheet (names, signatures) is a private upload: the session's
mentor and the programme staff of its region see it through ``attendance-evidence``; nobody
else, and never from /media/."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tumbuh.conftest import make_user
from tumbuh.programmes.attendance import record_attendance
from tumbuh.programmes.models import Enrolment
from tumbuh.programmes.tests.builders import make_enrolment, make_mentor, make_session

pytestmark = pytest.mark.django_db


def sheet_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def attendance(mentor, cohort, business):
    session = make_session(mentor=mentor, cohort=cohort)
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    return record_attendance(
        session=session,
        enterprise=business,
        by=mentor.user,
        no_phone_reason="Tidak punya HP",
        evidence=SimpleUploadedFile("daftar.jpg", sheet_bytes(), content_type="image/jpeg"),
    )


def url_of(attendance) -> str:
    return reverse(
        "programmes:attendance-evidence",
        args=[attendance.session.public_id, attendance.enterprise.public_id],
    )


def test_kept_privately_under_a_name_with_no_person_in_it(attendance, settings):
    name = attendance.evidence.name
    assert (settings.PRIVATE_MEDIA_ROOT / name).exists()
    assert not (settings.MEDIA_ROOT / name).exists()
    assert name.endswith(f"{attendance.session.public_id}-{attendance.enterprise.public_id}.jpg")


@pytest.mark.parametrize("who", ["the session's mentor", "officer of its province", "national"])
def test_the_mentor_and_the_regions_staff_get_it_never_cached(
    client_of, attendance, who, officer_32, national_admin, settings
):
    viewer = {
        "the session's mentor": attendance.session.mentor.user,
        "officer of its province": officer_32,
        "national": national_admin,
    }[who]
    response = client_of(viewer).get(url_of(attendance))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    # The stored file: the sheet encoded again by core.images, not the bytes sent.
    stored = (settings.PRIVATE_MEDIA_ROOT / attendance.evidence.name).read_bytes()
    assert b"".join(response.streaming_content) == stored


def test_refused_to_anonymous_other_regions_and_other_mentors(
    client, client_of, attendance, officer_53, partner
):
    url = url_of(attendance)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/masuk/")
    assert client_of(officer_53).get(url).status_code == 404
    other_mentor = make_mentor(organisation=partner)
    assert client_of(other_mentor.user).get(url).status_code == 404
    nobody = make_user()  # signed in, no role
    assert client_of(nobody).get(url).status_code == 404
    client.logout()
    assert client.get(f"/media/{attendance.evidence.name}").status_code == 404


def test_the_mentor_session_page_links_the_photo(client_of, attendance):
    mentor = attendance.session.mentor
    response = client_of(mentor.user).get(
        reverse("programmes:mentor-session", args=[attendance.session.public_id])
    )
    assert response.status_code == 200
    assert f'<a href="{url_of(attendance)}">' in response.content.decode()
