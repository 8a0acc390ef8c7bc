"""The console menu shows each person the sections they may open, and every one of them opens."""

import re

import pytest

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import make_enterprise, make_organisation, make_owner, make_user

pytestmark = pytest.mark.django_db

EVERY_SECTION = [
    "/konsol/",
    "/konsol/dasbor/",
    "/konsol/organisasi/",
    "/konsol/kawasan/",
    "/konsol/registri/",
    "/konsol/kecakapan/",
    "/konsol/program/",
    "/konsol/perizinan/",
    "/konsol/bbi/kampanye/",
    "/konsol/rantai-pasok/",
    "/konsol/konektivitas/",
    "/konsol/wilayah/",
]


def menu(client, url="/konsol/", current=False) -> list[str]:
    html = client.get(url).content.decode()
    nav = re.search(r'<nav class="console-nav".*?</nav>', html, re.S).group(0)
    marked = r' aria-current="page"' if current else r'(?: aria-current="page")?'
    return re.findall(rf'<a href="([^"]+)"{marked}>', nav)


def persona(kind):
    if kind == "seller":
        bumdes = make_organisation(kind=Organisation.Kind.BUMDES, region_code="53.04")
        return make_user(organisation=bumdes, role=Membership.Role.SELLER)
    if kind == "owner":
        return make_owner(make_enterprise("Keripik Ibu Ani"))
    if kind == "mentor":
        campus = make_organisation(kind=Organisation.Kind.UNIVERSITY, region_code="53")
        return make_user(organisation=campus, role=Membership.Role.MENTOR, region_code="53.04")
    if kind == "planner":
        ministry = make_organisation(kind=Organisation.Kind.MINISTRY)
        return make_user(organisation=ministry, role=Membership.Role.PLANNER)
    if kind == "regional officer":
        return make_user(organisation=make_organisation(region_code="53"))
    ministry = make_organisation(kind=Organisation.Kind.MINISTRY)
    return make_user(organisation=ministry, role=Membership.Role.ADMIN)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("seller", ["/konsol/"]),
        ("owner", ["/konsol/"]),
        ("mentor", ["/konsol/", "/konsol/kecakapan/", "/konsol/perizinan/", "/konsol/wilayah/"]),
        (
            "planner",
            [
                "/konsol/",
                "/konsol/dasbor/",
                "/konsol/organisasi/",
                "/konsol/kawasan/",
                "/konsol/rantai-pasok/",
                "/konsol/konektivitas/",
                "/konsol/wilayah/",
            ],
        ),
        ("regional officer", [url for url in EVERY_SECTION if url != "/konsol/bbi/kampanye/"]),
        ("national admin", EVERY_SECTION),
    ],
)
def test_the_menu_lists_the_sections_a_person_may_open_and_each_opens(client, kind, expected):
    client.force_login(persona(kind))

    links = menu(client)

    assert links == expected
    for url in links:
        assert client.get(url).status_code == 200, url


def test_the_current_section_is_marked(client_of, national_admin):
    client = client_of(national_admin)
    assert menu(client, "/konsol/program/", current=True) == ["/konsol/program/"]
    assert menu(client, "/konsol/kawasan/", current=True) == ["/konsol/kawasan/"]
    assert menu(client, "/konsol/wilayah/", current=True) == ["/konsol/wilayah/"]
