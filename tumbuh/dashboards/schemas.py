"""API shapes of the dashboards: counts of businesses per region and milestone, never a business."""

import datetime
from enum import StrEnum

from ninja import Field, Schema

MILESTONE_HELP = (
    "'businesses' (deduplicated businesses themselves) or a milestone of the digital journey: "
    "registered, assessed, trained, nib_issued, halal_certified, store_live, first_online_sale, "
    "paid_digitally"
)


class OnboardingIn(Schema):
    region: str = Field(
        "ID",
        pattern=r"^(ID|\d{2}(\.\d{2}(\.\d{2})?)?)$",
        description="ID (the country), a province (32), a regency (32.04) or a district (32.04.12)",
    )
    milestone: str = Field("businesses", max_length=20, description=MILESTONE_HELP)


class SeriesIn(OnboardingIn):
    period: str = Field(
        "week", pattern=r"^(week|month)$", description="week (country and provinces only) or month"
    )


class RegionOut(Schema):
    code: str = Field(description="ID for the country, else the Kemendagri code")
    name: str
    level: str = Field(description="national, province, regency or district")


class ChildOut(Schema):
    code: str
    name: str
    count: int
    target: int | None


class OnboardingOut(Schema):
    region: RegionOut
    milestone: str
    as_of: datetime.datetime | None = Field(
        description="When the figures were last brought up to date"
    )
    count: int = Field(description="Deduplicated businesses that reached the milestone")
    count_3t: int = Field(description="Of which in 3T regencies")
    target: int | None = Field(description="The current target for the year, if one is set")
    target_year: int | None
    progress: float | None = Field(description="count / target (0.25 is a quarter)")
    children: list[ChildOut] = Field(description="The regions one level down")


class PointOut(Schema):
    start: datetime.date = Field(description="First day of the week (Monday) or month")
    new: int
    cumulative: int


class SeriesOut(Schema):
    region: RegionOut
    milestone: str
    period: str
    as_of: datetime.datetime | None
    points: list[PointOut]


class Area(StrEnum):
    """The dashboard's sections beyond onboarding."""

    PROGRAMME = "programme"
    CAPABILITY = "capability"
    LICENSING = "licensing"
    STORES = "stores"
    CONNECTIVITY = "connectivity"
    PARTNERS = "partners"
    SUPPLY = "supply"


class SectionIn(Schema):
    region: str = Field(
        "ID",
        pattern=r"^(ID|\d{2}(\.\d{2})?)$",
        description="ID (the country), a province (32) or a regency (32.04): the sections go "
        "down to the regency; the partners' scorecard to the province",
    )


class SectionFigureOut(Schema):
    measure: str = Field(description="What is counted, e.g. enrolled, nib_open, paid_value")
    dimension: str = Field(
        description="What the figure is broken down by (a priority area's slug, a partner "
        "organisation's id:area slug, a capability level, a signal, a site status, a site "
        "plan's public id, a partner organisation's id or id:milestone), or ''"
    )
    label: str = Field(description="The name of the dimension, or '' without one")
    value: int = Field(description="Added up over the region; a median for the waiting days")
    unit: str = Field(description="count, idr (rupiah) or days")


class SectionRowOut(Schema):
    label: str
    values: list[int | float | None] = Field(
        description="One value per column after the first; a share is a percentage (12.5)"
    )


class SectionMonthOut(Schema):
    month: datetime.date = Field(description="First day of the month (Western Indonesian Time)")
    measure: str = Field(
        description="What happened: enrolled, completed (programme); nib_issued, halal_issued "
        "(licensing); orders_paid, paid_value (stores); sites_on_air (connectivity)"
    )
    value: int = Field(description="In the month, added up over the region")
    cumulative: int = Field(description="From the first month of the series to this one")
    unit: str = Field(description="count or idr (rupiah)")


class SectionOut(Schema):
    area: Area
    region: RegionOut
    as_of: datetime.datetime | None = Field(
        description="When the figures were computed; null while being computed the first time"
    )
    figures: list[SectionFigureOut] = Field(description="The stored figures of the region")
    columns: list[str] = Field(description="The dashboard table's columns")
    rows: list[SectionRowOut] = Field(description="The dashboard table's rows")
    note: str = Field(description="How the figures are defined")
    series: list[SectionMonthOut] = Field(
        description="The monthly series of the section's events, measure by measure, every "
        "month from the first with a record in the region to the last; empty for capability "
        "and partners (stocks, not flows)"
    )
