"""The kinds of record the mentor app's queue carries that the programmes app applies.

``attendance``, ``visit_note`` and ``assessment`` are listed in ``settings.MENTOR_SYNC_KINDS``
with the functions below (``signal_check`` with the connectivity app's, which owns the ledger it
writes). Each handler checks that the record is within the mentor's
caseload, recognises its own replays by ``client_id``, and calls the one service that writes
(``attendance.record_attendance``, ``attendance.save_visit_note``,
``capability.services.submit_assessment``).
"""

import base64
import binascii

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.programmes import attendance as attendance_service
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.mentor import caseload
from tumbuh.programmes.mentor.sync import (
    APPLIED,
    CONFLICT,
    DUPLICATE,
    Result,
    SyncRecord,
    moment_field,
    text_field,
)
from tumbuh.programmes.models import Attendance, Session, VisitNote
from tumbuh.registry.models import Enterprise

NOTE_LIMIT = 5_000
# A queued photo travels inside the JSON batch as base64; the device shrinks it to well under
# this (about 1.5 MB of image).
MAX_QUEUED_PHOTO_CHARACTERS = 2_000_000


def _enterprise(data: dict) -> Enterprise:
    public_id = text_field(data, "enterprise", limit=12)
    enterprise = Enterprise.objects.filter(public_id=public_id).first()
    if enterprise is None:
        raise Refused(
            ProgrammesError.NOT_IN_CASELOAD, _("There is no such business."), field="enterprise"
        )
    return enterprise


def _attendance_server(row: Attendance) -> dict:
    return {
        "session": row.session.public_id,
        "enterprise": row.enterprise.public_id,
        "method": row.method,
        "recorded_at": row.recorded_at.isoformat(),
    }


def apply_attendance(*, user, record: SyncRecord, memo=None, evidence=None) -> Result:
    """Record a participant present at one of the mentor's own sessions.

    The data is ``{session, enterprise, code | no_phone_reason, recorded_at, evidence?}`` (the
    photo of a paper sign-in sheet as base64, or ``evidence`` uploaded by the form); the code is
    judged at ``recorded_at``, the moment on the device, so a record synced a day later still
    counts when it was typed in time.
    """
    mentor = caseload.require_mentor(user, memo)
    data = record.data
    existing = (
        Attendance.objects.filter(client_id=record.client_id)
        .select_related("session", "enterprise")
        .first()
    )
    if existing is not None:
        return _replay(record, existing.recorded_by_id, user, _attendance_server(existing))
    session = Session.objects.filter(
        public_id=text_field(data, "session", limit=12), mentor=mentor
    ).first()
    if session is None:
        raise Refused(
            ProgrammesError.NOT_YOUR_SESSION,
            _("This is not one of your sessions."),
            field="session",
        )
    enterprise = _enterprise(data)
    may_record = caseload.is_participant(session, enterprise, memo)
    if not may_record and not caseload.in_caseload(mentor, enterprise, memo):
        raise Refused(
            ProgrammesError.NOT_IN_CASELOAD,
            _("This business is not in your caseload or among the session's participants."),
            field="enterprise",
        )
    if evidence is None:
        evidence = _queued_photo(data)
    code = text_field(
        data, "code", limit=16, required=False, label=_("The attendance code")
    ).upper()
    reason = text_field(
        data, "no_phone_reason", limit=200, required=False, label=_("The reason for no phone")
    )
    if not code and not reason:
        raise Refused(
            ProgrammesError.REQUIRED,
            _("Give the participant's attendance code, or the reason they have no phone."),
            field="code",
        )
    row = attendance_service.record_attendance(
        session=session,
        enterprise=enterprise,
        by=user,
        code=code or None,
        no_phone_reason=None if code else reason,
        recorded_at=moment_field(
            data, "recorded_at", label=_("The attendance time"), place=session.village_id
        ),
        client_id=record.client_id,
        evidence=evidence,
    )
    return Result(client_id=record.client_id, status=APPLIED, server=_attendance_server(row))


def _queued_photo(data: dict):
    """The sign-in sheet photo a device queued with the record: base64 JPEG or PNG (the device
    shrinks it first), or None. The attendance service checks that it is an image."""
    encoded = data.get("evidence")
    if encoded in (None, ""):
        return None
    if not isinstance(encoded, str) or len(encoded) > MAX_QUEUED_PHOTO_CHARACTERS:
        raise Refused(
            ProgrammesError.BAD_EVIDENCE, _("The queued photo is too large or not a photo.")
        )
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(
            ProgrammesError.BAD_EVIDENCE, _("The queued photo is too large or not a photo.")
        ) from None
    return ContentFile(content, name="daftar-hadir.jpg")


def _replay(record: SyncRecord, owner_id, user, server: dict) -> Result:
    if owner_id is not None and owner_id != user.pk:
        # Device ids are random UUIDs: another person's record with the same id is an error
        # on that device, never a replay to confirm.
        raise Refused(ProgrammesError.CLIENT_ID_TAKEN, _("This record id is already used."))
    return Result(client_id=record.client_id, status=DUPLICATE, server=server)


def _note_server(note: VisitNote) -> dict:
    return {
        "note": note.public_id,
        "enterprise": note.enterprise.public_id,
        "text": note.text,
        "version": note.version,
    }


def apply_visit_note(*, user, record: SyncRecord, memo=None) -> Result:
    """Write a new visit note, or change one (``data.note``) from ``base_version``.

    A note changed on the server since ``base_version`` comes back as a conflict with the
    server's text and version; the device sends the resolved text with that version.
    """
    mentor = caseload.require_mentor(user, memo)
    data = record.data
    existing = (
        VisitNote.objects.filter(client_id=record.client_id)
        .select_related("enterprise", "mentor")
        .first()
    )
    if existing is not None:
        return _replay(record, existing.mentor.user_id, user, _note_server(existing))
    enterprise = _enterprise(data)
    if not caseload.in_caseload(mentor, enterprise, memo):
        raise Refused(
            ProgrammesError.NOT_IN_CASELOAD,
            _("This business is not in your caseload."),
            field="enterprise",
        )
    text = text_field(data, "text", limit=NOTE_LIMIT, label=_("The note"))
    public_id = text_field(data, "note", limit=12, required=False) or None
    if public_id is not None:
        note = VisitNote.objects.filter(public_id=public_id, mentor=mentor).first()
        if note is None or note.enterprise_id != enterprise.pk:
            raise Refused(ProgrammesError.NOT_YOUR_NOTE, _("This is not one of your visit notes."))
        if record.base_version is None:
            raise Refused(
                ProgrammesError.MALFORMED,
                _("A change to a visit note must say which version it started from."),
            )
    try:
        note = attendance_service.save_visit_note(
            mentor=mentor,
            enterprise=enterprise,
            text=text,
            visited_at=moment_field(
                data, "visited_at", label=_("The visit time"), place=enterprise.village_id
            ),
            base_version=record.base_version,
            client_id=record.client_id,
            public_id=public_id,
            by=user,
        )
    except attendance_service.VisitNoteConflict as conflict:
        server = {
            "note": conflict.public_id,
            "enterprise": enterprise.public_id,
            "text": conflict.text,
            "version": conflict.version,
        }
        if conflict.text == text:
            # The same change arrived before under another id (the device lost the answer):
            # there is nothing to resolve.
            return Result(client_id=record.client_id, status=DUPLICATE, server=server)
        return Result(
            client_id=record.client_id,
            status=CONFLICT,
            reason=ProgrammesError.CHANGED_ON_SERVER,
            detail=" ".join(conflict.messages),
            server=server,
        )
    return Result(client_id=record.client_id, status=APPLIED, server=_note_server(note))


def apply_assessment(*, user, record: SyncRecord, memo=None) -> Result:
    """A capability assessment taken with a business of the caseload, possibly offline:
    ``{enterprise, instrument_version, answers: {question: option}, taken_at}``, written by
    ``capability.services.submit_assessment`` in mentor mode."""
    from tumbuh.capability.models import Assessment, Instrument
    from tumbuh.capability.services import submit_assessment

    mentor = caseload.require_mentor(user, memo)
    existing = (
        Assessment.objects.filter(client_id=record.client_id).select_related("enterprise").first()
    )
    if existing is not None:
        return _replay(record, existing.recorded_by_id, user, _assessment_server(existing))
    data = record.data
    enterprise = _enterprise(data)
    if not caseload.in_caseload(mentor, enterprise, memo):
        raise Refused(
            ProgrammesError.NOT_IN_CASELOAD,
            _("This business is not in your caseload."),
            field="enterprise",
        )
    version = data.get("instrument_version")
    instrument = (
        Instrument.objects.filter(version=version).first()
        if isinstance(version, int) and not isinstance(version, bool)
        else None
    )
    if instrument is None:
        raise Refused(
            ProgrammesError.MALFORMED,
            _("The assessment does not name a known questionnaire version."),
        )
    answers = data.get("answers")
    if not isinstance(answers, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in answers.items()
    ):
        raise Refused(
            ProgrammesError.MALFORMED, _("The assessment's answers are missing or malformed.")
        )
    assessment = submit_assessment(
        enterprise=enterprise,
        instrument=instrument,
        answers=answers,
        by=user,
        mode=Assessment.Mode.MENTOR,
        taken_at=moment_field(
            data, "taken_at", label=_("The assessment time"), place=enterprise.village_id
        ),
        client_id=record.client_id,
    )
    return Result(client_id=record.client_id, status=APPLIED, server=_assessment_server(assessment))


def _assessment_server(assessment) -> dict:
    return {
        "assessment": assessment.public_id,
        "enterprise": assessment.enterprise.public_id,
        "level": assessment.level,
        "overall_score": assessment.overall_score,
    }
