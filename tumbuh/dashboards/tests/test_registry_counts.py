"""The registry list's count of a long list of a whole region comes from the dashboards' rollups
(``settings.REGISTRY_COUNTS``, ``registry.queries.list_count``), labelled with the time they
were taken; every other list, and a short one, is counted. On both databases."""

import pytest
from django.urls import reverse

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.core import keyset
from tumbuh.dashboards import rollups
from tumbuh.registry import queries
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.queries import EnterpriseFilters
from tumbuh.registry.services import merge_enterprises, record_milestone

pytestmark = pytest.mark.django_db

REGENCY = DAYEUHKOLOT.rsplit(".", 2)[0]  # 32.04, Kab. Bandung
GEGERKALONG = "32.73.01.1002"  # Kota Bandung


@pytest.fixture
def registry():
    """Businesses in two provinces, of both kinds, some with milestones and one merged away (its
    milestone goes to the business it joined), all through the registry's own write paths; then
    the rollups take them in."""
    made = {}
    for number, (village, kind, scale) in enumerate(
        [
            (DAYEUHKOLOT, Enterprise.Kind.UMKM, "mikro"),
            (DAYEUHKOLOT, Enterprise.Kind.UMKM, "kecil"),
            (DAYEUHKOLOT, Enterprise.Kind.BUMDES, ""),
            (GEGERKALONG, Enterprise.Kind.UMKM, "mikro"),
            (GEGERKALONG, Enterprise.Kind.UMKM, "mikro"),
            (GEGERKALONG, Enterprise.Kind.UMKM, "menengah"),
            (NAMOSAIN, Enterprise.Kind.UMKM, "mikro"),
        ]
    ):
        made[number] = make_enterprise(f"Usaha {number}", village=village, kind=kind, scale=scale)
    by = system_actor()
    for number in (0, 1, 3, 6):
        record_milestone(
            enterprise=made[number], kind=Milestone.Kind.PAID_DIGITALLY, source="test", by=by
        )
    record_milestone(enterprise=made[4], kind=Milestone.Kind.NIB_ISSUED, source="test", by=by)
    merge_enterprises(keep=made[3], drop=made[4], by=by)
    rollups.apply_changes()
    return made


FILTERS = [
    EnterpriseFilters(),
    EnterpriseFilters(region="32"),
    EnterpriseFilters(region=REGENCY),
    EnterpriseFilters(region="32", milestone=Milestone.Kind.PAID_DIGITALLY),
    EnterpriseFilters(region="32", milestone=Milestone.Kind.NIB_ISSUED),
    EnterpriseFilters(region="32", kind=Enterprise.Kind.UMKM, scale="mikro"),
    EnterpriseFilters(milestone=Milestone.Kind.PAID_DIGITALLY),
    EnterpriseFilters(region="53", kind=Enterprise.Kind.BUMDES),
]


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_rollups_count_exactly_what_the_list_holds(
    registry, national_admin, monkeypatch, filters
):
    """Whatever the filters the rollups can answer, their figure is the list's length: the same
    businesses (merged records left out), the same milestones (a merged record's moved)."""
    monkeypatch.setattr(keyset, "COUNT_CAP", -1)  # every such list is "long", even an empty one
    listed = queries.registry_enterprises(national_admin, filters)

    count = queries.list_count(national_admin, filters, listed)

    assert count.as_of is not None
    assert count.value == listed.count()


def test_a_long_list_of_a_province_shows_the_rollups_figure_and_its_time(
    registry, client_of, national_admin, monkeypatch
):
    monkeypatch.setattr(keyset, "COUNT_CAP", 1)
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)  # a list of one page is counted by its page

    page = client_of(national_admin).get(reverse("registry:enterprise-list"), {"province": "32"})

    html = page.content.decode()
    assert "5 usaha cocok (angka dasbor per " in html
    api = "/api/v1/registry/enterprises"
    body = client_of(national_admin).get(api, {"region": "32", "limit": 2}).json()
    assert (body["count"], body["count_is_exact"]) == (5, False)
    assert body["count_as_of"] is not None


def test_an_officer_of_one_province_gets_the_figure_of_that_province(
    registry, officer_32, monkeypatch
):
    monkeypatch.setattr(keyset, "COUNT_CAP", 1)
    filters = EnterpriseFilters(milestone=Milestone.Kind.PAID_DIGITALLY)

    count = queries.list_count(
        officer_32, filters, queries.registry_enterprises(officer_32, filters)
    )

    assert (count.value, count.as_of is not None) == (3, True)


@pytest.mark.parametrize(
    "filters",
    [
        EnterpriseFilters(region="32", q="usaha"),
        EnterpriseFilters(region="32", kbli_section="C"),
        EnterpriseFilters(region="32", source="mitra"),
    ],
    ids=repr,
)
def test_a_list_the_rollups_cannot_answer_is_counted(
    registry, national_admin, monkeypatch, filters
):
    monkeypatch.setattr(keyset, "COUNT_CAP", 1)

    count = queries.list_count(
        national_admin, filters, queries.registry_enterprises(national_admin, filters)
    )

    assert count.as_of is None


def test_a_short_list_is_counted_live(registry, national_admin):
    """Below the cap the count is exact and up to date, whatever the rollups last took in."""
    make_enterprise("Usaha Baru", village=DAYEUHKOLOT)
    filters = EnterpriseFilters(region="32")

    count = queries.list_count(
        national_admin, filters, queries.registry_enterprises(national_admin, filters)
    )

    assert (count.value, count.is_exact, count.as_of) == (6, True, None)
