"""The open datasets of ``/data/``: counts of businesses per region, from the rollups only.

The registry (:data:`DATASETS`), each with the metadata fields of Satu Data Indonesia (judul,
deskripsi, produsen data, frekuensi, cakupan, lisensi) and an English title second:

- ``usaha-provinsi-tonggak``: businesses by province × milestone, now (with the national total);
- ``usaha-kabupaten-tonggak``: businesses by regency × milestone, now, in blocks of the 3T and
  the other regencies of each province (each block with its totals);
- ``usaha-provinsi-bulan``: new businesses and new milestones by province × month;
- ``usaha-provinsi-3t``: businesses in 3T and other regencies, by province, per milestone;
- ``usaha-provinsi-jenis``: businesses by kind (UMKM, BumDes, cooperative) by province.

Every figure comes from :class:`~tumbuh.dashboards.models.OnboardingCount` and
:class:`~tumbuh.dashboards.models.OnboardingSeries` after :func:`rollups.refresh`, counts per
region only: no personal data. Frequency is "harian" (daily, declared to harvesters): the
rollups follow the registry continuously, and the files are built again at most once an hour
once the rollup clock has moved (:func:`snapshot`), which is more often than declared.

**Disclosure control.** Every dataset is made of 2-D *tables* (rows: regions; columns:
milestones, months, kinds or 3T/other), each published with its row totals, column totals and
grand total, and suppressed with :func:`tumbuh.dashboards.disclosure.suppress` (no published
figure counts 1–9 businesses; complements so that each small figure could be 10 or more).
Suppressed cells are empty in the CSV and null in Parquet; the last column,
``disembunyikan``, names the columns hidden in that row.

The tables share figures: the column totals of a regency block are a row of the 3T table; the
row totals of the 3T, monthly and kind tables are cells of the province table. A figure hidden
in one table and published in another would undo the first table's protection, so every
published figure has a *key* (what it counts: a region or a part of a province, and a
milestone, month or kind), and the tables are harmonised: a key hidden in any table is hidden
in every table that holds it; a figure hidden that way (not small itself) gets rectangles of
complements until it can rise by at least one (it is never recoverable in its table), and this
repeats until no table hides a key that another publishes. Hiding more never narrows what an
attacker can infer within a table, so each table keeps its protection (checked by
``recoverable_cells`` in the tests). An attacker who solves the equations of every table at
once is :func:`joint_intervals` (one linear program over all tables, a shared figure one
unknown); the tests run it on every published table (a registry built through the services,
and random counts in every regency of the test provinces, many small) and find every small
figure able to reach 10 and no hidden figure pinned down; suppressing the same tables one by
one, without harmonising, leaves 11 to 13 figures hidden in one table and published in another
on those random counts. It is a check, not part of the build: at national size it
takes minutes (one pair of linear programs per hidden figure).

**Row totals of the milestone tables are not published** (province and regency tables): a
row's businesses plus its milestones count nothing useful, and the attacker of all tables at
once (:func:`joint_intervals`), run on synthetic national counts with many small figures, pinned
155 of 4,338 hidden figures through them (a block's row total ties the 3T tables of the
different milestones together); without them it pinned none of 4,199 (761 s). They are still part of each table's own suppression (hiding
more there is harmless); the joint attacker treats them as unknowns.

**The regency table** (514 regencies × 9 columns) is not suppressed as one table: it is cut into
blocks, the 3T regencies and the other regencies of each province, each suppressed on its own
with its block totals, which are the rows of the 3T table (harmonised with it). The blocks
partition the table; national column totals over all regencies are not published in this
dataset (they are the province table's national totals, where their hiding is harmonised).
Measured on this 2-core machine under load, with synthetic counts for all 514 regencies of the
38 provinces (``/tmp`` script, not shipped): as one table the regency table took 235 s to
suppress when many counts are small (an early programme) and 47 s with large counts; cut into
63 blocks, suppressing and harmonising *every* table of every dataset (83 tables, twelve
months) took 37 s (early) and 3-5 s (large counts), and ``recoverable_cells`` found nothing
in any table. So a build is kept (:func:`snapshot`) and made again at most once per
:data:`REBUILD_SECONDS`.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache

from tumbuh.dashboards import disclosure, rollups
from tumbuh.dashboards.models import (
    BUSINESSES,
    Level,
    OnboardingCount,
    OnboardingSeries,
    RollupClock,
)
from tumbuh.registry.models import Enterprise, Milestone

PRODUCER = "Tumbuh — Program Digitalisasi UMKM"
FREQUENCY = "harian"
CC_BY = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
ODBL_ATTRIBUTION = (
    "Kode dan nama wilayah: Kepmendagri No. 300.2.2-2138 Tahun 2025, dari idn-area-data 4.0.1, "
    "ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)"
)
HIDDEN_COLUMN = "disembunyikan"
TOTAL_COLUMN = "jumlah"
UNPUBLISHED = "unpublished"
BUSINESSES_COLUMN = "usaha"
CACHE_KEY = "tumbuh:opendata:snapshot"
REBUILD_SECONDS = 3600
BUILD_LOCK = "tumbuh:opendata:building"
BUILD_LOCK_SECONDS = 600

# Columns of the milestone tables: the businesses themselves, then each milestone.
MILESTONE_COLUMNS = [(BUSINESSES, BUSINESSES_COLUMN)] + [
    (kind, kind) for kind in Milestone.Kind.values
]
KINDS = [kind for kind in Enterprise.Kind.values]


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


@dataclass
class Table:
    """One 2-D table suppressed on its own, with the key of every figure it publishes.

    ``labels`` are the leading columns of each data row (and of the totals row,
    ``total_labels``); the figure in row ``i`` and column ``j`` counts ``(row_keys[i],
    column_keys[j])``; the row totals count ``(row_keys[i], total_column_key)``, the column
    totals ``(total_row_key, column_keys[j])``.
    """

    labels: list[list[str]]
    total_labels: list[str]
    cells: list[list[int]]
    row_keys: list[tuple]
    column_keys: list[tuple]
    total_row_key: tuple
    total_column_key: tuple
    key: Callable[[tuple, tuple], tuple] | None = None  # default: (row key, column key)
    suppression: disclosure.Suppression | None = None
    # A milestone table's row total (businesses plus their milestones) counts nothing useful,
    # and published it would tie the tables of the different milestones together (an attacker
    # of all tables at once pinned figures through it): it is left out of the files.
    has_row_totals: bool = True

    def keys(self) -> dict[tuple, tuple[int, int]]:
        """Every figure's key → its grid position (totals in the last row and column)."""
        height, width = len(self.row_keys), len(self.column_keys)
        key = self.key or (lambda row_key, column_key: (row_key, column_key))
        found = {}
        for i, row_key in enumerate([*self.row_keys, self.total_row_key]):
            for j, column_key in enumerate([*self.column_keys, self.total_column_key]):
                if j == width and not self.has_row_totals:
                    found[(UNPUBLISHED, self.total_row_key, row_key)] = (i, j)
                else:
                    found[key(row_key, column_key)] = (i, j)
        assert len(found) == (height + 1) * (width + 1), "duplicate keys in a table"
        return found

    def hidden_keys(self) -> set[tuple]:
        grid = disclosure._hidden_grid(disclosure._grid(self.cells), self.suppression)
        return {key for key, (i, j) in self.keys().items() if grid[i][j]}


@dataclass
class Published:
    """A dataset as published: header, rows (None where hidden) and its tables."""

    dataset: Dataset
    header: list[str]
    rows: list[list] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)


def protect(table: list[list[int]], forced: set[tuple[int, int]]) -> disclosure.Suppression:
    """``suppress(table)``, with the grid entries ``forced`` hidden too (those not zero).

    A forced entry is hidden because another table hides the same figure; it gets rectangles of
    complements until it can rise by at least one, so it cannot be recovered from this table.
    Hiding more never narrows what can be inferred about the primaries, which stay protected.
    """
    suppression = disclosure.suppress(table)
    grid = disclosure._grid(table)
    if grid is None:
        return suppression
    hidden = disclosure._hidden_grid(grid, suppression)
    extra = [(i, j) for i, j in sorted(forced) if grid[i][j] and not hidden[i][j]]
    if not extra:
        return suppression
    for i, j in extra:
        hidden[i][j] = True
    for entry in extra:
        need = grid[entry[0]][entry[1]] + 1
        while (
            highest := disclosure._bounds(grid, hidden, entry, maximise=True)
        ) < need - disclosure._TOLERANCE:
            for k, m in disclosure._cheapest_rectangle(grid, hidden, entry, need=need - highest):
                hidden[k][m] = True
    height, width = len(grid), len(grid[0])
    return disclosure.Suppression(
        cells=tuple(tuple(line[: width - 1]) for line in hidden[: height - 1]),
        row_totals=tuple(line[width - 1] for line in hidden[: height - 1]),
        column_totals=tuple(hidden[height - 1][: width - 1]),
        grand_total=hidden[height - 1][width - 1],
    )


def harmonise(tables: list[Table]) -> None:
    """Suppress every table, hiding a key wherever any table hides it (see the docstring)."""
    positions = [table.keys() for table in tables]
    forced: set[tuple] = set()
    done: dict[int, frozenset] = {}
    while True:
        for n, table in enumerate(tables):
            mine = frozenset(positions[n][key] for key in forced if key in positions[n])
            if done.get(n) != mine:
                table.suppression = protect(table.cells, set(mine))
                done[n] = mine
        hidden = set().union(*(table.hidden_keys() for table in tables))
        if hidden <= forced:
            return
        forced |= hidden


# --- reading the rollups -------------------------------------------------------------------


def _names(level: Level) -> dict[str, str]:
    from tumbuh.regions.models import Province, Regency

    model = Province if level == Level.PROVINCE else Regency
    return dict(model.objects.values_list("code", "name"))


def _counts(level: Level) -> dict[tuple, int]:
    """Sums of the counts at ``level`` (regencies), by (region, is_3t, kind, milestone), where
    the region is a regency or its province and ``None`` stands for "any" 3T status or kind."""
    found: dict[tuple, int] = defaultdict(int)
    rows = (
        OnboardingCount.objects.filter(level=level)
        .exclude(count=0)
        .values_list("region_code", "is_3t", "enterprise_kind", "milestone", "count")
    )
    for code, is_3t, kind, milestone, count in rows:
        _add(found, code, is_3t, kind, milestone, count)
    return found


def _add(found, code, is_3t, kind, milestone, count) -> None:
    for region in (code, code[:2]):
        for t in (is_3t, None):
            for k in (kind, None):
                found[(region, t, k, milestone)] += count


def _sum(counts, *, code, is_3t=None, kind=None, milestone) -> int:
    """The count of the region ``code`` (a regency or a province)."""
    return counts.get((code, is_3t, kind, milestone), 0)


def _regencies() -> list[tuple[str, str, str, bool]]:
    from tumbuh.regions.models import Regency

    return list(
        Regency.objects.order_by("code").values_list("code", "name", "province_id", "is_3t")
    )


def _milestone_keys():
    return [("m", milestone) for milestone, _name in MILESTONE_COLUMNS]


def _province_table(provinces, counts) -> Table:
    codes = sorted(provinces)
    return Table(
        labels=[[code, provinces[code]] for code in codes],
        total_labels=["", "Indonesia"],
        cells=[
            [_sum(counts, code=code, milestone=m) for m, _name in MILESTONE_COLUMNS]
            for code in codes
        ],
        row_keys=[("region", code) for code in codes],
        column_keys=_milestone_keys(),
        total_row_key=("region", ""),
        total_column_key=("m", "*"),
        has_row_totals=False,
    )


def _part_label(is_3t: bool) -> str:
    return "3T" if is_3t else "bukan 3T"


def _regency_tables(provinces, counts) -> list[Table]:
    blocks = defaultdict(list)
    for code, name, province, is_3t in _regencies():
        blocks[(province, is_3t)].append((code, name))
    tables = []
    for (province, is_3t), regencies in sorted(
        blocks.items(), key=lambda b: (b[0][0], not b[0][1])
    ):
        part = _part_label(is_3t)
        tables.append(
            Table(
                labels=[[province, part, code, name] for code, name in regencies],
                total_labels=[province, part, "", f"Jumlah {provinces.get(province, province)}"],
                cells=[
                    [_sum(counts, code=code, milestone=m) for m, _name in MILESTONE_COLUMNS]
                    for code, _name in regencies
                ],
                row_keys=[("region", code) for code, _name in regencies],
                column_keys=_milestone_keys(),
                total_row_key=("part", province, is_3t),
                total_column_key=("m", "*"),
                has_row_totals=False,
            )
        )
    return tables


def _three_t_key(milestone: str, row_key: tuple, column_key: tuple) -> tuple:
    """A 3T table's figure: a part of a province (the total of a regency block) or the whole
    province (a cell of the province table), for one milestone."""
    code, is_3t = row_key[1], column_key[1]
    if is_3t is None:
        return (("region", code), ("m", milestone))
    return (("part", code, is_3t), ("m", milestone))


def _three_t_tables(provinces, counts) -> list[Table]:
    codes = sorted(provinces)
    tables = []
    for milestone, name in MILESTONE_COLUMNS:
        tables.append(
            Table(
                labels=[[name, code, provinces[code]] for code in codes],
                total_labels=[name, "", "Indonesia"],
                cells=[
                    [_sum(counts, code=code, is_3t=t, milestone=milestone) for t in (True, False)]
                    for code in codes
                ],
                row_keys=[("region", code) for code in codes],
                column_keys=[("part", True), ("part", False)],
                total_row_key=("region", ""),
                total_column_key=("part", None),
                key=functools.partial(_three_t_key, milestone),
            )
        )
    return tables


def _kind_table(provinces, counts) -> Table:
    codes = sorted(provinces)
    return Table(
        labels=[[code, provinces[code]] for code in codes],
        total_labels=["", "Indonesia"],
        cells=[
            [_sum(counts, code=code, kind=kind, milestone=BUSINESSES) for kind in KINDS]
            for code in codes
        ],
        row_keys=[("region", code) for code in codes],
        column_keys=[("kind", kind) for kind in KINDS],
        total_row_key=("region", ""),
        total_column_key=("m", BUSINESSES),
    )


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_tables(provinces) -> tuple[list[Table], list[datetime.date]]:
    series: dict[tuple, int] = defaultdict(int)
    rows = (
        OnboardingSeries.objects.filter(period=OnboardingSeries.Period.MONTH, level=Level.PROVINCE)
        .exclude(count=0)
        .values_list("region_code", "start", "milestone", "count")
    )
    for code, start, milestone, count in rows:
        series[(code, start, milestone)] += count
    return _month_tables_from(provinces, series)


def _month_tables_from(provinces, series) -> tuple[list[Table], list[datetime.date]]:
    if not series:
        return [], []
    starts = [start for _code, start, _m in series]
    months = _months(min(starts), max(starts))
    codes = sorted(provinces)
    tables = []
    for milestone, name in MILESTONE_COLUMNS:
        tables.append(
            Table(
                labels=[[name, code, provinces[code]] for code in codes],
                total_labels=[name, "", "Indonesia"],
                cells=[
                    [series.get((code, month, milestone), 0) for month in months] for code in codes
                ],
                row_keys=[("region", code) for code in codes],
                column_keys=[("month", milestone, month) for month in months],
                total_row_key=("region", ""),
                total_column_key=("m", milestone),
            )
        )
    return tables, months


def _unlink_unequal_totals(month_tables: list[Table], province: Table) -> None:
    """A monthly table's totals are the province table's figures only if the sums agree.

    They do when the series and the counts were folded from the same changes; if they ever
    differ (a fold between the two reads), the monthly totals are other figures, and hiding
    them must not be tied to the province table's (nor would an attacker equate them).
    """
    known = {key: disclosure._grid(province.cells)[i][j] for key, (i, j) in province.keys().items()}
    for table in month_tables:
        grid = disclosure._grid(table.cells)
        totals = {key: grid[i][j] for key, (i, j) in table.keys().items() if key[1][0] == "m"}
        if any(known.get(key) != value for key, value in totals.items()):
            table.total_column_key = ("series", table.total_column_key[1])


def _rows(table: Table, with_totals: bool = True) -> list[list]:
    cells = disclosure.apply(table.cells, table.suppression)
    row_totals, column_totals, grand = disclosure.apply_totals(table.cells, table.suppression)
    rows = []
    if not table.has_row_totals:
        rows = [[*labels, *line] for labels, line in zip(table.labels, cells, strict=True)]
        return [*rows, [*table.total_labels, *column_totals]]
    for labels, line, total in zip(table.labels, cells, row_totals, strict=True):
        rows.append([*labels, *line, total])
    rows.append([*table.total_labels, *column_totals, grand])
    return rows


def _with_hidden_note(header: list[str], rows: list[list], first_value: int) -> list[list]:
    noted = []
    for row in rows:
        hidden = [header[n] for n in range(first_value, len(row)) if row[n] is None]
        noted.append([*row, " ".join(hidden)])
    return noted


def build() -> dict[str, Published]:
    """Every dataset computed from the rollups, suppressed and harmonised (see the docstring)."""
    provinces = _names(Level.PROVINCE)
    counts = _counts(Level.REGENCY)
    province = _province_table(provinces, counts)
    regencies = _regency_tables(provinces, counts)
    three_t = _three_t_tables(provinces, counts)
    kinds = _kind_table(provinces, counts)
    months_tables, months = _month_tables(provinces)
    _unlink_unequal_totals(months_tables, province)
    tables = [province, *regencies, *three_t, kinds, *months_tables]
    harmonise(tables)

    milestone_header = [name for _m, name in MILESTONE_COLUMNS]
    built = {}

    def publish(slug, header, label_count, parts, columns):
        rows = []
        for table in parts:
            rows += _rows(table)
        full = [*header, HIDDEN_COLUMN]
        built[slug] = Published(
            dataset=BY_SLUG[slug],
            header=full,
            rows=_with_hidden_note(full, rows, label_count),
            tables=parts,
            columns=[*columns, *_value_columns(header[label_count:])],
        )

    region = [
        Column("kode_wilayah", "Kode wilayah Kemendagri (kosong: Indonesia)"),
        Column("nama_wilayah", "Nama wilayah"),
    ]
    publish(
        "usaha-provinsi-tonggak",
        ["kode_wilayah", "nama_wilayah", *milestone_header],
        2,
        [province],
        region,
    )
    publish(
        "usaha-kabupaten-tonggak",
        [
            "kode_provinsi",
            "bagian",
            "kode_wilayah",
            "nama_wilayah",
            *milestone_header,
        ],
        4,
        regencies,
        [
            Column("kode_provinsi", "Kode provinsi"),
            Column("bagian", "3T atau bukan 3T: blok kabupaten/kota"),
            Column("kode_wilayah", "Kode kabupaten/kota (kosong: baris jumlah blok)"),
            Column("nama_wilayah", "Nama kabupaten/kota, atau jumlah blok"),
        ],
    )
    publish(
        "usaha-provinsi-bulan",
        ["tonggak", "kode_wilayah", "nama_wilayah", *[f"{m:%Y-%m}" for m in months], TOTAL_COLUMN],
        3,
        months_tables,
        [Column("tonggak", "Usaha (usaha) atau tonggak yang dihitung"), *region],
    )
    publish(
        "usaha-provinsi-3t",
        ["tonggak", "kode_wilayah", "nama_wilayah", "3t", "bukan_3t", TOTAL_COLUMN],
        3,
        three_t,
        [Column("tonggak", "Usaha (usaha) atau tonggak yang dihitung"), *region],
    )
    publish(
        "usaha-provinsi-jenis",
        ["kode_wilayah", "nama_wilayah", *KINDS, TOTAL_COLUMN],
        2,
        [kinds],
        region,
    )
    return built


def _value_columns(names: list[str]) -> list[Column]:
    described = {
        BUSINESSES_COLUMN: "Usaha terdaftar tanpa duplikat",
        TOTAL_COLUMN: "Jumlah kolom angka di baris ini",
        "3t": "Di kabupaten/kota 3T",
        "bukan_3t": "Di kabupaten/kota bukan 3T",
        **{kind: f"Usaha berjenis {label}" for kind, label in Enterprise.Kind.choices},
        **{kind: f"Usaha yang mencapai tonggak {kind}" for kind in Milestone.Kind.values},
    }
    columns = [Column(name, described.get(name, f"Baru pada bulan {name}")) for name in names]
    return [
        *columns,
        Column(HIDDEN_COLUMN, "Kolom yang disembunyikan di baris ini (kendali pengungkapan)"),
    ]


# --- publishing ---------------------------------------------------------------------------


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


def csv_bytes(published: Published) -> bytes:
    """UTF-8 CSV with a header row; a hidden figure is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(published.header)
    for row in published.rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode()


def parquet_bytes(published: Published) -> bytes:
    """The same rows as Parquet, written by DuckDB (imported here: start-up stays light)."""
    import duckdb

    header = published.header
    numeric = [
        all(row[n] is None or isinstance(row[n], int) for row in published.rows)
        and any(isinstance(row[n], int) for row in published.rows)
        for n in range(len(header))
    ]
    columns = ", ".join(
        f'"{name}" {"BIGINT" if is_number else "VARCHAR"}'
        for name, is_number in zip(header, numeric, strict=True)
    )
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "data.parquet")
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(f"CREATE TABLE data ({columns})")
            if published.rows:
                marks = ", ".join("?" for _name in header)
                connection.executemany(f"INSERT INTO data VALUES ({marks})", published.rows)  # noqa: S608
            connection.execute(f"COPY data TO '{path}' (FORMAT parquet)")
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


def joint_intervals(
    tables: list[Table], keys: list[tuple] | None = None
) -> dict[tuple, tuple[float, float, int]]:
    """The attacker of every table at once: for each hidden figure (by key), the least and
    largest value consistent with every published figure of every table, and its true value.

    The unknowns are the hidden keys (a figure shared by several tables is one unknown); the
    equations are every line of every table (its cells add up to its total); each hidden figure
    is at least 1; ``keys`` limits the answer to some hidden figures. Over real numbers (HiGHS): the joint system is not always totally
    unimodular, so these bounds contain the whole-number bounds and may be wider.
    """
    import numpy as np
    from scipy.optimize import linprog

    values: dict[tuple, int] = {}
    hidden: set[tuple] = set()
    equations = []
    for table in tables:
        grid = disclosure._grid(table.cells)
        if grid is None:
            continue
        mask = disclosure._hidden_grid(grid, table.suppression)
        at = {position: key for key, position in table.keys().items()}
        for (i, j), key in at.items():
            if values.setdefault(key, grid[i][j]) != grid[i][j]:
                raise ValueError(f"{key} has two values: {values[key]} and {grid[i][j]}")
            if mask[i][j] or key[0] == UNPUBLISHED:
                hidden.add(key)
        height, width = len(grid), len(grid[0])
        lines = [[(i, j) for j in range(width)] for i in range(height)]
        lines += [[(i, j) for i in range(height)] for j in range(width)]
        for line in lines:
            if any(mask[i][j] for i, j in line):
                equations.append(
                    [
                        (at[position], -1 if n == len(line) - 1 else 1)
                        for n, position in enumerate(line)
                    ]
                )
    variables = sorted(hidden, key=repr)
    index = {key: n for n, key in enumerate(variables)}
    matrix, right_side = [], []
    for equation in equations:
        row, known = np.zeros(len(variables)), 0
        for key, coefficient in equation:
            if key in index:
                row[index[key]] += coefficient
            else:
                known += coefficient * values[key]
        matrix.append(row)
        right_side.append(-known)
    # A hidden figure is at least 1 (zeros are published); an unpublished total at least 0.
    lower = [(0 if key[0] == UNPUBLISHED else 1, None) for key in variables]
    found = {}
    published = [key for key in variables if key[0] != UNPUBLISHED]
    for key in published if keys is None else [key for key in keys if key in index]:
        bounds = []
        for sign in (1, -1):
            objective = np.zeros(len(variables))
            objective[index[key]] = sign
            result = linprog(
                objective,
                A_eq=np.array(matrix),
                b_eq=np.array(right_side, dtype=float),
                bounds=lower,
                method="highs",
            )
            if result.status == 3:
                bounds.append(float("inf"))
            elif result.status != 0:
                raise RuntimeError(f"The joint attacker's linear program failed: {result.message}")
            else:
                bounds.append(sign * result.fun)
        found[key] = (bounds[0], bounds[1], values[key])
    return found
