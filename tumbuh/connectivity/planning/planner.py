"""The planner's entry points: plan with one solver, or compare both.

The exact solver (``exact``, over NumPy and SciPy's HiGHS) is imported when a MILP is solved:
SciPy's optimiser costs ~0.4 s at start-up, and the connectivity pages, the API and the
``plan_sites`` command import the planning package before any solve.
"""

import time
from collections.abc import Iterable, Mapping

from tumbuh.connectivity.planning.greedy import _solve_greedy
from tumbuh.connectivity.planning.instance import Candidate, Equity, Place, Weights, _prepare
from tumbuh.connectivity.planning.plan import Plan, _gap

SOLVERS = ("milp", "greedy")
# The defaults, made once (both are frozen dataclasses).
_DEFAULT_WEIGHTS = Weights()
_DEFAULT_EQUITY = Equity()


def plan_sites(
    candidates: Iterable[Candidate],
    places: Mapping[str, Place],
    budget_idr: int,
    *,
    solver: str = "milp",
    weights: Weights = _DEFAULT_WEIGHTS,
    equity: Equity = _DEFAULT_EQUITY,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
) -> Plan:
    """Choose the sites to build for the budget; refuse bad input (``core.refusals.Refused``).

    ``time_limit`` (seconds) and ``mip_rel_gap`` apply to the MILP solver only.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, not {solver!r}")
    started = time.perf_counter()
    instance = _prepare(candidates, places, budget_idr, weights, equity)
    if solver == "milp":
        from tumbuh.connectivity.planning.exact import _solve_milp

        plan = _solve_milp(instance, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    else:
        plan = _solve_greedy(instance)
    plan.seconds = time.perf_counter() - started
    return plan


def compare(
    candidates: Iterable[Candidate], places: Mapping[str, Place], budget_idr: int, **options
) -> dict:
    """Plan with both solvers; the greedy plan is measured against the MILP's proven bound."""
    candidates = list(candidates)
    exact = plan_sites(candidates, places, budget_idr, solver="milp", **options)
    greedy = plan_sites(candidates, places, budget_idr, solver="greedy", **options)
    greedy.bound = exact.bound
    greedy.gap = _gap(exact.bound, greedy.objective)
    if exact.objective > 0:
        ratio = greedy.objective / exact.objective
    else:
        ratio = 1.0 if greedy.objective == 0 else None
    return {
        "milp": exact.summary(),
        "greedy": greedy.summary(),
        "ratio": None if ratio is None else round(ratio, 6),
        "gap": exact.summary()["gap"],
        "greedy_gap_to_bound": greedy.summary()["gap"],
    }
