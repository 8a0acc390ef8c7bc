"""Sign-in sheet photos go through ``core.images`` on every path (the attendance service, the
mentor app's page, its offline queue): stored as a JPEG encoded again with no EXIF (no GPS
position of the session's place, no phone serial number); what is not a photo, a decompression
bomb or a file over 5 MB is refused with ``bad_evidence`` and nothing is stored."""

import base64
import html
import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.core.tests.pictures import metadata_in, phone_photo, png_declaring
from tumbuh.programmes.attendance import record_attendance
from tumbuh.programmes.mentor import sync
from tumbuh.programmes.models import Attendance, Enrolment
from tumbuh.programmes.tests.builders import assign, make_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(cohort, business, mentor):
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    assign(mentor, business)
    return business


def stored_files(settings) -> list[Path]:
    roots = (Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT))
    return [path for root in roots for path in root.rglob("*") if path.is_file()]


def assert_clean_jpeg(row: Attendance, size: tuple[int, int]) -> None:
    row.evidence.open("rb")
    data = row.evidence.read()
    row.evidence.close()
    assert row.evidence.name.endswith(".jpg")
    assert metadata_in(data) == [] and b"GPS" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG" and stored.size == size
        assert dict(stored.getexif()) == {}


def queued(session, enterprise, evidence: bytes) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "attendance",
        "data": {
            "session": session.public_id,
            "enterprise": enterprise.public_id,
            "no_phone_reason": "Tidak punya HP",
            "recorded_at": timezone.now().isoformat(),
            "evidence": base64.b64encode(evidence).decode(),
        },
    }


def test_the_service_stores_the_sheet_without_its_exif(session, participant, mentor):
    sent = phone_photo(size=(90, 60))
    assert b"WGS-84" in sent
    row = record_attendance(
        session=session,
        enterprise=participant,
        by=mentor.user,
        no_phone_reason="Tidak punya HP",
        evidence=SimpleUploadedFile("daftar.jpg", sent, content_type="image/jpeg"),
    )
    assert_clean_jpeg(row, (90, 60))


def test_the_mentor_page_stores_the_sheet_without_its_exif(client_of, session, participant, mentor):
    response = client_of(mentor.user).post(
        reverse("programmes:mentor-session", args=[session.public_id]),
        {
            "enterprise": participant.public_id,
            "no_phone_reason": "Tidak punya HP",
            "evidence": SimpleUploadedFile("daftar.jpg", phone_photo(orientation=6)),
        },
    )
    assert response.status_code == 302
    assert_clean_jpeg(Attendance.objects.get(), (48, 64))  # turned upright


def test_the_offline_queue_stores_the_sheet_without_its_exif(session, participant, mentor):
    (result,) = sync.apply_batch(
        user=mentor.user, records=[queued(session, participant, phone_photo())]
    )
    assert result.status == sync.APPLIED
    assert_clean_jpeg(Attendance.objects.get(), (64, 48))


def test_a_decompression_bomb_in_the_queue_is_refused_and_nothing_is_stored(
    session, participant, mentor, settings
):
    events = AuditEvent.objects.count()
    (result,) = sync.apply_batch(
        user=mentor.user, records=[queued(session, participant, png_declaring(20_000, 20_000))]
    )
    assert (result.status, result.reason) == ("refused", "bad_evidence")
    assert not Attendance.objects.exists() and stored_files(settings) == []
    assert AuditEvent.objects.count() == events


def test_a_text_file_named_jpg_is_refused_on_the_page_with_the_reason(
    client_of, session, participant, mentor, settings
):
    response = client_of(mentor.user).post(
        reverse("programmes:mentor-session", args=[session.public_id]),
        {
            "enterprise": participant.public_id,
            "no_phone_reason": "Tidak punya HP",
            "evidence": SimpleUploadedFile("daftar.jpg", b"Bukan foto.\n" * 20),
        },
    )
    page = html.unescape(response.content.decode())
    assert "Berkas ini bukan foto yang dapat dibaca Tumbuh (JPEG, PNG, atau WebP)." in page
    assert 'capture="environment" aria-invalid="true"' in page  # the field at fault
    assert not Attendance.objects.exists() and stored_files(settings) == []


class _HugeUpload:
    """A 6 MB upload that fails the test if anything reads it."""

    size = 6 * 1024 * 1024
    name = "daftar.jpg"

    def read(self, *args):
        raise AssertionError("the upload was read")

    seek = chunks = __iter__ = read


def test_a_file_over_5_mb_is_refused_before_it_is_read(
    session, participant, mentor, settings, english
):
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session,
            enterprise=participant,
            by=mentor.user,
            no_phone_reason="Tidak punya HP",
            evidence=_HugeUpload(),
        )
    assert (refused.value.code, refused.value.field) == ("bad_evidence", "evidence")
    assert refused.value.messages == ["The photo is too large (at most 5 MB)."]
    assert not Attendance.objects.exists() and stored_files(settings) == []
