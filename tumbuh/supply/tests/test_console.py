"""The console's chain pages: the areas with their measures, an area's network drawn over its map
with the legend and the same nodes and edges as tables, and access by region."""

import re

import pytest
from django.urls import reverse

from tumbuh.accounts.models import Membership
from tumbuh.conftest import make_user
from tumbuh.programmes.tests.builders import make_area
from tumbuh.supply import chain
from tumbuh.supply.tests import test_chain

hand_made = test_chain.hand_made  # the hand-made chain's fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def kupang_area(db):
    return make_area(regencies=("53.71",), name="Kawasan Kupang")


def test_the_areas_list_shows_each_visible_area_with_its_measures(
    client_of,
    national_admin,
    hand_made,
    kupang_area,
):
    response = client_of(national_admin).get(reverse("supply:console-areas"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kawasan Bandung Selatan" in text and "Kawasan Kupang" in text
    assert "50 %" in text or "50,0 %" in text  # one of the two trained processors is digital
    assert "Rp1.520.000" in text  # B2B value paid to the area's buyers
    assert "87,6 %" in text  # sourced inside
    # The area with trade comes first; an area of whole provinces bounds no chain.
    assert text.index("Kawasan Bandung Selatan") < text.index("Kawasan Kupang")


def test_an_area_of_whole_provinces_is_not_listed(client_of, national_admin, kupang_area):
    from tumbuh.regions.models import PriorityArea, PriorityAreaRegency

    wide = PriorityArea.objects.create(slug="seluruh-ntt", name="Kawasan Seluruh NTT")
    PriorityAreaRegency.objects.create(
        area=wide, regency_id="53.71", role=PriorityAreaRegency.Role.PROVINCE
    )
    client = client_of(national_admin)
    text = client.get(reverse("supply:console-areas")).content.decode()
    assert "Kawasan Kupang" in text and "Kawasan Seluruh NTT" not in text
    assert client.get(reverse("supply:console-area", args=[wide.slug])).status_code == 404


def test_the_area_page_draws_the_network_with_a_legend_and_tables(
    client_of,
    national_admin,
    hand_made,
):
    area = hand_made["area"]
    response = client_of(national_admin).get(reverse("supply:console-area", args=[area.slug]))
    assert response.status_code == 200
    text = response.content.decode()
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert "<script" not in text.split("<main", 1)[-1]
    # One shape per business, at whole units (few: each with its title).
    assert len(re.findall(r'<path d="M\d+ \d+m', svg)) == 6
    assert "Keripik Bu Sari: " in svg
    for role in chain.ROLES.values():  # the legend, in the page's language
        assert str(role) in svg
    assert "stroke-width=" in svg
    # The same nodes and edges as tables, and the measures per regency.
    assert reverse("supply:console-business", args=[hand_made["maker"].public_id]) in text
    assert "Toko Oleh-oleh Rasa" in text and "Tani Pak Ujang" in text
    assert "40 pak" in text
    assert "32.04" in text and "Rp1.520.000" in text


def test_an_officer_of_ntt_cannot_see_a_jawa_barat_area(
    client_of,
    officer_53,
    officer_32,
    hand_made,
    kupang_area,
):
    area = hand_made["area"]
    client = client_of(officer_53)
    assert client.get(reverse("supply:console-area", args=[area.slug])).status_code == 404
    listing = client.get(reverse("supply:console-areas")).content.decode()
    assert "Kawasan Kupang" in listing and "Kawasan Bandung Selatan" not in listing
    client = client_of(officer_32)
    assert client.get(reverse("supply:console-area", args=[area.slug])).status_code == 200


def test_people_without_the_dashboards_are_refused(client_of, hand_made):
    seller = make_user()
    client = client_of(seller)
    assert client.get(reverse("supply:console-areas")).status_code == 403
    area = hand_made["area"]
    assert client.get(reverse("supply:console-area", args=[area.slug])).status_code == 403


def test_partner_staff_do_not_see_the_chains(client_of, hand_made):
    from tumbuh.programmes.tests.builders import make_partner

    partner_admin = make_user(organisation=make_partner(), role=Membership.Role.ADMIN)
    assert client_of(partner_admin).get(reverse("supply:console-areas")).status_code == 403


def test_the_areas_list_reads_a_fixed_number_of_queries(
    client_of, national_admin, hand_made, query_count
):
    client = client_of(national_admin)
    url = reverse("supply:console-areas")
    client.get(url)  # the session and the menu's memberships read once
    with query_count() as first:
        assert client.get(url).status_code == 200
    make_area(regencies=("53.71",), name="Kawasan Kupang")
    make_area(regencies=("32.04", "53.71"), name="Kawasan Lintas")
    with query_count() as more:
        text = client.get(url).content.decode()
    assert "Kawasan Lintas" in text
    assert len(more) == len(first)
