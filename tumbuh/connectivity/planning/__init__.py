"""The budgeted site planner: which 4G sites to build, and with which backhaul, for a budget.

Planners give a budget in rupiah and a list of candidate sites, each of which would bring 4G to a
few villages (its own and its neighbours). The planner chooses the sites that bring 4G to the most
weighted businesses and people without spending more than the budget:

    maximise    Σ_v w_v · y_v              w_v = weights.enterprise · businesses_v
                                                 + weights.person · people_v
    subject to  y_v ≤ Σ_{i covers v} x_i   a village counts once, however many sites cover it
                Σ_i c_i · x_i ≤ budget     c_i = the site's cheapest backhaul, lifetime cost
                x_i ∈ {0, 1},  0 ≤ y_v ≤ 1

with the equity rules as extra rows: at least a share of the money goes to sites in 3T villages
(Σ_{i 3T} c_i x_i ≥ s · Σ_i c_i x_i), and at least m_p sites in province p (Σ_{i in p} x_i ≥ m_p).

Two solvers answer it. ``milp`` solves the model exactly with HiGHS (``scipy.optimize.milp``)
within a time limit and reports the proven upper bound, so the gap to the true optimum is known
even when time runs out. ``greedy`` takes the site with the best marginal value per rupiah, again
and again (lazily, with a heap), and keeps the better of that and the best single affordable site
followed by the same greedy: without equity rules this is guaranteed at least ½(1 − 1/e) ≈ 0.32
of the optimum (Khuller, Moss and Naor, 1999), and in practice far closer. :func:`compare` runs
both and reports the ratio.

Pure Python over numpy and scipy: no models. Services build the candidates (with
:func:`backhaul_options` for their costs) and the places from the database.

The package: ``planner`` (:func:`plan_sites`, :func:`compare`), ``costs`` (costs and backhaul
options), ``instance`` (the input, checked and reduced, and the rules a plan must meet),
``exact`` (the MILP), ``greedy``, ``plan`` (the picks and their explanation) and ``stoppable``
(a solve in a child process that a cancel or an overrun stops). Every public
name is importable from ``tumbuh.connectivity.planning``. A plan that cannot be made is refused
with ``core.refusals.Refused`` and a ``ConnectivityError`` code; money and numbers in the
messages come from ``core.money``.
"""

from tumbuh.connectivity.planning.costs import BackhaulOption, Costs, backhaul_options
from tumbuh.connectivity.planning.instance import Candidate, Equity, Place, Weights
from tumbuh.connectivity.planning.plan import Pick, Plan
from tumbuh.connectivity.planning.planner import SOLVERS, compare, plan_sites
from tumbuh.connectivity.planning.stoppable import Overrun, solve_stoppable

__all__ = [
    "SOLVERS",
    "BackhaulOption",
    "Candidate",
    "Costs",
    "Equity",
    "Overrun",
    "Pick",
    "Place",
    "Plan",
    "Weights",
    "backhaul_options",
    "compare",
    "plan_sites",
    "solve_stoppable",
]
