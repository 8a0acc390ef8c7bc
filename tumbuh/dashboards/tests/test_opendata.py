"""Open data at /data/: datasets from the rollups, disclosure control, files, DCAT, CKAN API."""

import csv
import datetime
import gzip
import io
import xml.etree.ElementTree as ElementTree
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext
from django_tasks import task_backends

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, make_enterprise
from tumbuh.core.money import decimal_text
from tumbuh.dashboards import disclosure, rollups
from tumbuh.dashboards.models import Level
from tumbuh.dashboards.opendata import onboarding, publish, tables
from tumbuh.dashboards.tasks import rebuild_opendata_task
from tumbuh.regions.models import Province
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Enterprise, Milestone

pytestmark = pytest.mark.django_db

SARMI_VILLAGE = "91.10.13.2003"  # Kabupaten Sarmi, a 3T regency
APRIL = datetime.datetime(2026, 4, 10, 3, tzinfo=datetime.UTC)
SLUGS = [
    "usaha-provinsi-tonggak",
    "usaha-kabupaten-tonggak",
    "usaha-provinsi-bulan",
    "usaha-provinsi-3t",
    "usaha-provinsi-jenis",
    "usaha-kabupaten-kapabilitas",
    "toko-kabupaten",
    "konektivitas-desa",
]
EMPTY = ["0"] * 7  # registered, assessed, then the milestones after trained


def _businesses(count, village, *, kind=Enterprise.Kind.UMKM, trained=0):
    for n in range(count):
        business = make_enterprise(f"Usaha {village} {n}", village=village, kind=kind)
        if n < trained:
            registry_services.record_milestone(
                enterprise=business,
                kind=Milestone.Kind.TRAINED,
                source="test",
                by=None,
                occurred_at=APRIL,
            )


@pytest.fixture
def registry():
    """60 businesses in four regencies of three provinces, through the registry's own paths."""
    rollups.apply_changes()
    _businesses(14, DAYEUHKOLOT, trained=12)  # 32.04 Kabupaten Bandung
    _businesses(3, DAYEUHKOLOT, kind=Enterprise.Kind.BUMDES)
    _businesses(12, NAMOSAIN, trained=3)  # 53.71 Kota Kupang
    _businesses(20, SENTANI_KOTA, trained=11)  # 91.03 Kabupaten Jayapura
    _businesses(11, SARMI_VILLAGE, trained=10)  # 91.10 Kabupaten Sarmi (3T)
    rollups.apply_changes()


def _csv(client, slug) -> list[list[str]]:
    response = client.get(reverse("opendata:download", args=[slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _milestones(usaha, trained):
    """A row of the milestone columns: businesses, registered, assessed, trained, the rest."""
    return [usaha, "0", "0", trained, "0", "0", "0", "0", "0"]


def test_province_table_exact_with_a_small_count_hidden(client, registry):
    rows = _csv(client, "usaha-provinsi-tonggak")

    assert rows == [
        [
            "kode_wilayah",
            "nama_wilayah",
            "usaha",
            *Milestone.Kind.values,
            "disembunyikan",
        ],
        # 3 trained in Kota Kupang: hidden with its complements (no 1-9 published).
        ["32", "Jawa Barat", *_milestones("", ""), "usaha trained"],
        ["53", "Nusa Tenggara Timur", *_milestones("", ""), "usaha trained"],
        ["91", "Papua", *_milestones("31", "21"), ""],
        ["", "Indonesia", *_milestones("60", "36"), ""],
    ]


def test_kind_three_t_and_regency_tables_exact(client, registry):
    kinds = _csv(client, "usaha-provinsi-jenis")
    three_t = _csv(client, "usaha-provinsi-3t")
    regencies = _csv(client, "usaha-kabupaten-tonggak")

    assert kinds == [
        [
            "kode_wilayah",
            "nama_wilayah",
            "umkm",
            "bumdes",
            "cooperative",
            "jumlah",
            "disembunyikan",
        ],
        # 3 BumDes in Jawa Barat; its total is hidden as in the province table.
        ["32", "Jawa Barat", "", "", "0", "", "umkm bumdes jumlah"],
        ["53", "Nusa Tenggara Timur", "", "0", "0", "", "umkm jumlah"],
        ["91", "Papua", "31", "0", "0", "31", ""],
        ["", "Indonesia", "", "", "0", "60", "umkm bumdes"],
    ]
    businesses = [row for row in three_t if row[0] == "usaha"]
    assert businesses == [
        ["usaha", "32", "Jawa Barat", "0", "", "", "bukan_3t jumlah"],
        ["usaha", "53", "Nusa Tenggara Timur", "0", "", "", "bukan_3t jumlah"],
        ["usaha", "91", "Papua", "11", "20", "31", ""],
        ["usaha", "", "Indonesia", "11", "49", "60", ""],
    ]
    by_regency = {row[2]: row for row in regencies if row[2]}
    assert by_regency["91.10"] == [
        "91", "3T", "91.10", "Kabupaten Sarmi", *_milestones("11", "10"), ""
    ]  # fmt: skip
    assert by_regency["53.71"] == [
        "53", "bukan 3T", "53.71", "Kota Kupang", *_milestones("", ""), "usaha trained"
    ]  # fmt: skip
    assert by_regency["32.01"][4:] == [*_milestones("0", "0"), ""]


def test_monthly_table_counts_new_milestones_in_their_month(client, registry):
    rows = _csv(client, "usaha-provinsi-bulan")

    header = rows[0]
    assert header[:4] == ["tonggak", "kode_wilayah", "nama_wilayah", "2026-04"]
    april = header.index("2026-04")
    trained = {row[1]: row[april] for row in rows if row[0] == "trained"}
    assert trained == {"32": "", "53": "", "91": "21", "": "36"}


def test_no_published_figure_is_small_or_recoverable(client, registry):
    snapshot = publish.snapshot()
    published_keys, hidden_keys = set(), set()
    for slug in SLUGS:
        published = snapshot.datasets[slug]
        if not published.dataset.counts_businesses:
            assert published.tables == []  # about places: nothing to hide
            continue
        for table in published.tables:
            assert disclosure.recoverable_cells(table.cells, table.suppression) == []
            intervals = disclosure.feasible_intervals(table.cells, table.suppression)
            grid = disclosure._grid(table.cells)
            for (i, j), (_least, largest) in intervals.items():
                if 1 <= grid[i][j] < disclosure.THRESHOLD:
                    assert largest >= disclosure.THRESHOLD
            hidden = table.hidden_keys()
            hidden_keys |= hidden
            published_keys |= set(table.keys()) - hidden
        for row in _csv(client, slug)[1:]:
            assert not any(cell.isdigit() and 1 <= int(cell) <= 9 for cell in row), row
    # A figure hidden in one table is published in none.
    assert hidden_keys & published_keys == set()
    assert len(hidden_keys) == 21


def test_parquet_has_the_csv_values(client, registry, tmp_path):
    import duckdb

    for slug in SLUGS:
        response = client.get(reverse("opendata:download", args=[slug, "parquet"]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.apache.parquet"
        path = tmp_path / f"{slug}.parquet"
        path.write_bytes(response.content)
        connection = duckdb.connect()
        read = connection.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()  # noqa: S608
        columns = [column[0] for column in connection.description]
        connection.close()
        rows = _csv(client, slug)
        assert columns == rows[0]
        as_text = [["" if value is None else str(value) for value in row] for row in read]
        assert as_text == rows[1:]


def test_files_are_public_and_cacheable(client, registry):
    response = client.get("/data/usaha-provinsi-jenis.csv")

    assert response["Cache-Control"] == "public, max-age=300"
    again = client.get("/data/usaha-provinsi-jenis.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/data/tidak-ada.csv").status_code == 404
    assert client.get("/data/usaha-provinsi-jenis.xlsx").status_code == 404


def test_catalogue_is_dcat_json_ld(client, registry):
    response = client.get("/data/catalog.jsonld")

    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    assert [entry["dct:identifier"] for entry in catalogue["dcat:dataset"]] == SLUGS
    first = catalogue["dcat:dataset"][0]
    assert first["dct:title"] == [
        {"@value": "Jumlah usaha per provinsi dan tonggak digitalisasi", "@language": "id"},
        {
            "@value": "Businesses by province and milestone of the digital journey",
            "@language": "en",
        },
    ]
    assert first["dct:publisher"]["foaf:name"] == "Tumbuh — Program Digitalisasi UMKM"
    assert first["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert "idn-area-data 4.0.1, ODbL 1.0" in first["dct:rights"]
    assert first["dct:accrualPeriodicity"]["@id"].endswith("/frequency/DAILY")
    assert first["dct:spatial"]["@id"].endswith("/country/IDN")
    assert first["dct:modified"]["@value"] == publish.snapshot().as_of.isoformat()
    assert first["dcat:distribution"] == [
        {
            "@type": "dcat:Distribution",
            "dct:format": "CSV",
            "dcat:mediaType": "text/csv",
            "dcat:downloadURL": {"@id": "http://testserver/data/usaha-provinsi-tonggak.csv"},
            "dct:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        },
        {
            "@type": "dcat:Distribution",
            "dct:format": "Parquet",
            "dcat:mediaType": "application/vnd.apache.parquet",
            "dcat:downloadURL": {"@id": "http://testserver/data/usaha-provinsi-tonggak.parquet"},
            "dct:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        },
    ]


def test_ckan_package_list_and_show(client, registry):
    listed = client.get("/api/3/action/package_list").json()
    shown = client.get("/api/3/action/package_show", {"id": "usaha-provinsi-3t"}).json()

    assert listed == {
        "help": "http://testserver/api/3/action/package_list",
        "success": True,
        "result": SLUGS,
    }
    assert shown["success"] is True
    package = shown["result"]
    assert (package["name"], package["title"], package["license_id"]) == (
        "usaha-provinsi-3t",
        "Usaha di kabupaten/kota 3T dan bukan 3T per provinsi",
        "cc-by",
    )
    assert package["organization"] == {
        "name": "tumbuh",
        "title": "Tumbuh — Program Digitalisasi UMKM",
    }
    assert package["resources"][0] == {
        "id": "usaha-provinsi-3t-csv",
        "package_id": "usaha-provinsi-3t",
        "name": "Usaha di kabupaten/kota 3T dan bukan 3T per provinsi (CSV)",
        "url": "http://testserver/data/usaha-provinsi-3t.csv",
        "format": "CSV",
        "mimetype": "text/csv",
        "last_modified": package["metadata_modified"],
    }
    assert package["resources"][1]["format"] == "Parquet"
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert (extras["frekuensi"], extras["cakupan"], extras["produsen_data"]) == (
        "harian",
        "Nasional; tingkat provinsi",
        "Tumbuh — Program Digitalisasi UMKM",
    )


def test_ckan_errors(client, registry):
    missing = client.get("/api/3/action/package_show", {"id": "tidak-ada"})
    not_a_number = client.get("/api/3/action/package_search", {"rows": "banyak"})
    too_many = client.get("/api/3/action/package_search", {"rows": "1001"})
    posted = client.post("/api/3/action/package_list")

    assert missing.status_code == 404
    assert missing.json() == {
        "help": "http://testserver/api/3/action/package_show",
        "success": False,
        "error": {"__type": "Not Found Error", "message": "Not found"},
    }
    assert (not_a_number.status_code, too_many.status_code) == (400, 400)
    assert not_a_number.json()["error"] == {
        "__type": "Validation Error",
        "message": "Bad parameters",
        "rows": ["Must be a whole number from 0 to 1000"],
    }
    assert too_many.json()["success"] is False
    assert posted.status_code == 405


def test_ckan_package_search(client, registry):
    everything = client.get("/api/3/action/package_search").json()["result"]
    provinces = client.get(
        "/api/3/action/package_search", {"q": "provinsi", "rows": "2", "start": "1"}
    ).json()["result"]
    three_t = client.get("/api/3/action/package_search", {"q": "3T"}).json()["result"]

    assert everything["count"] == 8
    assert [package["name"] for package in everything["results"]] == SLUGS
    assert provinces["count"] == 7  # the two new regency datasets give provincial totals too
    assert [package["name"] for package in provinces["results"]] == [
        "usaha-kabupaten-tonggak",
        "usaha-provinsi-bulan",
    ]
    assert [package["name"] for package in three_t["results"]] == [
        "usaha-kabupaten-tonggak",
        "usaha-provinsi-3t",
    ]


def test_headline_page_is_small_public_and_needs_no_script(client, registry):
    response = client.get("/data/")

    assert response.status_code == 200
    body = response.content
    assert len(gzip.compress(body)) < 14 * 1024
    assert b"<script" not in body
    text = body.decode()
    assert '<img src="/data/peta.svg" width="640" height="' in text
    assert 'alt="' in text.split("peta.svg")[1].split(">")[0]
    assert "<dd>60</dd>" in text  # businesses, each counted once
    assert "<dd>18,3 %</dd>" in text  # 11 of 60 in 3T regencies
    assert "<td>36</td>" in text  # trained, nationally
    for slug in SLUGS:
        assert f'href="/data/{slug}/"' in text
        assert f'href="/data/{slug}.parquet"' in text
    assert client.get("/data/").status_code == 200


def test_dataset_page(client, registry):
    response = client.get("/data/usaha-kabupaten-tonggak/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Jumlah usaha per kabupaten/kota dan tonggak digitalisasi" in text
    assert "http://testserver/data/usaha-kabupaten-tonggak.parquet" in text
    assert "<code>disembunyikan</code>" in text
    assert client.get("/data/tidak-ada/").status_code == 404


def test_map_is_a_valid_cacheable_svg(client, registry):
    response = client.get("/data/peta.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"]
    assert response["Last-Modified"]
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own drawing
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = {
        element.text.split(": ")[0]: element.text.split(": ")[1]
        for element in root.iter("{http://www.w3.org/2000/svg}title")
        if ": " in element.text
    }
    papua = Province.objects.get(code="91").population
    # Papua's 31 businesses per 1,000 people; Jawa Barat's count is hidden: no data.
    assert titles["Papua"] == decimal_text(31 * 1000 / papua)
    with translation.override("id"):
        assert titles["Jawa Barat"] == gettext("No data")
    again = client.get("/data/peta.svg", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_files_are_built_again_once_the_clock_moved_and_the_build_is_old(registry, monkeypatch):
    first = publish.snapshot()
    _businesses(10, NAMOSAIN)
    rollups.apply_changes()

    kept = publish.snapshot()
    monkeypatch.setattr(publish, "REBUILD_SECONDS", 0)
    rebuilt = publish.snapshot()

    assert kept.stamp == first.stamp
    assert kept.national["usaha"] == 60
    assert rebuilt.stamp != first.stamp
    assert rebuilt.national["usaha"] == 70


def test_an_attacker_of_all_tables_at_once_recovers_nothing(registry):
    every = [
        table for published in publish.snapshot().datasets.values() for table in published.tables
    ]

    intervals = tables.joint_intervals(every)

    assert len(intervals) == 21
    for key, (least, largest, value) in intervals.items():
        assert least <= value <= largest, key
        assert largest - least >= 1, key  # not recoverable
        if value < disclosure.THRESHOLD:
            assert largest >= disclosure.THRESHOLD, key


def test_headline_page_is_kept_for_anonymous_visitors(client, registry, query_count):
    first = client.get("/data/")

    with query_count() as queries:
        again = client.get("/data/")

    assert again.status_code == 200
    assert again.content == first.content
    assert len(queries) == 0  # served by the page cache before any view runs


def test_monthly_totals_are_tied_to_the_province_table_only_when_equal(registry):
    provinces = {"32": "Jawa Barat"}
    counts = defaultdict(int)
    onboarding.add_count(counts, "32.04", False, "umkm", "", 12)
    province = onboarding.province_table(provinces, counts)
    april = datetime.date(2026, 4, 1)
    equal, _months = onboarding.month_tables_from(provinces, {("32", april, ""): 12})
    unequal, _months = onboarding.month_tables_from(provinces, {("32", april, ""): 11})

    onboarding.unlink_unequal_totals(equal, province)
    onboarding.unlink_unequal_totals(unequal, province)

    assert (equal[0].total_column_key, unequal[0].total_column_key) == (("m", ""), ("series", ""))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_counts_in_every_regency_leave_nothing_to_recover(seed):
    """Counts drawn at random for every regency of the test provinces, many of them small."""
    import random

    from tumbuh.regions.models import Regency

    chance = random.Random(seed)
    counts = defaultdict(int)
    for code, is_3t in Regency.objects.values_list("code", "is_3t"):
        for kind in ("umkm", "bumdes"):
            left = chance.choice([0, 0, 2, 5, 9, 14, 40, 300])
            onboarding.add_count(counts, code, is_3t, kind, "", left)
            for milestone in Milestone.Kind.values[:4]:
                left = chance.randint(0, left)
                onboarding.add_count(counts, code, is_3t, kind, milestone, left)
    provinces = onboarding.names(Level.PROVINCE)
    every = [
        onboarding.province_table(provinces, counts),
        *onboarding.regency_tables(provinces, counts),
        *onboarding.three_t_tables(provinces, counts),
        onboarding.kind_table(provinces, counts),
    ]

    tables.harmonise(every)

    intervals = tables.joint_intervals(every)
    assert intervals
    for key, (least, largest, value) in intervals.items():
        assert least <= value <= largest, key
        assert largest - least >= 1, key
        if value < disclosure.THRESHOLD:
            assert largest >= disclosure.THRESHOLD, key


def test_while_one_build_runs_a_rebuild_task_waits_and_the_kept_one_is_served(
    registry, monkeypatch
):
    first = publish.snapshot()
    _businesses(10, NAMOSAIN)
    rollups.apply_changes()
    monkeypatch.setattr(publish, "REBUILD_SECONDS", 0)
    cache.add(publish.BUILD_LOCK, 1, 60)  # another process is building

    assert rebuild_opendata_task.call() == {"skipped": "another build is running"}
    assert publish.snapshot().stamp == first.stamp  # its task skipped: the kept build
    cache.delete(publish.BUILD_LOCK)
    cache.delete(publish.ENQUEUED_KEY)  # that build would have lifted the guard
    assert publish.snapshot().national["usaha"] == 70


@pytest.fixture
def queued_tasks(settings):
    """Tasks are kept, not run: what a request enqueued can be counted."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    yield backend.results
    backend.clear()


def test_a_stale_build_is_served_while_one_rebuild_is_enqueued(
    client, registry, monkeypatch, queued_tasks
):
    first = publish.rebuild()
    _businesses(10, NAMOSAIN)
    rollups.apply_changes()
    monkeypatch.setattr(publish, "REBUILD_SECONDS", 0)
    build = publish.build
    monkeypatch.setattr(publish, "build", None)  # a request that built would fail

    answers = [client.get("/data/usaha-provinsi-tonggak.csv") for _ in range(3)]
    national = _csv(client, "usaha-provinsi-tonggak")[-1]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert national[:3] == ["", "Indonesia", "60"]  # the kept build, not the 70 of now
    assert answers[0]["Last-Modified"] == http_date(first.as_of.timestamp())
    assert [result.task.name for result in queued_tasks] == ["rebuild_opendata_task"]
    monkeypatch.setattr(publish, "build", build)  # the worker runs the task
    rebuilt = rebuild_opendata_task.call()
    assert rebuilt["stamp"] != first.stamp
    assert publish.snapshot().national["usaha"] == 70
    assert cache.get(publish.ENQUEUED_KEY) is None  # a finished build lifts the guard


def test_before_the_first_build_pages_say_it_is_being_prepared(client, registry, queued_tasks):
    home = client.get("/data/")
    download = client.get("/data/usaha-provinsi-jenis.csv")
    catalogue = client.get("/data/catalog.jsonld")

    assert (home.status_code, download.status_code, catalogue.status_code) == (503, 503, 200)
    assert home["Retry-After"] == "60"
    assert "no-store" in home["Cache-Control"]
    with translation.override("id"):  # the pages' language without a choice
        note = gettext("The open data files are being prepared. Please try again in a minute.")
    assert note in client.get("/data/peta.svg").content.decode()
    assert catalogue.json()["dct:modified"]["@value"] is None
    assert [result.task.name for result in queued_tasks] == ["rebuild_opendata_task"]
    assert cache.get(publish.CACHE_KEY) is None
    rebuild_opendata_task.call()
    assert client.get("/data/").status_code == 200


def test_the_open_data_task_refreshes_stale_section_figures_first(registry, queued_tasks):
    from tumbuh.dashboards.models import RollupClock
    from tumbuh.dashboards.sections import CLOCK_PREFIX, SECTIONS

    assert not RollupClock.objects.filter(name__startswith=CLOCK_PREFIX).exists()
    rebuild_opendata_task.call()
    refreshed = dict(
        RollupClock.objects.filter(name__startswith=CLOCK_PREFIX).values_list("name", "as_of")
    )
    assert sorted(refreshed) == sorted(f"{CLOCK_PREFIX}{section}" for section in SECTIONS)
    rebuild_opendata_task.call()  # fresh now: not computed again
    assert (
        dict(RollupClock.objects.filter(name__startswith=CLOCK_PREFIX).values_list("name", "as_of"))
        == refreshed
    )
