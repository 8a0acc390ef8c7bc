"""API shapes for the connectivity ledger. Outputs list exactly what they expose: places, sites,
plans and counts; never a person, and businesses only as counts."""

import datetime

from ninja import Field, Schema

from tumbuh.connectivity.ranking import RankingWeights

_DEFAULTS = RankingWeights()
SYNTHETIC = (
    "True while the ledger holds the demo's synthetic network (source 'Demo sintetis (bukan "
    "data nyata)'): these figures derive from it and are not real data"
)


class PointOfPresenceOut(Schema):
    code: str
    name: str
    operator: str


class VillageLedgerOut(Schema):
    code: str
    name: str
    district_code: str
    regency_code: str
    regency_name: str
    province_code: str
    province_name: str
    is_3t: bool
    computed: bool = Field(description="False until the ledger is computed: no signal then")
    last_mile: str = Field(description="none, 2g, 3g or 4g")
    last_mile_site: str | None = Field(
        description="Public id of the site that gives the best signal, when in your regions"
    )
    last_mile_basis: str = Field(description="'sites', or the source of a reported fact")
    middle_mile: str = Field(description="none, satellite, microwave or fibre")
    fibre_distance_km: float | None
    nearest_point_of_presence: PointOfPresenceOut | None
    access_points: int
    covered_4g_since: datetime.date | None
    computed_at: datetime.datetime | None
    sites: list[str] = Field(description="Public ids of the BTS sites in the village")
    businesses: int = Field(description="Deduplicated businesses registered in the village")
    businesses_without_store: int
    synthetic: bool = Field(description=SYNTHETIC)


class RankingIn(Schema):
    enterprise: float = Field(_DEFAULTS.enterprise, ge=0, le=1000, description="Per business")
    bumdes: float = Field(_DEFAULTS.bumdes, ge=0, le=1000, description="Per BumDes, extra")
    people: float = Field(_DEFAULTS.people, ge=0, le=1000, description="Per thousand people")
    three_t: float = Field(_DEFAULTS.three_t, ge=0, le=1000, description="For a 3T village")
    region: str = Field("", pattern=r"^(\d{2}(\.\d{2})?)?$", description="32 or 32.04")
    limit: int = Field(50, ge=1, le=500)


class WeightsOut(Schema):
    enterprise: float
    bumdes: float
    people: float
    three_t: float


class BlankSpotOut(Schema):
    rank: int
    code: str
    name: str
    regency: str
    last_mile: str
    enterprises: int
    bumdes: int
    people: int
    is_3t: bool
    score: float
    reasons: list[str]


class RankingOut(Schema):
    count: int = Field(description="Blank spots in your regions (and the region asked for)")
    weights: WeightsOut
    region: str
    items: list[BlankSpotOut]
    synthetic: bool = Field(description=SYNTHETIC)


class PlanOut(Schema):
    public_id: str
    name: str
    region_code: str
    budget_idr: int
    cost_idr: int
    solver: str
    status: str = Field(
        description="The solver's outcome: optimal, time_limit (the best found in time) or "
        "heuristic (the greedy); empty until the plan is ready"
    )
    run_status: str = Field(
        description="queued, running, ready, failed or cancelled: poll the plan until it is "
        "ready (then its figures and picks are there), failed (error says why) or cancelled"
    )
    phase: str = Field(description="While running: preparing, solving, comparing or writing")
    progress_percent: int | None = Field(
        description="How far the plan is, at least (100 once it ended); null while a step of "
        "unknown length runs"
    )
    error_code: str = Field(description="Why it failed, a code of the connectivity errors")
    error: str = Field(description="Why it failed, in the language of whoever asked for it")
    cancel_requested: bool
    sites: int
    covered_enterprises: int
    covered_people: int
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    comparison: dict = Field(description="The other solver's summary, and the greedy/MILP ratio")
    created_at: datetime.datetime
    synthetic: bool = Field(description=SYNTHETIC)


class PickOut(Schema):
    rank: int
    village_code: str
    label: str
    is_3t: bool
    backhaul: str
    backhaul_detail: str
    cost_idr: int
    covered_villages: list[str]
    enterprises: int
    people: int
    value: float
    reason: str
    site: str | None = Field(description="Public id of the tracked site, once adopted")


class PlanDetailOut(PlanOut):
    parameters: dict
    picks: list[PickOut]


class RejectionOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class SiteImportOut(Schema):
    public_id: str
    kind: str
    organisation: str | None
    file_name: str
    total_rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    created_at: datetime.datetime
    rejections: list[RejectionOut] = Field(description="The first 1,000 rejected rows")


class RegionAggregateOut(Schema):
    code: str
    name: str
    villages: int
    villages_by_last_mile: dict[str, int] = Field(description="Keys: 4g, 3g, 2g, none")
    share_4g: float | None = Field(description="Share of villages with 4G, 0 to 1")
    blank_spots: int = Field(description="Villages without 4G")
    businesses_waiting: int = Field(description="Deduplicated businesses in villages without 4G")
    synthetic: bool = Field(description=SYNTHETIC)
