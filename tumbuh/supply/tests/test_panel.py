"""The supply panel on a business's console page (``supply.panels.enterprise_panel``, through the
registry's ``ENTERPRISE_PANELS`` hook): its suppliers and buyers with commodity, volume and how
the link is known; another side outside the viewer's regions is not named; no panel without
links."""

import pytest

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.supply import panels
from tumbuh.supply.services import links
from tumbuh.supply.tests.builders import BANJARAN, system_actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def processor():
    """A keripik maker with a grower that supplies it (declared, 300 kg a week, confirmed), a
    reseller it supplies (recorded by a mentor) and a buyer in Kupang, outside Jawa Barat."""
    maker = make_enterprise("Keripik Bu Sari", village=BANJARAN)
    grower = make_enterprise("Tani Singkong Makmur", village=DAYEUHKOLOT)
    reseller = make_enterprise("Toko Oleh-oleh Priangan", village=DAYEUHKOLOT)
    kupang = make_enterprise("Toko Oleh-oleh Kupang", village=NAMOSAIN)
    by = system_actor()
    links.declare_link(
        supplier=grower,
        buyer=maker,
        commodity="Singkong",
        commodity_kbli="01135",
        usual_volume=300,
        side=maker,
        by=by,
    )
    links.declare_link(
        supplier=grower,
        buyer=maker,
        commodity="Ubi kayu",
        commodity_kbli="01135",
        side=grower,
        by=by,
    )
    links.record_link_by_mentor(
        supplier=maker, buyer=reseller, commodity="Keripik singkong", unit="pak", by=by
    )
    links.declare_link(
        supplier=maker, buyer=kupang, commodity="Keripik singkong", unit="pak", side=maker, by=by
    )
    return maker, grower, reseller


def test_the_console_page_of_a_business_shows_its_suppliers_and_buyers(
    client_of, officer_32, processor
):
    maker, grower, reseller = processor
    response = client_of(officer_32).get(maker.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    panel = html[html.index('<section aria-labelledby="supply-panel">') :]
    panel = panel[: panel.index("</section>")]
    suppliers, buyers = panel.split("<h3>Buyers</h3>")
    assert f'<a href="{grower.get_absolute_url()}">Tani Singkong Makmur</a>' in suppliers
    assert "(KBLI 01135)" in suppliers and "300 kg per week" in suppliers
    assert "confirmed by both sides" in suppliers
    assert f'<a href="{reseller.get_absolute_url()}">Toko Oleh-oleh Priangan</a>' in buyers
    assert "recorded by a mentor" in buyers and "declared by one side" in buyers
    # the buyer in Kupang is outside the Jawa Barat officer's regions: not named
    assert "Kupang" not in html and "a business outside your regions" in buyers
    # the panel comes after the business's journey, before its partner rows
    assert html.index("Digital journey") < html.index("supply-panel") < html.index("Partner rows")


def test_a_business_without_links_has_no_panel(client_of, officer_32, processor):
    alone = make_enterprise("Warung Bu Imas", village=DAYEUHKOLOT)
    assert panels.enterprise_panel(enterprise=alone, user=officer_32) is None
    html = client_of(officer_32).get(alone.get_absolute_url()).content.decode()
    assert "supply-panel" not in html


def test_the_panel_from_the_other_side(national_admin, processor):
    _maker, grower, _reseller = processor
    html = panels.enterprise_panel(enterprise=grower, user=national_admin)
    suppliers, buyers = html.split("<h3>Buyers</h3>")
    assert "None recorded." in suppliers
    assert "Keripik Bu Sari" in buyers and "300 kg per week" in buyers


def test_the_registry_page_shows_each_panel_the_setting_lists(client_of, officer_32, settings):
    business = make_enterprise("Warung Bu Imas", village=DAYEUHKOLOT)
    settings.ENTERPRISE_PANELS = [
        "tumbuh.supply.tests.test_panel.panel_saying_hello",
        "tumbuh.supply.tests.test_panel.panel_with_nothing",
    ]
    html = client_of(officer_32).get(business.get_absolute_url()).content.decode()
    assert html.count("<p>Hello Warung Bu Imas</p>") == 1
    assert "nothing" not in html


def panel_saying_hello(*, enterprise, user):
    from django.utils.html import format_html

    return format_html("<p>Hello {}</p>", enterprise.name)


def panel_with_nothing(*, enterprise, user):
    return None
