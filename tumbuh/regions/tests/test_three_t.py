"""3T flags: a regency is 3T when any of its designations in programme/regions_3t.csv holds, and a
village is 3T when its regency is (docs/decisions/0002-3t-is-the-union.md)."""

import pytest

from tumbuh.regions.models import Regency, ThreeTDesignation, Village
from tumbuh.regions.tests.helpers import in_session, shipped_rows

DISADVANTAGED = ThreeTDesignation.Category.DISADVANTAGED
LAND_BORDER = ThreeTDesignation.Category.LAND_BORDER
OUTERMOST = ThreeTDesignation.Category.OUTERMOST_SMALL_ISLAND


def flags(regency: Regency) -> dict[str, bool]:
    return {
        "is_disadvantaged": regency.is_disadvantaged,
        "is_land_border": regency.is_land_border,
        "has_outermost_small_island": regency.has_outermost_small_island,
        "is_3t": regency.is_3t,
    }


def categories(code: str) -> list[str]:
    return list(
        ThreeTDesignation.objects.filter(regency_id=code)
        .order_by("category")
        .values_list("category", flat=True)
    )


@pytest.mark.parametrize(
    ("code", "name", "expected_flags", "expected_categories"),
    [
        # Daerah tertinggal only (Perpres 63/2020).
        ("53.12", "Kabupaten Sumba Barat", (True, False, False, True), [DISADVANTAGED]),
        # Daerah tertinggal and on the land border with Timor-Leste.
        ("53.04", "Kabupaten Belu", (True, True, False, True), [DISADVANTAGED, LAND_BORDER]),
        # On the land border with Papua New Guinea only.
        ("91.71", "Kota Jayapura", (False, True, False, True), [LAND_BORDER]),
        # Daerah tertinggal and on the land border.
        ("91.11", "Kabupaten Keerom", (True, True, False, True), [DISADVANTAGED, LAND_BORDER]),
        # An outermost small island only; the one 3T regency of Jawa Barat.
        ("91.10", "Kabupaten Sarmi", (False, False, True, True), [OUTERMOST]),
        ("32.06", "Kabupaten Tasikmalaya", (False, False, True, True), [OUTERMOST]),
        # All three.
        ("53.01", "Kabupaten Kupang", (True, True, True, True), [DISADVANTAGED, LAND_BORDER, OUTERMOST]),
        # Not 3T.
        ("32.73", "Kota Bandung", (False, False, False, False), []),
        ("53.71", "Kota Kupang", (False, False, False, False), []),
    ],
)  # fmt: skip
def test_a_regency_has_the_flags_of_its_designations(
    db, code, name, expected_flags, expected_categories
):
    regency = Regency.objects.get(code=code)

    assert regency.name == name
    assert flags(regency) == dict(
        zip(
            ["is_disadvantaged", "is_land_border", "has_outermost_small_island", "is_3t"],
            expected_flags,
            strict=True,
        )
    )
    assert categories(code) == expected_categories


@pytest.mark.parametrize(
    ("code", "name", "is_3t"),
    [
        ("53.12.04.2001", "Loko Ry", True),  # Sumba Barat
        ("53.04.01.2001", "Kewar", True),  # Belu
        ("91.71.01.1001", "Gurabesi", True),  # Kota Jayapura
        ("91.10.01.1001", "Mararena", True),  # Sarmi
        ("32.73.01.1001", "Sukarasa", False),  # Kota Bandung
        ("32.04.12.2002", "Dayeuhkolot", False),  # Kabupaten Bandung
    ],
)
def test_a_village_is_3t_when_its_regency_is(db, code, name, is_3t):
    village = Village.objects.select_related("regency").get(code=code)

    assert (village.name, village.is_3t) == (name, is_3t)


def test_the_3t_regencies_of_the_session_provinces_are_exactly_those_of_the_file(db):
    designations = [
        row for row in shipped_rows("regions_3t.csv") if in_session(row["regency_code"])
    ]
    expected = {}
    for row in designations:
        expected.setdefault(row["regency_code"], set()).add(row["category"])

    assert sorted(Regency.objects.filter(is_3t=True).values_list("code", flat=True)) == sorted(
        expected
    )
    assert len(expected) == 21  # 1 in Jawa Barat, 14 in NTT, 6 in Papua
    loaded = {}
    for regency, category in ThreeTDesignation.objects.values_list("regency_id", "category"):
        loaded.setdefault(regency, set()).add(category)
    assert loaded == expected
    assert ThreeTDesignation.objects.count() == len(designations) == 31
