"""The console home (``/konsol/``) leads with the headline of the person's dashboard: the
businesses and the stores live of their widest region against its targets, as of the last fold."""

import pytest
from django.conf import settings

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import make_organisation, make_user
from tumbuh.dashboards.tests.test_console import build_world

pytestmark = pytest.mark.django_db


def headline(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/konsol/")
    assert page.status_code == 200
    return page.context["headlines"], page.content.decode()


def test_the_national_admin_sees_the_country_against_its_targets(client_of, national_admin):
    build_world(national_admin)
    found, html = headline(client_of(national_admin), national_admin)

    assert len(found) == 1
    assert (found[0].title, found[0].url) == ("Programme dashboard", "/konsol/dasbor/")
    assert found[0].detail.startswith("National, as of ")
    # Five businesses (one in 3T Sarmi), no business target; three stores live against the
    # national target of 60 (set after 100: the latest counts).
    assert list(found[0].figures) == [
        ("businesses", "5", "1 in 3T regencies"),
        ("online store live", "3 of 60 (5%)", "1 in 3T regencies"),
    ]
    assert "3 of 60 (5%)" in html and 'href="/konsol/dasbor/"' in html


def test_a_provincial_officer_sees_their_province_only(client_of, national_admin, officer_32):
    build_world(national_admin)
    found, _html = headline(client_of(officer_32), officer_32)

    assert [(item.detail.split(",")[0], item.figures) for item in found] == [
        (
            "Jawa Barat",
            (
                ("businesses", "2", "0 in 3T regencies"),
                ("online store live", "2 of 10 (20%)", "0 in 3T regencies"),
            ),
        )
    ]


def test_partners_staff_get_no_headline(client_of, national_admin):
    build_world(national_admin)
    partner = make_organisation(kind=Organisation.Kind.MARKETPLACE, name="Pasar Digital")
    staff = make_user(organisation=partner, role=Membership.Role.ADMIN)
    found, html = headline(client_of(staff), staff)

    assert found == []
    assert "/konsol/dasbor/" not in html
