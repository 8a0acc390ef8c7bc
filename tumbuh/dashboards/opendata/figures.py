"""The open data tables from the dashboards' section figures: capability levels and stores.

Both read :class:`~tumbuh.dashboards.models.SectionFigure` (the regency rows the worker keeps,
``dashboards.sections``), never the facts, and are suppressed and harmonised with every other
table of the open data (``tables``). Each province is one block: its regencies, then its total
row (the province), which is also that province's row of a province table ending with the
national total, so a figure hidden in a block is hidden in the province table and the other way.

- **Capability levels**: deduplicated businesses by the level (1–5) of their latest assessment,
  with the businesses assessed as the row total. A region's businesses assessed is also its
  ``assessed`` milestone in the onboarding tables when both were counted alike (the sections
  and the rollups are computed at different moments): then they are one figure (one key), so
  hiding it in either hides it in both; when they differ they are other figures. That link cuts
  the regions otherwise than the onboarding tables do (blocks per province here, per province
  and 3T there), and harmonising was not enough: on random counts the attacker of all tables at
  once pinned a regency's businesses assessed. So the build then audits the capability tables
  (``tables.audit``): it hides more in them until that attacker pins nothing. Measured with
  synthetic counts for all 514 regencies, many small (``/tmp`` script, not shipped; 2 cores,
  load average 3.5): harmonising every table took 14 s, the audit 309 s (two rounds; 2,811
  capability figures hidden). It runs in the worker's build, never in a request.
- **Stores**: live stores (businesses' stores: suppressed as counts of businesses, one column
  per table, no row totals), and beside them the products in the BBI catalogue, the orders
  paid and their value. Those three are hidden wherever the live stores of the row are: a
  regency with a few stores would show a single store's turnover. Each line of a table that
  hides a figure hides at least two (``disclosure``), so the hidden values of a column are
  known to an attacker only as sums of at least two regions.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from tumbuh.dashboards.models import Level, SectionFigure
from tumbuh.dashboards.opendata.onboarding import count_of, regencies
from tumbuh.dashboards.opendata.tables import TOTAL_COLUMN, UNPUBLISHED, Table

# Names of the sections' figures (``dashboards.sections``), repeated here by value: that
# module's layout may change, the stored names do not.
CAPABILITY = "capability"
STORES = "stores"
ASSESSED = "assessed"  # the milestone a capability assessment records
LEVELS = ("1", "2", "3", "4", "5")
LEVEL_COLUMNS = [f"tingkat_{level}" for level in LEVELS]
STORES_LIVE = "stores_live"
STORE_VALUES = ("products_listed", "orders_paid", "paid_value")
STORE_COLUMNS = ["toko_aktif", "produk_bbi", "pesanan_dibayar", "nilai_dibayar_rp"]
PLACE_COLUMNS = ["kode_provinsi", "tingkat_wilayah", "kode_wilayah", "nama_wilayah"]
REGENCY, PROVINCE, NATIONAL = "kabupaten/kota", "provinsi", "nasional"


def section_figures(section: str) -> dict[tuple[str, str, str], int]:
    """The regency figures of a section: (regency, measure, dimension) → value."""
    rows = SectionFigure.objects.filter(section=section, level=Level.REGENCY).values_list(
        "region_code", "measure", "dimension", "value"
    )
    return {(code, measure, dimension): value for code, measure, dimension, value in rows}


def _blocks() -> dict[str, list[tuple[str, str]]]:
    """Province code → its regencies (code, name), by code."""
    found = defaultdict(list)
    for code, name, province, _is_3t in regencies():
        found[province].append((code, name))
    return found


def _capability_key(tied: frozenset, row_key: tuple, column_key: tuple) -> tuple:
    """A capability figure's key; a region's businesses assessed is its ``assessed`` milestone
    of the onboarding tables when the two agree (``tied``)."""
    if column_key != ("levels", "*"):
        return (row_key, column_key)
    return (row_key, ("m", ASSESSED)) if row_key in tied else (row_key, column_key)


def is_assessed(key: tuple) -> bool:
    """Whether a figure of the open data counts businesses assessed (what capability ties)."""
    return key[0] != UNPUBLISHED and key[1] == ("m", ASSESSED)


def capability_tables(provinces, counts, figures) -> tuple[list[Table], Table]:
    """The regency blocks of every province and the province table (national totals).

    ``counts`` are the onboarding counts (``onboarding.counts``), to tie the businesses
    assessed; ``figures`` the capability section's (``section_figures``).
    """
    blocks = _blocks()

    def cells(code: str) -> list[int]:
        return [figures.get((code, "businesses", level), 0) for level in LEVELS]

    by_province = {
        province: [sum(cells(code)[n] for code, _name in members) for n in range(len(LEVELS))]
        for province, members in blocks.items()
    }
    codes = sorted(provinces)
    province_cells = [by_province.get(code, [0] * len(LEVELS)) for code in codes]
    assessed = {
        **{code: sum(cells(code)) for members in blocks.values() for code, _name in members},
        **{code: sum(line) for code, line in zip(codes, province_cells, strict=True)},
        "": sum(map(sum, province_cells)),
    }

    def onboarding_assessed(code: str) -> int:
        if not code:
            return count_of_national(counts, ASSESSED)
        return count_of(counts, code=code, milestone=ASSESSED)

    tied = frozenset(
        ("region", code) for code, total in assessed.items() if onboarding_assessed(code) == total
    )

    def table(labels, total_labels, cells_, row_codes, total_code) -> Table:
        return Table(
            labels=labels,
            total_labels=total_labels,
            cells=cells_,
            row_keys=[("region", code) for code in row_codes],
            column_keys=[("level", level) for level in LEVELS],
            total_row_key=("region", total_code),
            total_column_key=("levels", "*"),
            key=functools.partial(_capability_key, tied),  # kept builds are pickled
        )

    block_tables = [
        table(
            [[province, REGENCY, code, name] for code, name in blocks[province]],
            [province, PROVINCE, province, provinces[province]],
            [cells(code) for code, _name in blocks[province]],
            [code for code, _name in blocks[province]],
            province,
        )
        for province in codes
        if blocks.get(province)
    ]
    province_table = table(
        [[code, PROVINCE, code, provinces[code]] for code in codes],
        ["", NATIONAL, "", "Indonesia"],
        province_cells,
        codes,
        "",
    )
    return block_tables, province_table


def count_of_national(counts, milestone: str) -> int:
    """The national count of a milestone: the sum over the provinces (two-character codes)."""
    return sum(
        value
        for (code, is_3t, kind, found), value in counts.items()
        if len(code) == 2 and is_3t is None and kind is None and found == milestone
    )


def stores_tables(provinces, figures) -> tuple[list[Table], Table]:
    """Live stores: the regency blocks of every province and the province table."""
    blocks = _blocks()
    codes = sorted(provinces)

    def live(code: str) -> int:
        return figures.get((code, STORES_LIVE, ""), 0)

    def table(labels, total_labels, cells_, row_codes, total_code) -> Table:
        return Table(
            labels=labels,
            total_labels=total_labels,
            cells=cells_,
            row_keys=[("region", code) for code in row_codes],
            column_keys=[("stores", STORES_LIVE)],
            total_row_key=("region", total_code),
            total_column_key=("stores", "*"),
            has_row_totals=False,  # one column: the row total is the cell
        )

    block_tables = [
        table(
            [[province, REGENCY, code, name] for code, name in blocks[province]],
            [province, PROVINCE, province, provinces[province]],
            [[live(code)] for code, _name in blocks[province]],
            [code for code, _name in blocks[province]],
            province,
        )
        for province in codes
        if blocks.get(province)
    ]
    province_table = table(
        [[code, PROVINCE, code, provinces[code]] for code in codes],
        ["", NATIONAL, "", "Indonesia"],
        [[sum(live(code) for code, _n in blocks.get(code, []))] for code in codes],
        codes,
        "",
    )
    return block_tables, province_table


def stores_rows(block_tables: list[Table], province_table: Table, figures) -> list[list]:
    """The rows of the stores dataset: each block's regencies and province total, then the
    national total; the values beside the live stores hidden (None) where those are."""
    blocks = {table.total_row_key[1]: table for table in block_tables}

    def values(code_of_regencies: list[str]) -> list[int]:
        return [
            sum(figures.get((code, measure, ""), 0) for code in code_of_regencies)
            for measure in STORE_VALUES
        ]

    rows = []
    for table in block_tables:
        members = [key[1] for key in table.row_keys]
        for line, code in zip(table.rows(), [*members, None], strict=True):
            hidden = line[-1] is None
            found = values(members if code is None else [code])
            rows.append([*line, *([None] * len(found) if hidden else found)])
    national = province_table.rows()[-1]
    every = [key[1] for table in blocks.values() for key in table.row_keys]
    found = values(every)
    rows.append([*national, *([None] * len(found) if national[-1] is None else found)])
    return rows


def capability_rows(block_tables: list[Table], province_table: Table) -> list[list]:
    """Each block's regencies and province total, then the national total."""
    rows = []
    for table in block_tables:
        rows += table.rows()
    return [*rows, province_table.rows()[-1]]


CAPABILITY_VALUE_COLUMNS = [
    *(
        (name, f"Usaha tanpa duplikat dengan tingkat kapabilitas {name[-1]}")
        for name in LEVEL_COLUMNS
    ),
    (TOTAL_COLUMN, "Usaha yang telah dinilai (jumlah tingkat 1–5)"),
]
STORE_VALUE_COLUMNS = [
    ("toko_aktif", "Toko daring yang aktif"),
    ("produk_bbi", "Produk yang tercantum di katalog BBI (dijual di toko aktif)"),
    ("pesanan_dibayar", "Pesanan yang dibayar dan tidak dikembalikan dananya"),
    ("nilai_dibayar_rp", "Nilai pesanan yang dibayar, dalam rupiah"),
]
