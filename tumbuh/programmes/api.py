"""Programmes API for partners: list cohorts, enrol businesses, report attendance, read progress.

Callers are a partner's machine client with an API key or a person signed in to the console;
both need a role that runs programmes. A partner's key sees and acts on its own organisation's
cohorts only, inside the key's regions; a cohort or session outside them answers 404, like one
that does not exist. Enrolment is idempotent with an ``Idempotency-Key`` header: the same key
with the same body returns the first answer again and enrols nobody twice; the same key with
another body is refused with 409. Every error answers the API's one error body (``ErrorOut``); a
refusal carries its ``reason`` code (``programmes.error_codes``).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from ninja import Header, Router, Status

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import APIKey, Organisation
from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.accounts.scoping import scope_for
from tumbuh.core.errors import ErrorCode, ErrorOut, refusal_body
from tumbuh.core.idempotency import IdempotencyConflict
from tumbuh.programmes import queries, services
from tumbuh.programmes.attendance import record_attendance
from tumbuh.programmes.models import Cohort, Session
from tumbuh.programmes.schemas import (
    AttendanceIn,
    AttendanceOut,
    CohortOut,
    EnrolIn,
    EnrolOut,
    ProgressOut,
    SessionOut,
)
from tumbuh.registry.models import Enterprise

router = Router(tags=["programmes"], auth=api_auth)


def _require(actor) -> None:
    if isinstance(actor, APIKey):
        if actor.is_active and actor.role in services.RUNNING_ROLES:
            return
    elif has_capability(actor, Capability.RUN_PROGRAMMES):
        return
    raise PermissionDenied(str(Capability.RUN_PROGRAMMES.label))


def _cohorts(actor):
    cohorts = queries.cohorts_for(actor)
    limits = services.partner_limits(actor)
    if limits is not None:
        cohorts = cohorts.filter(partner_id__in=limits)
    return cohorts


def _cohort(actor, public_id: str) -> Cohort:
    cohort = _cohorts(actor).filter(public_id=public_id).first()
    if cohort is None:
        raise Http404(f"No cohort {public_id!r} of yours.")
    return cohort


def _cohort_out(cohort) -> dict:
    return {
        "public_id": cohort.public_id,
        "name": cohort.name,
        "programme": cohort.programme.public_id,
        "programme_name": cohort.programme.name,
        "area": cohort.programme_area.area.slug,
        "partner": cohort.partner.slug,
        "mode": cohort.mode,
        "venue_village": cohort.venue_village_id,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "capacity": cohort.capacity,
        "places_taken": cohort.places_taken,
    }


@router.get(
    "/cohorts",
    response={200: list[CohortOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Your cohorts",
)
def cohorts(request, programme: str = "", open_only: bool = False):
    _require(request.auth)
    found = _cohorts(request.auth).annotate(
        places_taken=Count("enrolments", filter=Q(enrolments__status__in=queries.HOLDING))
    )
    if programme:
        found = found.filter(programme__public_id=programme)
    if open_only:
        found = found.filter(ends_on__gte=timezone.localdate())
    return [_cohort_out(c) for c in found.order_by("starts_on", "pk")[:1000]]


@router.get(
    "/cohorts/{public_id}/sessions",
    response={200: list[SessionOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A cohort's sessions",
)
def cohort_sessions(request, public_id: str):
    _require(request.auth)
    cohort = _cohort(request.auth, public_id)
    sessions = cohort.sessions.annotate(attendance_count=Count("attendances")).order_by("starts_at")
    return [
        {
            "public_id": s.public_id,
            "title": s.title,
            "starts_at": s.starts_at,
            "village": s.village_id,
            "attendance_count": s.attendance_count,
        }
        for s in sessions
    ]


@router.post(
    "/cohorts/{public_id}/enrolments",
    response={
        200: EnrolOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Enrol businesses in your cohort (idempotent with Idempotency-Key)",
)
def enrol(
    request,
    public_id: str,
    payload: EnrolIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """Each business is enrolled or refused on its own, with a reason code per business
    (``not_eligible_kbli``, ``outside_area``, ``already_enrolled``, ``partner_quota_full``,
    ...). With an ``Idempotency-Key`` the answer is stored: sending the same key and body again
    returns it without enrolling anyone twice."""
    actor = request.auth
    _require(actor)
    cohort = _cohort(actor, public_id)
    try:
        answer = services.enrol_businesses(
            cohort=cohort,
            enterprises=payload.enterprises,
            by=actor,
            accept=payload.accept,
            idempotency_key=idempotency_key,
        )
    except IdempotencyConflict as conflict:
        return Status(409, refusal_body(conflict, ErrorCode.CONFLICT))
    return Status(answer.status_code, answer.body)


@router.post(
    "/sessions/{public_id}/attendance",
    response={
        201: AttendanceOut,
        200: AttendanceOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Report that a business attended a session, with the code it typed",
)
def attendance(request, public_id: str, payload: AttendanceIn):
    """Refusals answer 422 with a ``reason``: ``wrong_session``, ``wrong_code``, ``expired``,
    ``not_yet_valid``, ``already_used``, ``not_enrolled``, ``not_allowed``. A replay of the same
    ``client_id`` answers 200 with the attendance recorded the first time."""
    actor = request.auth
    _require(actor)
    cohorts = _cohorts(actor)
    session = (
        Session.objects.select_related("cohort", "mentor")
        .filter(public_id=public_id, cohort__in=cohorts)
        .first()
    )
    if session is None:
        raise Http404(f"No session {public_id!r} of your cohorts.")
    enterprise = Enterprise.objects.filter(public_id=payload.enterprise).first()
    if enterprise is None or not scope_for(actor).allows(enterprise.village_id):
        raise Http404(f"No business {payload.enterprise!r} in your regions.")
    replayed = bool(
        payload.client_id
        and session.attendances.filter(client_id=payload.client_id.strip()).exists()
    )
    # A refusal (core.refusals.Refused) answers 422 with its reason, through the API's handler.
    recorded = record_attendance(
        session=session,
        enterprise=enterprise,
        by=actor,
        code=payload.code,
        recorded_at=payload.recorded_at,
        client_id=payload.client_id,
    )
    body = {
        "session": session.public_id,
        "enterprise": recorded.enterprise.public_id,
        "method": recorded.method,
        "recorded_at": recorded.recorded_at,
    }
    return Status(200 if replayed else 201, body)


@router.get(
    "/programmes/{public_id}/progress",
    response={200: ProgressOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Progress per area and partner against quota (deduplicated businesses)",
)
def progress(request, public_id: str):
    actor = request.auth
    _require(actor)
    programme = queries.visible_programmes(actor).filter(public_id=public_id).first()
    if programme is None:
        raise Http404(f"No programme {public_id!r}.")
    limits = services.partner_limits(actor)
    rows = queries.progress(actor, programme)
    if limits is not None:
        rows = [row for row in rows if row.partner_id in limits]
    slugs = dict(
        Organisation.objects.filter(
            pk__in={row.partner_id for row in rows if row.partner_id}
        ).values_list("pk", "slug")
    )
    return {
        "programme": programme.public_id,
        "name": programme.name,
        "rows": [
            {
                "area": row.area_slug,
                "area_name": row.area_name,
                "partner": slugs.get(row.partner_id) if row.partner_id else None,
                "quota": row.quota,
                "businesses": row.businesses,
                "applied": row.applied,
                "accepted": row.accepted,
                "active": row.active,
                "completed": row.completed,
                "withdrawn": row.withdrawn,
                "rejected": row.rejected,
                "outcomes": row.outcomes,
            }
            for row in rows
        ],
    }
