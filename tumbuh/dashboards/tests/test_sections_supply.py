"""The supply section: the programme's supply measures per regency, added up to the province and
the country, on the dashboard pages and in the stats API (the chain is the supply tests' own)."""

import pytest

from tumbuh.dashboards import sections
from tumbuh.dashboards.tests.test_sections import figures, panel
from tumbuh.supply.tests import test_chain

hand_made = test_chain.hand_made  # the hand-made chain's fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EXPECTED = {
    ("processors", ""): 2,
    ("processors_trained", ""): 2,
    ("processors_trained_digital", ""): 1,
    ("b2b_value", ""): 1_520_000,
    ("bought_value", ""): 2_020_000,
    ("bought_inside_value", ""): 1_770_000,
}


def test_the_measures_per_regency_add_up_to_the_province_and_the_country(hand_made):
    sections.refresh_sections()
    assert figures("supply", "32.04") == EXPECTED
    assert figures("supply", "32") == EXPECTED
    assert figures("supply", "") == EXPECTED
    assert figures("supply", "53.71") == {}  # the Kupang grower buys and processes nothing

    shown = panel("32", "supply")
    assert [(row.label, row.cells[0].text) for row in shown.rows] == [
        ("Processors in the chains", "2"),
        ("Trained processors", "2"),
        ("Trained processors with a digital B2B order", "1"),
        ("Share of trained processors with a digital B2B order", "50 %"),
        ("B2B value paid", "Rp1.520.000"),
        ("Bought by the priority areas' buyers", "Rp2.020.000"),
        ("Share sourced inside the buyer's priority area", "87.6 %"),
    ]


def test_the_dashboard_page_and_the_api_show_the_section(
    client_of,
    national_admin,
    hand_made,
):
    sections.refresh_sections()
    client = client_of(national_admin)
    page = client.get("/konsol/dasbor/wilayah/32/").content.decode()
    assert 'id="section-supply"' in page and "Rp1.520.000" in page

    answer = client.get("/api/v1/stats/supply", {"region": "32.04"}).json()
    assert answer["area"] == "supply"
    assert {(f["measure"], f["dimension"]): f["value"] for f in answer["figures"]} == EXPECTED
    assert answer["rows"][3] == {
        "label": "Share of trained processors with a digital B2B order",
        "values": [50.0],
    }
