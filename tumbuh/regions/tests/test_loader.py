"""The region loader: a full load equals the shipped files, is idempotent, and loads nothing at
all when a file is malformed.

Only ``test_full_load_*`` loads the whole country (about 15 s); every other test works on the
three provinces the session loaded (tumbuh/conftest.py) or on a load limited to one province.
"""

import json
import time
import zlib
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tumbuh.regions.datafiles import DataFileError
from tumbuh.regions.models import (
    CentroidPrecision,
    District,
    Island,
    PriorityArea,
    Province,
    Regency,
    ThreeTDesignation,
    Village,
)
from tumbuh.regions.services import COLLECTION_DESCRIPTIONS, load_regions, update_priority_area
from tumbuh.regions.tests.helpers import (
    SESSION_PROVINCES,
    TABLES,
    copy_data_dir,
    edit_lines,
    in_session,
    line_number,
    members_of,
    read_lines,
    shipped_rows,
    table_counts,
    write_lines,
)

LEVEL_FILES = {
    "province": "provinces.csv",
    "regency": "regencies.csv",
    "district": "districts.csv.gz",
    "village": "villages.csv.gz",
    "island": "islands_decimal.csv.gz",
}
# The note in priority_areas.csv: an area named by a pre-2022 Papua province also covers the
# provinces carved out of it in 2022.
SPLIT_PROVINCES = {"91": ["91", "93", "94", "95"], "92": ["92", "96"]}


def clear_regions() -> None:
    """Empty every table the loader writes, as on a fresh install (rolled back after the test)."""
    for model in reversed(TABLES):
        model.objects.all().delete()


def shipped_counts() -> dict[str, int]:
    return {level: len(shipped_rows(filename)) for level, filename in LEVEL_FILES.items()}


def shipped_areas() -> dict[str, dict[str, str]]:
    """Each shipped priority area (by programme and name) with its regencies, code → role."""
    regencies = [row["code"] for row in shipped_rows("regencies.csv")]
    areas: dict[str, dict[str, str]] = {}
    for row in shipped_rows("priority_areas.csv"):
        members = areas.setdefault(f"{row['programme']}/{row['area_name']}", {})
        if row["region_level"] == "regency":
            members[row["region_code"]] = row["role"]
        else:
            provinces = SPLIT_PROVINCES.get(row["region_code"], [row["region_code"]])
            members.update({code: row["role"] for code in regencies if code[:2] in provinces})
    return areas


def level_counts(report) -> dict[str, dict[str, int]]:
    return {level: vars(counts) for level, counts in report.levels.items()}


# --- the whole country --------------------------------------------------------------------------


def test_full_load_writes_every_row_of_the_shipped_files_and_a_second_load_changes_nothing(db):
    shipped = shipped_counts()
    # Kepmendagri 300.2.2-2138/2025 as shipped (PROVENANCE.md): the files are what we expect.
    assert shipped == {
        "province": 38,
        "regency": 514,
        "district": 7285,
        "village": 83762,
        "island": 17373,
    }
    designations = shipped_rows("regions_3t.csv")
    areas = shipped_areas()
    clear_regions()

    started = time.perf_counter()
    report = load_regions()
    seconds = time.perf_counter() - started
    print(f"\nfull load_regions() on {Village.objects.count()} villages: {seconds:.1f} s")

    assert level_counts(report) == {
        level: {"created": rows, "updated": 0, "unchanged": 0, "not_in_data": 0}
        for level, rows in shipped.items()
    }
    assert (report.designations, report.areas_created, report.areas_updated) == (128, 28, 0)
    counts = table_counts()
    assert counts == {
        "province": 38,
        "regency": 514,
        "district": 7285,
        "village": 83762,
        "island": 17373,
        "threetdesignation": len(designations),
        "priorityarea": len(areas),
        "priorityarearegency": sum(len(members) for members in areas.values()),
    }
    assert (len(designations), len(areas)) == (128, 28)

    started = time.perf_counter()
    second = load_regions()
    print(f"second (idempotent) load_regions(): {time.perf_counter() - started:.1f} s")
    assert level_counts(second) == {
        level: {"created": 0, "updated": 0, "unchanged": rows, "not_in_data": 0}
        for level, rows in shipped.items()
    }
    assert (second.designations, second.areas_created, second.areas_updated) == (128, 0, 0)
    assert (second.areas_unchanged, second.areas_kept_edited) == (28, 0)
    assert table_counts() == counts

    _assert_villages_match_the_files()
    _assert_time_zones()
    _assert_three_t(designations)
    _assert_islands()
    _assert_priority_areas(areas)


def _assert_villages_match_the_files():
    postal_codes = {
        row["village_code"]: row["postal_code"]
        for row in shipped_rows("village_postal_codes.csv.gz")
    }
    assert dict(Village.objects.values_list("code", "postal_code")) == postal_codes
    assert Village.objects.filter(postal_code="").count() == 0
    assert Village.objects.values("postal_code").distinct().count() == 10632

    fallback = sorted(
        row["code"]
        for row in shipped_rows("village_centroids.csv.gz")
        if row["precision"] == "district_centroid_fallback"
    )
    assert len(fallback) == 359
    assert (
        list(
            Village.objects.filter(
                centroid_precision=CentroidPrecision.DISTRICT_CENTROID_FALLBACK
            ).values_list("code", flat=True)
        )
        == fallback
    )
    # A fallback village sits on its district's centre point.
    village = Village.objects.select_related("district").get(code=fallback[0])
    assert (village.latitude, village.longitude) == (
        village.district.latitude,
        village.district.longitude,
    )

    desa_adat = [row["code"] for row in shipped_rows("villages.csv.gz") if row["code"][9] == "3"]
    assert len(desa_adat) == 14
    assert all(code.startswith("91.03.") for code in desa_adat)  # all in Kabupaten Jayapura
    assert (
        list(Village.objects.filter(kind=Village.Kind.DESA_ADAT).values_list("code", flat=True))
        == desa_adat
    )
    assert Counter(Village.objects.values_list("kind", flat=True)) == {
        Village.Kind.DESA: 75252,
        Village.Kind.KELURAHAN: 8496,
        Village.Kind.DESA_ADAT: 14,
    }


def _assert_time_zones():
    zones = dict(Province.objects.values_list("code", "time_zone"))
    assert {code: zones[code] for code in ["31", "51", "62", "63", "94"]} == {
        "31": "WIB",  # Jakarta
        "51": "WITA",  # Bali
        "62": "WIB",  # Kalimantan Tengah
        "63": "WITA",  # Kalimantan Selatan
        "94": "WIT",  # Papua Tengah
    }
    assert Counter(zones.values()) == {"WIB": 18, "WITA": 12, "WIT": 8}
    assert str(Province.objects.get(code="94").zoneinfo) == "Asia/Jayapura"


def _assert_three_t(designations):
    assert ThreeTDesignation.objects.count() == 128
    regencies_3t = sorted({row["regency_code"] for row in designations})
    assert len(regencies_3t) == 106
    assert list(Regency.objects.filter(is_3t=True).values_list("code", flat=True)) == regencies_3t
    categories = Counter(row["category"] for row in designations)
    assert categories == {
        "daerah_tertinggal_2020_2024": 62,
        "perbatasan_darat": 17,
        "pulau_kecil_terluar": 49,
    }
    assert Regency.objects.filter(is_disadvantaged=True).count() == 62
    assert Regency.objects.filter(is_land_border=True).count() == 17
    assert Regency.objects.filter(has_outermost_small_island=True).count() == 49


def _assert_islands():
    assert Island.objects.filter(is_outermost_small=True).count() == 110
    # 56 islands are recorded at province level, with a code xx.00.4xxxx and no regency.
    assert Island.objects.filter(regency=None).count() == 56
    assert Island.objects.filter(regency=None).exclude(code__regex=r"^\d\d\.00\.4").count() == 0


def _assert_priority_areas(areas):
    assert Counter(PriorityArea.objects.values_list("collection", flat=True)) == {
        "dpsp_5": 5,
        "dpp_10": 10,
        "atd_2022_13_kawasan": 13,
    }
    loaded = {
        f"{area.collection}/{area.name}": members_of(area.slug)
        for area in PriorityArea.objects.all()
    }
    assert loaded == areas

    papua = members_of("atd-2022-13-kawasan-papua")
    assert {code[:2] for code in papua} == {"91", "93", "94", "95"}
    assert sorted(papua) == sorted(
        Regency.objects.filter(province__in=["91", "93", "94", "95"]).values_list("code", flat=True)
    )
    assert set(papua.values()) == {"province"}
    assert {code[:2] for code in members_of("atd-2022-13-kawasan-papua-barat")} == {"92", "96"}
    assert members_of("dpsp-5-labuan-bajo") == {"53.15": "core"}


# --- loads limited to some provinces ---------------------------------------------------------


def test_the_session_load_holds_exactly_the_rows_of_its_three_provinces(db):
    expected = {
        level: sum(in_session(row["code"]) for row in shipped_rows(filename))
        for level, filename in LEVEL_FILES.items()
    }
    assert expected == {
        "province": 3,
        "regency": 58,
        "district": 1047,
        "village": 10398,
        "island": 1227,
    }
    assert {level: count for level, count in table_counts().items() if level in expected} == {
        level: expected[level] for level in expected
    }
    assert sorted(Province.objects.values_list("code", flat=True)) == list(SESSION_PROVINCES)
    # Every shipped area exists, holding only the regencies of the loaded provinces.
    assert PriorityArea.objects.count() == 28
    assert members_of("dpsp-5-danau-toba") == {}
    assert len(members_of("atd-2022-13-kawasan-papua")) == 9


def test_a_changed_row_is_updated_and_a_row_gone_from_the_data_is_kept(db, tmp_path):
    data_dir = copy_data_dir(tmp_path)
    renamed, gone = b"53.04.01.2001,", b"53.04.01.2002,"

    def rename(lines):
        index = line_number(data_dir / "villages.csv.gz", renamed) - 1
        lines[index] = lines[index].replace(b",Kewar", b",Kewar Baru")

    def drop(lines):
        lines[:] = [line for line in lines if not line.startswith(gone)]

    edit_lines(data_dir / "villages.csv.gz", rename)
    for filename in ["villages.csv.gz", "village_postal_codes.csv.gz", "village_centroids.csv.gz"]:
        edit_lines(data_dir / filename, drop)
    before = table_counts()

    report = load_regions(data_dir=data_dir, provinces=["53"])

    assert level_counts(report) == {
        "province": {"created": 0, "updated": 0, "unchanged": 1, "not_in_data": 0},
        "regency": {"created": 0, "updated": 0, "unchanged": 22, "not_in_data": 0},
        "district": {"created": 0, "updated": 0, "unchanged": 315, "not_in_data": 0},
        "village": {"created": 0, "updated": 1, "unchanged": 3440, "not_in_data": 1},
        "island": {"created": 0, "updated": 0, "unchanged": 653, "not_in_data": 0},
    }
    assert Village.objects.get(code="53.04.01.2001").name == "Kewar Baru"
    assert Village.objects.get(code="53.04.01.2002").name == "Fulur"  # kept: others may point at it
    assert table_counts() == before


def test_the_load_command_reports_as_json(db):
    before = table_counts()
    out = StringIO()

    call_command("load_regions", provinces=["32"], as_json=True, stdout=out)

    report = json.loads(out.getvalue())
    assert report.pop("seconds") > 0
    assert report == {
        "levels": {
            "province": {"created": 0, "updated": 0, "unchanged": 1, "not_in_data": 0},
            "regency": {"created": 0, "updated": 0, "unchanged": 27, "not_in_data": 0},
            "district": {"created": 0, "updated": 0, "unchanged": 627, "not_in_data": 0},
            "village": {"created": 0, "updated": 0, "unchanged": 5957, "not_in_data": 0},
            "island": {"created": 0, "updated": 0, "unchanged": 30, "not_in_data": 0},
        },
        "designations": 1,  # 32.06 Kabupaten Tasikmalaya: an outermost small island
        "priority_areas": {"created": 0, "updated": 0, "unchanged": 28, "kept_as_edited": 0},
    }
    assert table_counts() == before


def test_a_load_keeps_an_edited_priority_area_and_a_reset_restores_only_its_provinces(
    db, national_admin
):
    ntt = PriorityArea.objects.get(slug="atd-2022-13-kawasan-nusa-tenggara-timur")
    shipped_ntt = members_of(ntt.slug)
    papua_before = members_of("atd-2022-13-kawasan-papua")
    update_priority_area(
        area=ntt, name="NTT Digital", description="", regency_roles={"53.15": "core"},
        by=national_admin,
    )  # fmt: skip

    report = load_regions(provinces=["53"])

    assert (report.areas_created, report.areas_unchanged, report.areas_kept_edited) == (0, 27, 1)
    ntt.refresh_from_db()
    assert (ntt.name, ntt.description) == ("NTT Digital", "")
    assert members_of(ntt.slug) == {"53.15": "core"}

    report = load_regions(provinces=["53"], reset_priority_areas=True)

    assert (report.areas_updated, report.areas_unchanged, report.areas_kept_edited) == (1, 27, 0)
    ntt.refresh_from_db()
    assert (ntt.name, ntt.description) == (
        "Nusa Tenggara Timur",
        COLLECTION_DESCRIPTIONS["atd_2022_13_kawasan"],
    )
    assert members_of(ntt.slug) == shipped_ntt
    assert len(shipped_ntt) == 22
    # A reset limited to province 53 leaves the regencies of other provinces where they were.
    assert members_of("atd-2022-13-kawasan-papua") == papua_before
    assert len(papua_before) == 9


def test_a_province_loaded_later_joins_the_unedited_priority_areas_that_cover_it(db):
    load_regions(provinces=["93"])

    assert {code[:2] for code in members_of("atd-2022-13-kawasan-papua")} == {"91", "93"}


# --- malformed files: the file, the exact line, and nothing written -------------------------
# Each case corrupts one file of a copy of the data and returns (file, line, reason). The load is
# limited to province 11 (Aceh, not loaded in the session), so a load that got as far as writing
# would add thousands of rows; the corrupted rows are Aceh's.


def wrong_village_code(data_dir):
    path = data_dir / "villages.csv.gz"
    line = line_number(path, b"11.01.01.2002,")

    def change(lines):
        lines[line - 1] = b"11.01.01.20O2,11.01.01,Ujong Mangki"

    edit_lines(path, change)
    return "villages.csv.gz", line, "code '11.01.01.20O2' is not a village code"


def missing_field(data_dir):
    path = data_dir / "districts.csv.gz"
    line = line_number(path, b"11.01.02,")

    def change(lines):
        lines[line - 1] = b"11.01.02,11.01"

    edit_lines(path, change)
    return "districts.csv.gz", line, "expected 3 fields, found 2"


def wrong_header(data_dir):
    path = data_dir / "regencies.csv"
    edit_lines(path, lambda lines: lines.__setitem__(0, b"code,province,name"))
    return (
        "regencies.csv",
        1,
        "expected the columns code,province_code,name, found code,province,name",
    )


def not_utf8(data_dir):
    # Deep in the file, past the first 8 KB the text reader decodes ahead.
    path = data_dir / "villages.csv.gz"
    line = line_number(path, b"11.13.02.2006,")
    assert line == 5001

    def change(lines):
        lines[line - 1] = b"11.13.02.2006,11.13.02,Kuta Uj\xffung"

    edit_lines(path, change)
    return "villages.csv.gz", 5001, "not UTF-8 text (invalid start byte)"


def latitude_outside_indonesia(data_dir):
    path = data_dir / "village_centroids.csv.gz"
    line = line_number(path, b"11.01.01.2003,")

    def change(lines):
        code, name, _latitude, longitude, precision = lines[line - 1].split(b",")
        lines[line - 1] = b",".join([code, name, b"-45.5", longitude, precision])

    edit_lines(path, change)
    return "village_centroids.csv.gz", line, "latitude -45.5 is outside Indonesia"


def village_of_unknown_district(data_dir):
    path = data_dir / "villages.csv.gz"
    line = line_number(path, b"11.01.01.2003,")

    def change(lines):
        lines[line - 1] = b"11.01.99.2001,11.01.99,Desa Tanpa Kecamatan"

    edit_lines(path, change)
    return (
        "villages.csv.gz",
        line,
        "district 11.01.99 of village 11.01.99.2001 is unknown or inconsistent",
    )


def not_gzip(data_dir):
    path = data_dir / "districts.csv.gz"
    path.write_bytes(b"code,regency_code,name\n11.01.01,11.01,Bakongan\n")
    return "districts.csv.gz", 1, "not a valid gzip file (Not a gzipped file (b'co'))"


def truncated_gzip(data_dir):
    path = data_dir / "villages.csv.gz"
    compressed = path.read_bytes()
    cut = compressed[: len(compressed) // 3]
    path.write_bytes(cut)
    # The lines that can still be decompressed are read; the line cut in the middle is the bad one.
    readable = zlib.decompressobj(wbits=31).decompress(cut)
    line = readable.count(b"\n") + 1
    return (
        "villages.csv.gz",
        line,
        "not a valid gzip file (Compressed file ended before the end-of-stream marker was reached)",
    )


def bad_postal_code(data_dir):
    path = data_dir / "village_postal_codes.csv.gz"
    line = line_number(path, b"11.01.01.2001,")
    edit_lines(path, lambda lines: lines.__setitem__(line - 1, b"11.01.01.2001,2377"))
    return "village_postal_codes.csv.gz", line, "postal_code '2377' is not 5 digits"


def unknown_3t_category(data_dir):
    path = data_dir / "regions_3t.csv"
    line = line_number(path, b"11.")

    def change(lines):
        lines[line - 1] = lines[line - 1].replace(b"pulau_kecil_terluar", b"pulau_terluar")

    edit_lines(path, change)
    return (
        "regions_3t.csv",
        line,
        "category 'pulau_terluar' is not one of daerah_tertinggal_2020_2024, perbatasan_darat, "
        "pulau_kecil_terluar",
    )


def priority_area_of_unknown_regency(data_dir):
    # The last file the loader reads: everything else was read and checked by then.
    path = data_dir / "priority_areas.csv"
    lines = read_lines(path)
    if lines[-1] == b"":
        lines.pop()
    lines.append(b"dpp_10,Pulau Weh,11.99,regency,Kota Hilang,core,test,")
    lines.append(b"")
    write_lines(path, lines)
    return "priority_areas.csv", len(lines) - 1, "regency 11.99 is not in the region list"


def missing_file(data_dir):
    (data_dir / "islands_decimal.csv.gz").unlink()
    return "islands_decimal.csv.gz", 0, "the file is missing"


MALFORMED = [
    wrong_village_code,
    missing_field,
    wrong_header,
    not_utf8,
    latitude_outside_indonesia,
    village_of_unknown_district,
    not_gzip,
    truncated_gzip,
    bad_postal_code,
    unknown_3t_category,
    priority_area_of_unknown_regency,
    missing_file,
]


@pytest.mark.parametrize("corrupt", MALFORMED, ids=[case.__name__ for case in MALFORMED])
def test_a_malformed_file_names_its_line_and_loads_nothing(db, tmp_path, corrupt):
    data_dir = copy_data_dir(tmp_path)
    filename, line, reason = corrupt(data_dir)
    before = table_counts()

    with pytest.raises(DataFileError) as raised:
        load_regions(data_dir=data_dir, provinces=["11"])

    assert str(raised.value) == f"{filename}, line {line}: {reason}"
    assert (raised.value.path, raised.value.line, raised.value.reason) == (
        data_dir / filename,
        line,
        reason,
    )
    assert table_counts() == before
    assert not Province.objects.filter(code="11").exists()


def test_the_shipped_data_loads_into_province_11_when_nothing_is_corrupted(db, tmp_path):
    """The control for the malformed cases: the same load from an intact copy writes Aceh."""
    report = load_regions(data_dir=copy_data_dir(tmp_path), provinces=["11"])

    assert {level: counts.created for level, counts in report.levels.items()} == {
        level: sum(row["code"][:2] == "11" for row in shipped_rows(filename))
        for level, filename in LEVEL_FILES.items()
    }
    assert District.objects.filter(code__startswith="11.").count() == 290


def test_the_load_command_names_the_file_and_line_and_loads_nothing(db, tmp_path):
    data_dir = copy_data_dir(tmp_path)
    filename, line, reason = not_utf8(data_dir)
    before = table_counts()

    with pytest.raises(CommandError) as raised:
        call_command("load_regions", data_dir=data_dir)  # the whole country

    assert str(raised.value) == f"Nothing was loaded. {filename}, line {line}: {reason}"
    assert str(raised.value) == (
        "Nothing was loaded. villages.csv.gz, line 5001: not UTF-8 text (invalid start byte)"
    )
    assert table_counts() == before
