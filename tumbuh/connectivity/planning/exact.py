"""The exact solver: the plan as a MILP solved by HiGHS (``scipy.optimize.milp``) within a
time limit, with the proven bound; when time runs out, the greedy's plan stands in if better.

The planner imports this module only when it solves a MILP, so NumPy and SciPy stay out of
start-up: import it nowhere else at module level.
"""

import math

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.planning.greedy import _greedy_choice
from tumbuh.connectivity.planning.instance import _Instance, _rules_met, _share_and_minimums_message
from tumbuh.connectivity.planning.plan import Plan, _plan
from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused

# The MILP's money rows are in thousands of rupiah: small enough numbers for HiGHS, and its
# feasibility tolerance (1e-6) stays far below one rupiah.
_MODEL_UNIT_IDR = 1000


def _solve_milp(instance: _Instance, *, time_limit: float, mip_rel_gap: float) -> Plan:
    n = len(instance.candidates)
    if n == 0:
        return _plan(instance, [], solver="milp", status="optimal", bound=0.0)

    # A group covered by one site only needs no variable: its weight goes to that site.
    site_value = np.zeros(n)
    shared = []
    for group, members in enumerate(instance.group_members):
        if len(members) == 1:
            site_value[members[0]] += instance.group_weight[group]
        else:
            shared.append(group)
    m = len(shared)

    rows, columns, values = [], [], []
    lower, upper = [], []
    # Coverage: y_g - Σ_{i covers g} x_i ≤ 0.
    for row, group in enumerate(shared):
        members = instance.group_members[group]
        rows.extend([row] * (len(members) + 1))
        columns.append(n + row)
        columns.extend(members)
        values.append(1.0)
        values.extend([-1.0] * len(members))
    lower.extend([-np.inf] * m)
    upper.extend([0.0] * m)
    row = m
    cost = np.asarray(instance.cost, dtype=float) / _MODEL_UNIT_IDR
    everyone = list(range(n))
    # Budget; the half rupiah keeps a plan costing exactly the budget in, and nothing above it.
    rows.extend([row] * n)
    columns.extend(everyone)
    values.extend(cost)
    lower.append(-np.inf)
    upper.append((instance.budget_idr + 0.5) / _MODEL_UNIT_IDR)
    row += 1
    if instance.share > 0:
        # Σ_{3T} c_i x_i ≥ s Σ c_i x_i  ⇔  Σ (s - [i is 3T]) c_i x_i ≤ 0
        is_3t = np.asarray(instance.is_3t, dtype=float)
        rows.extend([row] * n)
        columns.extend(everyone)
        values.extend((instance.share - is_3t) * cost)
        lower.append(-np.inf)
        upper.append(0.0)
        row += 1
    for province, minimum in sorted(instance.minimums.items()):
        members = [j for j in everyone if instance.province[j] == province]
        rows.extend([row] * len(members))
        columns.extend(members)
        values.extend([1.0] * len(members))
        lower.append(minimum)
        upper.append(np.inf)
        row += 1

    matrix = sparse.csr_array((values, (rows, columns)), shape=(row, n + m))
    weight = np.concatenate([site_value, np.asarray(instance.group_weight)[shared]])
    result = milp(
        c=-weight,
        integrality=np.concatenate([np.ones(n), np.zeros(m)]),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(matrix, lower, upper),
        options={"time_limit": time_limit, "mip_rel_gap": mip_rel_gap, "disp": False},
    )
    if result.status == 2:
        if instance.share > 0:
            raise Refused(ConnectivityError.EQUITY_UNMET, _share_and_minimums_message(instance))
        raise Refused(
            ConnectivityError.EQUITY_UNMET, _("The equity rules cannot be met within the budget.")
        )
    if result.status not in (0, 1):
        raise Refused(
            ConnectivityError.SOLVER_FAILED,
            _("The solver failed: %(message)s") % {"message": result.message},
        )
    bound = getattr(result, "mip_dual_bound", None)
    bound = -bound if bound is not None and math.isfinite(bound) else None
    chosen = None if result.x is None else [j for j in range(n) if result.x[j] > 0.5]
    if chosen is not None and not _rules_met(instance, chosen):
        # HiGHS works to a thousandth of a rupiah; this would be a bug, not a rounding.
        raise RuntimeError("HiGHS returned a plan that breaks the budget or an equity rule")
    if result.status == 0:
        if bound is None:
            bound = -result.fun
        return _plan(instance, chosen, solver="milp", status="optimal", bound=bound)

    # Time ran out: keep the better of HiGHS's best plan and the greedy's, under HiGHS's bound.
    try:
        greedy = _greedy_choice(instance)
    except Refused:
        greedy = None
    if greedy is not None and (
        chosen is None or _value(instance, greedy) > _value(instance, chosen)
    ):
        chosen = greedy
    if chosen is None:
        raise Refused(
            ConnectivityError.NO_PLAN_IN_TIME,
            _(
                "The solver found no plan within the time limit (%(seconds)s s); allow more time or use the greedy planner."
            )
            % {"seconds": local_number(time_limit, decimals=1)},
        )
    return _plan(instance, chosen, solver="milp", status="time_limit", bound=bound)


def _value(instance: _Instance, chosen: list[int]) -> float:
    covered = {g for j in chosen for g in instance.groups_of[j]}
    return sum(instance.group_weight[g] for g in covered)
