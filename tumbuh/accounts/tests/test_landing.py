"""Each person lands where their work is, and the console home links all of it.

Personas of every kind the demo has: ministry admin, planner, regional officer, partner admin,
mentor (with a mentor profile), halal-process mentor (the role without a profile), store manager,
business owner (a registry business account, no role), and a person with no role. The providers
are those of the apps (``settings.WORK_PROVIDERS``).
"""

import pytest

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.accounts.work import Specificity
from tumbuh.conftest import PASSWORD, make_enterprise, make_organisation, make_owner, make_user
from tumbuh.registry.services import link_account

NO_ROLE = ("has no role in any organisation", "belum memiliki peran")
Role = Membership.Role


def sign_in(client, user):
    client.logout()
    response = client.post("/masuk/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def console(client_of, user):
    response = client_of(user).get("/konsol/")
    assert response.status_code == 200
    return response


def links(response, key):
    return [(item.url, item.specificity) for item in response.context[key]]


def says_no_role(response) -> bool:
    body = response.content.decode()
    return any(text in body for text in NO_ROLE)


# --- builders ---------------------------------------------------------------------------------


def planner(ministry):
    return make_user(organisation=ministry, role=Role.PLANNER)


def partner_admin():
    marketplace = make_organisation(kind=Organisation.Kind.MARKETPLACE, name="Pasar Uji")
    return make_user(organisation=marketplace, role=Role.ADMIN)


def mentor_with_profile(enterprises=()):
    from tumbuh.programmes.tests.builders import assign, make_mentor

    mentor = make_mentor()
    for enterprise in enterprises:
        assign(mentor, enterprise)
    return mentor.user


def halal_mentor(office, *, cases=0):
    """The mentor role in a regional office, no programmes mentor profile, ``cases`` open
    halal cases assigned."""
    from tumbuh.licensing import services

    user = make_user(organisation=office, role=Role.MENTOR)
    for number in range(cases):
        enterprise = make_enterprise(
            f"Sambal {number}", scale="mikro", nib=f"91200012345{number:02d}"
        )
        services.start_halal_case(enterprise=enterprise, by=user, assigned_mentor=user)
    return user


def store_manager(*, stores=1):
    """A BumDes manager with the seller role and ``stores`` stores of the BumDes (drafts)."""
    from tumbuh.conftest import make_store

    bumdes_org = make_organisation(kind=Organisation.Kind.BUMDES, region_code="53.71")
    user = make_user(organisation=bumdes_org, role=Role.SELLER)
    for number in range(stores):
        enterprise = make_enterprise(f"BumDes Uji {number}", kind="bumdes")
        link_account(user=user, enterprise=enterprise, role="manager", by=system_actor())
        make_store(f"Toko BumDes {number}", enterprise=enterprise, live=False)
    return user


# --- landing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "planner", "officer", "partner_admin", "nobody"])
def test_staff_and_people_without_work_land_on_the_console(
    client, persona, national_admin, ministry, officer_32
):
    user = {
        "admin": national_admin,
        "planner": planner(ministry),
        "officer": officer_32,
        "partner_admin": partner_admin(),
        "nobody": make_user(),
    }[persona]
    assert sign_in(client, user) == "/konsol/"


def test_a_superuser_lands_on_the_console(client, db):
    from tumbuh.accounts.models import User

    user = User.objects.create_superuser("root@example.id", PASSWORD, full_name="Root")
    assert sign_in(client, user) == "/konsol/"


def test_a_mentor_lands_in_the_mentor_app(client, db):
    assert sign_in(client, mentor_with_profile()) == "/pendamping/"


def test_a_halal_mentor_without_a_profile_lands_on_their_cases(client, office_32):
    assert sign_in(client, halal_mentor(office_32, cases=2)) == "/konsol/perizinan/halal/?mentor=me"


def test_a_halal_mentor_with_no_case_lands_on_the_licensing_console(client, office_32):
    assert sign_in(client, halal_mentor(office_32)) == "/konsol/perizinan/"


def test_a_store_manager_lands_on_the_seller_pages(client, db):
    assert sign_in(client, store_manager()) == "/toko-saya/"


def test_an_owner_with_a_store_lands_on_the_seller_pages(client, db):
    from tumbuh.conftest import make_store

    enterprise = make_enterprise("Kopi Ani")
    owner = make_owner(enterprise)
    make_store("Toko Kopi Ani", enterprise=enterprise, live=False)
    assert sign_in(client, owner) == "/toko-saya/"


def test_an_owner_without_a_store_lands_at_their_business(client, db):
    owner = make_owner(make_enterprise("Keripik Ani"))
    assert sign_in(client, owner) == "/kecakapan-digital/"


def test_a_seller_not_linked_to_a_business_yet_lands_on_the_seller_pages(client, db):
    bumdes_org = make_organisation(kind=Organisation.Kind.BUMDES, region_code="53.71")
    assert sign_in(client, make_user(organisation=bumdes_org, role=Role.SELLER)) == "/toko-saya/"


def test_several_roles_land_on_the_most_specific_work(client, office_32):
    from tumbuh.accounts.services import grant_membership
    from tumbuh.conftest import make_store

    mentor = mentor_with_profile()
    grant_membership(user=mentor, organisation=office_32, role=Role.OFFICER, by=system_actor())
    assert sign_in(client, mentor) == "/pendamping/"  # mentor app before the console
    enterprise = make_enterprise("Warung Pendamping")
    link_account(user=mentor, enterprise=enterprise, by=system_actor())
    assert sign_in(client, mentor) == "/pendamping/"  # caseload before one's own business
    make_store("Toko Pendamping", enterprise=enterprise, live=False)
    assert sign_in(client, mentor) == "/toko-saya/"  # a store, where orders arrive, first
    officer_owner = make_owner(make_enterprise("Usaha Pejabat"))
    grant_membership(
        user=officer_owner, organisation=office_32, role=Role.OFFICER, by=system_actor()
    )
    assert sign_in(client, officer_owner) == "/kecakapan-digital/"


# --- the console home -------------------------------------------------------------------------


def test_the_console_home_of_an_officer_lists_their_console_pages(client_of, officer_32):
    response = console(client_of, officer_32)
    assert links(response, "own_work") == []
    assert links(response, "console_work") == [
        ("/konsol/organisasi/", Specificity.CONSOLE),
        ("/konsol/registri/impor/", Specificity.CONSOLE),
        ("/konsol/program/", Specificity.CONSOLE),
        ("/konsol/konektivitas/", Specificity.CONSOLE),
        ("/konsol/perizinan/", Specificity.CONSOLE),
        ("/konsol/dasbor/", Specificity.CONSOLE),
    ]
    assert not says_no_role(response)


def test_the_console_home_of_a_national_admin_includes_priority_areas(client_of, national_admin):
    response = console(client_of, national_admin)
    urls = [url for url, _level in links(response, "console_work")]
    assert urls == [
        "/konsol/organisasi/",
        "/konsol/kawasan/",
        "/konsol/organisasi/",
        "/konsol/registri/impor/",
        "/konsol/program/",
        "/konsol/konektivitas/",
        "/konsol/perizinan/",
        "/konsol/dasbor/",
    ]


def test_the_console_home_of_a_store_manager_links_the_store_and_business(client_of, settings, db):
    user = store_manager(stores=2)
    client = client_of(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/konsol/")
    assert links(response, "own_work") == [
        ("/toko-saya/", Specificity.STORE),
        ("/kecakapan-digital/", Specificity.BUSINESS),
        ("/rantai-pasok/", Specificity.BUSINESS),
    ]
    assert links(response, "console_work") == []
    store = response.context["own_work"][0]
    assert store.detail == "Toko BumDes 0 (draft), Toko BumDes 1 (draft)"
    assert not says_no_role(response)
    assert 'href="/toko-saya/"' in response.content.decode()


def test_the_console_home_of_an_owner_never_says_no_role(client_of, db):
    owner = make_owner(make_enterprise("Keripik Ani"))
    response = console(client_of, owner)
    assert links(response, "own_work") == [
        ("/kecakapan-digital/", Specificity.BUSINESS),
        ("/rantai-pasok/", Specificity.BUSINESS),
        ("/toko-saya/", Specificity.NEXT_STEP),
    ]
    assert response.context["own_work"][0].detail == "Keripik Ani"
    assert not says_no_role(response)


def test_the_console_home_of_a_halal_mentor_links_their_cases(client_of, office_32):
    response = console(client_of, halal_mentor(office_32, cases=2))
    assert links(response, "own_work") == [
        ("/konsol/perizinan/halal/?mentor=me", Specificity.CASES)
    ]
    assert response.context["own_work"][0].detail in ("2 open cases", "2 kasus terbuka")
    assert not says_no_role(response)


def test_the_console_home_of_a_mentor_links_the_mentor_app_not_a_403(client_of, db):
    from tumbuh.programmes.tests.builders import make_mentor

    with_profile = mentor_with_profile([make_enterprise("Binaan 1"), make_enterprise("Binaan 2")])
    response = console(client_of, with_profile)
    assert links(response, "own_work") == [
        ("/pendamping/", Specificity.CASELOAD),
        ("/konsol/perizinan/", Specificity.CASES),
    ]
    assert response.context["own_work"][0].detail.startswith("2 ")
    # A mentor whose profile was closed has no mentor app any more: it is not linked.
    closed = make_mentor(is_active=False)
    response = console(client_of, closed.user)
    assert links(response, "own_work") == [("/konsol/perizinan/", Specificity.CASES)]


def test_the_console_home_of_a_person_without_work_says_how_to_get_a_role(client_of, db):
    response = console(client_of, make_user())
    assert links(response, "own_work") == [] and links(response, "console_work") == []
    assert says_no_role(response)


def test_the_console_home_lists_every_role_in_a_bounded_number_of_queries(
    client_of, office_32, query_count
):
    from tumbuh.accounts.services import grant_membership
    from tumbuh.conftest import make_store
    from tumbuh.licensing import services as licensing
    from tumbuh.programmes.tests.builders import assign

    user = store_manager(stores=1)
    grant_membership(user=user, organisation=office_32, role=Role.OFFICER, by=system_actor())
    grant_membership(user=user, organisation=office_32, role=Role.MENTOR, by=system_actor())
    from tumbuh.programmes.models import Mentor

    mentor = Mentor.objects.create(user=user, organisation=office_32, region_code="32.04")
    client = client_of(user)
    client.get("/konsol/")  # the region names are cached once per process
    with query_count() as queries:
        response = client.get("/konsol/")
    first = len(queries)
    assert [url for url, _level in links(response, "own_work")] == [
        "/toko-saya/",
        "/pendamping/",
        "/konsol/perizinan/",
        "/kecakapan-digital/",
        "/rantai-pasok/",
    ]
    # More stores, businesses, caseload, cases and memberships: the same number of queries.
    for number in range(3):
        enterprise = make_enterprise(
            f"Usaha Tambahan {number}", scale="mikro", nib=f"9120009{number:06d}"
        )
        link_account(user=user, enterprise=enterprise, by=system_actor())
        make_store(f"Toko Tambahan {number}", enterprise=enterprise, live=False)
        assign(mentor, make_enterprise(f"Binaan {number}"))
        licensing.start_halal_case(enterprise=enterprise, by=user, assigned_mentor=user)
        grant_membership(
            user=user,
            organisation=make_organisation(region_code="32"),
            role=Role.PLANNER,
            by=system_actor(),
        )
    client.get("/konsol/")  # folds the dashboards' pending changes of the records added
    with query_count() as queries:
        response = client.get("/konsol/")
    assert len(queries) == first, [q["sql"] for q in queries]
    # The console menu reads the memberships once more; the dashboard's headline reads the
    # population, the pending changes, the counts, the targets and the rollup clock; the supply
    # entry reads the businesses and counts their open B2B orders.
    assert first == 19
    assert [url for url, _level in links(response, "own_work")] == [
        "/toko-saya/",
        "/pendamping/",
        "/konsol/perizinan/halal/?mentor=me",
        "/kecakapan-digital/",
        "/rantai-pasok/",
    ]
