"""The dashboards' demo: targets through the service, idempotent, split exactly."""

import pytest
from django.utils import timezone

from tumbuh.core.demodata import DemoReport
from tumbuh.dashboards import demo
from tumbuh.dashboards.models import RollupClock, Target
from tumbuh.regions.models import Province


def test_a_split_is_proportional_and_sums_exactly():
    assert demo.split(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert demo.split(30_000_000, {"32": 49_000_000, "53": 5_500_000}) == {
        "32": 26_972_477,
        "53": 3_027_523,
    }
    assert demo.split(5, {}) == {}


@pytest.mark.django_db
def test_the_demo_sets_the_national_target_split_by_province_once():
    demo.load(seed=1, report=DemoReport())
    year = timezone.localdate().year
    national = Target.objects.get(region_code="", milestone="store_live", year=year)
    provinces = Target.objects.filter(milestone="store_live", year=year).exclude(region_code="")
    assert national.count == 30_000_000
    assert provinces.count() == Province.objects.filter(population__gt=0).count() == 3
    assert sum(provinces.values_list("count", flat=True)) == 30_000_000
    assert RollupClock.objects.filter(name="onboarding").exists()

    before = Target.objects.count()
    demo.load(seed=1, report=DemoReport())
    assert Target.objects.count() == before
