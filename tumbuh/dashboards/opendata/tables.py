"""Disclosure control across the open data tables: every figure keyed, tables harmonised.

Every dataset of counts of businesses is made of 2-D *tables* (rows: regions; columns:
milestones, months, kinds, 3T/other, capability levels or live stores), each published with its
row totals, column totals and grand total, and suppressed with
:func:`tumbuh.dashboards.disclosure.suppress` (no published figure counts 1–9 businesses;
complements so that each small figure could be 10 or more). Suppressed cells are empty in the
CSV and null in Parquet; the last column, ``disembunyikan``, names the columns hidden in that
row.

The tables share figures: the column totals of a regency block are a row of the 3T table; the
row totals of the 3T, monthly and kind tables are cells of the province table; the businesses
assessed of a regency (the capability tables' row total) are its ``assessed`` milestone when
both were counted alike. A figure hidden in one table and published in another would undo the
first table's protection, so every published figure has a *key* (what it counts: a region or a
part of a province, and a milestone, month, kind or level), and the tables are harmonised
(:func:`harmonise`): a key hidden in any table is hidden in every table that holds it; a figure
hidden that way (not small itself) gets rectangles of complements until it can rise by at least
one (it is never recoverable in its table, :func:`protect`), and this repeats until no table
hides a key that another publishes. Hiding more never narrows what an attacker can infer within
a table, so each table keeps its protection (checked by ``recoverable_cells`` in the tests). An
attacker who solves the equations of every table at once is :func:`joint_intervals` (one linear
program over all tables, a shared figure one unknown); the tests run it on every published
table (a registry built through the services, and random counts in every regency of the test
provinces, many small) and find every small figure able to reach 10 and no hidden figure pinned
down; suppressing the same tables one by one, without harmonising, leaves 11 to 13 figures
hidden in one table and published in another on those random counts. It is a check, not part of
the build: at national size it takes minutes (one pair of linear programs per hidden figure).

**Row totals that count nothing useful are not published** (``has_row_totals``: the milestone
tables' businesses plus their milestones; the live stores table's one column): the attacker of
all tables at once, run on synthetic national counts with many small figures, pinned 155 of
4,338 hidden figures through the milestone tables' row totals (a block's row total ties the 3T
tables of the different milestones together); without them it pinned none of 4,199 (761 s).
They are still part of each table's own suppression (hiding more there is harmless); the joint
attacker treats them as unknowns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from tumbuh.dashboards import disclosure

HIDDEN_COLUMN = "disembunyikan"
TOTAL_COLUMN = "jumlah"
UNPUBLISHED = "unpublished"


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
    # A row total that counts nothing useful (a milestone table's businesses plus their
    # milestones) would, published, tie tables together (an attacker of all tables at once
    # pinned figures through it): it is left out of the files.
    has_row_totals: bool = True

    def keys(self) -> dict[tuple, tuple[int, int]]:
        """Every figure's key → its grid position (totals in the last row and column)."""
        height, width = len(self.row_keys), len(self.column_keys)
        key = self.key or (lambda row_key, column_key: (row_key, column_key))
        found = {}
        for i, row_key in enumerate([*self.row_keys, self.total_row_key]):
            for j, column_key in enumerate([*self.column_keys, self.total_column_key]):
                if j == width and not self.has_row_totals:
                    unpublished = (UNPUBLISHED, self.total_row_key, self.total_column_key)
                    found[(*unpublished, row_key)] = (i, j)
                else:
                    found[key(row_key, column_key)] = (i, j)
        assert len(found) == (height + 1) * (width + 1), "duplicate keys in a table"
        return found

    def hidden_grid(self) -> list[list[bool]]:
        """The table's grid (totals last) of what is hidden."""
        return disclosure._hidden_grid(disclosure._grid(self.cells), self.suppression)

    def hidden_keys(self) -> set[tuple]:
        grid = self.hidden_grid()
        return {key for key, (i, j) in self.keys().items() if grid[i][j]}

    def rows(self) -> list[list]:
        """The published rows: labels, cells (None where hidden), the row total if published;
        the totals row last."""
        cells = disclosure.apply(self.cells, self.suppression)
        row_totals, column_totals, grand = disclosure.apply_totals(self.cells, self.suppression)
        if not self.has_row_totals:
            rows = [[*labels, *line] for labels, line in zip(self.labels, cells, strict=True)]
            return [*rows, [*self.total_labels, *column_totals]]
        rows = [
            [*labels, *line, total]
            for labels, line, total in zip(self.labels, cells, row_totals, strict=True)
        ]
        return [*rows, [*self.total_labels, *column_totals, grand]]


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


def harmonise(tables: list[Table], forced: set[tuple] | None = None) -> None:
    """Suppress every table, hiding a key wherever any table hides it (see the docstring), and
    the keys ``forced`` too."""
    positions = [table.keys() for table in tables]
    forced = set(forced or ())
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


def audit(tables: list[Table], focus: list[Table], *, linked: Callable[[tuple], bool]) -> int:
    """Hide more in the ``focus`` tables until the attacker of all tables at once
    (:func:`joint_intervals`) pins none of their hidden figures nor the hidden figures that
    ``linked`` names, and lets each small one reach the threshold; the rounds it took.

    For tables linked by more than shared cells and totals (a row total of one that is a cell
    of another, in a different cut of the regions), harmonising is not enough: the joint
    attacker pinned figures. Each round hides every non-zero figure of the focus tables' rows of
    the regions found wanting (their whole tables when that hides nothing new) and harmonises
    again. Hiding more never narrows what the attacker infers, so this ends.
    """
    # The attacker needs only the tables that hold a figure of the focus or a linked one: the
    # others meet these only through row totals that are not published (free unknowns).
    relevant = [
        table
        for table in tables
        if any(table is other for other in focus) or any(map(linked, table.keys()))
    ]
    extra: set[tuple] = set()
    rounds = 0
    while True:
        keys = set().union(*(table.hidden_keys() for table in focus))
        for table in relevant:
            keys |= {key for key in table.hidden_keys() if linked(key)}
        wanting = [
            key
            for key, (least, largest, value) in joint_intervals(
                relevant, keys=sorted(keys, key=repr)
            ).items()
            if largest - least < 1 - disclosure._TOLERANCE
            or (
                value < disclosure.THRESHOLD
                and largest < disclosure.THRESHOLD - disclosure._TOLERANCE
            )
        ]
        if not wanting:
            return rounds
        rounds += 1
        before = len(extra)
        regions = {key[0] for key in wanting}
        for table in focus:
            positions = table.keys()
            grid = disclosure._grid(table.cells)
            rows = {positions[key][0] for key in wanting if key in positions}
            rows |= {
                i
                for i, row_key in enumerate([*table.row_keys, table.total_row_key])
                if row_key in regions
            }
            extra |= _nonzero(table, positions, grid, rows)
        if len(extra) == before:
            for table in focus:
                positions = table.keys()
                grid = disclosure._grid(table.cells)
                extra |= _nonzero(table, positions, grid, set(range(len(grid))))
        if len(extra) == before:
            raise RuntimeError(f"Hiding more cannot protect {wanting[:3]}")
        harmonise(tables, forced=extra)


def _nonzero(table: Table, positions, grid, rows: set[int]) -> set[tuple]:
    return {
        key
        for key, (i, j) in positions.items()
        if i in rows and grid[i][j] and key[0] != UNPUBLISHED
    }


def with_hidden_note(header: list[str], rows: list[list], first_value: int) -> list[list]:
    """``rows`` with a last column naming the columns (from ``first_value``) hidden in each."""
    noted = []
    for row in rows:
        hidden = [header[n] for n in range(first_value, len(row)) if row[n] is None]
        noted.append([*row, " ".join(hidden)])
    return noted


def joint_intervals(
    tables: list[Table], keys: list[tuple] | None = None
) -> dict[tuple, tuple[float, float, int]]:
    """The attacker of every table at once: for each hidden figure (by key), the least and
    largest value consistent with every published figure of every table, and its true value.

    The unknowns are the hidden keys (a figure shared by several tables is one unknown); the
    equations are every line of every table (its cells add up to its total); each hidden figure
    is at least 1; ``keys`` limits the answer to some hidden figures. Over real numbers
    (HiGHS): the joint system is not always totally unimodular, so these bounds contain the
    whole-number bounds and may be wider.
    """
    import numpy as np
    from scipy import sparse
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
    # Sparse: each line holds a few hidden figures of thousands (dense matrices made the
    # national audit take many minutes).
    entries: dict[tuple[int, int], float] = defaultdict(float)
    right_side = []
    for n, equation in enumerate(equations):
        known = 0
        for key, coefficient in equation:
            if key in index:
                entries[(n, index[key])] += coefficient
            else:
                known += coefficient * values[key]
        right_side.append(-known)
    matrix = sparse.csr_array(
        (
            list(entries.values()),
            ([row for row, _column in entries], [column for _row, column in entries]),
        ),
        shape=(len(equations), len(variables)),
    )
    right_side = np.array(right_side, dtype=float)
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
                A_eq=matrix,
                b_eq=right_side,
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
