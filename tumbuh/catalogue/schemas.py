"""API schemas of the catalogue: what a product card and a campaign expose (no personal data)."""

import datetime

from ninja import Schema


class PlaceOut(Schema):
    village_code: str
    village: str
    regency: str
    province: str


class CatalogueProductOut(Schema):
    public_id: str
    title: str
    price_idr: int
    unit: str
    category: str
    url: str
    store_slug: str
    store_name: str
    made_in: PlaceOut
    is_halal: bool
    made_in_indonesia: bool
    is_from_3t: bool
    is_from_bumdes: bool


class CataloguePageOut(Schema):
    products: list[CatalogueProductOut]
    next_cursor: int | None = None
    next_page: int | None = None


class CampaignOut(Schema):
    slug: str
    title: str
    description: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    url: str
