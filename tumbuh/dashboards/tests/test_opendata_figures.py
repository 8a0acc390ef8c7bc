"""Open data from the dashboards' section figures (capability levels, stores) and the
connectivity ledger (every village): exact files, disclosure control, the rows kept beside the
build."""

import csv
import io
import random
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext

from tumbuh.conftest import DAYEUHKOLOT, SENTANI_KOTA, make_enterprise
from tumbuh.dashboards import disclosure, rollups, sections
from tumbuh.dashboards.models import Level, RollupClock, SectionFigure
from tumbuh.dashboards.opendata import figures, onboarding, publish, tables
from tumbuh.dashboards.tests.scenarios import connectivity_scenario, stores_scenario
from tumbuh.regions.models import Regency, Village

pytestmark = pytest.mark.django_db

HIDDEN_STORES = "toko_aktif produk_bbi pesanan_dibayar nilai_dibayar_rp"


def _csv(client, slug) -> list[list[str]]:
    response = client.get(f"/data/{slug}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _by_code(rows) -> dict[str, list[str]]:
    """Rows by region code (the third column); the national row under ""."""
    return {row[2]: row for row in rows[1:]}


def _stored(section: str, values: dict[tuple[str, str, str], int]) -> None:
    """Section figures of regencies as the worker stores them, with the section's clock."""
    SectionFigure.objects.bulk_create(
        SectionFigure(
            section=section,
            region_code=code,
            level=Level.REGENCY,
            measure=measure,
            dimension=dimension,
            value=value,
        )
        for (code, measure, dimension), value in values.items()
    )
    RollupClock.objects.update_or_create(
        name=f"section:{section}", defaults={"as_of": timezone.now()}
    )


def _assert_protected(built) -> None:
    """No figure of 1-9 published, nothing recoverable in any table, a hidden key published
    nowhere."""
    published_keys, hidden_keys = set(), set()
    for published in built.datasets.values():
        for table in published.tables:
            assert disclosure.recoverable_cells(table.cells, table.suppression) == []
            hidden = table.hidden_keys()
            hidden_keys |= hidden
            published_keys |= set(table.keys()) - hidden
        for table in published.tables:  # the counts of businesses (not orders or rupiah)
            for row in table.rows():
                assert not any(type(v) is int and 1 <= v <= 9 for v in row), row
    assert hidden_keys & published_keys == set()


def test_capability_levels_by_regency_province_and_nation(client, settings):
    from tumbuh.capability.services import load_instrument
    from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, assess

    settings.CASELOAD_CHECKS = ["tumbuh.capability.tests.conftest.any_business"]
    instrument, _created = load_instrument()
    for n in range(12):
        assess(instrument, make_enterprise(f"Usaha Awal {n}"), LOWEST)
    for n in range(3):
        assess(instrument, make_enterprise(f"Usaha Maju {n}"), HIGHEST)
    for n in range(11):
        assess(instrument, make_enterprise(f"Usaha Sentani {n}", village=SENTANI_KOTA), LOWEST)
    make_enterprise("Belum Dinilai")
    sections.refresh_sections()
    rollups.apply_changes()
    built = publish.rebuild()

    rows = _by_code(_csv(client, "usaha-kabupaten-kapabilitas"))

    assert _csv(client, "usaha-kabupaten-kapabilitas")[0] == [
        "kode_provinsi", "tingkat_wilayah", "kode_wilayah", "nama_wilayah",
        "tingkat_1", "tingkat_2", "tingkat_3", "tingkat_4", "tingkat_5", "jumlah",
        "disembunyikan",
    ]  # fmt: skip
    # 3 at level 5 in Kabupaten Bandung: hidden with the 12 at level 1, in the regency, the
    # province and the country; the 15 assessed stand (each hidden figure moves by 7 or more).
    assert rows["32.04"] == [
        "32", "kabupaten/kota", "32.04", "Kabupaten Bandung",
        "", "0", "0", "0", "", "15", "tingkat_1 tingkat_5",
    ]  # fmt: skip
    assert rows["32"] == [
        "32", "provinsi", "32", "Jawa Barat", "", "0", "0", "0", "", "15", "tingkat_1 tingkat_5",
    ]  # fmt: skip
    assert rows["91.03"] == [
        "91", "kabupaten/kota", "91.03", "Kabupaten Jayapura", "11", "0", "0", "0", "0", "11", "",
    ]  # fmt: skip
    assert rows["53.71"][4:] == ["0", "0", "0", "0", "0", "0", ""]
    assert rows[""] == [
        "", "nasional", "", "Indonesia", "", "0", "0", "0", "", "26", "tingkat_1 tingkat_5",
    ]  # fmt: skip
    # Businesses assessed are the onboarding tables' "assessed" figures: one key in both.
    regency = {row[2]: row for row in built.datasets["usaha-kabupaten-tonggak"].rows}
    assessed = built.datasets["usaha-kabupaten-tonggak"].header.index("assessed")
    assert (regency["32.04"][assessed], regency["91.03"][assessed]) == (15, 11)
    keys = set().union(*(t.keys() for t in built.datasets["usaha-kabupaten-kapabilitas"].tables))
    assert (("region", "32.04"), ("m", "assessed")) in keys
    _assert_protected(built)
    intervals = tables.joint_intervals(
        [table for published in built.datasets.values() for table in published.tables]
    )
    for key, (least, largest, value) in intervals.items():
        assert largest - least >= 1, key
        if value < disclosure.THRESHOLD:
            assert largest >= disclosure.THRESHOLD, key
    assert (
        built.as_of_of("usaha-kabupaten-kapabilitas")
        == RollupClock.objects.get(name="section:capability").as_of
    )


def test_sections_never_computed_publish_no_rows(client):
    built = publish.rebuild()

    assert built.datasets["usaha-kabupaten-kapabilitas"].rows == []
    assert built.datasets["toko-kabupaten"].rows == []
    assert built.as_of_of("toko-kabupaten") is None
    assert len(_csv(client, "toko-kabupaten")) == 1  # the header only, not zeros


def test_stores_hide_their_values_with_small_store_counts(client):
    stores_scenario()  # one live store in Kabupaten Bandung, one in Sarmi
    sections.refresh_sections()
    publish.rebuild()

    rows = _by_code(_csv(client, "toko-kabupaten"))

    assert rows["32.04"] == [
        "32", "kabupaten/kota", "32.04", "Kabupaten Bandung", "", "", "", "", HIDDEN_STORES
    ]  # fmt: skip
    assert rows["91.10"][4:] == ["", "", "", "", HIDDEN_STORES]
    assert rows["32"][4:] == rows["91"][4:] == rows[""][4:] == ["", "", "", "", HIDDEN_STORES]
    assert rows["53"][4:] == ["0", "0", "0", "0", ""]
    assert rows["32.01"][4:] == ["0", "0", "0", "0", ""]


def test_stores_publish_values_beside_counts_of_ten_or_more(client):
    bandung, bogor, cianjur = "32.04", "32.01", "32.03"
    _stored(
        "stores",
        {
            (bandung, "stores_live", ""): 12,
            (bandung, "products_listed", ""): 30,
            (bandung, "orders_paid", ""): 7,
            (bandung, "paid_value", ""): 700_000,
            (bogor, "stores_live", ""): 3,
            (bogor, "products_listed", ""): 5,
            (bogor, "orders_paid", ""): 2,
            (bogor, "paid_value", ""): 90_000,
            (cianjur, "stores_live", ""): 20,
            (cianjur, "products_listed", ""): 41,
            (cianjur, "orders_paid", ""): 0,
            (cianjur, "paid_value", ""): 0,
        },
    )
    built = publish.rebuild()

    rows = _by_code(_csv(client, "toko-kabupaten"))

    # Bogor's 3 stores hidden with the smallest other count of the block (Bandung's 12); the
    # province's total (35) stands, so the values hidden are known only as a sum of the two.
    assert rows[bogor][4:] == ["", "", "", "", HIDDEN_STORES]
    assert rows[bandung][4:] == ["", "", "", "", HIDDEN_STORES]
    assert rows[cianjur][4:] == ["20", "41", "0", "0", ""]
    assert rows["32"][4:] == ["35", "76", "9", "790000", ""]
    assert rows[""][4:] == ["35", "76", "9", "790000", ""]
    _assert_protected(built)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_section_figures_leave_nothing_to_recover(seed):
    """Capability levels, stores and onboarding counts drawn at random for every regency of
    the test provinces, many small; a regency's businesses assessed sometimes equal to its
    onboarding figure (then one key), sometimes not."""
    chance = random.Random(seed)
    counts, capability, stores = defaultdict(int), {}, {}
    for code, is_3t in Regency.objects.values_list("code", "is_3t"):
        levels = [chance.choice([0, 0, 1, 3, 8, 12, 40]) for _level in figures.LEVELS]
        for level, n in zip(figures.LEVELS, levels, strict=True):
            capability[(code, "businesses", level)] = n
        assessed = sum(levels) + chance.choice([0, 0, 1])
        onboarding.add_count(counts, code, is_3t, "umkm", "", assessed + chance.randint(0, 30))
        onboarding.add_count(counts, code, is_3t, "umkm", "assessed", assessed)
        live = chance.choice([0, 0, 1, 2, 6, 11, 25])
        stores[(code, "stores_live", "")] = live
        stores[(code, "products_listed", "")] = live * chance.randint(0, 4)
        stores[(code, "orders_paid", "")] = chance.randint(0, 3 * live)
        stores[(code, "paid_value", "")] = 25_000 * stores[(code, "orders_paid", "")]
    provinces = onboarding.names(Level.PROVINCE)
    capability_blocks, capability_provinces = figures.capability_tables(
        provinces, counts, capability
    )
    store_blocks, store_provinces = figures.stores_tables(provinces, stores)
    every = [
        onboarding.province_table(provinces, counts),
        *onboarding.regency_tables(provinces, counts),
        *onboarding.three_t_tables(provinces, counts),
        *capability_blocks,
        capability_provinces,
        *store_blocks,
        store_provinces,
    ]

    tables.harmonise(every)
    tables.audit(
        every, focus=[*capability_blocks, capability_provinces], linked=figures.is_assessed
    )

    intervals = tables.joint_intervals(every)
    assert any(key[1] == ("m", "assessed") for key in intervals)  # some tied figures hidden
    for key, (least, largest, value) in intervals.items():
        assert least <= value <= largest, key
        assert largest - least >= 1, key
        if value < disclosure.THRESHOLD:
            assert largest >= disclosure.THRESHOLD, key
    # The values beside the stores, hidden where the stores are: none recoverable either.
    for table in [*store_blocks, store_provinces]:
        members = [key[1] for key in table.row_keys]
        for measure in figures.STORE_VALUES:

            def value(code, measure=measure):
                regencies = [code] if len(code) > 2 else [k[1] for k in _block(store_blocks, code)]
                return sum(stores[(regency, measure, "")] for regency in regencies)

            cells = [[value(code)] for code in members]
            assert disclosure.recoverable_cells(cells, table.suppression) == [], measure


def _block(blocks, province):
    return next(table for table in blocks if table.total_row_key == ("region", province)).row_keys


def test_connectivity_of_every_village(client):
    villages = connectivity_scenario()
    built = publish.rebuild()

    rows = _csv(client, "konektivitas-desa")

    assert rows[0] == [
        "kode_desa", "nama_desa", "kode_kabupaten", "nama_kabupaten", "3t", "sinyal",
        "middle_mile", "jangkauan_backbone", "bts_mengudara", "sintetis",
    ]  # fmt: skip
    assert len(rows) == 1 + Village.objects.count()
    by_code = {row[0]: row for row in rows[1:]}
    first, second, third, far = (by_code[village.code] for village in villages)
    assert first == [
        villages[0].code, "Desa Uji 1", "53.71", "Kota Kupang", "tidak", "4g", "microwave", "ya",
        "1", "tidak",
    ]  # fmt: skip
    assert second[5:] == ["4g", "microwave", "ya", "0", "tidak"]  # the tower 4 km away
    assert third[5:] == ["none", "none", "ya", "0", "tidak"]  # a planned site is not on air
    assert far[5:] == ["2g", "none", "tidak", "1", "tidak"]  # 40 km from the fibre
    # Not in the ledger: no signal, no middle mile; a 3T regency says so.
    assert by_code[DAYEUHKOLOT][2:] == [
        "32.04", "Kabupaten Bandung", "tidak", "none", "none", "tidak", "0", "tidak"
    ]  # fmt: skip
    assert by_code["91.10.13.2003"][4] == "ya"  # Kabupaten Sarmi
    # The rows are kept beside the build, which every request reads.
    published = built.datasets["konektivitas-desa"]
    assert (published.rows, published.row_count) == ([], Village.objects.count())
    assert published.tables == []


def test_village_rows_lost_by_the_cache_are_read_again(client):
    built = publish.rebuild()
    first = client.get("/data/konektivitas-desa.parquet").content
    cache.delete_many(publish._kept_keys(built))

    again = client.get("/data/konektivitas-desa.parquet")

    assert again.status_code == 200
    assert again.content == first


def test_a_dataset_about_places_says_nothing_is_hidden(client):
    publish.rebuild()

    page = client.get("/data/konektivitas-desa/").content.decode()
    stores = client.get("/data/toko-kabupaten/").content.decode()
    with translation.override("id"):  # the pages' language without a choice
        note = gettext(
            "This dataset describes places and holds no count of businesses, so no figure is "
            "hidden."
        )

    assert note in page and note not in stores
    assert "<code>disembunyikan</code>" not in page
    assert "<code>nilai_dibayar_rp</code>" in stores


def test_every_dataset_listed_answers_with_its_page_and_files(client):
    stores_scenario()
    sections.refresh_sections()
    publish.rebuild()
    home = client.get("/data/").content.decode()

    for slug in ("usaha-kabupaten-kapabilitas", "toko-kabupaten", "konektivitas-desa"):
        for address in (f"/data/{slug}/", f"/data/{slug}.csv", f"/data/{slug}.parquet"):
            assert f'href="{address}"' in home
            assert client.get(address).status_code == 200, address
