"""Licensing API: list, read, start and advance NIB and halal cases.

Callers are a person signed in to the console or a machine client with an API key. What they see
follows ``queries.visible_cases`` (officers and keys of programme-running roles: their regions, a
partner's its own businesses; mentors: their assigned cases; owners: their own business's cases,
read-only); a case outside that answers 404. Advancing is idempotent: repeating a change that
already happened answers with the case as it is, and an ``Idempotency-Key`` header makes a retried
request recognisable even after the case moved on. Every error answers the API's one error body
(``core.errors.ErrorOut``), declared for each status an operation can answer: 401 without a session
or key, 403 for one who may see a case but not move it, 404 for a case or business outside what the
caller may see, 422 for input that cannot be read or a refused change (its ``reason`` a
``LicensingError`` code).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from tumbuh.accounts.auth import api_auth
from tumbuh.core.errors import ErrorOut
from tumbuh.core.paging import offset_field
from tumbuh.licensing import forms, queries, services
from tumbuh.licensing.models import HalalCase, NibCase
from tumbuh.licensing.schemas import (
    AdvanceIn,
    CaseEventOut,
    CertificateOut,
    HalalCaseDetailOut,
    HalalCaseOut,
    NibCaseDetailOut,
    NibCaseOut,
    StartIn,
)
from tumbuh.registry.models import Enterprise

router = Router(tags=["licensing"], auth=api_auth)

MAX_LIMIT = 500


class ListFilters(Schema):
    step: str = ""
    region: str = ""
    limit: int = 100
    offset: int = offset_field()


def _base(case, now) -> dict:
    days = (now - case.step_entered_at).days if case.is_open else None
    mentor = case.assigned_mentor
    return {
        "id": case.public_id,
        "business_id": case.enterprise.public_id,
        "business_name": case.enterprise.name,
        "region_code": case.enterprise.village_id,
        "step": case.step,
        "step_label": str(type(case).Step(case.step).label),
        "step_entered_at": case.step_entered_at,
        "days_in_step": days,
        "assigned_mentor": (mentor.get_full_name() if mentor else ""),
        "next_steps": list(case.allowed_next()),
    }


def _nib_out(case, now) -> dict:
    return {
        **_base(case, now),
        "kbli_codes": case.kbli_codes,
        "scale": case.scale,
        "nib": case.nib,
        "nib_status": case.nib_status,
    }


def _halal_out(case, now) -> dict:
    certificate = getattr(case, "certificate", None)
    return {
        **_base(case, now),
        "registration_number": case.registration_number,
        "product_names": [product.name for product in case.products.all()],
        "certificate": CertificateOut(
            number=certificate.number,
            issued_on=certificate.issued_on,
            valid_until=certificate.valid_until,
            product_names=certificate.product_names,
        )
        if certificate
        else None,
    }


def _events(case) -> list[CaseEventOut]:
    return [
        CaseEventOut(
            from_step=event.from_step,
            to_step=event.to_step,
            at=event.at,
            actor=event.actor.get_full_name() if event.actor else "",
        )
        for event in case.events.select_related("actor")
    ]


def _list(model, request, filters: ListFilters):
    queryset = queries.case_list(
        model,
        request.auth,
        queries.CaseFilters(step=filters.step, region=filters.region),
    )
    if model is HalalCase:
        queryset = queryset.select_related("certificate").prefetch_related("products")
    limit = max(1, min(filters.limit, MAX_LIMIT))
    offset = max(0, filters.offset)
    return list(queryset[offset : offset + limit])


def _get(model, request, public_id: str):
    case = (
        queries.visible_cases(model, request.auth)
        .select_related("enterprise", "assigned_mentor")
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise Http404(f"No case {public_id!r} among those you may see.")
    return case


def _require_move(request, case) -> None:
    if not queries.may_move(request.auth, case):
        raise PermissionDenied("Only the region's officers and the case's mentor move a case.")


def _start(request, payload: StartIn, start):
    enterprise = Enterprise.objects.filter(public_id=payload.business_id).first()
    if enterprise is None or not queries.may_start_for(request.auth, enterprise):
        raise Http404(f"No business {payload.business_id!r} among those you may help.")
    return start(enterprise=enterprise, by=request.auth)


def _step_data(form) -> dict:
    """The service's arguments read from the step's ``data`` (the same forms as the pages)."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


# --- NIB cases --------------------------------------------------------------------------------


@router.get(
    "/nib-cases",
    response={200: list[NibCaseOut], 401: ErrorOut, 422: ErrorOut},
    summary="NIB cases you may see",
)
def nib_cases(request, filters: Query[ListFilters]):
    now = timezone.now()
    return [_nib_out(case, now) for case in _list(NibCase, request, filters)]


@router.post(
    "/nib-cases",
    response={201: NibCaseDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Start a NIB case",
)
def nib_case_start(request, payload: StartIn):
    case = _start(request, payload, services.start_nib_case)
    return Status(201, {**_nib_out(case, timezone.now()), "events": _events(case)})


@router.get(
    "/nib-cases/{public_id}",
    response={200: NibCaseDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One NIB case",
)
def nib_case(request, public_id: str):
    case = _get(NibCase, request, public_id)
    return {**_nib_out(case, timezone.now()), "events": _events(case)}


@router.post(
    "/nib-cases/{public_id}/advance",
    response={200: NibCaseDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Move a NIB case to its next step (idempotent; honours Idempotency-Key)",
)
def nib_case_advance(request, public_id: str, payload: AdvanceIn):
    case = _get(NibCase, request, public_id)
    _require_move(request, case)
    form = forms.nib_step_form(case, {**payload.data, "to_step": payload.to_step})
    services.advance_nib_case(
        case=case,
        by=request.auth,
        idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
        **_step_data(form),
    )
    case = _get(NibCase, request, public_id)
    return {**_nib_out(case, timezone.now()), "events": _events(case)}


# --- halal cases ------------------------------------------------------------------------------


@router.get(
    "/halal-cases",
    response={200: list[HalalCaseOut], 401: ErrorOut, 422: ErrorOut},
    summary="Halal cases you may see",
)
def halal_cases(request, filters: Query[ListFilters]):
    now = timezone.now()
    return [_halal_out(case, now) for case in _list(HalalCase, request, filters)]


@router.post(
    "/halal-cases",
    response={201: HalalCaseDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Start a halal case",
)
def halal_case_start(request, payload: StartIn):
    case = _start(request, payload, services.start_halal_case)
    return Status(201, {**_halal_out(case, timezone.now()), "events": _events(case)})


@router.get(
    "/halal-cases/{public_id}",
    response={200: HalalCaseDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One halal case",
)
def halal_case(request, public_id: str):
    case = _get(HalalCase, request, public_id)
    return {**_halal_out(case, timezone.now()), "events": _events(case)}


@router.post(
    "/halal-cases/{public_id}/advance",
    response={
        200: HalalCaseDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Move a halal case to its next step (idempotent; honours Idempotency-Key)",
)
def halal_case_advance(request, public_id: str, payload: AdvanceIn):
    case = _get(HalalCase, request, public_id)
    _require_move(request, case)
    form = forms.halal_step_form(case, {**payload.data, "to_step": payload.to_step})
    services.advance_halal_case(
        case=case,
        by=request.auth,
        idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
        **_step_data(form),
    )
    case = _get(HalalCase, request, public_id)
    return {**_halal_out(case, timezone.now()), "events": _events(case)}
