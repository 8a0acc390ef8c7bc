"""Capability API: the current instrument, submitting an assessment, levels of a business and
of regions.

Callers are a person signed in (an owner for their own business; programme staff or a mentor for
the businesses of their regions, a partner's for its own businesses) or an API key of a programme
or mentor role. A business outside what the caller may see answers 404, like one that does not
exist. Submitting is idempotent on the client id, given in the body or as the ``Idempotency-Key``
header: a replay returns the first assessment with status 200.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import APIKey
from tumbuh.capability import queries, services
from tumbuh.capability.error_codes import CapabilityError
from tumbuh.capability.models import Assessment, Instrument
from tumbuh.capability.schemas import (
    AssessmentIn,
    AssessmentOut,
    EnterpriseLevelsOut,
    InstrumentOut,
    RegionLevelsOut,
)
from tumbuh.capability.scoring import level
from tumbuh.core.errors import ErrorOut
from tumbuh.core.refusals import Refused

router = Router(tags=["capability"], auth=api_auth)


def _assessment_out(assessment: Assessment) -> dict:
    return {
        "id": assessment.public_id,
        "enterprise": assessment.enterprise.public_id,
        "version": assessment.instrument.version,
        "mode": assessment.mode,
        "taken_at": assessment.taken_at,
        "level": assessment.level,
        "level_name": str(level(assessment.level).name),
        "overall_score": assessment.overall_score,
        "pillar_scores": assessment.pillar_scores,
        "client_id": assessment.client_id,
    }


def _enterprise_for(actor, public_id: str, *, mode: str | None = None):
    """The business as the caller may act on it: as its owner (self) or as staff (mentor)."""
    is_person = not isinstance(actor, APIKey)
    if is_person and mode in (None, Assessment.Mode.SELF):
        owned = queries.owned_enterprise(actor, public_id)
        if owned is not None:
            return owned
    if mode != Assessment.Mode.SELF and queries.may_read(actor):
        enterprise = queries.visible_enterprise(actor, public_id)
        if enterprise is not None:
            if mode == Assessment.Mode.MENTOR and not queries.may_assess(actor, enterprise):
                raise PermissionDenied("This business is not in your caseload.")
            return enterprise
    if mode == Assessment.Mode.SELF and queries.visible_enterprise(actor, public_id) is not None:
        raise PermissionDenied("Only the owner of a business submits its self-assessment.")
    raise Http404(f"No business {public_id!r} that you may assess or see.")


@router.get(
    "/instrument",
    response={200: InstrumentOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The questionnaire businesses take now",
)
def instrument(request, version: int | None = None):
    found = (
        Instrument.objects.filter(version=version).first()
        if version
        else services.current_instrument()
    )
    if found is None:
        raise Http404("No such instrument version.")
    questions = services.instrument_structure(found)
    return {
        "version": found.version,
        "title_id": found.title_id,
        "title_en": found.title_en,
        "pillars": list(found.pillars.order_by("position")),
        "questions": [
            {
                "key": q.key,
                "pillar": q.pillar.key,
                "weight": q.weight,
                "required": q.is_required,
                "text_id": q.text_id,
                "text_en": q.text_en,
                "help_id": q.help_id,
                "help_en": q.help_en,
                "options": list(q.options.all()),
            }
            for q in questions
        ],
    }


@router.post(
    "/assessments",
    response={
        200: AssessmentOut,
        201: AssessmentOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Submit a completed assessment (idempotent on the client id)",
)
def submit(request, payload: AssessmentIn, idempotency_key: str | None = Header(None)):
    client_id = payload.client_id or idempotency_key
    if payload.client_id and idempotency_key and payload.client_id != idempotency_key:
        raise Refused(
            CapabilityError.CLIENT_ID_MISMATCH,
            "The client id and the Idempotency-Key header differ.",
            field="client_id",
        )
    enterprise = _enterprise_for(request.auth, payload.enterprise, mode=payload.mode)
    if payload.version:
        found = Instrument.objects.filter(version=payload.version).first()
        if found is None:
            raise Refused(
                CapabilityError.UNKNOWN_VERSION,
                f"No instrument version {payload.version}.",
                field="version",
            )
    else:
        found = services.current_instrument()
        if found is None:
            raise Refused(CapabilityError.NO_INSTRUMENT, "No instrument is loaded yet.")
    taken_at = payload.taken_at
    if taken_at is not None and timezone.is_naive(taken_at):
        taken_at = timezone.make_aware(taken_at, datetime.UTC)
    replay = bool(client_id) and Assessment.objects.filter(client_id=client_id).exists()
    assessment = services.submit_assessment(
        enterprise=enterprise,
        instrument=found,
        answers=payload.answers,
        by=request.auth,
        mode=payload.mode,
        taken_at=taken_at,
        client_id=client_id,
        via=f"api_key:{request.auth.prefix}" if isinstance(request.auth, APIKey) else "",
    )
    return Status(200 if replay else 201, _assessment_out(assessment))


@router.get(
    "/enterprises/{public_id}/levels",
    response={200: EnterpriseLevelsOut, 401: ErrorOut, 404: ErrorOut},
    summary="The levels of one business over time, latest first",
)
def enterprise_levels(request, public_id: str):
    enterprise = _enterprise_for(request.auth, public_id)
    assessments = list(services.assessments_of(enterprise).select_related("enterprise"))
    return {
        "enterprise": enterprise.public_id,
        "current_level": assessments[0].level if assessments else None,
        "assessments": [_assessment_out(a) for a in assessments],
    }


class RegionFilter(Schema):
    region: str = ""
    as_of: datetime.date | None = None


@router.get(
    "/regions/levels",
    response={200: list[RegionLevelsOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Businesses per level in the provinces (or the regencies of ?region=32, the "
    "districts of ?region=32.04), within your regions",
)
def region_levels(request, filters: Query[RegionFilter]):
    if not queries.may_read(request.auth):
        raise PermissionDenied("Only programme staff and mentors read levels by region.")
    if filters.region and not re.fullmatch(r"\d{2}(\.\d{2})?", filters.region):
        raise Refused(
            CapabilityError.REGION_INVALID,
            "region: a province code (32) or a regency code (32.04).",
            field="region",
        )
    as_of = None
    if filters.as_of:
        as_of = timezone.make_aware(datetime.datetime.combine(filters.as_of, datetime.time.max))
    areas = queries.levels_by_region(request.auth, region=filters.region, as_of=as_of)
    return [
        {
            "code": area.code,
            "name": area.name,
            "businesses": area.businesses,
            "not_assessed": area.not_assessed,
            "levels": area.by_level,
        }
        for area in areas
    ]
