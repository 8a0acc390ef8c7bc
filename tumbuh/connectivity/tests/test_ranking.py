"""The blank-spot ranking: its exact order on a small case, the weights, and the reasons."""

import pytest

from tumbuh.connectivity import coverage
from tumbuh.connectivity.ranking import RankingWeights, population_estimates, rank_blank_spots
from tumbuh.connectivity.tests.helpers import (
    HAND_MADE,
    only_hand_made_villages,
    site_at,
    village_at,
)
from tumbuh.regions.models import Regency
from tumbuh.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def businesses(village, count, *, kind=Enterprise.Kind.UMKM):
    return [
        Enterprise.objects.create(name=f"Usaha {village.code} {n}", village=village, kind=kind)
        for n in range(count)
    ]


@pytest.fixture
def world():
    """Five villages far apart: a covered one, and four blank spots with 3, 2+BumDes, 0, 2."""
    only_hand_made_villages()
    covered, three, bumdes, empty, merged = (
        village_at(number, number * 50) for number in range(1, 6)
    )
    site_at(50, covered)
    businesses(covered, 9)
    businesses(three, 3)
    businesses(bumdes, 1)
    businesses(bumdes, 1, kind=Enterprise.Kind.BUMDES)
    first, _second, third = businesses(merged, 3)
    third.merged_into = first  # the same business reported twice counts once
    third.save()
    coverage.recompute()
    return covered, three, bumdes, empty, merged


def codes(ranking):
    return [spot.code for spot in ranking]


def test_default_weights_rank_bumdes_and_businesses_first(world):
    _covered, three, bumdes, empty, merged = world
    ranking = rank_blank_spots(region_code=HAND_MADE)
    assert codes(ranking) == [bumdes.code, three.code, merged.code, empty.code]
    assert [spot.rank for spot in ranking] == [1, 2, 3, 4]
    people = round(population_estimates(["53.71"])["53.71"])
    top = ranking[0]
    assert (top.enterprises, top.bumdes, top.people) == (2, 1, people)
    assert top.score == pytest.approx(2 * 1.0 + 1 * 5.0 + people / 1000)
    assert ranking[2].enterprises == 2  # merged records count once


def test_weights_change_the_order_and_ties_go_to_more_businesses_then_the_code(world):
    _covered, three, bumdes, empty, merged = world
    without_bumdes = rank_blank_spots(
        region_code=HAND_MADE, weights=RankingWeights(bumdes=0, people=0)
    )
    assert codes(without_bumdes) == [three.code, bumdes.code, merged.code, empty.code]
    assert without_bumdes[1].score == without_bumdes[2].score == 2
    only_people = rank_blank_spots(
        region_code=HAND_MADE, weights=RankingWeights(enterprise=0, bumdes=0)
    )
    # Same population estimate everywhere: the businesses break the tie, then the code.
    assert codes(only_people) == [three.code, bumdes.code, merged.code, empty.code]


def test_reasons_say_what_makes_the_score(world):
    _covered, _three, _bumdes, _empty, _merged = world
    Regency.objects.filter(code="53.71").update(is_disadvantaged=True, is_3t=True)
    top = rank_blank_spots(region_code=HAND_MADE)[0]
    assert top.is_3t
    assert "2 usaha menunggu" in top.reasons
    assert "1 BumDes" in top.reasons
    assert "daerah 3T" in " ".join(top.reasons)
    assert any(reason.startswith("sinyal terbaik saat ini") for reason in top.reasons)


def test_weights_from_a_form_keep_defaults_for_bad_values():
    weights = RankingWeights.from_mapping({"enterprise": "2,5", "bumdes": "abc", "people": "-4"})
    assert weights == RankingWeights(enterprise=2.5, bumdes=5.0, people=0.0, three_t=10.0)


def test_an_officer_ranks_only_their_province(world, officer_32):
    assert rank_blank_spots(officer_32, region_code=HAND_MADE) == []
    ranked = rank_blank_spots(officer_32, limit=50)
    assert ranked and all(spot.code.startswith("32.") for spot in ranked)
