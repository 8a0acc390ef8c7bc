"""Priority areas (kawasan) in the console: ministry staff edit them, with an audit event; regional
officers and anonymous visitors change nothing; the loader keeps an edit until a reset."""

import pytest
from django.core.exceptions import PermissionDenied
from pytest_django.asserts import assertContains, assertNotContains

from tumbuh.accounts.models import Membership
from tumbuh.conftest import make_user
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.regions.error_codes import RegionsError
from tumbuh.regions.models import PriorityArea
from tumbuh.regions.services import (
    COLLECTION_DESCRIPTIONS,
    create_priority_area,
    load_regions,
    update_priority_area,
)
from tumbuh.regions.tests.helpers import SESSION_PROVINCES, chosen, members_of, read_page

# Pages in English (the language switch's cookie), so assertions match the msgids whether or not
# the Indonesian catalogue is compiled.
pytestmark = pytest.mark.usefixtures("english")

NTT = "atd-2022-13-kawasan-nusa-tenggara-timur"
LABUAN_BAJO = "dpsp-5-labuan-bajo"
ATD = COLLECTION_DESCRIPTIONS["atd_2022_13_kawasan"]


def edit_url(slug: str) -> str:
    return f"/konsol/kawasan/{slug}/ubah/"


def form_data(
    slug: str,
    *,
    name: str | None = None,
    description: str | None = None,
    roles: dict[str, str] | None = None,
    remove: tuple[str, ...] = (),
    add: str = "",
    added_role: str = "core",
) -> dict[str, str]:
    """What the edit form posts: the area's current values, with the given changes."""
    area = PriorityArea.objects.get(slug=slug)
    data = {
        "name": area.name if name is None else name,
        "description": area.description if description is None else description,
    }
    for code, role in members_of(slug).items():
        data[f"role-{code}"] = (roles or {}).get(code, role)
    for code in remove:
        data[f"remove-{code}"] = "on"
    if add:
        data.update(province=add[:2], regency=add, added_role=added_role)
    return data


def state(slug: str) -> tuple:
    """Everything an edit could change, to prove that a refused one changed nothing."""
    area = PriorityArea.objects.get(slug=slug)
    return (
        area.name,
        area.description,
        area.collection,
        area.updated_at,
        members_of(slug),
        PriorityArea.objects.count(),
        AuditEvent.objects.filter(action__startswith="regions.").count(),
    )


def shipped_ntt() -> dict[str, str]:
    return {f"53.{n:02d}": "province" for n in [*range(1, 22), 71]}


# --- reading ----------------------------------------------------------------------------------------


def test_the_list_shows_every_area_with_its_regency_count(client_of, national_admin, query_count):
    client = client_of(national_admin)

    with query_count() as queries:
        response = client.get("/konsol/kawasan/")

    assert response.status_code == 200
    assert len(queries) == 5  # session, user, memberships, the areas, the menu's memberships
    assertContains(response, "<tr><td>", count=28)
    assertContains(
        response,
        f'<tr><td><a href="/konsol/kawasan/{NTT}/">Nusa Tenggara Timur</a></td>'
        f'<td>{ATD}</td><td class="num">22</td></tr>',
        html=True,
    )
    assertContains(
        response,
        f'<tr><td><a href="/konsol/kawasan/{LABUAN_BAJO}/">Labuan Bajo</a></td>'
        '<td>5 Destinasi Pariwisata Super Prioritas (DPSP)</td><td class="num">1</td></tr>',
        html=True,
    )
    assertContains(response, '<form method="post" action="/konsol/kawasan/baru/">')


def test_an_officer_sees_the_list_and_an_area_but_no_way_to_edit(client_of, officer_32):
    client = client_of(officer_32)

    listing = client.get("/konsol/kawasan/")
    detail = client.get(f"/konsol/kawasan/{NTT}/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    assertNotContains(listing, "/konsol/kawasan/baru/")
    assertNotContains(detail, edit_url(NTT))


def test_the_detail_lists_the_regencies_with_role_and_3t(client_of, national_admin, query_count):
    client = client_of(national_admin)

    with query_count() as queries:
        response = client.get("/konsol/kawasan/atd-2022-13-kawasan-papua/")

    assert len(queries) == 6  # session, user, the area, memberships, its regencies, the menu
    assertContains(response, "<h1>Papua</h1>", html=True)
    assertContains(response, f'<a class="button" href="{edit_url("atd-2022-13-kawasan-papua")}">')
    assertContains(response, "part of a province-wide area", count=9)
    assertContains(
        response,
        '<tr><td>Kabupaten Keerom <span class="muted">91.11</span></td><td>Papua</td>'
        '<td>part of a province-wide area</td><td><span class="badge t3">3T</span></td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr><td>Kabupaten Jayapura <span class="muted">91.03</span></td><td>Papua</td>'
        "<td>part of a province-wide area</td><td></td></tr>",
        html=True,
    )


def test_the_edit_form_shows_each_regency_with_its_role(client_of, national_admin, query_count):
    client = client_of(national_admin)

    with query_count() as queries:
        response = client.get(edit_url(NTT))

    assert response.status_code == 200
    assert len(queries) == 7  # session, user, memberships, area, provinces, regencies, menu
    roles = {name: value for name, value in chosen(response).items() if name.startswith("role-")}
    assert roles == {f"role-{code}": role for code, role in shipped_ntt().items()}
    assert read_page(response).selects["province"][0] == ("", "— choose —", False)


# --- editing ----------------------------------------------------------------------------------------


def test_national_admin_renames_adds_removes_and_changes_a_role(client_of, national_admin):
    client = client_of(national_admin)
    area = PriorityArea.objects.get(slug=NTT)
    assert members_of(NTT) == shipped_ntt()

    response = client.post(
        edit_url(NTT),
        form_data(
            NTT,
            name="NTT Digital",
            description="Kawasan uji coba",
            roles={"53.02": "core"},
            remove=("53.01",),
            add="91.03",
            added_role="surrounding",
        ),
    )

    assert response.status_code == 302
    assert response.url == f"/konsol/kawasan/{NTT}/"
    area.refresh_from_db()
    assert (area.name, area.description, area.collection) == (
        "NTT Digital",
        "Kawasan uji coba",
        "atd_2022_13_kawasan",
    )
    expected = shipped_ntt()
    del expected["53.01"]
    expected.update({"53.02": "core", "91.03": "surrounding"})
    assert members_of(NTT) == expected
    event = AuditEvent.objects.get(action="regions.priority_area_updated")
    assert (event.actor, event.target_type, event.target_id, event.region_code) == (
        national_admin,
        "regions.priorityarea",
        str(area.pk),
        "",
    )
    assert event.data == {
        "added": ["91.03"],
        "removed": ["53.01"],
        "role_changed": ["53.02"],
        "name": ["Nusa Tenggara Timur", "NTT Digital"],
        "description_changed": True,
    }
    page = client.get(response.url)
    assertContains(page, '<li class="success">The priority area was saved.</li>', html=True)
    assertContains(page, "<h1>NTT Digital</h1>", html=True)

    # The loader keeps the edit; a reset restores the shipped area.
    load_regions(provinces=SESSION_PROVINCES)
    area.refresh_from_db()
    assert (area.name, area.description) == ("NTT Digital", "Kawasan uji coba")
    assert members_of(NTT) == expected

    load_regions(provinces=SESSION_PROVINCES, reset_priority_areas=True)
    area.refresh_from_db()
    assert (area.name, area.description) == ("Nusa Tenggara Timur", ATD)
    assert members_of(NTT) == shipped_ntt()


def test_an_edit_records_only_what_changed(client_of, national_admin):
    client = client_of(national_admin)

    response = client.post(edit_url(LABUAN_BAJO), form_data(LABUAN_BAJO, name="Labuan Bajo Komodo"))

    assert response.status_code == 302
    assert members_of(LABUAN_BAJO) == {"53.15": "core"}
    event = AuditEvent.objects.get(action="regions.priority_area_updated")
    assert event.data == {
        "added": [],
        "removed": [],
        "role_changed": [],
        "name": ["Labuan Bajo", "Labuan Bajo Komodo"],
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"add": "99.99"}, "Unknown regency codes: 99.99"),
        ({"add": "11.01"}, "Unknown regency codes: 11.01"),  # real, but Aceh is not loaded
        ({"remove": ("53.15",)}, "A priority area needs at least one regency."),
        ({"roles": {"53.15": "kepala"}}, "Unknown role in a priority area."),
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 121}, "Ensure this value has at most 120 characters (it has 121)."),
    ],
)
def test_invalid_input_shows_the_message_and_changes_nothing(
    client_of, national_admin, changes, message
):
    client = client_of(national_admin)
    before = state(LABUAN_BAJO)

    response = client.post(edit_url(LABUAN_BAJO), form_data(LABUAN_BAJO, **changes))

    assert response.status_code == 200
    assertContains(response, message)
    assert state(LABUAN_BAJO) == before


def test_showing_the_regencies_of_a_province_saves_nothing(client_of, national_admin):
    client = client_of(national_admin)
    before = state(LABUAN_BAJO)
    data = form_data(LABUAN_BAJO, name="Belum disimpan")
    data.update(province="91", show_regencies="1")

    response = client.post(edit_url(LABUAN_BAJO), data)

    assert response.status_code == 200
    assert chosen(response)["province"] == "91"
    assert [code for code, _name, _selected in read_page(response).selects["regency"]] == [
        "", "91.06", "91.03", "91.11", "91.05", "91.20", "91.10", "91.19", "91.15", "91.71",
    ]  # fmt: skip
    assertContains(response, 'value="Belum disimpan"')
    assert state(LABUAN_BAJO) == before


def test_htmx_gets_only_the_add_regency_fragment(client_of, national_admin):
    client = client_of(national_admin)
    before = state(LABUAN_BAJO)
    data = form_data(LABUAN_BAJO)
    data.update(province="53", show_regencies="1")

    response = client.post(edit_url(LABUAN_BAJO), data, headers={"HX-Request": "true"})

    content = response.content.decode().strip()
    assert content.startswith('<fieldset id="add-regency">')
    assert content.endswith("</fieldset>")
    assert len(read_page(response).selects["regency"]) == 23
    assert state(LABUAN_BAJO) == before


def test_national_admin_creates_an_area_then_adds_its_regencies(client_of, national_admin):
    client = client_of(national_admin)
    count = PriorityArea.objects.count()

    response = client.post("/konsol/kawasan/baru/", {"name": "Kawasan Danau Sentani"})

    assert response.status_code == 302
    assert response.url == edit_url("kawasan-danau-sentani")
    area = PriorityArea.objects.get(slug="kawasan-danau-sentani")
    assert (area.name, area.collection, area.description) == ("Kawasan Danau Sentani", "", "")
    assert members_of(area.slug) == {}
    assert PriorityArea.objects.count() == count + 1
    event = AuditEvent.objects.get(action="regions.priority_area_created")
    assert (event.actor, event.target_id, event.data) == (
        national_admin,
        str(area.pk),
        {"name": "Kawasan Danau Sentani"},
    )

    again = client.post("/konsol/kawasan/baru/", {"name": "Kawasan Danau Sentani"})
    assert again.url == edit_url("kawasan-danau-sentani-2")

    client.post(edit_url(area.slug), form_data(area.slug, add="91.03"))
    assert members_of(area.slug) == {"91.03": "core"}


def test_creating_an_area_without_a_name_creates_nothing(client_of, national_admin):
    client = client_of(national_admin)
    count = PriorityArea.objects.count()

    response = client.post("/konsol/kawasan/baru/", {"name": "  "}, follow=True)

    assert response.redirect_chain == [("/konsol/kawasan/", 302)]
    assertContains(response, '<li class="error">A priority area needs a name.</li>', html=True)
    assert PriorityArea.objects.count() == count
    assert not AuditEvent.objects.filter(action__startswith="regions.").exists()


# --- refusals ---------------------------------------------------------------------------------------


@pytest.fixture
def ministry_officer_of_32(ministry):
    """Ministry staff with a provincial scope: not national, so no priority-area edits."""
    return make_user(organisation=ministry, role=Membership.Role.OFFICER, region_code="32")


@pytest.mark.parametrize("persona", ["officer_32", "officer_53", "ministry_officer_of_32"])
def test_only_national_ministry_staff_may_edit_or_create(db, request, client_of, persona):
    client = client_of(request.getfixturevalue(persona))
    before = state(NTT)

    responses = [
        client.get(edit_url(NTT)),
        client.post(edit_url(NTT), form_data(NTT, name="Diubah", remove=("53.01",))),
        client.post(edit_url(NTT), form_data(NTT, add="53.15"), headers={"HX-Request": "true"}),
        client.post("/konsol/kawasan/baru/", {"name": "Kawasan Baru"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert state(NTT) == before
    assert not PriorityArea.objects.filter(name="Kawasan Baru").exists()


@pytest.mark.parametrize("persona", [None, "officer_53", "ministry_officer_of_32"])
def test_the_services_refuse_anyone_but_national_ministry_staff(db, request, persona):
    by = request.getfixturevalue(persona) if persona else None
    area = PriorityArea.objects.get(slug=NTT)
    before = state(NTT)
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        update_priority_area(
            area=area, name="Diubah", description="", regency_roles={"53.15": "core"}, by=by
        )
    with pytest.raises(PermissionDenied):
        create_priority_area(name="Kawasan Baru", collection="", by=by)

    assert state(NTT) == before
    assert not PriorityArea.objects.filter(name="Kawasan Baru").exists()
    assert AuditEvent.objects.count() == events


def test_a_refusal_of_the_services_carries_its_code(db, national_admin):
    area = PriorityArea.objects.get(slug=NTT)
    before = state(NTT)
    with pytest.raises(Refused) as refused:
        update_priority_area(
            area=area, name="NTT", description="", regency_roles={}, by=national_admin
        )
    assert (refused.value.code, refused.value.messages) == (
        RegionsError.NO_REGENCIES,
        ["A priority area needs at least one regency."],
    )
    with pytest.raises(Refused) as refused:
        create_priority_area(name="  ", collection="", by=national_admin)
    assert (refused.value.code, refused.value.field) == (RegionsError.NAME_EMPTY, "name")
    assert state(NTT) == before


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client, db):
    before = state(NTT)

    responses = {
        "list": client.get("/konsol/kawasan/"),
        "detail": client.get(f"/konsol/kawasan/{NTT}/"),
        "edit": client.get(edit_url(NTT)),
        "save": client.post(edit_url(NTT), form_data(NTT, name="Diubah")),
        "create": client.post("/konsol/kawasan/baru/", {"name": "Kawasan Baru"}),
    }

    assert {name: (r.status_code, r.url) for name, r in responses.items()} == {
        "list": (302, "/masuk/?next=/konsol/kawasan/"),
        "detail": (302, f"/masuk/?next=/konsol/kawasan/{NTT}/"),
        "edit": (302, f"/masuk/?next={edit_url(NTT)}"),
        "save": (302, f"/masuk/?next={edit_url(NTT)}"),
        "create": (302, "/masuk/?next=/konsol/kawasan/baru/"),
    }
    assert state(NTT) == before


def test_an_unknown_area_is_404(client_of, national_admin):
    client = client_of(national_admin)

    assert client.get("/konsol/kawasan/tidak-ada/").status_code == 404
    assert client.get(edit_url("tidak-ada")).status_code == 404
