"""Every licensing service checks its actor itself and fails closed: no actor, an officer of
another region, a mentor not assigned to the case, an owner, an API key of another region are
refused with PermissionDenied, and nothing changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership
from tumbuh.conftest import make_enterprise, make_owner
from tumbuh.core.models import AuditEvent
from tumbuh.licensing import services
from tumbuh.licensing.models import HalalCase, HalalCertificate, HalalEvidencePhoto, NibCase
from tumbuh.licensing.tests.conftest import (
    APPLICANT_DATA,
    NIB,
    PRODUCTS,
    halal_case_at,
    halal_ready_enterprise,
    mentor_in,
    nib_case_at,
    png_bytes,
)

pytestmark = pytest.mark.django_db

OUTSIDERS = ["nobody", "officer_53", "other_mentor", "owner", "key_53"]


@pytest.fixture
def outsider(request, office_53, officer_53):
    """Someone who may not act on a case of a business in Jawa Barat (region 32)."""

    def make(who: str, enterprise):
        if who == "nobody":
            return None
        if who == "officer_53":
            return officer_53
        if who == "other_mentor":
            return mentor_in("32")  # mentors in the region, but the case is not theirs
        if who == "owner":
            return make_owner(enterprise)
        key, _secret = account_services.issue_api_key(
            organisation=office_53,
            label="dinas ntt",
            role=Membership.Role.OFFICER,
            by=account_services.system_actor(),
        )
        return key

    return make


def state():
    return (
        list(NibCase.objects.values_list("pk", "step", "step_entered_at", "nib", "applicant_name")),
        list(
            HalalCase.objects.values_list(
                "pk", "step", "step_entered_at", "checklist", "process_description"
            )
        ),
        HalalCertificate.objects.count(),
        HalalEvidencePhoto.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("who", [who for who in OUTSIDERS if who not in ("other_mentor", "owner")])
@pytest.mark.parametrize("start", [services.start_nib_case, services.start_halal_case])
def test_starting_a_case_is_refused_to_who_may_not(outsider, who, start):
    # A business each pipeline would start a case for: no NIB yet, or ready for halal.
    enterprise = halal_ready_enterprise(nib=None if start is services.start_nib_case else NIB)
    by = outsider(who, enterprise)
    before = state()
    with pytest.raises(PermissionDenied):
        start(enterprise=enterprise, by=by)
    assert state() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_moving_a_nib_case_is_refused_to_who_may_not(officer_32, outsider, who):
    case = nib_case_at(NibCase.Step.ACCOUNT, by=officer_32)
    submitted = nib_case_at(
        NibCase.Step.SUBMITTED, enterprise=make_enterprise("Tenun Ina"), by=officer_32
    )
    by = outsider(who, case.enterprise)
    before = state()
    with pytest.raises(PermissionDenied):
        services.advance_nib_case(
            case=case, to=NibCase.Step.BUSINESS, by=by, applicant=APPLICANT_DATA
        )
    with pytest.raises(PermissionDenied):
        services.record_nib(case=submitted, nib=NIB, by=by)
    with pytest.raises(PermissionDenied):
        services.advance_nib_case(case=submitted, to=NibCase.Step.ISSUED, by=by, nib=NIB)
    assert state() == before
    submitted.enterprise.refresh_from_db()
    assert submitted.enterprise.nib is None


@pytest.mark.parametrize("who", OUTSIDERS)
def test_changing_a_halal_case_is_refused_to_who_may_not(officer_32, mentor_32, outsider, who):
    products = halal_case_at(HalalCase.Step.PRODUCTS, by=officer_32, mentor=mentor_32)
    visit = halal_case_at(
        HalalCase.Step.VERIFICATION,
        enterprise=halal_ready_enterprise("Dodol Ibu Ratna", nib="9120001234568"),
        by=officer_32,
        mentor=mentor_32,
    )
    fatwa = halal_case_at(
        HalalCase.Step.FATWA,
        enterprise=halal_ready_enterprise("Sambal Bu Ida", nib="9120001234569"),
        by=officer_32,
        mentor=mentor_32,
    )
    by = outsider(who, products.enterprise)
    before = state()
    attempts = [
        lambda: services.set_halal_products(
            case=products,
            products=PRODUCTS,
            process_description="Digoreng",
            is_simple_process=True,
            by=by,
        ),
        lambda: services.advance_halal_case(
            case=products, to=HalalCase.Step.MENTOR, by=by, reason="Ganti pendamping"
        ),
        lambda: services.record_checklist(
            case=visit, checklist=dict.fromkeys(services.HALAL_CHECKLIST, True), by=by
        ),
        lambda: services.add_evidence_photo(
            case=visit, upload=SimpleUploadedFile("dapur.png", png_bytes()), by=by
        ),
        lambda: services.advance_halal_case(case=visit, to=HalalCase.Step.DOCUMENT_CHECK, by=by),
        lambda: services.issue_halal_certificate(
            case=fatwa,
            number="ID32110009999990126",
            issued_on=datetime.date(2026, 1, 10),
            valid_until=datetime.date(2030, 1, 10),
            by=by,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert state() == before


def test_an_api_key_of_the_region_moves_a_case_as_no_one(office_32, officer_32):
    key, _secret = account_services.issue_api_key(
        organisation=office_32,
        label="dinas",
        role=Membership.Role.OFFICER,
        by=account_services.system_actor(),
    )
    case = services.start_nib_case(enterprise=make_enterprise("Keripik Ani"), by=key)
    case = services.advance_nib_case(
        case=case, to=NibCase.Step.BUSINESS, by=key, applicant=APPLICANT_DATA
    )
    assert case.step == NibCase.Step.BUSINESS
    assert [(event.to_step, event.actor) for event in case.events.all()] == [
        (NibCase.Step.ACCOUNT, None),
        (NibCase.Step.BUSINESS, None),
    ]
    assert case.created_by is None and case.assigned_mentor is None
