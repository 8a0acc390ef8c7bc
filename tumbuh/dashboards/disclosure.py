"""Disclosure control for the open data tables: which counts of businesses may be published.

An open data table counts businesses in a grid (regencies of a province by milestones of the
digital journey, or by months) and is published with its row totals, column totals and grand
total, each the true sum of its cells. The rule: no published figure shows 1 to 9 businesses
(``threshold`` = 10); 0 is shown, and so is 10 or more.

The table with its totals is read as one grid of ``rows + 1`` by ``columns + 1`` *entries*:
entry ``(i, columns)`` is the total of row ``i``, entry ``(rows, j)`` the total of column ``j``
and entry ``(rows, columns)`` the grand total. Every line of that grid (each row and each column,
the totals' row and column included) is one equation the public knows: its cells add up to its
total. The coordinates used throughout this module, ``recoverable_cells`` included, are those of
this grid.

``suppress`` decides what to hide in three steps.

1. **Primary suppression.** Every entry, a total as well as a cell, holding ``1 <= value <
   threshold`` is hidden: a regency total of 4 businesses is as much a small count as a cell of 4.
2. **Complementary suppression by rectangles** (the two-dimensional case of the hypercube method
   of Repsilber and Giessing, used by τ-ARGUS): a primary entry is hidden together with three
   other entries forming a rectangle with it in the grid, so that the value can move around the
   rectangle (+d, -d, -d, +d) without changing any published line. The rectangle chosen is the
   cheapest one that, on its own, lets the primary rise by as much as it still lacks of the
   protection below: fewest new hidden totals (the grand total counting before any other), then
   fewest new hidden cells, then the smallest sum of the values newly hidden, then the first in
   row-major order. Entries already hidden cost nothing, so a rectangle through other primaries
   or earlier complements (one that fixes several lines at once) is preferred. Every line
   holding a hidden entry holds at least two: an entry alone in its line would be pinned by it.
3. **Verification by linear programming.** Before a primary gets a rectangle, and after each one,
   the attacker's linear program (``feasible_intervals``, HiGHS through
   ``scipy.optimize.linprog``) gives the largest value the primary can take given everything
   published; rectangles are added until it is at least ``threshold``. Hiding more never narrows
   what the attacker can infer about an entry, so a primary protected once stays protected.

**The protection rule.** For every primary entry, the largest value consistent with the published
figures is at least ``threshold``: from the published table an attacker cannot tell that the
entry holds fewer than ``threshold`` businesses, which is what the threshold rule forbids
showing. The feasible interval of a primary of value ``a`` is thus at least ``threshold - a >= 1``
wide, widest for the riskiest entries (a 1 can be anything from 1 to 10 or more). No lower
protection is asked for: zeros are always published, so a hidden entry is known to hold at least
one business whatever is done, and knowing "at least a" does not show that a count is small.
Protection could be asked ``threshold`` away from the true value instead; that hides more of
every table for no gain under this rule.

**The attacker** knows every published figure, that every line adds up, and that every hidden
entry is at least 1 (zeros are never hidden, see below). The constraint matrix is a network
matrix (totally unimodular), so the bounds over real numbers are the bounds over whole numbers:
the linear program is the exact integer attack.

**Zeros are never hidden.** A zero in these tables is often known without the table (a milestone
not yet open in a regency, a month before the programme reached it), so a hidden zero protects
only against an attacker who does not know it, and an entry protected by it would be exposed to
one who does. Since only non-zero entries are hidden, the attacker may assume that a hidden entry
is at least 1, and the linear program does. Protection never needs a zero: a primary cell can
always move with its row total, column total and grand total (all at least the cell's value), a
primary row or column total with a non-zero cell of its line, that cell's other total and the
grand total, a primary grand total with any non-zero cell and its two totals; such rectangles are
unbounded upwards, so the loop always ends.

**Totals are hidden only when needed**, and that happens: in a table of one row, each column
total equals its cell, so hiding a cell hides its column total too; a row whose only non-zero
cell is small has a small row total. Since every chosen rectangle moves each of its corners from
the true table by a positive amount, no hidden entry can be recovered exactly
(``recoverable_cells`` finds none); the tests check this on random tables.

SciPy is imported inside the functions that solve linear programs, never at module level: this
module may be imported by views, and start-up stays light (``core.tests.test_startup``).
"""

import math
import operator
from dataclasses import dataclass

THRESHOLD = 10

# HiGHS solves to a feasibility tolerance of about 1e-7; the true bounds are whole numbers.
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Suppression:
    """What to hide in a table of counts and its totals: ``True`` means hidden.

    ``cells[i][j]`` is the cell in row ``i`` and column ``j``; ``row_totals[i]`` the total of
    row ``i``; ``column_totals[j]`` the total of column ``j``; ``grand_total`` the total of all.
    """

    cells: tuple[tuple[bool, ...], ...]
    row_totals: tuple[bool, ...]
    column_totals: tuple[bool, ...]
    grand_total: bool

    @property
    def hidden_count(self) -> int:
        """How many figures are hidden, totals included."""
        return (
            sum(sum(row) for row in self.cells)
            + sum(self.row_totals)
            + sum(self.column_totals)
            + self.grand_total
        )


def suppress(table, *, threshold: int = THRESHOLD) -> Suppression:
    """What to hide in ``table`` (rows of non-negative whole counts) published with its totals.

    Every figure holding ``1 <= value < threshold`` is hidden, totals included, with complements
    chosen greedily to be few and small (cells first, totals only when needed, zeros never) so
    that for every such figure the largest value consistent with what is published is at least
    ``threshold``. See the module's docstring for the method and why. The answer depends only
    on the table and the threshold.
    """
    if threshold < 1:
        raise ValueError("The threshold must be at least 1.")
    grid = _grid(table)
    if grid is None:
        return Suppression(cells=(), row_totals=(), column_totals=(), grand_total=False)
    height, width = len(grid), len(grid[0])
    hidden = [[1 <= value < threshold for value in line] for line in grid]
    primaries = sorted(
        (value, i, j)
        for i, line in enumerate(grid)
        for j, value in enumerate(line)
        if 1 <= value < threshold
    )
    for _, i, j in primaries:
        while (highest := _bounds(grid, hidden, (i, j), maximise=True)) < threshold - _TOLERANCE:
            corners = _cheapest_rectangle(grid, hidden, (i, j), need=threshold - highest)
            for k, m in corners:
                hidden[k][m] = True
    return Suppression(
        cells=tuple(tuple(line[: width - 1]) for line in hidden[: height - 1]),
        row_totals=tuple(line[width - 1] for line in hidden[: height - 1]),
        column_totals=tuple(hidden[height - 1][: width - 1]),
        grand_total=hidden[height - 1][width - 1],
    )


def apply(table, suppression: Suppression) -> list[list[int | None]]:
    """The cells of ``table`` as published: a hidden cell becomes ``None``."""
    return [
        [None if is_hidden else value for value, is_hidden in zip(row, hidden_row, strict=True)]
        for row, hidden_row in zip(table, suppression.cells, strict=True)
    ]


def apply_totals(
    table, suppression: Suppression
) -> tuple[list[int | None], list[int | None], int | None]:
    """The row totals, column totals and grand total of ``table`` as published (hidden: None)."""
    grid = _grid(table)
    if grid is None:
        return [], [], None
    height, width = len(grid), len(grid[0])
    row_totals = [grid[i][width - 1] for i in range(height - 1)]
    column_totals = grid[height - 1][: width - 1]
    return (
        [None if h else v for v, h in zip(row_totals, suppression.row_totals, strict=True)],
        [None if h else v for v, h in zip(column_totals, suppression.column_totals, strict=True)],
        None if suppression.grand_total else grid[height - 1][width - 1],
    )


def feasible_intervals(
    table, suppression: Suppression
) -> dict[tuple[int, int], tuple[float, float]]:
    """The attacker: for each hidden entry, the least and largest value it can hold.

    The attacker knows the published figures, that every row and column adds up to its total,
    and that a hidden entry holds at least 1 business (``suppress`` never hides a zero; an entry
    whose true value is 0, possible only with a hand-made mask, is given the bound 0 so that the
    program stays feasible). Keys are grid coordinates (see the module's docstring); the largest
    value is ``math.inf`` when nothing published bounds it.
    """
    grid = _grid(table)
    if grid is None:
        return {}
    hidden = _hidden_grid(grid, suppression)
    return {
        entry: (
            _bounds(grid, hidden, entry, maximise=False),
            _bounds(grid, hidden, entry, maximise=True),
        )
        for entry in _hidden_entries(hidden)
    }


def recoverable_cells(table, suppression: Suppression) -> list[tuple[int, int]]:
    """The hidden entries whose value the published figures pin down exactly, in grid order.

    Coordinates are those of the grid with totals: ``(i, columns)`` is the total of row ``i``,
    ``(rows, j)`` that of column ``j``, ``(rows, columns)`` the grand total. Empty for every
    answer of ``suppress``; an exporter can call it as a self-check before publishing.
    """
    return [
        entry
        for entry, (least, largest) in feasible_intervals(table, suppression).items()
        if largest - least < _TOLERANCE
    ]


def _grid(table) -> list[list[int]] | None:
    """The table with its row totals as a last column and its column totals as a last row."""
    rows = [[operator.index(value) for value in row] for row in table]
    if not rows or not rows[0]:
        if any(rows):
            raise ValueError("Every row of the table must have the same number of cells.")
        return None
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("Every row of the table must have the same number of cells.")
    if any(value < 0 for row in rows for value in row):
        raise ValueError("Counts cannot be negative.")
    grid = [[*row, sum(row)] for row in rows]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def _hidden_grid(grid: list[list[int]], suppression: Suppression) -> list[list[bool]]:
    height, width = len(grid), len(grid[0])
    if len(suppression.cells) != height - 1 or any(
        len(row) != width - 1 for row in suppression.cells
    ):
        raise ValueError("The suppression does not have the table's shape.")
    hidden = [
        [*row, total] for row, total in zip(suppression.cells, suppression.row_totals, strict=True)
    ]
    hidden.append([*suppression.column_totals, suppression.grand_total])
    return hidden


def _hidden_entries(hidden: list[list[bool]]) -> list[tuple[int, int]]:
    return [
        (i, j) for i, line in enumerate(hidden) for j, is_hidden in enumerate(line) if is_hidden
    ]


def _sign(grid: list[list[int]], i: int, j: int) -> int:
    """+1 for a cell and the grand total, -1 for a row or column total.

    With entries multiplied by these signs, every line of the grid adds up to zero; a move that
    keeps every published line is then +d, -d, -d, +d around a rectangle of the signed grid.
    """
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    return (-1 if i == last_row else 1) * (-1 if j == last_column else 1)


def _cheapest_rectangle(
    grid: list[list[int]], hidden: list[list[bool]], primary: tuple[int, int], *, need: float
) -> list[tuple[int, int]]:
    """The corners of the cheapest rectangle through ``primary`` that lets it rise by ``need``.

    Taken alone (every other entry kept at its value), a rectangle lets the primary rise by the
    least of ``value - 1`` over the corners that fall as it rises. Only rectangles of non-zero
    entries with at least one entry not yet hidden are considered; the cost is (new grand
    total, new other totals, new cells, sum of the new values, corners), compared in that order.
    """
    i, j = primary
    height, width = len(grid), len(grid[0])
    last_row, last_column = height - 1, width - 1
    primary_sign = _sign(grid, i, j)
    best = None
    for k in range(height):
        if k == i:
            continue
        for m in range(width):
            if m == j:
                continue
            # Around the rectangle the signed grid moves +d at (i, j) and (k, m), -d at the others.
            corners = ((i, m, -1), (k, j, -1), (k, m, 1))
            if any(grid[a][b] == 0 for a, b, _ in corners):
                continue
            room = math.inf
            for a, b, direction in corners:
                if _sign(grid, a, b) * direction * primary_sign < 0:
                    room = min(room, grid[a][b] - 1)
            if room < need - _TOLERANCE:
                continue
            new = [(a, b) for a, b, _ in corners if not hidden[a][b]]
            if not new:
                continue
            cost = (
                int((last_row, last_column) in new),
                sum(1 for a, b in new if a == last_row or b == last_column),
                sum(1 for a, b in new if a != last_row and b != last_column),
                sum(grid[a][b] for a, b in new),
                sorted(new),
            )
            if best is None or cost < best[0]:
                best = (cost, new)
    # A primary cell's rectangle with its row, column and grand totals (or a primary total's
    # with a non-zero cell of its line) is unbounded upwards, and is fully hidden only when the
    # primary is unbounded already: there is always a rectangle to take.
    assert best is not None, f"no rectangle protects {primary}"
    return best[1]


def _bounds(
    grid: list[list[int]], hidden: list[list[bool]], entry: tuple[int, int], *, maximise: bool
) -> float:
    """The least or largest value of a hidden ``entry`` given what is published (HiGHS LP)."""
    import numpy as np
    from scipy.optimize import linprog

    height, width = len(grid), len(grid[0])
    variables = _hidden_entries(hidden)
    index = {position: n for n, position in enumerate(variables)}
    lines = [[(i, j) for j in range(width)] for i in range(height)]
    lines += [[(i, j) for i in range(height)] for j in range(width)]
    matrix, right_side = [], []
    for line in lines:
        if not any(hidden[i][j] for i, j in line):
            continue
        # The last entry of each line is its total: cells - total = 0.
        coefficients = np.zeros(len(variables))
        known = 0
        for position, (i, j) in enumerate(line):
            coefficient = -1 if position == len(line) - 1 else 1
            if hidden[i][j]:
                coefficients[index[i, j]] = coefficient
            else:
                known += coefficient * grid[i][j]
        matrix.append(coefficients)
        right_side.append(-known)
    objective = np.zeros(len(variables))
    objective[index[entry]] = -1 if maximise else 1
    lower = [min(1, grid[i][j]) for i, j in variables]
    result = linprog(
        objective,
        A_eq=np.array(matrix),
        b_eq=np.array(right_side, dtype=float),
        bounds=[(bound, None) for bound in lower],
        method="highs",
    )
    if result.status == 3:
        return math.inf
    if result.status != 0:
        raise RuntimeError(f"The attacker's linear program failed: {result.message}")
    return -result.fun if maximise else result.fun
