"""Demo organisations and one person for each role (synthetic; names are made up)."""

from django.db import transaction

from tumbuh.accounts import services
from tumbuh.accounts.models import Membership, Organisation, User
from tumbuh.core.demodata import DemoReport, demo_password

Kind = Organisation.Kind
Role = Membership.Role

ORGANISATIONS = [
    # slug, name, kind, region
    ("kementerian", "Kementerian (demo)", Kind.MINISTRY, ""),
    (
        "dinas-jabar",
        "Dinas Koperasi dan UMKM Provinsi Jawa Barat (demo)",
        Kind.PROVINCIAL_OFFICE,
        "32",
    ),
    (
        "dinas-ntt",
        "Dinas Koperasi dan UMKM Provinsi Nusa Tenggara Timur (demo)",
        Kind.PROVINCIAL_OFFICE,
        "53",
    ),
    ("pasar-nusantara", "Pasar Digital Nusantara (demo marketplace)", Kind.MARKETPLACE, ""),
    ("kampus-flobamora", "Kampus Digital Flobamora (demo university)", Kind.UNIVERSITY, "53"),
    ("bumdes-sehati-belu", "BumDes Sehati Belu (demo)", Kind.BUMDES, "53.04"),
]

PEOPLE = [
    # login, name, organisation, role, scope (None = the organisation's region), phone
    ("admin@demo.tumbuh.id", "Ratna Kusumawati", "kementerian", Role.ADMIN, None, None),
    ("perencana@demo.tumbuh.id", "Yohanes Wenda", "kementerian", Role.PLANNER, None, None),
    ("jabar@demo.tumbuh.id", "Dedi Supriatna", "dinas-jabar", Role.OFFICER, None, None),
    ("ntt@demo.tumbuh.id", "Maria Goreti Lake", "dinas-ntt", Role.OFFICER, None, None),
    ("mitra@demo.tumbuh.id", "Andi Pratama", "pasar-nusantara", Role.ADMIN, None, None),
    ("pendamping@demo.tumbuh.id", "Yosefina Bria", "kampus-flobamora", Role.MENTOR, "53.04", None),
    (
        "penjual@demo.tumbuh.id",
        "Simon Tefa",
        "bumdes-sehati-belu",
        Role.SELLER,
        None,
        "0812-3456-7890",
    ),
]


@transaction.atomic
def load(*, seed: int, report: DemoReport) -> None:
    by = services.system_actor()
    organisations = {}
    for slug, name, kind, region in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = services.create_organisation(
                name=name, kind=kind, region_code=region, slug=slug, by=by
            )
        organisations[slug] = organisation
    for login, name, slug, role, scope, phone in PEOPLE:
        user = User.objects.filter(email=login).first()
        if user is None:
            user = User.objects.create_user(email=login, full_name=name, phone=phone)
        password = demo_password(login, seed)
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        services.grant_membership(
            user=user, organisation=organisations[slug], role=role, region_code=scope, by=by
        )
        organisation = organisations[slug]
        report.add_login(login, password, f"{Role(role).label}, {organisation.name}")
    report.add_link("/", "Beranda publik (public home)")
    report.add_link("/wilayah/", "Wilayah Indonesia (region picker)")
    report.add_link("/masuk/", "Masuk (sign in)")
    report.add_link("/konsol/", "Konsol (console)")
    report.add_link("/api/v1/docs", "API")
    report.say(f"{len(ORGANISATIONS)} organisations, {len(PEOPLE)} demo people")
