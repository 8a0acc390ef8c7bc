"""The open data as published: every dataset built, kept, and written as files.

:func:`build` computes every table (``onboarding`` from the rollups, ``figures`` from the
dashboards' section figures), harmonises their suppression (``tables``; the capability tables
then audited by the attacker of all tables at once), reads the connectivity of every village
(``villages``) and lays each dataset out as rows. Counts per region only: no personal data.

**Off the request.** Suppressing every table of the whole country takes seconds to tens of
seconds (``onboarding``'s docstring), more with the capability audit, so a build is kept in the
cache (:data:`CACHE_KEY`) and made by the worker (``tasks.rebuild_opendata_task`` →
:func:`rebuild`) or the demo, never inside a request. :func:`snapshot` answers with the kept
build and, when it is due again (its sources' clocks moved and it is older than
:data:`REBUILD_SECONDS`, or it is older than a day: the frequency declared to harvesters is
"harian"), enqueues the task, at most once per :data:`ENQUEUED_SECONDS`. Before the first build
it answers None and the pages say the files are being prepared (503 with Retry-After): building
in the request would hold a web thread for up to a minute nationally, beyond a proxy's patience,
and only a new installation (the demo builds the files) or a cache that lost the build meets it.

The files (CSV, Parquet) are written with the build and kept beside it
(:func:`file_bytes`), as are the rows of the villages (too many for the kept build, which every
request reads); a build removes its predecessor's.
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
from django.utils import timezone

from tumbuh.dashboards import rollups
from tumbuh.dashboards.models import Level, RollupClock
from tumbuh.dashboards.opendata import figures, onboarding, villages
from tumbuh.dashboards.opendata.datasets import BY_SLUG, Column, Dataset
from tumbuh.dashboards.opendata.onboarding import BUSINESSES_COLUMN, MILESTONE_COLUMNS
from tumbuh.dashboards.opendata.tables import (
    HIDDEN_COLUMN,
    TOTAL_COLUMN,
    Table,
    audit,
    harmonise,
    with_hidden_note,
)

CACHE_KEY = "tumbuh:opendata:snapshot"
REBUILD_SECONDS = 3600
BUILD_LOCK = "tumbuh:opendata:building"
# A national build with the capability audit took 5.5 minutes on 2 busy cores (synthetic early
# counts, many small); the lock outlives the slowest build and a worker that died holding it.
BUILD_LOCK_SECONDS = 3600
MAX_AGE_SECONDS = 24 * 3600
ENQUEUED_KEY = "tumbuh:opendata:enqueued"
ENQUEUED_SECONDS = BUILD_LOCK_SECONDS
# The clocks of the section figures that datasets read ("section:<name>", kept by
# ``dashboards.sections``; named here by value, as that module's layout may change).
SECTION_CLOCKS = ("section:capability", "section:stores")

REGION_COLUMNS = [
    Column("kode_wilayah", "Kode wilayah Kemendagri (kosong: Indonesia)"),
    Column("nama_wilayah", "Nama wilayah"),
]
HIDDEN_DESCRIPTION = "Kolom yang disembunyikan di baris ini (kendali pengungkapan)"


PLACE_COLUMNS = [
    Column("kode_provinsi", "Kode provinsi (kosong: Indonesia)"),
    Column("tingkat_wilayah", "kabupaten/kota; provinsi (jumlah kabupaten/kotanya); nasional"),
    Column("kode_wilayah", "Kode wilayah Kemendagri (kosong: Indonesia)"),
    Column("nama_wilayah", "Nama wilayah"),
]
# Datasets whose rows are kept beside the build, not in it (``villages``' docstring), and how
# to read them again if the cache let them go.
DETACHED = {"konektivitas-desa": villages.rows}
KEEP_FILES_SECONDS = 2 * 24 * 3600


@dataclass
class Published:
    """A dataset as published: header, rows (None where hidden) and its tables.

    ``as_of`` is the moment its figures describe when it is not the rollup clock's (the
    section figures' clock; the build, for the ledger's rows). A ``detached`` dataset's rows
    are kept beside the build (:func:`rows_of`); ``row_count`` counts them either way.
    """

    dataset: Dataset
    header: list[str]
    rows: list[list] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    as_of: datetime.datetime | None = None
    has_own_clock: bool = False
    detached: bool = False
    row_count: int = 0

    def __post_init__(self):
        self.row_count = self.row_count or len(self.rows)


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
    clocks = _section_clocks()
    capability = figures.section_figures(figures.CAPABILITY) if clocks.get("capability") else None
    stores = figures.section_figures(figures.STORES) if clocks.get("stores") else None
    capability_blocks, capability_provinces = figures.capability_tables(
        provinces, counts, capability or {}
    )
    store_blocks, store_provinces = figures.stores_tables(provinces, stores or {})
    every = [
        province,
        *regencies,
        *three_t,
        kinds,
        *months_tables,
        # A section never computed yet publishes nothing (not zeros).
        *([*capability_blocks, capability_provinces] if capability is not None else []),
        *([*store_blocks, store_provinces] if stores is not None else []),
    ]
    harmonise(every)
    if capability is not None:
        # Its row totals are the onboarding tables' "assessed" figures, cut otherwise.
        audit(
            every,
            focus=[*capability_blocks, capability_provinces],
            linked=figures.is_assessed,
        )

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
        _capability(capability_blocks, capability_provinces, clocks, capability is not None),
        _stores(store_blocks, store_provinces, stores, clocks),
        Published(
            dataset=BY_SLUG["konektivitas-desa"],
            header=villages.HEADER,
            rows=villages.rows(),
            columns=[Column(name, text) for name, text in villages.COLUMNS],
            as_of=timezone.now(),
            has_own_clock=True,
            detached=True,
        ),
    ]
    return {published.dataset.slug: published for published in built}


def _section_clocks() -> dict[str, datetime.datetime]:
    """The "as of" of the section figures read, by section name."""
    found = RollupClock.objects.filter(name__in=SECTION_CLOCKS).values_list("name", "as_of")
    return {name.split(":", 1)[1]: as_of for name, as_of in found}


def _capability(blocks, provinces_table, clocks, computed: bool) -> Published:
    header = [*figures.PLACE_COLUMNS, *figures.LEVEL_COLUMNS, TOTAL_COLUMN, HIDDEN_COLUMN]
    rows = figures.capability_rows(blocks, provinces_table) if computed else []
    return Published(
        dataset=BY_SLUG["usaha-kabupaten-kapabilitas"],
        header=header,
        rows=with_hidden_note(header, rows, len(figures.PLACE_COLUMNS)),
        tables=[*blocks, provinces_table] if computed else [],
        columns=[
            *PLACE_COLUMNS,
            *(Column(name, text) for name, text in figures.CAPABILITY_VALUE_COLUMNS),
            Column(HIDDEN_COLUMN, HIDDEN_DESCRIPTION),
        ],
        as_of=clocks.get("capability"),
        has_own_clock=True,
    )


def _stores(blocks, provinces_table, stores, clocks) -> Published:
    header = [*figures.PLACE_COLUMNS, *figures.STORE_COLUMNS, HIDDEN_COLUMN]
    rows = figures.stores_rows(blocks, provinces_table, stores) if stores is not None else []
    return Published(
        dataset=BY_SLUG["toko-kabupaten"],
        header=header,
        rows=with_hidden_note(header, rows, len(figures.PLACE_COLUMNS)),
        tables=[*blocks, provinces_table] if stores is not None else [],
        columns=[
            *PLACE_COLUMNS,
            *(Column(name, text) for name, text in figures.STORE_VALUE_COLUMNS),
            Column(HIDDEN_COLUMN, HIDDEN_DESCRIPTION),
        ],
        as_of=clocks.get("stores"),
        has_own_clock=True,
    )


# --- the kept build -----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Every dataset as published at one moment of the rollup clock."""

    as_of: datetime.datetime | None
    datasets: dict[str, Published]
    seconds: float  # to build them
    stamp: str  # the sources' clocks when built (``_position``)
    built_at: float  # Unix time

    def as_of_of(self, slug: str) -> datetime.datetime | None:
        """The "as of" of one dataset: its own clock's, else the rollup clock's."""
        published = self.datasets[slug]
        return published.as_of if published.has_own_clock else self.as_of

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


def _position() -> tuple[str, datetime.datetime | None]:
    """Where the sources stand: a stamp of their clocks, and the rollup clock's "as of"."""
    clocks = {
        name: (as_of, changes)
        for name, as_of, changes in RollupClock.objects.filter(
            name__in=[rollups.CLOCK, *SECTION_CLOCKS]
        ).values_list("name", "as_of", "changes_applied")
    }
    stamp = ";".join(
        f"{name}={as_of.isoformat()}:{changes}" for name, (as_of, changes) in sorted(clocks.items())
    )
    return stamp or "none", clocks.get(rollups.CLOCK, (None, 0))[0]


def _is_due(kept: Snapshot, stamp: str) -> bool:
    """Whether a kept build should be made again: its sources moved and it is older than
    :data:`REBUILD_SECONDS`, or it is older than a day whatever moved (the declared frequency;
    the connectivity ledger has no clock of its own)."""
    age = time.time() - kept.built_at
    return age >= MAX_AGE_SECONDS or (kept.stamp != stamp and age >= REBUILD_SECONDS)


def snapshot() -> Snapshot | None:
    """The datasets as last built; None before the first build.

    Never builds: when the kept build is due again (:func:`_is_due`) or missing, it enqueues
    ``tasks.rebuild_opendata_task`` (at most once per :data:`ENQUEUED_SECONDS`, ``cache.add``
    of :data:`ENQUEUED_KEY`) and answers with the kept build meanwhile, whose "as of" every
    page and file shows. Suppressing every table of the whole country takes seconds to tens of
    seconds (``onboarding``'s docstring): too long for a request, and the demo builds it first.
    Calls :func:`rollups.refresh` first, as every reader of the rollups does.
    """
    rollups.refresh()
    stamp, _as_of = _position()
    kept = cache.get(CACHE_KEY)
    if kept is not None and not _is_due(kept, stamp):
        return kept
    if _request_rebuild():
        kept = cache.get(CACHE_KEY) or kept  # a test's immediate backend has built it already
    return kept


def _request_rebuild() -> bool:
    """Enqueue a rebuild unless one was enqueued within :data:`ENQUEUED_SECONDS`; whether it was.

    Enqueued at once, not on commit: the request has written nothing the task must see. A
    finished build lifts the guard; a failed one leaves it, so it is retried after the period.
    """
    if not cache.add(ENQUEUED_KEY, time.time(), ENQUEUED_SECONDS):
        return False
    from tumbuh.dashboards.tasks import rebuild_opendata_task

    rebuild_opendata_task.enqueue()
    return True


def rebuild(*, only_if_due: bool = False) -> Snapshot | None:
    """Build every dataset and keep the build (the worker's task and the demo call this).

    One build at a time (:data:`BUILD_LOCK`): while another runs this answers None. With
    ``only_if_due`` (the task: several may have been enqueued) a kept build that is not due
    again is answered as it is.
    """
    rollups.refresh()
    stamp, as_of = _position()
    if only_if_due:
        kept = cache.get(CACHE_KEY)
        if kept is not None and not _is_due(kept, stamp):
            return kept
    if not cache.add(BUILD_LOCK, 1, BUILD_LOCK_SECONDS):
        return None
    try:
        started = time.perf_counter()
        datasets = build()
        built = Snapshot(
            as_of=as_of,
            datasets=datasets,
            seconds=time.perf_counter() - started,
            stamp=stamp,
            built_at=time.time(),
        )
        for slug, published in datasets.items():
            if published.detached:
                cache.set(_rows_key(built, slug), published.rows, KEEP_FILES_SECONDS)
                published.rows = []
        for slug in datasets:  # written now, off the request
            for extension in FILE_WRITERS:
                file_bytes(built, slug, extension)
        previous = cache.get(CACHE_KEY)
        cache.set(CACHE_KEY, built, None)
        cache.delete(ENQUEUED_KEY)  # the next move of the sources may ask again at once
        if previous is not None:
            cache.delete_many(_kept_keys(previous))
    finally:
        cache.delete(BUILD_LOCK)
    return built


def _rows_key(built: Snapshot, slug: str) -> str:
    return f"{CACHE_KEY}:{built.built_at}:{slug}:rows"


def _file_key(built: Snapshot, slug: str, extension: str) -> str:
    return f"{CACHE_KEY}:{built.built_at}:{slug}.{extension}"


def _kept_keys(built: Snapshot) -> list[str]:
    """The cache keys kept beside a build: its detached rows and its files."""
    keys = [_rows_key(built, slug) for slug, found in built.datasets.items() if found.detached]
    return keys + [
        _file_key(built, slug, extension) for slug in built.datasets for extension in FILE_WRITERS
    ]


def rows_of(built: Snapshot, slug: str) -> list[list]:
    """A dataset's rows in ``built``; a detached dataset's from beside it, read again from
    their source if the cache let them go (one query for the villages)."""
    published = built.datasets[slug]
    if not published.detached:
        return published.rows
    rows = cache.get(_rows_key(built, slug))
    if rows is None:
        rows = DETACHED[slug]()
        cache.set(_rows_key(built, slug), rows, KEEP_FILES_SECONDS)
    return rows


def file_bytes(built: Snapshot, slug: str, extension: str) -> bytes:
    """A dataset's file (``csv`` or ``parquet``), written once per build and kept."""
    header = built.datasets[slug].header
    return cache.get_or_set(
        _file_key(built, slug, extension),
        lambda: FILE_WRITERS[extension](header, rows_of(built, slug)),
        KEEP_FILES_SECONDS,
    )


# --- files --------------------------------------------------------------------------------


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 CSV with a header row; a hidden figure is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode()


def parquet_bytes(header: list[str], rows: list[list]) -> bytes:
    """The same rows as Parquet, written by DuckDB (imported here: start-up stays light).

    The rows reach DuckDB as JSON lines read with the columns' types: a hidden figure stays
    null and an empty text stays empty. (Inserting them with ``executemany`` took 11 s for
    10,000 rows of 8 columns; the whole country's 83,762 villages take about 1 s this way.)
    """
    import duckdb

    numeric = [
        all(row[n] is None or isinstance(row[n], int) for row in rows)
        and any(isinstance(row[n], int) for row in rows)
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
            for row in rows:
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


FILE_WRITERS = {"csv": csv_bytes, "parquet": parquet_bytes}


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
