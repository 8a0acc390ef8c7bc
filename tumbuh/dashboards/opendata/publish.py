"""The open data as published: every dataset built from the rollups, kept, and written as files.

:func:`build` computes every table (``onboarding``), harmonises their suppression
(``tables``) and lays each dataset out as rows. Every figure comes from the rollups after
:func:`rollups.refresh`, counts per region only: no personal data. Frequency is "harian"
(daily, declared to harvesters): the rollups follow the registry continuously, and the files are
built again at most once per :data:`REBUILD_SECONDS` once the rollup clock has moved
(:func:`snapshot`), which is more often than declared.

Suppressing and harmonising every table of the whole country takes seconds to tens of seconds
(``onboarding``'s docstring), so a build is kept (:func:`snapshot`) and made again at most once
per :data:`REBUILD_SECONDS`.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field

from django.core.cache import cache

from tumbuh.dashboards import rollups
from tumbuh.dashboards.models import Level, RollupClock
from tumbuh.dashboards.opendata import onboarding
from tumbuh.dashboards.opendata.datasets import BY_SLUG, Column, Dataset
from tumbuh.dashboards.opendata.onboarding import BUSINESSES_COLUMN, MILESTONE_COLUMNS
from tumbuh.dashboards.opendata.tables import (
    HIDDEN_COLUMN,
    TOTAL_COLUMN,
    Table,
    harmonise,
    with_hidden_note,
)

CACHE_KEY = "tumbuh:opendata:snapshot"
REBUILD_SECONDS = 3600
BUILD_LOCK = "tumbuh:opendata:building"
BUILD_LOCK_SECONDS = 600

REGION_COLUMNS = [
    Column("kode_wilayah", "Kode wilayah Kemendagri (kosong: Indonesia)"),
    Column("nama_wilayah", "Nama wilayah"),
]
HIDDEN_DESCRIPTION = "Kolom yang disembunyikan di baris ini (kendali pengungkapan)"


@dataclass
class Published:
    """A dataset as published: header, rows (None where hidden) and its tables."""

    dataset: Dataset
    header: list[str]
    rows: list[list] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)


def _published(slug, header, label_count, parts, columns, value_columns) -> Published:
    """A dataset of suppressed tables: their rows, with the hidden columns named last."""
    rows = []
    for table in parts:
        rows += table.rows()
    full = [*header, HIDDEN_COLUMN]
    return Published(
        dataset=BY_SLUG[slug],
        header=full,
        rows=with_hidden_note(full, rows, label_count),
        tables=parts,
        columns=[
            *columns,
            *(Column(name, text) for name, text in value_columns(header[label_count:])),
            Column(HIDDEN_COLUMN, HIDDEN_DESCRIPTION),
        ],
    )


def build() -> dict[str, Published]:
    """Every dataset computed from the rollups, suppressed and harmonised."""
    provinces = onboarding.names(Level.PROVINCE)
    counts = onboarding.counts(Level.REGENCY)
    province = onboarding.province_table(provinces, counts)
    regencies = onboarding.regency_tables(provinces, counts)
    three_t = onboarding.three_t_tables(provinces, counts)
    kinds = onboarding.kind_table(provinces, counts)
    months_tables, months = onboarding.month_tables(provinces)
    onboarding.unlink_unequal_totals(months_tables, province)
    harmonise([province, *regencies, *three_t, kinds, *months_tables])

    milestone_header = [name for _m, name in MILESTONE_COLUMNS]
    milestone_column = Column("tonggak", "Usaha (usaha) atau tonggak yang dihitung")
    described = onboarding.value_columns
    region_header = ["kode_wilayah", "nama_wilayah"]
    built = [
        _published(
            "usaha-provinsi-tonggak",
            [*region_header, *milestone_header],
            2,
            [province],
            REGION_COLUMNS,
            described,
        ),
        _published(
            "usaha-kabupaten-tonggak",
            ["kode_provinsi", "bagian", *region_header, *milestone_header],
            4,
            regencies,
            [
                Column("kode_provinsi", "Kode provinsi"),
                Column("bagian", "3T atau bukan 3T: blok kabupaten/kota"),
                Column("kode_wilayah", "Kode kabupaten/kota (kosong: baris jumlah blok)"),
                Column("nama_wilayah", "Nama kabupaten/kota, atau jumlah blok"),
            ],
            described,
        ),
        _published(
            "usaha-provinsi-bulan",
            ["tonggak", *region_header, *[f"{m:%Y-%m}" for m in months], TOTAL_COLUMN],
            3,
            months_tables,
            [milestone_column, *REGION_COLUMNS],
            described,
        ),
        _published(
            "usaha-provinsi-3t",
            ["tonggak", *region_header, "3t", "bukan_3t", TOTAL_COLUMN],
            3,
            three_t,
            [milestone_column, *REGION_COLUMNS],
            described,
        ),
        _published(
            "usaha-provinsi-jenis",
            [*region_header, *onboarding.KINDS, TOTAL_COLUMN],
            2,
            [kinds],
            REGION_COLUMNS,
            described,
        ),
    ]
    return {published.dataset.slug: published for published in built}


# --- the kept build -----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Every dataset as published at one moment of the rollup clock."""

    as_of: datetime.datetime | None
    datasets: dict[str, Published]
    seconds: float  # to build them
    stamp: str  # the rollup clock's position when built
    built_at: float  # Unix time

    @property
    def national(self) -> dict[str, int | None]:
        """The province table's national row: column name → figure (None when hidden)."""
        published = self.datasets["usaha-provinsi-tonggak"]
        last = published.rows[-1]
        return {name: last[published.header.index(name)] for name in published.header[2:-1]}

    @property
    def three_t(self) -> tuple[int | None, int | None]:
        """Businesses in 3T regencies and in all regencies, as published (None when hidden)."""
        published = self.datasets["usaha-provinsi-3t"]
        last = [row for row in published.rows if row[0] == BUSINESSES_COLUMN][-1]
        return last[3], last[5]


def _clock() -> RollupClock | None:
    return RollupClock.objects.filter(name=rollups.CLOCK).first()


def snapshot() -> Snapshot:
    """The datasets as last built, built again when the rollup clock has moved and the kept
    build is older than :data:`REBUILD_SECONDS` (or there is none).

    Calls :func:`rollups.refresh` first. Suppressing every table of the whole country takes
    seconds to tens of seconds (the module's docstring), so the files are not rebuilt on every
    fold of the rollups (every few seconds when the registry is busy): at most once per
    :data:`REBUILD_SECONDS`, which the daily frequency of the metadata allows. The "as of" of
    every page and file is that of the build.
    """
    rollups.refresh()
    clock = _clock()
    stamp = f"{clock.as_of.isoformat()}:{clock.changes_applied}" if clock else "none"
    kept = cache.get(CACHE_KEY)
    if kept is not None and (kept.stamp == stamp or time.time() - kept.built_at < REBUILD_SECONDS):
        return kept
    # One build at a time: the others serve the kept build meanwhile (if there is one).
    locked = cache.add(BUILD_LOCK, 1, BUILD_LOCK_SECONDS)
    if not locked and kept is not None:
        return kept
    try:
        started = time.perf_counter()
        datasets = build()
    finally:
        if locked:
            cache.delete(BUILD_LOCK)
    built = Snapshot(
        as_of=clock.as_of if clock else None,
        datasets=datasets,
        seconds=time.perf_counter() - started,
        stamp=stamp,
        built_at=time.time(),
    )
    cache.set(CACHE_KEY, built, None)
    return built


# --- files --------------------------------------------------------------------------------


def csv_bytes(published: Published) -> bytes:
    """UTF-8 CSV with a header row; a hidden figure is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(published.header)
    for row in published.rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode()


def parquet_bytes(published: Published) -> bytes:
    """The same rows as Parquet, written by DuckDB (imported here: start-up stays light).

    The rows reach DuckDB as JSON lines read with the columns' types: a hidden figure stays
    null and an empty text stays empty. (Inserting them with ``executemany`` took 11 s for
    10,000 rows of 8 columns; the whole country's 83,762 villages take about 1 s this way.)
    """
    import duckdb

    header = published.header
    numeric = [
        all(row[n] is None or isinstance(row[n], int) for row in published.rows)
        and any(isinstance(row[n], int) for row in published.rows)
        for n in range(len(header))
    ]
    # Column names are this module's own (letters, digits, "_" and "-").
    types = ", ".join(
        f"'{name}': '{'BIGINT' if is_number else 'VARCHAR'}'"
        for name, is_number in zip(header, numeric, strict=True)
    )
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, "rows.jsonl")
        path = os.path.join(directory, "data.parquet")
        with open(source, "w", encoding="utf-8") as handle:
            for row in published.rows:
                handle.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False))
                handle.write("\n")
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(
                f"COPY (SELECT * FROM read_json('{source}', format='newline_delimited', "  # noqa: S608
                f"columns={{{types}}})) TO '{path}' (FORMAT parquet)"
            )
        finally:
            connection.close()
        with open(path, "rb") as handle:
            return handle.read()


def businesses_per_thousand(published: Published) -> dict[str, float | None]:
    """Province code → published businesses per 1,000 people (None: hidden or no population)."""
    from tumbuh.regions.models import Province

    population = dict(Province.objects.values_list("code", "population"))
    column = published.header.index(BUSINESSES_COLUMN)
    values = {}
    for row in published.rows[:-1]:
        code, count = row[0], row[column]
        people = population.get(code)
        values[code] = None if count is None or not people else 1000 * count / people
    return values
