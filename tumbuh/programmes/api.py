"""Programmes API for partners: list cohorts, enrol businesses, report attendance, read progress.

Callers are a partner's machine client with an API key or a person signed in to the console;
both need a role that runs programmes. A partner's key sees and acts on its own organisation's
cohorts only, inside the key's regions; a cohort or session outside them answers 404, like one
that does not exist. Enrolment is idempotent with an ``Idempotency-Key`` header: the same key
with the same body returns the first answer again and enrols nobody twice; the same key with
another body is refused with 409.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from ninja import Header, Router, Status

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import APIKey, Organisation
from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.accounts.scoping import scope_for
from tumbuh.programmes import queries, services
from tumbuh.programmes.attendance import AttendanceRefused, record_attendance
from tumbuh.programmes.models import Cohort, IdempotentRequest, Session
from tumbuh.programmes.schemas import (
    AttendanceIn,
    AttendanceOut,
    CohortOut,
    EnrolIn,
    EnrolOut,
    ProgressOut,
    RefusalOut,
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


@router.get("/cohorts", response=list[CohortOut], summary="Your cohorts")
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
    "/cohorts/{public_id}/sessions", response=list[SessionOut], summary="A cohort's sessions"
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


def _body_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _enrol_all(actor, cohort: Cohort, payload: EnrolIn) -> dict:
    visible = scope_for(actor)
    results = []
    for public_id in payload.enterprises:
        enterprise = Enterprise.objects.filter(public_id=public_id).first()
        if enterprise is None or not visible.allows(enterprise.village_id):
            results.append(
                {
                    "enterprise": public_id,
                    "outcome": "refused",
                    "reason": "unknown_business",
                    "detail": f"No business {public_id!r} in your regions.",
                }
            )
            continue
        try:
            enrolment = services.enrol(
                cohort=cohort, enterprise=enterprise, by=actor, accept=payload.accept
            )
        except ValidationError as error:
            results.append(
                {
                    "enterprise": public_id,
                    "outcome": "refused",
                    "reason": getattr(error, "reason", "invalid"),
                    "detail": " ".join(error.messages),
                }
            )
        else:
            results.append(
                {
                    "enterprise": public_id,
                    "outcome": "enrolled",
                    "enrolment": enrolment.public_id,
                    "status": enrolment.status,
                }
            )
    return {
        "cohort": cohort.public_id,
        "enrolled": sum(r["outcome"] == "enrolled" for r in results),
        "refused": sum(r["outcome"] == "refused" for r in results),
        "results": results,
    }


@router.post(
    "/cohorts/{public_id}/enrolments",
    response={200: EnrolOut, 409: RefusalOut},
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
    key = idempotency_key.strip()[:100]
    if not key:
        return _enrol_all(actor, cohort, payload)
    # Keys are per organisation: the key's, or for a console session the cohort's partner.
    organisation_id = actor.organisation_id if isinstance(actor, APIKey) else cohort.partner_id
    endpoint = f"enrol:{cohort.public_id}"
    digest = _body_digest(payload.dict())

    def replay(stored: IdempotentRequest):
        if stored.body_sha256 != digest:
            return Status(
                409,
                {
                    "code": "conflict",
                    "reason": "idempotency_key_reused",
                    "detail": "This Idempotency-Key was used with a different request body.",
                },
            )
        return Status(stored.status_code, stored.response)

    stored = IdempotentRequest.objects.filter(
        organisation_id=organisation_id, endpoint=endpoint, key=key
    ).first()
    if stored is not None:
        return replay(stored)
    try:
        with transaction.atomic():
            body = _enrol_all(actor, cohort, payload)
            IdempotentRequest.objects.create(
                organisation_id=organisation_id,
                api_key=actor if isinstance(actor, APIKey) else None,
                key=key,
                endpoint=endpoint,
                body_sha256=digest,
                status_code=200,
                response=json.loads(EnrolOut(**body).model_dump_json()),
            )
    except IntegrityError:
        # The same key arrived twice at once: the first one's work stands, this one's was
        # rolled back.
        stored = IdempotentRequest.objects.get(
            organisation_id=organisation_id, endpoint=endpoint, key=key
        )
        return replay(stored)
    return body


@router.post(
    "/sessions/{public_id}/attendance",
    response={201: AttendanceOut, 200: AttendanceOut, 422: RefusalOut},
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
    try:
        recorded = record_attendance(
            session=session,
            enterprise=enterprise,
            by=actor,
            code=payload.code,
            recorded_at=payload.recorded_at,
            client_id=payload.client_id,
        )
    except AttendanceRefused as error:
        return Status(
            422, {"code": "invalid", "reason": error.reason, "detail": " ".join(error.messages)}
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
    response=ProgressOut,
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
