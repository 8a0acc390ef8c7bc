"""The open datasets of ``/data/``: what is published, with its Satu Data Indonesia metadata.

The registry (:data:`DATASETS`), each with the metadata fields of Satu Data Indonesia (judul,
deskripsi, produsen data, frekuensi, cakupan, lisensi) and an English title second; ``/data/``,
the DCAT catalogue and the CKAN API list exactly these:

- ``usaha-provinsi-tonggak``: businesses by province × milestone, now (with the national total);
- ``usaha-kabupaten-tonggak``: businesses by regency × milestone, now, in blocks of the 3T and
  the other regencies of each province (each block with its totals);
- ``usaha-provinsi-bulan``: new businesses and new milestones by province × month;
- ``usaha-provinsi-3t``: businesses in 3T and other regencies, by province, per milestone;
- ``usaha-provinsi-jenis``: businesses by kind (UMKM, BumDes, cooperative) by province;
- ``usaha-kabupaten-kapabilitas``: businesses by capability level, per regency and province;
- ``toko-kabupaten``: live stores, products in the BBI catalogue, orders paid and their value,
  per regency and province;
- ``konektivitas-desa``: connectivity of every village (signal, middle mile, backbone within
  reach, BTS sites on air): facts about places, with no count of businesses.

How they are built: the onboarding tables from the rollups (``onboarding``); capability and
stores from the dashboards' section figures (``figures``); connectivity from the ledger
(``villages``); disclosure control across every table of counts (``tables``); the build, the
kept snapshot and the files (``publish``).
"""

from __future__ import annotations

from dataclasses import dataclass

PRODUCER = "Tumbuh — Program Digitalisasi UMKM"
FREQUENCY = "harian"
CC_BY = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
ODBL_ATTRIBUTION = (
    "Kode dan nama wilayah: Kepmendagri No. 300.2.2-2138 Tahun 2025, dari idn-area-data 4.0.1, "
    "ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)"
)


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class Dataset:
    """One open dataset and its Satu Data Indonesia metadata."""

    slug: str
    judul: str
    title_en: str
    deskripsi: str
    cakupan: str
    has_region_names: bool = True
    # Counts businesses, so small figures are hidden (disclosure control); a dataset about
    # places (connectivity per village) holds no such count.
    counts_businesses: bool = True

    @property
    def produsen_data(self) -> str:
        return PRODUCER

    @property
    def frekuensi(self) -> str:
        return FREQUENCY

    @property
    def lisensi(self) -> str:
        return f"{CC_BY}; {ODBL_ATTRIBUTION}" if self.has_region_names else CC_BY


DATASETS = (
    Dataset(
        slug="usaha-provinsi-tonggak",
        judul="Jumlah usaha per provinsi dan tonggak digitalisasi",
        title_en="Businesses by province and milestone of the digital journey",
        deskripsi=(
            "Usaha (UMKM, BumDes, koperasi) yang terdaftar tanpa duplikat, dan yang telah "
            "mencapai setiap tonggak perjalanan digital, per provinsi, saat ini."
        ),
        cakupan="Nasional; tingkat provinsi",
    ),
    Dataset(
        slug="usaha-kabupaten-tonggak",
        judul="Jumlah usaha per kabupaten/kota dan tonggak digitalisasi",
        title_en="Businesses by regency and milestone of the digital journey",
        deskripsi=(
            "Usaha tanpa duplikat dan tonggak yang dicapai, per kabupaten/kota, dalam blok "
            "kabupaten/kota 3T dan bukan 3T setiap provinsi, masing-masing dengan jumlahnya."
        ),
        cakupan="Nasional; tingkat kabupaten/kota",
    ),
    Dataset(
        slug="usaha-provinsi-bulan",
        judul="Usaha baru dan tonggak baru per provinsi dan bulan",
        title_en="New businesses and milestones by province and month",
        deskripsi=(
            "Jumlah usaha yang baru terdaftar dan tonggak yang baru dicapai setiap bulan "
            "(Waktu Indonesia Barat), per provinsi; satu tabel per tonggak."
        ),
        cakupan="Nasional; tingkat provinsi; bulanan",
    ),
    Dataset(
        slug="usaha-provinsi-3t",
        judul="Usaha di kabupaten/kota 3T dan bukan 3T per provinsi",
        title_en="Businesses in 3T and other regencies by province",
        deskripsi=(
            "Usaha tanpa duplikat dan tonggak yang dicapai di kabupaten/kota 3T (tertinggal, "
            "terdepan, terluar) dan di kabupaten/kota lainnya, per provinsi; satu tabel per "
            "tonggak."
        ),
        cakupan="Nasional; tingkat provinsi",
    ),
    Dataset(
        slug="usaha-provinsi-jenis",
        judul="Jumlah usaha per jenis (UMKM, BumDes, koperasi) per provinsi",
        title_en="Businesses by kind (UMKM, BumDes, cooperative) by province",
        deskripsi="Usaha tanpa duplikat per jenis usaha, per provinsi, saat ini.",
        cakupan="Nasional; tingkat provinsi",
    ),
    Dataset(
        slug="usaha-kabupaten-kapabilitas",
        judul="Jumlah usaha per tingkat kapabilitas digital per kabupaten/kota",
        title_en="Businesses by digital capability level by regency",
        deskripsi=(
            "Usaha tanpa duplikat menurut tingkat kapabilitas digital (1–5) dari penilaian "
            "terakhirnya, per kabupaten/kota, dengan jumlah per provinsi dan nasional."
        ),
        cakupan="Nasional; tingkat kabupaten/kota dan provinsi",
    ),
    Dataset(
        slug="toko-kabupaten",
        judul="Toko daring aktif dan katalog BBI per kabupaten/kota",
        title_en="Live online stores and the BBI catalogue by regency",
        deskripsi=(
            "Toko daring yang aktif, produk di katalog Bangga Buatan Indonesia, pesanan yang "
            "dibayar dan nilainya, per kabupaten/kota, dengan jumlah per provinsi dan nasional. "
            "Jumlah toko 1–9 disembunyikan; produk, pesanan dan nilai di baris yang sama ikut "
            "disembunyikan, karena dapat menunjukkan omzet satu toko."
        ),
        cakupan="Nasional; tingkat kabupaten/kota dan provinsi",
    ),
    Dataset(
        slug="konektivitas-desa",
        judul="Konektivitas per desa/kelurahan",
        title_en="Connectivity by village",
        deskripsi=(
            "Setiap desa/kelurahan: sinyal seluler terbaik (last mile), middle mile, "
            "jangkauan backbone serat optik, dan BTS yang mengudara; desa yang belum tercatat "
            "dianggap tanpa sinyal. Data tentang tempat: jumlah usaha per desa tidak dimuat "
            "(satu desa dapat memiliki 1–9 usaha)."
        ),
        cakupan="Nasional; tingkat desa/kelurahan",
        counts_businesses=False,
    ),
)
BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}
