"""The onboarding tables of the open data: counts of businesses and milestones per region, from
the rollups (:class:`~tumbuh.dashboards.models.OnboardingCount` and
:class:`~tumbuh.dashboards.models.OnboardingSeries`), counts per region only.

Tables (each a :class:`~tumbuh.dashboards.opendata.tables.Table`, suppressed and harmonised
with every other table of the open data):

- the province table: provinces × (businesses, each milestone), national totals;
- the regency tables: blocks of the 3T and the other regencies of each province;
- the 3T tables: per milestone, provinces × (3T, other);
- the kind table: provinces × (UMKM, BumDes, cooperative);
- the monthly tables: per milestone, provinces × months.

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
in any table.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict

from tumbuh.dashboards import disclosure
from tumbuh.dashboards.models import BUSINESSES, Level, OnboardingCount, OnboardingSeries
from tumbuh.dashboards.opendata.tables import TOTAL_COLUMN, Table
from tumbuh.registry.models import Enterprise, Milestone

BUSINESSES_COLUMN = "usaha"
# Columns of the milestone tables: the businesses themselves, then each milestone.
MILESTONE_COLUMNS = [(BUSINESSES, BUSINESSES_COLUMN)] + [
    (kind, kind) for kind in Milestone.Kind.values
]
KINDS = [kind for kind in Enterprise.Kind.values]


def names(level: Level) -> dict[str, str]:
    """Region code → name, of the provinces or the regencies."""
    from tumbuh.regions.models import Province, Regency

    model = Province if level == Level.PROVINCE else Regency
    return dict(model.objects.values_list("code", "name"))


def counts(level: Level) -> dict[tuple, int]:
    """Sums of the counts at ``level`` (regencies), by (region, is_3t, kind, milestone), where
    the region is a regency or its province and ``None`` stands for "any" 3T status or kind."""
    found: dict[tuple, int] = defaultdict(int)
    rows = (
        OnboardingCount.objects.filter(level=level)
        .exclude(count=0)
        .values_list("region_code", "is_3t", "enterprise_kind", "milestone", "count")
    )
    for code, is_3t, kind, milestone, count in rows:
        add_count(found, code, is_3t, kind, milestone, count)
    return found


def add_count(found, code, is_3t, kind, milestone, count) -> None:
    """Add ``count`` of a regency to ``found``, under the regency and its province."""
    for region in (code, code[:2]):
        for t in (is_3t, None):
            for k in (kind, None):
                found[(region, t, k, milestone)] += count


def count_of(counts, *, code, is_3t=None, kind=None, milestone) -> int:
    """The count of the region ``code`` (a regency or a province)."""
    return counts.get((code, is_3t, kind, milestone), 0)


def regencies() -> list[tuple[str, str, str, bool]]:
    """Every regency: code, name, province code, 3T; by code."""
    from tumbuh.regions.models import Regency

    return list(
        Regency.objects.order_by("code").values_list("code", "name", "province_id", "is_3t")
    )


def _milestone_keys():
    return [("m", milestone) for milestone, _name in MILESTONE_COLUMNS]


def province_table(provinces, counts) -> Table:
    codes = sorted(provinces)
    return Table(
        labels=[[code, provinces[code]] for code in codes],
        total_labels=["", "Indonesia"],
        cells=[
            [count_of(counts, code=code, milestone=m) for m, _name in MILESTONE_COLUMNS]
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


def regency_tables(provinces, counts) -> list[Table]:
    blocks = defaultdict(list)
    for code, name, province, is_3t in regencies():
        blocks[(province, is_3t)].append((code, name))
    tables = []
    for (province, is_3t), members in sorted(blocks.items(), key=lambda b: (b[0][0], not b[0][1])):
        part = _part_label(is_3t)
        tables.append(
            Table(
                labels=[[province, part, code, name] for code, name in members],
                total_labels=[province, part, "", f"Jumlah {provinces.get(province, province)}"],
                cells=[
                    [count_of(counts, code=code, milestone=m) for m, _name in MILESTONE_COLUMNS]
                    for code, _name in members
                ],
                row_keys=[("region", code) for code, _name in members],
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


def three_t_tables(provinces, counts) -> list[Table]:
    codes = sorted(provinces)
    tables = []
    for milestone, name in MILESTONE_COLUMNS:
        tables.append(
            Table(
                labels=[[name, code, provinces[code]] for code in codes],
                total_labels=[name, "", "Indonesia"],
                cells=[
                    [
                        count_of(counts, code=code, is_3t=t, milestone=milestone)
                        for t in (True, False)
                    ]
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


def kind_table(provinces, counts) -> Table:
    codes = sorted(provinces)
    return Table(
        labels=[[code, provinces[code]] for code in codes],
        total_labels=["", "Indonesia"],
        cells=[
            [count_of(counts, code=code, kind=kind, milestone=BUSINESSES) for kind in KINDS]
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


def month_tables(provinces) -> tuple[list[Table], list[datetime.date]]:
    series: dict[tuple, int] = defaultdict(int)
    rows = (
        OnboardingSeries.objects.filter(period=OnboardingSeries.Period.MONTH, level=Level.PROVINCE)
        .exclude(count=0)
        .values_list("region_code", "start", "milestone", "count")
    )
    for code, start, milestone, count in rows:
        series[(code, start, milestone)] += count
    return month_tables_from(provinces, series)


def month_tables_from(provinces, series) -> tuple[list[Table], list[datetime.date]]:
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


def unlink_unequal_totals(month_tables: list[Table], province: Table) -> None:
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


def value_columns(names: list[str]) -> list[tuple[str, str]]:
    """(name, description) of the value columns of the onboarding datasets."""
    described = {
        BUSINESSES_COLUMN: "Usaha terdaftar tanpa duplikat",
        TOTAL_COLUMN: "Jumlah kolom angka di baris ini",
        "3t": "Di kabupaten/kota 3T",
        "bukan_3t": "Di kabupaten/kota bukan 3T",
        **{kind: f"Usaha berjenis {label}" for kind, label in Enterprise.Kind.choices},
        **{kind: f"Usaha yang mencapai tonggak {kind}" for kind in Milestone.Kind.values},
    }
    return [(name, described.get(name, f"Baru pada bulan {name}")) for name in names]
