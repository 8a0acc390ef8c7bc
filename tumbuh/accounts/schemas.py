"""API shapes for accounts. No phone number or e-mail address is ever part of an output."""

from ninja import Schema


class MembershipOut(Schema):
    organisation: str
    organisation_name: str
    role: str
    region_code: str


class MeOut(Schema):
    full_name: str
    memberships: list[MembershipOut]


class KeyOut(Schema):
    organisation: str
    label: str
    role: str
    region_code: str


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    region_code: str
    member_count: int
