"""Disclosure control: exact masks for small tables, and the LP attacker against random tables."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumbuh.dashboards.disclosure import (
    Suppression,
    apply,
    apply_totals,
    feasible_intervals,
    recoverable_cells,
    suppress,
)

ROOT = Path(__file__).resolve().parents[3]
T, F = True, False


def _nothing_hidden(rows, columns):
    return Suppression(
        cells=((F,) * columns,) * rows,
        row_totals=(F,) * rows,
        column_totals=(F,) * columns,
        grand_total=F,
    )


def _grid(table):
    """The table with its totals, in the grid coordinates of the module."""
    grid = [[*row, sum(row)] for row in table]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def _hidden_grid(suppression):
    hidden = [
        [*row, total] for row, total in zip(suppression.cells, suppression.row_totals, strict=True)
    ]
    hidden.append([*suppression.column_totals, suppression.grand_total])
    return hidden


def test_one_small_cell_is_hidden_with_the_smallest_rectangle_of_cells():
    table = [[5, 20, 30], [40, 50, 60]]

    suppression = suppress(table)

    assert suppression == Suppression(
        cells=((T, T, F), (T, T, F)),
        row_totals=(F, F),
        column_totals=(F, F, F),
        grand_total=F,
    )
    assert suppression.hidden_count == 4
    assert apply(table, suppression) == [[None, None, 30], [None, None, 60]]
    assert apply_totals(table, suppression) == ([55, 150], [45, 70, 90], 205)
    # x00 = t, x01 = 25 - t, x10 = 45 - t, x11 = 45 + t, each at least 1: 1 <= t <= 24.
    assert feasible_intervals(table, suppression) == {
        (0, 0): (1.0, 24.0),
        (0, 1): (1.0, 24.0),
        (1, 0): (21.0, 44.0),
        (1, 1): (46.0, 69.0),
    }
    assert recoverable_cells(table, suppression) == []


def test_two_small_cells_of_one_row_hide_the_row_and_its_partners():
    # 3 + 4 = 7 < 10: with the row total published, the 50 must be hidden too, and each of
    # the three columns then needs a second hidden cell.
    table = [[3, 4, 50], [60, 70, 80]]

    suppression = suppress(table)

    assert suppression == Suppression(
        cells=((T, T, T), (T, T, T)),
        row_totals=(F, F),
        column_totals=(F, F, F),
        grand_total=F,
    )
    assert feasible_intervals(table, suppression)[0, 0] == (1.0, 55.0)
    assert feasible_intervals(table, suppression)[0, 1] == (1.0, 55.0)


def test_small_row_total_is_hidden_with_the_total_of_its_partner_row():
    # Row 0 holds 5 businesses in all: its total is a small count as well.
    table = [[5, 0, 0], [40, 50, 60]]

    suppression = suppress(table)

    assert suppression == Suppression(
        cells=((T, F, F), (T, F, F)),
        row_totals=(T, T),
        column_totals=(F, F, F),
        grand_total=F,
    )
    assert apply(table, suppression) == [[None, 0, 0], [None, 50, 60]]
    assert apply_totals(table, suppression) == ([None, None], [45, 50, 60], 155)
    assert feasible_intervals(table, suppression) == {
        (0, 0): (1.0, 44.0),
        (0, 3): (1.0, 44.0),
        (1, 0): (1.0, 44.0),
        (1, 3): (111.0, 154.0),
    }


def test_single_row_hides_the_column_totals_that_equal_the_hidden_cells():
    table = [[5, 20, 30]]

    suppression = suppress(table)

    assert suppression == Suppression(
        cells=((T, T, F),),
        row_totals=(F,),
        column_totals=(T, T, F),
        grand_total=F,
    )
    assert apply(table, suppression) == [[None, None, 30]]
    assert apply_totals(table, suppression) == ([55], [None, None, 30], 55)
    assert feasible_intervals(table, suppression)[0, 0] == (1.0, 24.0)
    assert recoverable_cells(table, suppression) == []


def test_single_column_hides_the_row_totals_that_equal_the_hidden_cells():
    table = [[5], [20], [30]]

    suppression = suppress(table)

    assert suppression == Suppression(
        cells=((T,), (T,), (F,)),
        row_totals=(T, T, F),
        column_totals=(F,),
        grand_total=F,
    )
    assert apply_totals(table, suppression) == ([None, None, 30], [55], 55)
    assert feasible_intervals(table, suppression)[0, 0] == (1.0, 24.0)


def test_single_small_cell_hides_every_figure():
    assert suppress([[5]]) == Suppression(
        cells=((T,),), row_totals=(T,), column_totals=(T,), grand_total=T
    )


def test_table_of_ones_hides_everything_down_to_the_grand_total():
    table = [[1, 1], [1, 1]]

    suppression = suppress(table)

    assert suppression == Suppression(
        cells=((T, T), (T, T)), row_totals=(T, T), column_totals=(T, T), grand_total=T
    )
    assert all(
        largest == math.inf for _, largest in feasible_intervals(table, suppression).values()
    )


def test_all_zero_and_all_large_tables_hide_nothing():
    assert suppress([[0, 0, 0], [0, 0, 0]]) == _nothing_hidden(2, 3)
    assert suppress([[10, 20], [30, 40], [0, 99]]) == _nothing_hidden(3, 2)


def test_zero_is_never_a_complement():
    # The cheapest partners of the 5 would be the zeros; the 5 takes the 12s instead.
    table = [[5, 0, 12], [0, 30, 12], [12, 12, 40]]

    suppression = suppress(table)

    assert suppression.cells == ((T, F, T), (F, F, F), (T, F, T))
    assert suppression.row_totals == (F, F, F)
    assert suppression.column_totals == (F, F, F)
    assert suppression.grand_total is F


def test_threshold_is_a_parameter():
    assert suppress([[5, 20], [30, 40]], threshold=5) == _nothing_hidden(2, 2)
    assert suppress([[5, 20], [30, 40]], threshold=6).cells == ((T, T), (T, T))


def test_empty_table_hides_nothing():
    assert suppress([]) == Suppression(cells=(), row_totals=(), column_totals=(), grand_total=F)


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="same number of cells"):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError, match="negative"):
        suppress([[1, -2]])
    with pytest.raises(TypeError):
        suppress([[1.5, 2]])
    with pytest.raises(ValueError, match="threshold"):
        suppress([[1]], threshold=0)


def test_same_table_gives_the_same_mask():
    table = [[3, 0, 7, 15], [12, 2, 0, 40], [9, 11, 1, 0], [25, 30, 8, 14]]

    first = suppress(table)

    assert suppress([list(row) for row in table]) == first
    assert suppress(tuple(tuple(row) for row in table)) == first
    assert recoverable_cells(table, first) == []


def test_attacker_recovers_a_lone_hidden_cell():
    table = [[5, 20, 30], [40, 50, 60]]
    only_the_five = Suppression(
        cells=((T, F, F), (F, F, F)), row_totals=(F, F), column_totals=(F, F, F), grand_total=F
    )

    assert recoverable_cells(table, only_the_five) == [(0, 0)]
    assert feasible_intervals(table, only_the_five) == {(0, 0): (5.0, 5.0)}


def test_attacker_recovers_hidden_cells_of_one_row_from_their_columns():
    table = [[5, 20, 30], [40, 50, 60]]
    one_row_pair = Suppression(
        cells=((T, T, F), (F, F, F)), row_totals=(F, F), column_totals=(F, F, F), grand_total=F
    )

    assert recoverable_cells(table, one_row_pair) == [(0, 0), (0, 1)]


def test_attacker_uses_that_hidden_cells_hold_at_least_one():
    # x00 + x01 = 2 with both at least 1: every hidden 1 is pinned, totals published.
    table = [[1, 1], [1, 1]]
    cells_only = Suppression(
        cells=((T, T), (T, T)), row_totals=(F, F), column_totals=(F, F), grand_total=F
    )

    assert recoverable_cells(table, cells_only) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_attacker_reports_hidden_totals_in_grid_coordinates():
    table = [[5, 20, 30]]
    cell_and_its_column_total = Suppression(
        cells=((T, F, F),), row_totals=(F,), column_totals=(T, F, F), grand_total=F
    )

    assert recoverable_cells(table, cell_and_its_column_total) == [(0, 0), (1, 0)]


def test_attacker_refuses_a_mask_of_another_shape():
    with pytest.raises(ValueError, match="shape"):
        recoverable_cells([[5, 20]], _nothing_hidden(2, 2))


def test_importing_the_module_imports_no_scipy_or_numpy():
    code = (
        "import json, sys\n"
        "import tumbuh.dashboards.disclosure\n"
        "print(json.dumps([m for m in ('scipy', 'numpy') if m in sys.modules]))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter with our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(result.stdout) == []


# Tables of up to 8 × 6 where half the cells are small (0 to 9) and half publishable.
tables = st.integers(1, 8).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.one_of(st.integers(0, 9), st.integers(10, 60)),
                min_size=columns,
                max_size=columns,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(tables)
def test_no_small_count_is_published_and_no_hidden_figure_is_recoverable(table):
    threshold = 10
    suppression = suppress(table, threshold=threshold)
    grid = _grid(table)
    hidden = _hidden_grid(suppression)

    published = [
        value
        for line, hidden_line in zip(grid, hidden, strict=True)
        for value, is_hidden in zip(line, hidden_line, strict=True)
        if not is_hidden
    ]
    assert not [value for value in published if 1 <= value < threshold]
    # Zeros are never hidden.
    assert all(
        value > 0
        for line, hidden_line in zip(grid, hidden, strict=True)
        for value, is_hidden in zip(line, hidden_line, strict=True)
        if is_hidden
    )
    # Every row and column of the grid with a hidden figure has at least two.
    lines = [list(line) for line in hidden] + [list(line) for line in zip(*hidden, strict=True)]
    assert all(sum(line) != 1 for line in lines)

    intervals = feasible_intervals(table, suppression)
    pinned = [entry for entry, (least, largest) in intervals.items() if largest - least < 1e-6]
    assert pinned == []
    # The protection rule: a small figure could, for all the attacker knows, be publishable.
    underprotected = [
        (i, j)
        for (i, j), (_, largest) in intervals.items()
        if grid[i][j] < threshold and largest < threshold - 1e-6
    ]
    assert underprotected == []
    # The true table lies within every interval.
    assert all(
        least - 1e-6 <= grid[i][j] <= largest + 1e-6
        for (i, j), (least, largest) in intervals.items()
    )
