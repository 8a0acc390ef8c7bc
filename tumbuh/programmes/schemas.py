"""API shapes of the programmes app. Outputs list exactly what they expose: programmes, cohorts,
sessions (never their attendance secret), enrolments by public id and business name, counts.
No NIK, phone number or address of anyone."""

import datetime

from ninja import Field, Schema


class CohortOut(Schema):
    public_id: str
    name: str
    programme: str = Field(description="Public id of the programme")
    programme_name: str
    area: str = Field(description="Slug of the priority area")
    partner: str = Field(description="Slug of the partner organisation running it")
    mode: str = Field(description="online, offline or hybrid")
    venue_village: str = Field(description="Kemendagri code of the venue village")
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int
    places_taken: int


class SessionOut(Schema):
    public_id: str
    title: str
    starts_at: datetime.datetime
    village: str
    attendance_count: int


class EnrolIn(Schema):
    enterprises: list[str] = Field(
        min_length=1, max_length=500, description="Public ids of registry businesses"
    )
    accept: bool = Field(False, description="Accept at once (the partner has reviewed them)")


class EnrolResultOut(Schema):
    enterprise: str
    outcome: str = Field(description="enrolled or refused")
    enrolment: str | None = Field(None, description="Public id of the enrolment")
    status: str | None = None
    reason: str | None = Field(None, description="Stable refusal code, e.g. partner_quota_full")
    detail: str | None = None


class EnrolOut(Schema):
    cohort: str
    enrolled: int
    refused: int
    results: list[EnrolResultOut]


class AttendanceIn(Schema):
    enterprise: str = Field(description="Public id of the business")
    code: str = Field(min_length=1, max_length=16, description="The attendance code it typed")
    recorded_at: datetime.datetime | None = Field(
        None, description="When it was typed (default now); the code must be valid then"
    )
    client_id: str | None = Field(
        None, max_length=64, description="Your id for this record: a replay changes nothing"
    )


class AttendanceOut(Schema):
    session: str
    enterprise: str
    method: str
    recorded_at: datetime.datetime


class ProgressRowOut(Schema):
    area: str
    area_name: str
    partner: str | None = Field(description="Partner slug; null for the area's total")
    quota: int
    businesses: int = Field(description="Deduplicated businesses holding a place")
    applied: int
    accepted: int
    active: int
    completed: int
    withdrawn: int
    rejected: int
    outcomes: dict[str, int] = Field(description="Participants per milestone reached")


class ProgressOut(Schema):
    programme: str
    name: str
    rows: list[ProgressRowOut]
