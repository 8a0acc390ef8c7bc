"""API shapes for the registry. Each output lists exactly what it exposes: never a NIK (not even
masked), never a phone number, never a person, never the values of a partner's row."""

import datetime

from ninja import Field, Schema

from tumbuh.core.paging import offset_field
from tumbuh.registry.models import Enterprise, Milestone


class EnterpriseFilterIn(Schema):
    region: str = Field(
        "", pattern=r"^(\d{2}(\.\d{2}(\.\d{2})?)?)?$", description="32, 32.04 or 32.04.12"
    )
    kind: Enterprise.Kind | None = None
    scale: Enterprise.Scale | None = None
    kbli_section: str = Field("", pattern=r"^[A-U]?$", description="KBLI 2020 section letter")
    milestone: Milestone.Kind | None = Field(None, description="A milestone the business reached")
    source: str = Field("", max_length=80, description="Slug of the organisation that sent it")
    q: str = Field(
        "",
        max_length=100,
        description="Words of the business name, in order; the last may be the beginning of a word",
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = offset_field()
    cursor: str = Field(
        "",
        max_length=600,
        description="next_cursor of the page before: the next page costs the same as the first "
        "(give it or offset, not both)",
    )


class EnterpriseOut(Schema):
    public_id: str
    name: str
    trade_names: list[str]
    kind: str
    scale: str
    nib: str | None
    village_code: str
    kbli: list[str]


class EnterprisePageOut(Schema):
    count: int = Field(
        description="exact up to 10,000; above, the dashboards' figure as of count_as_of, or "
        "else an estimate (count_is_exact false)"
    )
    count_is_exact: bool
    count_as_of: datetime.datetime | None = Field(
        description="when the count is the dashboards' figure: the time it was taken"
    )
    limit: int
    offset: int
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")
    items: list[EnterpriseOut]


class EnterprisePlaceOut(Schema):
    village_code: str
    village_name: str
    district_code: str
    district_name: str
    regency_code: str
    regency_name: str
    province_code: str
    province_name: str


class KbliOut(Schema):
    code: str
    version: str
    title: str


class MilestoneOut(Schema):
    kind: str
    occurred_at: datetime.datetime


class SourceOut(Schema):
    organisation: str
    file_name: str
    row_number: int
    imported_at: datetime.datetime


class EnterpriseDetailOut(Schema):
    public_id: str
    name: str
    trade_names: list[str]
    kind: str
    scale: str
    nib: str | None
    village_code: str
    address: str
    place: EnterprisePlaceOut
    kbli: list[KbliOut]
    milestones: list[MilestoneOut]
    sources: list[SourceOut]
    merged_into: str | None


class RegistryImportOut(Schema):
    public_id: str
    organisation: str
    file_name: str
    status: str
    total_rows: int
    processed_rows: int
    created: int
    linked: int
    already_imported: int
    rejected: int
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
