"""Attendance codes: derivation, window, wrong session, replays, marking; visit note versions."""

import base64
import datetime
import hashlib
import hmac
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tumbuh.conftest import make_enterprise, make_owner
from tumbuh.core.refusals import Refused
from tumbuh.programmes.attendance import (
    VisitNoteConflict,
    attendance_code,
    record_attendance,
    save_visit_note,
)
from tumbuh.programmes.models import Attendance, Enrolment, EnrolmentEvent, Session, VisitNote
from tumbuh.programmes.tests.builders import assign, make_enrolment, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(cohort, business):
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    return business


def test_secret_is_64_hex_characters_and_differs_per_session(mentor, cohort):
    first = make_session(mentor=mentor, cohort=cohort)
    second = make_session(mentor=mentor, cohort=cohort)
    assert len(first.attendance_secret) == 64
    int(first.attendance_secret, 16)
    assert first.attendance_secret != second.attendance_secret


def test_code_is_the_documented_derivation(mentor, cohort):
    session = Session(
        public_id="abcdefghjkmn",
        mentor=mentor,
        cohort=cohort,
        starts_at=datetime.datetime(2026, 11, 28, 2, 0, tzinfo=datetime.UTC),
        attendance_secret="00" * 31 + "01",
    )
    message = b"abcdefghjkmn|" + str(int(session.starts_at.timestamp())).encode()
    digest = hmac.new(bytes.fromhex("00" * 31 + "01"), message, hashlib.sha256).digest()
    expected = base64.b32encode(digest).decode()[:6]
    assert attendance_code(session) == expected
    assert len(expected) == 6 and set(expected) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    # A fixed vector the mentor app's JavaScript is checked against.
    assert expected == "HV4ZFM"


def test_valid_code_records_attendance_and_activates_the_enrolment(session, participant, mentor):
    attendance = record_attendance(
        session=session, enterprise=participant, by=mentor.user, code=attendance_code(session)
    )
    assert attendance.method == Attendance.Method.CODE
    assert attendance.recorded_by == mentor.user
    enrolment = Enrolment.objects.get(enterprise=participant)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert list(enrolment.events.values_list("from_status", "to_status")) == [
        ("", "accepted"),
        ("accepted", "active"),
    ]


def test_code_typed_in_lower_case_with_a_space_is_accepted(session, participant, mentor):
    code = attendance_code(session)
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    record_attendance(session=session, enterprise=participant, by=mentor.user, code=typed)
    assert Attendance.objects.filter(session=session).count() == 1


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (datetime.timedelta(hours=-1), True),
        (datetime.timedelta(hours=-1, seconds=-1), False),
        (datetime.timedelta(hours=2), True),
        (datetime.timedelta(hours=2, seconds=1), False),
    ],
)
def test_window_is_one_hour_before_to_two_hours_after_inclusive(
    mentor, cohort, participant, offset, accepted
):
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)
    session = make_session(mentor=mentor, cohort=cohort, starts_at=starts_at)
    kwargs = dict(
        session=session,
        enterprise=participant,
        by=mentor.user,
        code=attendance_code(session),
        recorded_at=starts_at + offset,
    )
    if accepted:
        record_attendance(**kwargs)
        assert Attendance.objects.count() == 1
    else:
        with pytest.raises(Refused) as refused:
            record_attendance(**kwargs)
        assert refused.value.reason == (
            "expired" if offset.total_seconds() > 0 else "not_yet_valid"
        )
        assert Attendance.objects.count() == 0


def test_expired_code_synced_later_is_judged_at_recording_time(mentor, cohort, participant):
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
    session = make_session(mentor=mentor, cohort=cohort, starts_at=starts_at)
    # Recorded offline during the session, synced two days later: accepted.
    record_attendance(
        session=session,
        enterprise=participant,
        by=mentor.user,
        code=attendance_code(session),
        recorded_at=starts_at + datetime.timedelta(minutes=30),
    )
    assert Attendance.objects.count() == 1


def test_expired_code_is_refused_with_the_reason(mentor, cohort, participant):
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=5)
    session = make_session(mentor=mentor, cohort=cohort, starts_at=starts_at)
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session, enterprise=participant, by=mentor.user, code=attendance_code(session)
        )
    assert refused.value.reason == "expired"
    assert "kedaluwarsa" in refused.value.messages[0] or "expired" in refused.value.messages[0]
    assert Attendance.objects.count() == 0
    assert Enrolment.objects.get().status == Enrolment.Status.ACCEPTED


def test_code_of_another_session_of_the_mentor_is_wrong_session(mentor, cohort, participant):
    here = make_session(mentor=mentor, cohort=cohort, title="Sesi pagi")
    there = make_session(
        mentor=mentor,
        cohort=cohort,
        title="Sesi siang",
        starts_at=here.starts_at + datetime.timedelta(minutes=45),
    )
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=here, enterprise=participant, by=mentor.user, code=attendance_code(there)
        )
    assert refused.value.reason == "wrong_session"
    assert "Sesi siang" in refused.value.messages[0]
    assert Attendance.objects.count() == 0


def test_made_up_code_is_wrong_code(session, participant, mentor):
    code = attendance_code(session)
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    with pytest.raises(Refused) as refused:
        record_attendance(session=session, enterprise=participant, by=mentor.user, code=wrong)
    assert refused.value.reason == "wrong_code"
    assert Attendance.objects.count() == 0


def test_same_business_twice_is_already_used(session, participant, mentor):
    code = attendance_code(session)
    record_attendance(session=session, enterprise=participant, by=mentor.user, code=code)
    with pytest.raises(Refused) as refused:
        record_attendance(session=session, enterprise=participant, by=mentor.user, code=code)
    assert refused.value.reason == "already_used"
    assert Attendance.objects.count() == 1


def test_replayed_client_id_returns_the_same_row_and_writes_nothing(session, participant, mentor):
    code = attendance_code(session)
    first = record_attendance(
        session=session, enterprise=participant, by=mentor.user, code=code, client_id="c-1"
    )
    events = EnrolmentEvent.objects.count()
    again = record_attendance(
        session=session, enterprise=participant, by=mentor.user, code=code, client_id="c-1"
    )
    assert again.pk == first.pk
    assert Attendance.objects.count() == 1
    assert EnrolmentEvent.objects.count() == events


def test_client_id_reused_for_another_business_is_refused(session, participant, mentor, cohort):
    other = make_enterprise("Dodol Garut Pak Ujang")
    make_enrolment(cohort, other, status=Enrolment.Status.ACTIVE)
    code = attendance_code(session)
    record_attendance(
        session=session, enterprise=participant, by=mentor.user, code=code, client_id="c-9"
    )
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session, enterprise=other, by=mentor.user, code=code, client_id="c-9"
        )
    assert refused.value.reason == "client_id_reused"
    assert Attendance.objects.count() == 1


def test_business_not_in_the_cohort_is_not_enrolled(session, mentor):
    stranger = make_enterprise("Warung Tetangga")
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session, enterprise=stranger, by=mentor.user, code=attendance_code(session)
        )
    assert refused.value.reason == "not_enrolled"
    assert Attendance.objects.count() == 0


def test_withdrawn_participant_is_not_enrolled(session, cohort, business, mentor):
    make_enrolment(cohort, business, status=Enrolment.Status.WITHDRAWN)
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session, enterprise=business, by=mentor.user, code=attendance_code(session)
        )
    assert refused.value.reason == "not_enrolled"


def test_mentor_marks_a_participant_without_a_phone_with_a_reason(session, participant, mentor):
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(photo, "JPEG")
    sheet = SimpleUploadedFile("daftar.jpg", photo.getvalue(), content_type="image/jpeg")
    attendance = record_attendance(
        session=session,
        enterprise=participant,
        by=mentor.user,
        no_phone_reason="Tidak punya ponsel",
        evidence=sheet,
    )
    assert attendance.method == Attendance.Method.MARKED
    assert attendance.reason == "Tidak punya ponsel"
    assert attendance.evidence.name.endswith(".jpg")
    attendance.evidence.delete(save=False)


def test_marking_needs_a_reason(session, participant, mentor):
    with pytest.raises(Refused) as refused:
        record_attendance(session=session, enterprise=participant, by=mentor.user)
    assert refused.value.reason == "reason_required"
    assert Attendance.objects.count() == 0


def test_only_the_sessions_mentor_may_mark(session, participant, officer_32):
    owner = make_owner(participant)
    for someone in (officer_32, owner):
        with pytest.raises(Refused) as refused:
            record_attendance(
                session=session, enterprise=participant, by=someone, no_phone_reason="Lupa"
            )
        assert refused.value.reason == "not_allowed"
    assert Attendance.objects.count() == 0


def test_the_owner_may_type_their_own_code(session, participant):
    owner = make_owner(participant)
    attendance = record_attendance(
        session=session, enterprise=participant, by=owner, code=attendance_code(session)
    )
    assert attendance.recorded_by == owner


def test_officer_of_another_province_may_not_record(session, participant, officer_53):
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session, enterprise=participant, by=officer_53, code=attendance_code(session)
        )
    assert refused.value.reason == "not_allowed"


def test_evidence_that_is_not_a_photo_is_refused(session, participant, mentor):
    fake = SimpleUploadedFile("daftar.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=session,
            enterprise=participant,
            by=mentor.user,
            no_phone_reason="Tidak punya ponsel",
            evidence=fake,
        )
    assert refused.value.reason == "bad_evidence"
    assert Attendance.objects.count() == 0


def test_visit_attendance_is_for_the_visited_business_only(mentor, business):
    visit = make_session(mentor=mentor, enterprise=business)
    other = make_enterprise("Bukan Yang Dikunjungi")
    with pytest.raises(Refused) as refused:
        record_attendance(
            session=visit, enterprise=other, by=mentor.user, code=attendance_code(visit)
        )
    assert refused.value.reason == "not_enrolled"
    record_attendance(
        session=visit, enterprise=business, by=mentor.user, code=attendance_code(visit)
    )
    assert Attendance.objects.filter(session=visit).count() == 1


# --- visit notes ------------------------------------------------------------------------------


def test_visit_note_create_update_and_conflict(mentor, business):
    assign(mentor, business)
    now = timezone.now()
    note = save_visit_note(
        mentor=mentor,
        enterprise=business,
        text="Foto produk dibuat",
        visited_at=now,
        client_id="n1",
        by=mentor.user,
    )
    assert note.version == 1
    note = save_visit_note(
        mentor=mentor,
        enterprise=business,
        text="Foto produk dan harga",
        visited_at=now,
        base_version=1,
        public_id=note.public_id,
        client_id="n2",
        by=mentor.user,
    )
    assert note.version == 2
    with pytest.raises(VisitNoteConflict) as conflict:
        save_visit_note(
            mentor=mentor,
            enterprise=business,
            text="Perubahan dari ponsel lama",
            visited_at=now,
            base_version=1,
            public_id=note.public_id,
            client_id="n3",
            by=mentor.user,
        )
    assert conflict.value.version == 2
    assert conflict.value.text == "Foto produk dan harga"
    note.refresh_from_db()
    assert (note.text, note.version) == ("Foto produk dan harga", 2)


def test_visit_note_replay_returns_the_note_unchanged(mentor, business):
    assign(mentor, business)
    now = timezone.now()
    first = save_visit_note(
        mentor=mentor,
        enterprise=business,
        text="Catatan",
        visited_at=now,
        client_id="n1",
        by=mentor.user,
    )
    again = save_visit_note(
        mentor=mentor,
        enterprise=business,
        text="Catatan",
        visited_at=now,
        client_id="n1",
        by=mentor.user,
    )
    assert again.pk == first.pk and again.version == 1
    assert VisitNote.objects.count() == 1


def test_visit_note_outside_the_caseload_is_refused(mentor, business):
    with pytest.raises(Refused) as refused:
        save_visit_note(
            mentor=mentor,
            enterprise=business,
            text="Catatan",
            visited_at=timezone.now(),
            by=mentor.user,
        )
    assert refused.value.reason == "not_in_caseload"
    assert VisitNote.objects.count() == 0
