"""Attendance codes that can be checked offline, recording attendance, and visit notes.

The attendance code of a session is derived, not stored, so the mentor's device (which holds
the session's ``attendance_secret``) computes and checks it with no connection. The mentor app
re-implements exactly this derivation in JavaScript:

    key     = bytes.fromhex(session.attendance_secret)         # 32 random bytes
    message = f"{session.public_id}|{int(session.starts_at.timestamp())}".encode()
    code    = base32(HMAC-SHA256(key, message))[:6]            # RFC 4648 alphabet A-Z 2-7

A code is valid from one hour before the start to two hours after it, inclusive, judged at the
time the attendance was recorded (a device may sync hours later). ``record_attendance`` is the
one write path for attendance, from the mentor app, the console and the partner API alike;
``save_visit_note`` the one for visit notes, with version checks for offline edits.

Both refuse with ``core.refusals.Refused``: a code of ``ProgrammesError`` (attendance:
``wrong_session``, ``wrong_code``, ``expired``, ``not_yet_valid``, ``already_used``,
``not_enrolled``, ``reason_required``, ``not_allowed``, ``recorded_in_future``,
``client_id_reused``, ``bad_evidence``; visit notes: ``not_in_caseload``, ``text_required``, ...)
and the ``field`` at fault when one is (``code``, ``no_phone_reason``, ``text``, ``visited_at``).
A note changed since the device's version raises ``VisitNoteConflict`` (code ``conflict``).
"""

import base64
import datetime
import hashlib
import hmac

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey
from tumbuh.accounts.services import acting_person
from tumbuh.core import images
from tumbuh.core.images import CleanImage, ImageError
from tumbuh.core.personal import has_identity_number
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.core.times import future_problem, local_time
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import (
    Assignment,
    Attendance,
    Enrolment,
    Mentor,
    Session,
    VisitNote,
)
from tumbuh.programmes.services.access import Actor
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import surviving

CODE_LENGTH = 6
VALID_BEFORE = datetime.timedelta(hours=1)
VALID_AFTER = datetime.timedelta(hours=2)
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_NOTE_CHARS = 10_000
# Enrolments whose business may attend a cohort's sessions.
ATTENDING = frozenset({Enrolment.Status.ACCEPTED, Enrolment.Status.ACTIVE})


class VisitNoteConflict(Refused):
    """The note changed on the server since the version the device started from (code
    ``conflict``).

    Carries the server's current ``text``, ``version``, ``visited_at`` and ``public_id`` so the
    mentor can resolve it on the device and send the result with the server's version.
    """

    def __init__(self, note: VisitNote):
        super().__init__(
            ProgrammesError.CONFLICT,
            _("This note was changed by someone else (now version %(version)s).")
            % {"version": note.version},
        )
        self.public_id = note.public_id
        self.text = note.text
        self.version = note.version
        self.visited_at = note.visited_at


# --- codes ------------------------------------------------------------------------------------


def attendance_code(session: Session) -> str:
    """The six-character attendance code of ``session`` (see the module docstring)."""
    key = bytes.fromhex(session.attendance_secret)
    message = f"{session.public_id}|{int(session.starts_at.timestamp())}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=")[:CODE_LENGTH]


def normalise_code(code: str) -> str:
    """Upper case without spaces or dashes, as people type codes read from a screen."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t")


def code_window(session: Session) -> tuple[datetime.datetime, datetime.datetime]:
    """First and last moment (inclusive) at which the session's code is accepted."""
    return session.starts_at - VALID_BEFORE, session.starts_at + VALID_AFTER


def in_window(session: Session, at: datetime.datetime) -> bool:
    start, end = code_window(session)
    return start <= at <= end


def _check_window(session: Session, at: datetime.datetime, *, field: str = "") -> None:
    start, end = code_window(session)
    if at < start:
        raise Refused(
            ProgrammesError.NOT_YET_VALID,
            _("The attendance code is not valid yet: it opens at %(time)s.")
            % {"time": local_time(start, session.village_id)},
            field=field,
        )
    if at > end:
        raise Refused(
            ProgrammesError.EXPIRED,
            _("The attendance code has expired: it closed at %(time)s.")
            % {"time": local_time(end, session.village_id)},
            field=field,
        )


def _check_code(session: Session, code: str, at: datetime.datetime) -> None:
    if hmac.compare_digest(code, attendance_code(session)):
        _check_window(session, at, field="code")
        return
    # Another session of the same mentor open at that time: the participant typed the code
    # shown in the wrong room (or for the wrong day's visit).
    neighbours = Session.objects.filter(
        mentor_id=session.mentor_id,
        starts_at__gte=at - VALID_AFTER,
        starts_at__lte=at + VALID_BEFORE,
    ).exclude(pk=session.pk)
    for other in neighbours:
        if hmac.compare_digest(code, attendance_code(other)):
            raise Refused(
                ProgrammesError.WRONG_SESSION,
                _("This code belongs to another session (%(title)s), not to this one.")
                % {"title": other.title},
                field="code",
            )
    raise Refused(
        ProgrammesError.WRONG_CODE,
        _("The attendance code is wrong. Check the code shown by the mentor."),
        field="code",
    )


# --- recording attendance ---------------------------------------------------------------------


def _check_enrolled(session: Session, enterprise: Enterprise) -> Enrolment | None:
    if session.is_visit:
        if surviving(session.enterprise).pk != enterprise.pk:
            raise Refused(
                ProgrammesError.NOT_ENROLLED,
                _("This visit is for another business."),
                field="enterprise",
            )
        return None
    enrolment = (
        Enrolment.objects.filter(cohort_id=session.cohort_id, enterprise=enterprise)
        .order_by("pk")
        .first()
    )
    if enrolment is None or enrolment.status not in ATTENDING:
        raise Refused(
            ProgrammesError.NOT_ENROLLED,
            _("%(business)s is not an accepted participant of this cohort.")
            % {"business": enterprise.name},
            field="enterprise",
        )
    return enrolment


def _check_actor(session: Session, enterprise: Enterprise, by, *, marking: bool) -> None:
    """Who may record: the session's mentor always; for a typed code also the business's own
    login, staff running programmes in the session's region, or the cohort partner's API key."""
    from tumbuh.accounts.permissions import Capability, has_capability
    from tumbuh.accounts.scoping import scope_for
    from tumbuh.registry.services import enterprises_of

    if isinstance(by, APIKey):
        allowed = (
            not marking
            and by.is_active
            and session.cohort_id is not None
            and session.cohort.partner_id == by.organisation_id
            and scope_for(by).allows(session.village_id)
        )
    elif by is not None and by.is_authenticated and by.pk == session.mentor.user_id:
        allowed = True
    elif marking or by is None or not by.is_authenticated:
        allowed = False
    else:
        allowed = any(e.pk == enterprise.pk for e in enterprises_of(by)) or (
            has_capability(by, Capability.RUN_PROGRAMMES)
            and scope_for(by).allows(session.village_id)
        )
    if not allowed:
        if marking:
            message = _("Only the session's mentor may mark a participant without a code.")
        else:
            message = _("You may not record attendance for this session.")
        raise Refused(ProgrammesError.NOT_ALLOWED, message)


def _clean_evidence(evidence) -> CleanImage:
    """The sign-in sheet photo decoded and encoded again (``core.images``): a JPEG with no EXIF,
    so the phone's GPS position and serial number are not kept; ``bad_evidence`` otherwise."""
    return images.clean_image(
        evidence,
        max_bytes=MAX_EVIDENCE_BYTES,
        codes=dict.fromkeys(ImageError, ProgrammesError.BAD_EVIDENCE),
        field="evidence",
    )


def record_attendance(
    *,
    session: Session,
    enterprise: Enterprise,
    by: Actor,
    code: str | None = None,
    no_phone_reason: str | None = None,
    recorded_at: datetime.datetime | None = None,
    client_id: str | None = None,
    evidence=None,
) -> Attendance:
    """Record that ``enterprise`` attended ``session``, by its code or marked by the mentor.

    ``by`` is the user (or partner ``APIKey``) recording it. With ``code`` the code must be the
    session's and valid at ``recorded_at`` (default now). Without a code, ``no_phone_reason``
    is required and only the session's mentor may mark. ``evidence`` is an optional photo of a
    paper sign-in sheet, stored as a JPEG encoded again without its metadata (``core.images``).
    A replay of the same ``client_id`` returns the existing row and writes nothing. Refusals
    raise ``Refused`` (codes of ``ProgrammesError``) and change nothing. The first attendance of
    an accepted participant makes the enrolment active, and completion is checked afterwards.
    """
    from tumbuh.programmes import services

    now = timezone.now()
    recorded_at = recorded_at or now
    client_id = (client_id or "").strip() or None
    if client_id:
        existing = Attendance.objects.filter(client_id=client_id).first()
        if existing is not None:
            if (
                existing.session_id != session.pk
                or existing.enterprise_id != surviving(enterprise).pk
            ):
                raise Refused(
                    ProgrammesError.CLIENT_ID_REUSED,
                    _("This record id was already used for another attendance."),
                )
            return existing

    enterprise = surviving(enterprise)
    code = normalise_code(code) if code else ""
    reason = (no_phone_reason or "").strip()
    marking = not code
    if marking and not reason:
        raise Refused(
            ProgrammesError.REASON_REQUIRED,
            _("Give the attendance code, or a reason for marking the participant without one."),
            field="no_phone_reason",
        )
    problem = future_problem(
        recorded_at, place=session.village_id, what=_("The attendance time"), now=now
    )
    if problem:
        raise Refused(ProgrammesError.RECORDED_IN_FUTURE, problem, field="recorded_at")
    _check_actor(session, enterprise, by, marking=marking)
    enrolment = _check_enrolled(session, enterprise)
    if Attendance.objects.filter(session=session, enterprise=enterprise).exists():
        raise Refused(
            ProgrammesError.ALREADY_USED,
            _("%(business)s is already recorded as present at this session.")
            % {"business": enterprise.name},
            field="enterprise",
        )
    if marking:
        _check_window(session, recorded_at)
    else:
        _check_code(session, code, recorded_at)
    cleaned = _clean_evidence(evidence) if evidence is not None else None

    user = acting_person(by)
    try:
        with transaction.atomic():
            attendance = Attendance(
                session=session,
                enterprise=enterprise,
                method=Attendance.Method.MARKED if marking else Attendance.Method.CODE,
                code_entered=code,
                reason=reason if marking else "",
                recorded_at=recorded_at,
                recorded_by=user,
                client_id=client_id,
            )
            if cleaned is not None:
                evidence_file = cleaned.as_file(f"{session.public_id}-{enterprise.public_id}")
                attendance.evidence.save(evidence_file.name, evidence_file, save=False)
            attendance.save()
            record_event(
                actor=by,
                action="programmes.attendance_recorded",
                target=attendance,
                region_code=session.village_id,
                data={"session": session.public_id, "method": attendance.method},
            )
            if enrolment is not None:
                if enrolment.status == Enrolment.Status.ACCEPTED:
                    enrolment = services.transition(
                        enrolment=enrolment,
                        to=Enrolment.Status.ACTIVE,
                        by=by,
                        reason=_("First session attended."),
                    )
                services.check_completion(enrolment=enrolment, by=by)
    except IntegrityError as error:
        # Two devices recorded the same participant at the same moment, or the same client_id
        # arrived twice at once: the first one stands.
        if client_id:
            existing = Attendance.objects.filter(client_id=client_id).first()
            if existing is not None:
                return existing
        raise Refused(
            ProgrammesError.ALREADY_USED,
            _("%(business)s is already recorded as present at this session.")
            % {"business": enterprise.name},
        ) from error
    return attendance


# --- visit notes ------------------------------------------------------------------------------


def in_caseload(mentor: Mentor, enterprise: Enterprise) -> bool:
    """True when ``enterprise`` is actively assigned to ``mentor``."""
    return Assignment.objects.filter(
        mentor=mentor, enterprise=surviving(enterprise), is_active=True
    ).exists()


def save_visit_note(
    *,
    mentor: Mentor,
    enterprise: Enterprise,
    text: str,
    visited_at: datetime.datetime,
    base_version: int | None = None,
    client_id: str | None = None,
    public_id: str | None = None,
    session: Session | None = None,
    by: Actor,
) -> VisitNote:
    """Create a visit note (no ``public_id``) or change one (``public_id`` and ``base_version``).

    A change made from a stale version raises ``VisitNoteConflict`` with the server's text and
    version; nothing is written. A replay of the ``client_id`` that last wrote the note returns
    it unchanged. Only notes of businesses in the mentor's caseload, by that mentor (``by`` is
    the mentor's own login: a note is the mentor's words, nobody writes it for them).
    """
    if isinstance(by, APIKey) or getattr(by, "pk", None) != mentor.user_id:
        raise Refused(ProgrammesError.NOT_ALLOWED, _("You may write only your own visit notes."))
    client_id = (client_id or "").strip() or None
    if client_id:
        existing = VisitNote.objects.filter(client_id=client_id).first()
        if existing is not None:
            if existing.mentor_id != mentor.pk:
                raise Refused(
                    ProgrammesError.CLIENT_ID_REUSED,
                    _("This record id was already used for another note."),
                )
            return existing
    enterprise = surviving(enterprise)
    text = (text or "").strip()
    if not text:
        raise Refused(
            ProgrammesError.TEXT_REQUIRED, _("Write what happened on the visit."), field="text"
        )
    if len(text) > MAX_NOTE_CHARS:
        raise Refused(
            ProgrammesError.TEXT_TOO_LONG,
            _("The note is too long (at most %(count)s characters).") % {"count": MAX_NOTE_CHARS},
            field="text",
        )
    if has_identity_number(text):
        raise Refused(
            ProgrammesError.IDENTITY_NUMBER_IN_TEXT,
            _(
                "The note holds a 16-digit number (a NIK or a family card number). Leave "
                "identity numbers out of notes; they belong in the business's record."
            ),
            field="text",
        )
    problem = future_problem(visited_at, place=enterprise.village_id, what=_("The visit time"))
    if problem:
        raise Refused(ProgrammesError.VISITED_IN_FUTURE, problem, field="visited_at")
    if not in_caseload(mentor, enterprise):
        raise Refused(
            ProgrammesError.NOT_IN_CASELOAD,
            _("%(business)s is not in your caseload.") % {"business": enterprise.name},
            field="enterprise",
        )
    if session is not None and session.mentor_id != mentor.pk:
        raise Refused(ProgrammesError.NOT_ALLOWED, _("This session is not yours."))

    with transaction.atomic():
        if public_id is None:
            note = VisitNote.objects.create(
                mentor=mentor,
                enterprise=enterprise,
                session=session,
                text=text,
                visited_at=visited_at,
                client_id=client_id,
            )
            action = "programmes.visit_note_created"
        else:
            note = VisitNote.objects.select_for_update().filter(public_id=public_id).first()
            if note is None or note.mentor_id != mentor.pk:
                raise Refused(ProgrammesError.UNKNOWN_NOTE, _("There is no such note of yours."))
            if note.enterprise_id != enterprise.pk:
                raise Refused(
                    ProgrammesError.WRONG_BUSINESS, _("This note is about another business.")
                )
            if base_version is None or int(base_version) != note.version:
                raise VisitNoteConflict(note)
            note.text = text
            note.visited_at = visited_at
            note.version = note.version + 1
            note.client_id = client_id
            if session is not None:
                note.session = session
            note.save()
            action = "programmes.visit_note_changed"
        record_event(
            actor=mentor.user,
            action=action,
            target=note,
            region_code=enterprise.village_id,
            data={"version": note.version},
        )
    return note
