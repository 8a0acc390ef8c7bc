"""API shapes for licensing cases. Outputs list exactly what they expose: never a NIK, never a
phone number (not even masked), never an e-mail address."""

import datetime

from ninja import Field, Schema


class CaseEventOut(Schema):
    from_step: str
    to_step: str
    at: datetime.datetime
    actor: str = Field(description="Full name of who moved the case; empty for a machine client")


class CaseOut(Schema):
    id: str = Field(description="The case's public id")
    business_id: str = Field(description="Public id of the business in the registry")
    business_name: str
    region_code: str = Field(description="Kemendagri code of the business's village")
    step: str
    step_label: str
    step_entered_at: datetime.datetime
    days_in_step: int | None = Field(description="None once the case is finished")
    assigned_mentor: str
    next_steps: list[str]


class NibCaseOut(CaseOut):
    kbli_codes: list[str]
    scale: str
    nib: str
    nib_status: str = Field(description="'', 'entered' (not checked with OSS) or 'confirmed'")


class CertificateOut(Schema):
    number: str
    issued_on: datetime.date
    valid_until: datetime.date
    product_names: list[str]


class HalalCaseOut(CaseOut):
    registration_number: str
    product_names: list[str]
    certificate: CertificateOut | None


class NibCaseDetailOut(NibCaseOut):
    events: list[CaseEventOut]


class HalalCaseDetailOut(HalalCaseOut):
    events: list[CaseEventOut]


class StartIn(Schema):
    business_id: str = Field(description="Public id of the business")


class AdvanceIn(Schema):
    to_step: str
    data: dict = Field(
        default_factory=dict,
        description=(
            "The data of the step being left (see docs/licensing.md); for a NIB case leaving "
            "'account': applicant_name, nik, email and/or phone; 'business': business_name, "
            "address, village, capital_idr, workforce, scale; 'kbli': kbli_codes; to 'issued': "
            "nib. For a halal case: sihalal_account; mentor (user id); registration_number; "
            "checklist; to 'issued': number, issued_on, valid_until."
        ),
    )
