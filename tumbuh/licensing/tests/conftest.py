"""Builders for licensing tests: mentors, businesses ready for NIB or halal, cases at a step."""

import datetime

import pytest

from tumbuh.accounts.models import Membership
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_organisation, make_user
from tumbuh.licensing import oss, services
from tumbuh.licensing.models import HalalCase, NibCase

NIK = "3204124512900001"  # a valid NIK issued in Dayeuhkolot (32.04.12), woman born 5 Dec 1990
NIB = "9120001234567"


@pytest.fixture(autouse=True)
def offline_oss():
    """Every test starts with the default offline OSS client."""
    oss.set_client(None)
    yield
    oss.set_client(None)


@pytest.fixture(autouse=True)
def all_in_english(english):
    """Every licensing test reads the msgids (the root ``english`` fixture, for this folder)."""


def mentor_in(province_code: str):
    """A mentor of a new provincial office of ``province_code``."""
    return make_mentor(make_organisation(region_code=province_code))


def make_mentor(organisation, *, region_code=None, **fields):
    return make_user(
        organisation=organisation, role=Membership.Role.MENTOR, region_code=region_code, **fields
    )


# The step data as the pages and the API send it, and as the services take it.
APPLICANT = {"applicant_name": "Ani Lestari", "nik": NIK, "phone": "0812-3456-7890"}
BUSINESS = {
    "business_name": "Keripik Ani",
    "address": "Jl. Raya Dayeuhkolot 12",
    "village": DAYEUHKOLOT,
    "capital_idr": "15000000",
    "workforce": "3",
    "scale": "mikro",
}
APPLICANT_DATA = services.Applicant(**APPLICANT)
BUSINESS_DATA = services.BusinessData(**{**BUSINESS, "capital_idr": 15_000_000, "workforce": 3})
# What each step of a NIB case needs to be left forwards.
NIB_STEP_DATA = {
    NibCase.Step.ACCOUNT: {"applicant": APPLICANT_DATA},
    NibCase.Step.BUSINESS: {"business": BUSINESS_DATA},
    NibCase.Step.KBLI: {"kbli_codes": ["10794"]},
    NibCase.Step.SUBMITTED: {"nib": NIB},
}


def nib_case_at(step: str, *, enterprise=None, by, mentor=None) -> NibCase:
    """A NIB case started and moved forward by ``by`` through the real services until it
    reaches ``step``."""
    enterprise = enterprise or make_enterprise("Keripik Ani", address="Jl. Raya 12")
    case = services.start_nib_case(enterprise=enterprise, by=by, assigned_mentor=mentor)
    for to_step in list(NibCase.Step.values)[1:]:
        if case.step == step:
            break
        case = services.advance_nib_case(case=case, to=to_step, by=by, **NIB_STEP_DATA[case.step])
    assert case.step == step
    return case


PRODUCTS = [
    services.ProductDraft(
        name="Keripik Pisang",
        ingredients=(
            services.IngredientDraft(name="Pisang kepok", exemption="natural"),
            services.IngredientDraft(
                name="Minyak goreng", certificate_number="ID32110000012340121"
            ),
            services.IngredientDraft(name="Garam", exemption="non_critical"),
        ),
    )
]


def halal_ready_enterprise(name="Keripik Ani", **fields):
    fields.setdefault("scale", "mikro")
    fields.setdefault("nib", NIB)
    return make_enterprise(name, **fields)


def halal_case_at(step: str, *, enterprise=None, by, mentor=None) -> HalalCase:
    """A halal case started and moved forward by ``by`` through the real services until it
    reaches ``step``; ``mentor`` (a new mentor of the province when None) is chosen at the
    mentor step."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    enterprise = enterprise or halal_ready_enterprise()
    case = services.start_halal_case(enterprise=enterprise, by=by)
    order = list(HalalCase.Step.values)
    for to_step in order[1:]:
        if case.step == step:
            break
        data = {}
        if to_step == HalalCase.Step.MENTOR:
            data = {"sihalal_account": "ani@example.id"}
        elif to_step == HalalCase.Step.PRODUCTS:
            data = {"mentor": mentor or mentor_in(enterprise.village_id[:2])}
        elif to_step == HalalCase.Step.SUBMITTED:
            services.set_halal_products(
                case=case,
                products=PRODUCTS,
                process_description="Pisang dikupas, diiris, digoreng, diberi garam, dikemas.",
                is_simple_process=True,
                by=by,
            )
            data = {"registration_number": "SH2026-0001234"}
        elif to_step == HalalCase.Step.DOCUMENT_CHECK:
            services.add_evidence_photo(
                case=case, upload=SimpleUploadedFile("a.png", png_bytes()), by=by
            )
            data = {"checklist": dict.fromkeys(services.HALAL_CHECKLIST, True)}
        elif to_step == HalalCase.Step.ISSUED:
            services.issue_halal_certificate(
                case=case,
                number="ID32110001234560126",
                issued_on=datetime.date(2026, 1, 10),
                valid_until=datetime.date(2030, 1, 10),
                by=by,
            )
            case.refresh_from_db()
            continue
        case = services.advance_halal_case(case=case, to=to_step, by=by, **data)
    assert case.step == step
    return case


def png_bytes(size=(4, 3)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 40)).save(buffer, format="PNG")
    return buffer.getvalue()
