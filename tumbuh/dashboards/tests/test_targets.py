"""The targets page: current targets in scope with their history, and the form that sets one
through ``services.set_target`` (Post/Redirect/Get; a refusal writes nothing)."""

import pytest

from tumbuh.accounts.models import Membership
from tumbuh.conftest import make_user
from tumbuh.dashboards import queries, services
from tumbuh.dashboards.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/konsol/dasbor/target/"


def form(**fields):
    values = {
        "region_code": "32.04",
        "year": queries.current_year(),
        "milestone": "store_live",
        "count": "50",
        "reason": "RPJMD Kabupaten Bandung",
    }
    return {**values, **fields}


def test_an_officer_sets_a_target_and_sees_it_with_its_history(client_of, officer_32):
    client = client_of(officer_32)
    year = queries.current_year()

    response = client.post(URL, form())
    assert (response.status_code, response["Location"]) == (302, URL)
    client.post(URL, form(count="80", reason="Revisi"))

    rows = list(
        Target.objects.order_by("id").values_list(
            "region_code", "year", "milestone", "count", "reason", "set_by"
        )
    )
    assert rows == [
        ("32.04", year, "store_live", 50, "RPJMD Kabupaten Bandung", officer_32.pk),
        ("32.04", year, "store_live", 80, "Revisi", officer_32.pk),
    ]
    page = client.get(URL)
    groups = page.context["groups"]
    assert [(g["current"].count, [h.count for h in g["history"]]) for g in groups] == [(80, [50])]
    html = page.content.decode()
    assert 'href="/konsol/dasbor/wilayah/32.04/"' in html
    assert "Target set: 80 businesses online store live in Kabupaten Bandung" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"milestone": "bogus"},
            "milestone",
            "Select a valid choice. bogus is not one of the available choices.",
        ),
        ({"region_code": "53"}, "region_code", "You may not set targets for this region."),
        ({"region_code": ""}, "region_code", "You may not set targets for this region."),
        ({"region_code": "32.99"}, "region_code", "There is no region with the code 32.99."),
        ({"year": "2019"}, "year", "Ensure this value is greater than or equal to 2020."),
        ({"count": "-1"}, "count", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_refused_target_re_renders_the_form_and_writes_nothing(
    client_of, officer_32, fields, field, message
):
    response = client_of(officer_32).post(URL, form(**fields))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Target.objects.count() == 0


def test_the_list_shows_only_targets_in_scope(client_of, national_admin, officer_32):
    year = queries.current_year()
    for region in ("", "32", "53", "32.04"):
        services.set_target(
            region_code=region, year=year, milestone="trained", count=5, by=national_admin
        )
    groups = client_of(officer_32).get(URL).context["groups"]
    assert [g["current"].region_code for g in groups] == ["32", "32.04"]
    national = client_of(national_admin).get(URL).context["groups"]
    assert [g["current"].region_code for g in national] == ["", "32", "32.04", "53"]


def test_a_planner_sees_the_targets_but_may_not_set_them(client_of, office_32):
    planner = make_user(organisation=office_32, role=Membership.Role.PLANNER)
    client = client_of(planner)

    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="count"' not in page.content.decode()
    assert client.post(URL, form()).status_code == 403
    assert Target.objects.count() == 0


def test_a_mentor_may_not_open_the_targets(client_of, mentor_32):
    assert client_of(mentor_32).get(URL).status_code == 403


def test_the_list_runs_a_bounded_number_of_queries(
    client_of, national_admin, django_assert_max_num_queries
):
    year = queries.current_year()
    client = client_of(national_admin)
    services.set_target(
        region_code="32", year=year, milestone="trained", count=4, by=national_admin
    )
    client.get(URL)  # the names of the provinces and regencies are read once per process
    for region in ("", "32", "53", "32.04", "91.03"):
        for count in (5, 6):
            services.set_target(
                region_code=region, year=year, milestone="trained", count=count, by=national_admin
            )
    with django_assert_max_num_queries(6):
        page = client.get(URL)
    assert len(page.context["groups"]) == 5


def test_national_staff_set_the_national_target_as_id_or_empty(client_of, national_admin):
    client = client_of(national_admin)
    for code, count in (("ID", "30000000"), ("", "31000000")):
        response = client.post(URL, form(region_code=code, count=count, reason=""))
        assert response.status_code == 302
    assert list(Target.objects.order_by("id").values_list("region_code", "count")) == [
        ("", 30_000_000),
        ("", 31_000_000),
    ]


def test_a_partner_membership_widens_no_target_scope(officer_32):
    """An officer of province 32 who is also a national partner's admin sets targets in 32 only."""
    from django.core.exceptions import PermissionDenied

    from tumbuh.accounts import services as account_services
    from tumbuh.accounts.models import Organisation
    from tumbuh.conftest import make_organisation

    marketplace = make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code="")
    account_services.grant_membership(
        user=officer_32,
        organisation=marketplace,
        role=Membership.Role.ADMIN,
        by=account_services.system_actor(),
    )

    assert services.may_set_target(officer_32, "32.04")
    assert not services.may_set_target(officer_32, "53")
    with pytest.raises(PermissionDenied):
        services.set_target(
            region_code="53", year=2026, milestone="store_live", count=5, by=officer_32
        )
    assert not Target.objects.filter(region_code="53").exists()
