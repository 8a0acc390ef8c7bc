"""Catalogue search and filters, on SQLite (fallback) and PostgreSQL (full text + trigram)."""

import pytest
from django.db import connection
from django.urls import reverse

from tumbuh.catalogue import queries
from tumbuh.catalogue.queries import Filters
from tumbuh.catalogue.tests.conftest import make_product, village_3t
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, make_enterprise, make_store
from tumbuh.stores.models import Product

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL search")
on_sqlite = pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite fallback")


def titles(filters=None, text=""):
    filters = filters or Filters()
    products = queries.filter_products(queries.listed_products(), filters)
    products, ranked = queries.search_products(products, text or filters.text)
    return [product.title for product in queries.page_of(products, is_ranked=ranked).products]


@pytest.fixture
def shelf():
    jabar = make_store("Dapur Bu Ani", opening_product=False)
    ntt = make_store("BumDes Namosain", village=NAMOSAIN, kind="bumdes", opening_product=False)
    make_product(
        jabar,
        "Keripik Pisang Manis",
        description="Pisang kepok digoreng renyah",
        price_idr=15_000,
        category="food",
    )
    make_product(
        jabar,
        "Kopi Bubuk Arabika",
        description="Kopi dari Pangalengan",
        price_idr=45_000,
        category="food",
    )
    make_product(
        ntt,
        "Kain Tenun Ikat",
        description="Ditenun tangan oleh ibu-ibu desa",
        price_idr=350_000,
        category="fashion",
    )
    make_product(
        ntt, "Madu Hutan", description="Madu murni dari hutan", price_idr=80_000, category="food"
    )
    hidden = make_store("Toko Draf", live=False)
    make_product(hidden, "Keripik Singkong Draf")
    make_product(jabar, "Keripik Tempe Lama", is_active=False)
    return jabar, ntt


def test_only_active_products_of_live_stores_are_listed(shelf):
    assert sorted(titles()) == [
        "Kain Tenun Ikat",
        "Keripik Pisang Manis",
        "Kopi Bubuk Arabika",
        "Madu Hutan",
    ]


def test_word_search_finds_title_and_description(shelf):
    assert titles(text="keripik") == ["Keripik Pisang Manis"]
    assert titles(text="tenun") == ["Kain Tenun Ikat"]
    assert titles(text="pangalengan") == ["Kopi Bubuk Arabika"]
    assert titles(text="sepatu") == []


@on_sqlite
def test_sqlite_fallback_needs_every_word(shelf):
    assert titles(text="kopi arabika") == ["Kopi Bubuk Arabika"]
    assert titles(text="kopi madu") == []


@on_postgres
def test_postgres_stems_indonesian_words(shelf):
    # "digoreng" is stemmed to "goreng", "ditenun" to "tenun": both reach the description words.
    assert titles(text="goreng") == ["Keripik Pisang Manis"]
    assert titles(text="tenunan") == ["Kain Tenun Ikat"]


@on_postgres
def test_postgres_finds_typos_by_trigram(shelf):
    assert titles(text="kripik pisang") == ["Keripik Pisang Manis"]
    assert titles(text="arabica") == ["Kopi Bubuk Arabika"]


@on_postgres
def test_postgres_ranks_title_matches_first(shelf):
    jabar, _ntt = shelf
    make_product(jabar, "Gula Aren", description="Cocok untuk kopi susu")
    assert titles(text="kopi")[0] == "Kopi Bubuk Arabika"


@on_postgres
def test_stored_search_vector_follows_edits_and_is_indexed(shelf):
    jabar, _ntt = shelf
    product = make_product(jabar, "Tas Pandan")
    assert titles(text="anyaman") == []
    Product.objects.filter(pk=product.pk).update(description="Anyaman daun pandan")
    assert titles(text="anyaman") == ["Tas Pandan"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'stores_product' AND indexname LIKE 'catalogue%%'"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == [
            "catalogue_product_search_idx",
            "catalogue_product_title_trgm_gist_idx",
            "catalogue_product_title_trgm_idx",
        ]


@on_postgres
def test_stored_vector_follows_title_edits_and_leaves_column_types_changeable(shelf):
    jabar, _ntt = shelf
    product = make_product(jabar, "Tas Pandan")
    product.title = "Dompet Pandan"
    product.save()
    Product.objects.filter(pk=product.pk).update(stock=3)  # other columns: vector kept
    assert titles(text="dompet") == ["Dompet Pandan"]
    assert titles(text="tas") == []
    with connection.cursor() as cursor:  # the stores app may still change the title's type
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush Django's deferred FK checks
        cursor.execute("ALTER TABLE stores_product ALTER COLUMN title TYPE varchar(200)")


def test_filters(shelf):
    assert sorted(titles(Filters(province="53"))) == ["Kain Tenun Ikat", "Madu Hutan"]
    assert sorted(titles(Filters(regency=DAYEUHKOLOT[:5]))) == [
        "Keripik Pisang Manis",
        "Kopi Bubuk Arabika",
    ]
    assert sorted(titles(Filters(category="fashion"))) == ["Kain Tenun Ikat"]
    assert sorted(titles(Filters(min_price_idr=40_000, max_price_idr=100_000))) == [
        "Kopi Bubuk Arabika",
        "Madu Hutan",
    ]
    assert titles(Filters(province="53", text="madu")) == ["Madu Hutan"]


def test_origin_is_the_producer_village_for_consignment(shelf):
    _jabar, ntt = shelf
    papua = make_enterprise("Noken Mama Yosina", village=SENTANI_KOTA)
    make_product(ntt, "Noken Anyaman", producer=papua)
    assert titles(Filters(province="91")) == ["Noken Anyaman"]
    assert "Noken Anyaman" not in titles(Filters(province="53"))


def test_from_3t_filter_uses_the_regency_flag():
    village = village_3t("53")
    remote = make_store("Toko Pelosok", village=village, opening_product=False)
    make_product(remote, "Jagung Bose")
    make_product(make_store("Toko Kota", opening_product=False), "Tahu Sumedang")
    assert titles(Filters(from_3t=True)) == ["Jagung Bose"]


def test_keyset_pages_cover_everything_once(client):
    store = make_store(opening_product=False)
    for number in range(queries.PAGE_SIZE + 5):
        make_product(store, f"Produk {number:02d}")
    first = client.get(reverse("catalogue:home"))
    assert len(first.context["page"].products) == queries.PAGE_SIZE
    next_link = first.context["next_link"]
    assert "setelah=" in next_link
    second = client.get(reverse("catalogue:home") + next_link)
    assert len(second.context["page"].products) == 5
    assert second.context["next_link"] is None
    seen = {p.pk for p in first.context["page"].products} | {
        p.pk for p in second.context["page"].products
    }
    assert seen == set(Product.objects.values_list("pk", flat=True))


def test_bad_filter_values_are_reported_and_ignored(client, shelf):
    response = client.get(
        reverse("catalogue:home"), {"harga_min": "murah", "kategori": "senjata", "provinsi": "53"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "harga_min" in form.errors and "kategori" in form.errors
    assert sorted(p.title for p in response.context["page"].products) == [
        "Kain Tenun Ikat",
        "Madu Hutan",
    ]


def test_reversed_price_range_refused(client, shelf):
    response = client.get(reverse("catalogue:home"), {"harga_min": "90000", "harga_maks": "1000"})
    assert "harga_maks" in response.context["form"].errors
    # The valid lowest price still applies; the refused highest price is ignored.
    assert [p.title for p in response.context["page"].products] == ["Kain Tenun Ikat"]


def test_home_page_query_count(client, shelf, query_count):
    with query_count() as queries_run:
        response = client.get(
            reverse("catalogue:home"), {"q": "madu", "provinsi": "53", "halal": "1"}
        )
    assert response.status_code == 200
    assert len(queries_run) <= 6


def test_regency_choices_follow_the_province(client, shelf):
    response = client.get(reverse("catalogue:home"), {"provinsi": "53"})
    regencies = [
        code for code, _name in response.context["form"].fields["kabupaten"].choices if code
    ]
    assert regencies and all(code.startswith("53.") for code in regencies)


ODD_TEXT = ['"', "-", "!!! ''' & | :*", "kopi OR", "<script>", "a" * 300, "ß∂ƒ 漢字"]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_odd_search_text_never_fails(client, shelf, text):
    response = client.get(reverse("catalogue:home"), {"q": text})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("</header>")[1]
