"""Times in the zone of their place (core.times): zones by place, midnight crossings in all three
zones, the words shown in both languages, and the template filters and tag."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, make_enterprise
from tumbuh.core import times

UTC = datetime.UTC


def at_utc(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


# New Year's Eve 16:30 UTC: still 2025 in Jakarta, already 2026 in Kupang and in Jayapura.
NEW_YEAR = at_utc(2025, 12, 31, 16, 30)


@pytest.mark.parametrize(
    ("place", "zone"),
    [
        (DAYEUHKOLOT, "WIB"),
        (NAMOSAIN, "WITA"),
        (SENTANI_KOTA, "WIT"),
        ("53", "WITA"),
        ("51.71", "WITA"),  # Kota Denpasar
        ("64.72.01", "WITA"),  # a district of Kota Samarinda (Kalimantan Timur)
        ("62", "WIB"),  # Kalimantan Tengah is WIB, its neighbours are WITA
        ("81", "WIT"),
        ("96", "WIT"),  # Papua Barat Daya (2022)
        ("WITA", "WITA"),
        (None, "WIB"),
    ],
)
def test_the_zone_of_a_place_by_its_code(place, zone):
    assert times.zone_name(place) == zone


@pytest.mark.django_db
def test_the_zone_of_a_region_a_business_and_a_province_with_its_stored_zone():
    from tumbuh.regions.models import Province, Village

    assert times.zone_name(Village.objects.get(code=SENTANI_KOTA)) == "WIT"
    assert times.zone_name(make_enterprise("Abon Ikan", village=NAMOSAIN)) == "WITA"
    kupang_province = Province.objects.get(code="53")
    assert times.zone_name(kupang_province) == "WITA"
    assert str(kupang_province.zoneinfo) == "Asia/Makassar"
    # The stored zone is the province's word; the loader writes it by the same rule.
    assert {p.code: p.time_zone for p in Province.objects.all()} == {
        p.code: times.zone_of_province(p.code) for p in Province.objects.all()
    }


def test_not_a_place_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        times.zone_name("WITA-ish")
    with pytest.raises(TypeError):
        times.zone_name(42)
    with pytest.raises(ValueError):
        times.local_time(datetime.datetime(2026, 4, 1, 20), "53")  # a naive time is no moment
    with pytest.raises(ValueError):
        times.local_time(NEW_YEAR, "53", "weekday")


@pytest.mark.parametrize(
    ("place", "wall", "day"),
    [
        ("32", "31 Des 2025 23.30 WIB", datetime.date(2025, 12, 31)),
        ("53", "1 Jan 2026 00.30 WITA", datetime.date(2026, 1, 1)),
        ("91", "1 Jan 2026 01.30 WIT", datetime.date(2026, 1, 1)),
    ],
)
def test_one_moment_on_new_years_eve_in_the_three_zones(place, wall, day):
    with translation.override("id"):
        assert times.local_time(NEW_YEAR, place) == wall
        assert times.local_time(NEW_YEAR, place, "date") == wall.rsplit(" ", 2)[0]
    assert times.local_date(NEW_YEAR, place) == day
    assert times.today(place, now=NEW_YEAR) == day


@pytest.mark.parametrize(
    ("moment", "place", "expected"),
    [
        # The last minute of a day and the first of the next, in each zone.
        (at_utc(2026, 3, 31, 16, 59), "32", "23.59 WIB"),
        (at_utc(2026, 3, 31, 17, 0), "32", "00.00 WIB"),
        (at_utc(2026, 3, 31, 15, 59), "53", "23.59 WITA"),
        (at_utc(2026, 3, 31, 16, 0), "53", "00.00 WITA"),
        (at_utc(2026, 3, 31, 14, 59), "91", "23.59 WIT"),
        (at_utc(2026, 3, 31, 15, 0), "91", "00.00 WIT"),
    ],
)
def test_midnight_in_each_zone(moment, place, expected):
    with translation.override("id"):
        assert times.local_time(moment, place, "time") == expected
    day = datetime.date(2026, 4, 1) if expected.startswith("00") else datetime.date(2026, 3, 31)
    assert times.local_date(moment, place) == day
    start, end = times.day_bounds(day, place)
    assert start <= moment < end
    assert end - start == datetime.timedelta(days=1)


def test_day_bounds_are_the_places_midnights():
    day = datetime.date(2026, 4, 1)
    assert times.day_bounds(day, "32") == (at_utc(2026, 3, 31, 17), at_utc(2026, 4, 1, 17))
    assert times.day_bounds(day, "53") == (at_utc(2026, 3, 31, 16), at_utc(2026, 4, 1, 16))
    assert times.day_bounds(day, "91") == (at_utc(2026, 3, 31, 15), at_utc(2026, 4, 1, 15))


def test_every_style_in_both_languages():
    moment = at_utc(2026, 4, 1, 12, 5)  # 20.05 in Kupang, a Wednesday
    expected = {
        "id": {
            "time": "20.05 WITA",
            "short": "1 Apr 20.05 WITA",
            "datetime": "1 Apr 2026 20.05 WITA",
            "long": "Rabu, 1 April 2026 20.05 WITA",
            "date": "1 Apr 2026",
            "long_date": "1 April 2026",
        },
        "en": {
            "time": "20:05 WITA",
            "short": "1 Apr 20:05 WITA",
            "datetime": "1 Apr 2026 20:05 WITA",
            "long": "Wednesday, 1 April 2026 20:05 WITA",
            "date": "1 Apr 2026",
            "long_date": "1 April 2026",
        },
    }
    for language, styles in expected.items():
        with translation.override(language):
            assert {style: times.local_time(moment, NAMOSAIN, style) for style in styles} == styles


def test_a_wall_clock_time_typed_for_a_place_is_a_moment_there():
    wall = datetime.datetime(2026, 4, 1, 20, 0)
    assert times.moment_at(wall, "53") == at_utc(2026, 4, 1, 12)
    assert times.moment_at(wall, "91") == at_utc(2026, 4, 1, 11)
    assert times.moment_at(wall, "32") == at_utc(2026, 4, 1, 13)
    assert times.input_value(at_utc(2026, 4, 1, 12), "53") == "2026-04-01T20:00"
    assert times.input_value(at_utc(2026, 3, 31, 15, 30), "91") == "2026-04-01T00:30"
    with pytest.raises(ValueError):
        times.moment_at(at_utc(2026, 4, 1, 12), "53")
    assert [times.utc_offset_minutes(code) for code in ("32", "53", "91")] == [420, 480, 540]


def test_in_the_future_means_beyond_the_clock_skew():
    now = at_utc(2026, 4, 1, 14, 30)  # 21.30 WIB, 22.30 WITA
    assert not times.is_in_future(now + times.CLOCK_SKEW, now=now)
    assert times.is_in_future(now + times.CLOCK_SKEW + datetime.timedelta(seconds=1), now=now)
    assert times.future_problem(now, place="53", what="The visit time", now=now) == ""
    with translation.override("en"):
        problem = times.future_problem(
            now + datetime.timedelta(hours=1), place="53", what="The visit time", now=now
        )
    assert problem == (
        "The visit time (1 Apr 2026 23:30 WITA) is in the future: it is now 1 Apr 2026 22:30 "
        "WITA there. Check the date and the time, and the phone's clock."
    )


def test_templates_show_the_places_time_whatever_the_servers_zone():
    """The old bug: a time converted to WITA, then back to Jakarta by the template's ``time``
    filter, and labelled WITA ("19:00 WITA" for 20:00 WITA)."""
    template = Template(
        '{% load tumbuh %}{% local_time moment place "time" %}|{{ moment|in_zone:place }}|'
        "{{ moment|date_in_zone:place }}|{{ nothing|in_zone:place }}"
    )
    moment = at_utc(2026, 4, 1, 16, 30)  # 23.30 WIB, 00.30 WITA on 2 April, 01.30 WIT
    with translation.override("id"), timezone.override("Asia/Jakarta"):
        rendered = {
            place: template.render(Context({"moment": moment, "place": place, "nothing": None}))
            for place in (DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA)
        }
    assert rendered == {
        DAYEUHKOLOT: "23.30 WIB|1 Apr 2026 23.30 WIB|1 Apr 2026|",
        NAMOSAIN: "00.30 WITA|2 Apr 2026 00.30 WITA|2 Apr 2026|",
        SENTANI_KOTA: "01.30 WIT|2 Apr 2026 01.30 WIT|2 Apr 2026|",
    }
