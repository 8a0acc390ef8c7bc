"""The open datasets of ``/data/``: what is published, with its Satu Data Indonesia metadata.

The registry (:data:`DATASETS`), each with the metadata fields of Satu Data Indonesia (judul,
deskripsi, produsen data, frekuensi, cakupan, lisensi) and an English title second; ``/data/``,
the DCAT catalogue and the CKAN API list exactly these:

- ``usaha-provinsi-tonggak``: businesses by province × milestone, now (with the national total);
- ``usaha-kabupaten-tonggak``: businesses by regency × milestone, now, in blocks of the 3T and
  the other regencies of each province (each block with its totals);
- ``usaha-provinsi-bulan``: new businesses and new milestones by province × month;
- ``usaha-provinsi-3t``: businesses in 3T and other regencies, by province, per milestone;
- ``usaha-provinsi-jenis``: businesses by kind (UMKM, BumDes, cooperative) by province.

How they are built: the onboarding tables from the rollups (``onboarding``); disclosure control
across every table (``tables``); the build, the kept snapshot and the files (``publish``).
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
)
BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}
