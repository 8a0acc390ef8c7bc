"""API shapes for capability. Outputs name businesses only by public id: no owner, no phone."""

import datetime
from typing import Literal

from ninja import Field, Schema


class OptionOut(Schema):
    key: str
    points: int
    text_id: str
    text_en: str


class QuestionOut(Schema):
    key: str
    pillar: str
    weight: int
    required: bool
    text_id: str
    text_en: str
    help_id: str
    help_en: str
    options: list[OptionOut]


class PillarOut(Schema):
    key: str
    group: str
    name_id: str
    name_en: str


class InstrumentOut(Schema):
    version: int
    title_id: str
    title_en: str
    pillars: list[PillarOut]
    questions: list[QuestionOut]


class AssessmentIn(Schema):
    enterprise: str = Field(description="Public id of the business")
    answers: dict[str, str] = Field(description="Question key → option key")
    mode: Literal["self", "mentor"] = "mentor"
    version: int | None = Field(None, description="Instrument version; the current one if empty")
    taken_at: datetime.datetime | None = Field(None, description="When; now if empty (UTC)")
    client_id: str | None = Field(
        None,
        max_length=64,
        description="The offline client's id; the Idempotency-Key header works too",
    )


class AssessmentOut(Schema):
    id: str
    enterprise: str
    version: int
    mode: str
    taken_at: datetime.datetime
    level: int
    level_name: str
    overall_score: int
    pillar_scores: dict[str, int]
    client_id: str | None


class EnterpriseLevelsOut(Schema):
    enterprise: str
    current_level: int | None
    assessments: list[AssessmentOut]


class RegionLevelsOut(Schema):
    code: str
    name: str
    businesses: int = Field(description="Deduplicated businesses registered in the region")
    not_assessed: int
    levels: dict[int, int] = Field(description="Level (1–5) → businesses at that level now")
