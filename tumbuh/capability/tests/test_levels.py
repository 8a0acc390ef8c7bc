"""Levels by region: which assessment counts for a business, and work that does not grow with
businesses × assessments (the whole-country demo's capability console took 17 s, past the
server's 30 s worker timeout under load)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.capability import queries
from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, MIXED, assess
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import merge_enterprises


def _levels(actor, **filters):
    return {
        area.code: (area.businesses, area.level_counts())
        for area in queries.levels_by_region(actor, **filters)
    }


def test_the_latest_assessment_of_a_business_or_its_merged_records_counts(
    national_admin, instrument
):
    # Survivor A, B merged into A, then C merged into B's survivor: C's assessment is the latest.
    a = make_enterprise("A", village=DAYEUHKOLOT)
    b = make_enterprise("B", village=DAYEUHKOLOT)
    c = make_enterprise("C", village=NAMOSAIN)
    assess(instrument, a, LOWEST, days_ago=30)
    assess(instrument, b, MIXED, days_ago=20)
    assess(instrument, c, HIGHEST, days_ago=10, mode="self")
    merge_enterprises(keep=a, drop=b, by=system_actor())
    merge_enterprises(keep=a, drop=c, by=system_actor())
    # A two-step chain, as an older merge leaves it: D into E, E into A.
    d = make_enterprise("D", village=NAMOSAIN)
    e = make_enterprise("E", village=NAMOSAIN)
    assess(instrument, d, MIXED, days_ago=5)
    Enterprise.objects.filter(pk=d.pk).update(merged_into=e)
    Enterprise.objects.filter(pk=e.pk).update(merged_into=a)
    lone = make_enterprise("Sendiri", village=NAMOSAIN)
    assess(instrument, lone, LOWEST, days_ago=3)

    # A (Jawa Barat) counts once, at D's level 3 (the latest of its five records); NTT has the
    # lone business at level 1. Merged records count where their survivor is.
    assert _levels(national_admin) == {
        "32": (1, [0, 0, 1, 0, 0]),
        "53": (1, [1, 0, 0, 0, 0]),
    }
    # Before D's and the lone business's assessments: C's level 5.
    day = timezone.now() - timedelta(days=7)
    assert _levels(national_admin, as_of=day) == {"32": (1, [0, 0, 0, 0, 1]), "53": (1, [0] * 5)}
    # Self-assessments only: C's.
    assert _levels(national_admin, mode="self") == {
        "32": (1, [0, 0, 0, 0, 1]),
        "53": (1, [0] * 5),
    }
    # Regencies of Jawa Barat; an officer of Jawa Barat sees only their province.
    assert _levels(national_admin, region="32") == {"32.04": (1, [0, 0, 1, 0, 0])}


def test_an_officer_counts_only_businesses_in_their_province(officer_32, instrument):
    inside = make_enterprise("Di Jawa Barat", village=DAYEUHKOLOT)
    outside = make_enterprise("Di NTT", village=NAMOSAIN)
    assess(instrument, inside, MIXED, days_ago=1)
    assess(instrument, outside, HIGHEST, days_ago=1)
    assert _levels(officer_32) == {"32": (1, [0, 0, 1, 0, 0])}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual machine steps")
def test_the_work_does_not_grow_with_businesses_times_assessments(national_admin, instrument):
    """SQLite counts the steps of its virtual machine: adding 1,000 businesses that were never
    assessed adds work in proportion to them alone (the totals), not to them × the 40
    assessments (a latest-assessment lookup per business did ~20 steps per assessment each)."""
    for number in range(40):
        assess(instrument, make_enterprise(f"Dinilai {number}"), MIXED, days_ago=number)

    def add_unassessed(count):
        Enterprise.objects.bulk_create(
            Enterprise(name=f"Belum {number}", village_id=DAYEUHKOLOT) for number in range(count)
        )

    def steps():
        counted = [0]

        def count():
            counted[0] += 1
            return 0

        connection.ensure_connection()
        connection.connection.set_progress_handler(count, 1)
        try:
            areas = queries.levels_by_region(national_admin)
        finally:
            connection.connection.set_progress_handler(None, 1)
        return counted[0], areas

    add_unassessed(1_000)
    before, areas = steps()
    assert [(a.code, a.businesses, a.level_counts()) for a in areas] == [
        ("32", 1_040, [0, 0, 40, 0, 0])
    ]
    add_unassessed(1_000)
    after, areas = steps()
    assert areas[0].businesses == 2_040
    assert (after - before) / 1_000 < 100
