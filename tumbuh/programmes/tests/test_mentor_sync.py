"""The server side of the mentor app's offline queue: batches, replays, conflicts, scoping."""

import datetime
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.connectivity.models import VillageFact
from tumbuh.core.models import AuditEvent
from tumbuh.programmes.attendance import attendance_code, save_visit_note
from tumbuh.programmes.mentor import sync
from tumbuh.programmes.models import Attendance, Enrolment, VisitNote
from tumbuh.programmes.tests.builders import assign, make_enrolment, make_mentor, make_session

pytestmark = pytest.mark.django_db


def new_id() -> str:
    return str(uuid.uuid4())


def moment(at: datetime.datetime) -> str:
    return at.isoformat()


@pytest.fixture
def participant(cohort, business, mentor):
    make_enrolment(cohort, business, status=Enrolment.Status.ACCEPTED)
    assign(mentor, business)
    return business


def attendance_record(session, enterprise, *, code=None, at=None, client_id=None, **data):
    data = {
        "session": session.public_id,
        "enterprise": enterprise.public_id,
        "recorded_at": moment(at or timezone.now()),
        **data,
    }
    if code is not None:
        data["code"] = code
    return {"client_id": client_id or new_id(), "kind": "attendance", "data": data}


def note_record(enterprise, text, *, note=None, base_version=None, client_id=None):
    data = {"enterprise": enterprise.public_id, "text": text, "visited_at": moment(timezone.now())}
    if note is not None:
        data["note"] = note.public_id
    return {
        "client_id": client_id or new_id(),
        "kind": "visit_note",
        "base_version": base_version,
        "data": data,
    }


def statuses(results):
    return [(result.status, result.reason) for result in results]


def test_good_records_apply_and_bad_ones_come_back_with_reasons(mentor, session, participant):
    other = make_enterprise("Sambal Bu Tini")
    assign(mentor, other)
    records = [
        attendance_record(session, participant, code=attendance_code(session)),
        "not a record",
        {"client_id": "not-a-uuid", "kind": "visit_note", "data": {}},
        {"client_id": new_id(), "kind": "teleport", "data": {}},
        {"client_id": new_id(), "kind": "visit_note", "data": "text"},
        note_record(other, "Sudah punya akun marketplace."),
        note_record(other, ""),
        attendance_record(session, other, code="AAAAAA"),
        {"client_id": new_id(), "kind": "visit_note", "base_version": "2", "data": {}},
    ]
    results = sync.apply_batch(user=mentor.user, records=records)

    assert len(results) == len(records)
    assert statuses(results) == [
        ("applied", ""),
        ("refused", "malformed"),
        ("refused", "malformed"),
        ("refused", "unknown_kind"),
        ("refused", "malformed"),
        ("applied", ""),
        ("refused", "required"),
        ("refused", "not_enrolled"),
        ("refused", "malformed"),
    ]
    assert [result.field for result in results[6:8]] == ["text", "enterprise"]
    assert [result.client_id for result in results] == [
        records[0]["client_id"], "", "not-a-uuid", records[3]["client_id"], records[4]["client_id"],
        records[5]["client_id"], records[6]["client_id"], records[7]["client_id"],
        records[8]["client_id"],
    ]  # fmt: skip
    assert all(result.detail for result in results if result.status == "refused")
    row = Attendance.objects.get()
    assert (row.enterprise, row.method, row.client_id) == (
        participant,
        "code",
        records[0]["client_id"],
    )
    assert VisitNote.objects.get().text == "Sudah punya akun marketplace."


def test_a_replayed_batch_is_all_duplicates_and_writes_nothing(mentor, session, participant):
    records = [
        attendance_record(session, participant, code=attendance_code(session)),
        note_record(participant, "Kunjungan pertama."),
    ]
    first = sync.apply_batch(user=mentor.user, records=records)
    events = AuditEvent.objects.count()
    again = sync.apply_batch(user=mentor.user, records=records)

    assert [result.status for result in first] == ["applied", "applied"]
    assert [result.status for result in again] == ["duplicate", "duplicate"]
    assert again[0].server == first[0].server
    assert again[1].server == first[1].server
    assert Attendance.objects.count() == 1
    assert VisitNote.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_the_same_client_id_twice_in_one_batch(mentor, participant):
    record = note_record(participant, "Dua kali terkirim.")
    results = sync.apply_batch(user=mentor.user, records=[record, record])
    assert [result.status for result in results] == ["applied", "duplicate"]
    assert VisitNote.objects.count() == 1


def test_a_refused_record_is_judged_again_when_replayed(mentor, session, participant):
    record = attendance_record(session, participant, code="AAAAAA")
    assert statuses(sync.apply_batch(user=mentor.user, records=[record])) == [
        ("refused", "wrong_code")
    ]
    assert statuses(sync.apply_batch(user=mentor.user, records=[record])) == [
        ("refused", "wrong_code")
    ]
    assert not Attendance.objects.exists()


def test_a_code_typed_in_time_counts_when_synced_hours_later(mentor, cohort, participant):
    started = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=6)
    session = make_session(mentor=mentor, cohort=cohort, starts_at=started)
    in_time = attendance_record(
        session,
        participant,
        code=attendance_code(session),
        at=started + datetime.timedelta(hours=1),
    )
    late = attendance_record(
        session,
        participant,
        code=attendance_code(session),
        at=started + datetime.timedelta(hours=3),
    )
    assert statuses(sync.apply_batch(user=mentor.user, records=[late, in_time])) == [
        ("refused", "expired"),
        ("applied", ""),
    ]
    assert Attendance.objects.get().recorded_at == started + datetime.timedelta(hours=1)


def test_no_phone_marking_with_a_reason(mentor, session, participant):
    record = attendance_record(session, participant, no_phone_reason="Tidak punya HP")
    (result,) = sync.apply_batch(user=mentor.user, records=[record])
    assert result.status == "applied"
    row = Attendance.objects.get()
    assert (row.method, row.reason) == ("marked", "Tidak punya HP")


def test_a_visit_note_changed_on_the_server_comes_back_as_a_conflict(mentor, participant):
    note = save_visit_note(
        mentor=mentor,
        enterprise=participant,
        text="Versi awal.",
        visited_at=timezone.now(),
        by=mentor.user,
    )
    # Meanwhile, from another device: version 2.
    save_visit_note(
        mentor=mentor, enterprise=participant, text="Diubah di laptop.", visited_at=timezone.now(),
        base_version=1, public_id=note.public_id, by=mentor.user,
    )  # fmt: skip
    edit = note_record(participant, "Diubah di HP.", note=note, base_version=1)
    (result,) = sync.apply_batch(user=mentor.user, records=[edit])

    assert result.status == "conflict"
    assert result.reason == "changed_on_server"
    assert result.server == {
        "note": note.public_id,
        "enterprise": participant.public_id,
        "text": "Diubah di laptop.",
        "version": 2,
    }
    note.refresh_from_db()
    assert (note.text, note.version) == ("Diubah di laptop.", 2)

    # The mentor merges on the device and sends it again from the server's version.
    merged = note_record(
        participant, "Diubah di HP.\n\nDiubah di laptop.", note=note, base_version=2
    )
    (result,) = sync.apply_batch(user=mentor.user, records=[merged])
    assert result.status == "applied"
    note.refresh_from_db()
    assert (note.text, note.version) == ("Diubah di HP.\n\nDiubah di laptop.", 3)


def test_the_same_change_sent_again_under_a_new_id_is_not_a_conflict(mentor, participant):
    note = save_visit_note(
        mentor=mentor,
        enterprise=participant,
        text="Awal.",
        visited_at=timezone.now(),
        by=mentor.user,
    )
    edit = note_record(participant, "Sudah jualan online.", note=note, base_version=1)
    assert sync.apply_batch(user=mentor.user, records=[edit])[0].status == "applied"
    lost_answer = note_record(participant, "Sudah jualan online.", note=note, base_version=1)
    (result,) = sync.apply_batch(user=mentor.user, records=[lost_answer])
    assert result.status == "duplicate"
    note.refresh_from_db()
    assert note.version == 2


def test_a_mentor_cannot_record_outside_their_caseload(mentor, session, participant, cohort):
    stranger = make_enterprise("Usaha Orang Lain")
    enrolled_elsewhere = make_enterprise("Peserta Lain", village=NAMOSAIN)
    other_mentor = make_mentor()
    others_session = make_session(mentor=other_mentor, cohort=cohort)
    others_note = save_visit_note(
        mentor=other_mentor,
        enterprise=assign(other_mentor, stranger).enterprise,
        text="Catatan pendamping lain.",
        visited_at=timezone.now(),
        by=other_mentor.user,
    )
    records = [
        note_record(stranger, "Bukan binaan saya."),
        attendance_record(session, stranger, no_phone_reason="HP rusak"),
        attendance_record(session, enrolled_elsewhere, no_phone_reason="HP rusak"),
        attendance_record(others_session, participant, code=attendance_code(others_session)),
        note_record(stranger, "Menimpa.", note=others_note, base_version=1),
        {"client_id": new_id(), "kind": "signal_check",
         "data": {"village": NAMOSAIN, "technology": "2g", "checked_at": moment(timezone.now())}},
    ]  # fmt: skip
    results = sync.apply_batch(user=mentor.user, records=records)

    assert statuses(results) == [
        ("refused", "not_in_caseload"),
        ("refused", "not_in_caseload"),
        ("refused", "not_in_caseload"),
        ("refused", "not_your_session"),
        ("refused", "not_in_caseload"),
        ("refused", "not_in_caseload"),
    ]
    assert not Attendance.objects.exists()
    assert list(VisitNote.objects.values_list("text", flat=True)) == ["Catatan pendamping lain."]
    assert not VillageFact.objects.exists()


def test_someone_without_a_mentor_profile_is_refused(officer_32, participant):
    (result,) = sync.apply_batch(user=officer_32, records=[note_record(participant, "Halo")])
    assert (result.status, result.reason) == ("refused", "not_a_mentor")
    assert not VisitNote.objects.exists()


def test_signal_checks_go_to_the_connectivity_ledger(mentor):
    checked = timezone.now().replace(microsecond=0)
    record = {
        "client_id": new_id(),
        "kind": "signal_check",
        "data": {
            "village": DAYEUHKOLOT, "technology": "3g", "checked_at": moment(checked),
            "place": "depan balai desa", "download_bytes": 32768, "download_ms": 2048,
        },
    }  # fmt: skip
    (result,) = sync.apply_batch(user=mentor.user, records=[record])
    assert result.status == "applied"
    assert result.server["kbit_per_second"] == 128
    fact = VillageFact.objects.get()
    assert (fact.village_id, fact.layer, fact.value, fact.recorded_by) == (
        DAYEUHKOLOT, "signal_check", "3g", mentor.user,
    )  # fmt: skip
    assert fact.detail == "depan balai desa; unduh 32 KB dalam 2048 ms (128 kbit/s)"
    event = AuditEvent.objects.get(action="connectivity.signal_check")
    assert event.data["client_id"] == record["client_id"]

    (again,) = sync.apply_batch(user=mentor.user, records=[record])
    assert again.status == "duplicate"
    assert VillageFact.objects.count() == 1
    assert AuditEvent.objects.filter(action="connectivity.signal_check").count() == 1


def test_signal_check_with_bad_values_is_refused(mentor):
    now = moment(timezone.now())
    bad = [
        {"village": DAYEUHKOLOT, "technology": "5g", "checked_at": now},
        {"village": DAYEUHKOLOT, "technology": "4g", "checked_at": "kemarin"},
        {"village": DAYEUHKOLOT, "technology": "4g", "checked_at": now, "download_ms": 10},
        {"village": DAYEUHKOLOT, "technology": "4g", "checked_at": now,
         "download_ms": "cepat", "download_bytes": 1},
    ]  # fmt: skip
    records = [{"client_id": new_id(), "kind": "signal_check", "data": data} for data in bad]
    results = sync.apply_batch(user=mentor.user, records=records)
    assert statuses(results) == [
        ("refused", "invalid"),
        ("refused", "malformed"),
        ("refused", "invalid"),
        ("refused", "malformed"),
    ]
    assert not VillageFact.objects.exists()


def test_a_batch_that_is_too_large_or_not_a_list(mentor):
    with pytest.raises(Exception) as error:
        sync.apply_batch(user=mentor.user, records={"a": 1})
    assert error.value.code == "malformed"
    with pytest.raises(Exception) as error:
        sync.apply_batch(user=mentor.user, records=[{}] * (sync.MAX_BATCH + 1))
    assert error.value.code == "too_large"


# --- the endpoint -----------------------------------------------------------------------------


def post(client, records, **extra):
    return client.post(
        reverse("programmes:mentor-sync"),
        data=json.dumps({"records": records}),
        content_type="application/json",
        **extra,
    )


def test_sync_endpoint_answers_one_result_per_record(client_of, mentor, participant):
    records = [note_record(participant, "Lewat HTTP."), {"kind": "visit_note"}]
    response = post(client_of(mentor.user), records)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert [result["status"] for result in body["results"]] == ["applied", "refused"]
    assert body["results"][0]["server"]["text"] == "Lewat HTTP."
    assert body["results"][1]["reason"] == "malformed"


def test_sync_endpoint_refuses_strangers_and_garbage(client, client_of, officer_32, mentor):
    assert post(client, []).status_code == 401
    assert post(client_of(officer_32), []).status_code == 403
    signed_in = client_of(mentor.user)
    response = signed_in.post(
        reverse("programmes:mentor-sync"), data="{", content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed")
    response = signed_in.post(
        reverse("programmes:mentor-sync"), data="[]", content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed")


def test_sync_endpoint_needs_the_csrf_token(mentor, participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor.user)
    assert post(client, [note_record(participant, "Tanpa token.")]).status_code == 403
    client.get(reverse("programmes:mentor-home"))
    token = client.cookies["csrftoken"].value
    response = post(client, [note_record(participant, "Dengan token.")], HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert list(VisitNote.objects.values_list("text", flat=True)) == ["Dengan token."]


def test_bundle_holds_only_todays_own_sessions_and_nothing_personal(
    client_of, mentor, cohort, participant
):
    today = make_session(mentor=mentor, cohort=cohort)
    make_session(
        mentor=mentor, cohort=cohort, starts_at=timezone.now() - datetime.timedelta(days=2)
    )
    make_session(mentor=make_mentor(), cohort=cohort)
    response = client_of(mentor.user).get(reverse("programmes:mentor-bundle"))
    assert response["Cache-Control"] == "no-store, private"
    assert response.json()["sessions"] == [
        {
            "id": today.public_id,
            "title": today.title,
            "starts_at": int(today.starts_at.timestamp()),
            "secret": today.attendance_secret,
        }
    ]


def test_an_assessment_taken_offline_with_a_business_of_the_caseload(mentor, participant):
    from tumbuh.capability.models import Assessment
    from tumbuh.capability.services import load_instrument
    from tumbuh.capability.tests.conftest import LOWEST

    instrument, _created = load_instrument()
    taken = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
    record = {
        "client_id": new_id(),
        "kind": "assessment",
        "data": {
            "enterprise": participant.public_id, "instrument_version": instrument.version,
            "answers": LOWEST, "taken_at": moment(taken),
        },
    }  # fmt: skip
    stranger = make_enterprise("Bukan Binaan")
    refused = {
        **record,
        "client_id": new_id(),
        "data": {**record["data"], "enterprise": stranger.public_id},
    }
    broken = {**record, "client_id": new_id(), "data": {**record["data"], "answers": ["a"]}}
    results = sync.apply_batch(user=mentor.user, records=[record, refused, broken, record])
    assert statuses(results) == [
        ("applied", ""), ("refused", "not_in_caseload"), ("refused", "malformed"), ("duplicate", ""),
    ]  # fmt: skip
    assessment = Assessment.objects.get()
    assert (assessment.enterprise, assessment.mode, assessment.taken_at) == (
        participant, "mentor", taken,
    )  # fmt: skip
    assert results[0].server["level"] == assessment.level == 1


def test_a_photo_of_the_sign_in_sheet_queued_with_the_record(
    mentor, session, participant, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    import base64
    import io

    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(photo, "JPEG")
    encoded = base64.b64encode(photo.getvalue()).decode()
    other = make_enterprise("Peserta Kedua")
    make_enrolment(session.cohort, other, status=Enrolment.Status.ACCEPTED)
    records = [
        attendance_record(session, participant, no_phone_reason="Tanpa HP", evidence=encoded),
        attendance_record(session, other, no_phone_reason="Tanpa HP", evidence="bukan base64!"),
        attendance_record(
            session, other, no_phone_reason="Tanpa HP",
            evidence=base64.b64encode(b"bukan gambar").decode(),
        ),
    ]  # fmt: skip
    results = sync.apply_batch(user=mentor.user, records=records)
    assert statuses(results) == [
        ("applied", ""),
        ("refused", "bad_evidence"),
        ("refused", "bad_evidence"),
    ]
    row = Attendance.objects.get()
    assert row.enterprise == participant
    assert row.evidence.name.startswith("programmes/attendance/")
    with Image.open(row.evidence) as stored:  # encoded again by core.images
        assert (stored.format, stored.size) == ("JPEG", (64, 48))
