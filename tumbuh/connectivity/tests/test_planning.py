"""The budgeted site planner: both solvers against optima found by enumerating every subset.

Plain functions over hand-made sites and villages; no database. Messages are checked in English
(the msgids), numbers in the active language's format.
"""

import json
import random
from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from scipy.optimize import OptimizeResult

from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.planning import (
    BackhaulOption,
    Candidate,
    Costs,
    Equity,
    Place,
    Weights,
    backhaul_options,
    compare,
    exact,
    plan_sites,
)
from tumbuh.core.money import rupiah
from tumbuh.core.refusals import Refused

pytestmark = pytest.mark.usefixtures("english")

SOLVERS = ["milp", "greedy"]
SUMMARY_KEYS = {
    "covered_enterprises",
    "covered_people",
    "cost_idr",
    "sites",
    "solver",
    "gap",
    "seconds",
    "objective",
    "bound",
    "status",
    "budget_idr",
}
SHARE_SLACK_IDR = 0.01  # the 3T share holds to a hundredth of a rupiah (float rounding)
# Small round figures, so that every cost below can be checked by hand.
SMALL_COSTS = Costs(
    tower_idr=1_000,
    fibre_per_km_idr=100,
    fibre_max_km=20,
    microwave_bands=((15, 500),),
    satellite_capex_idr=100,
    satellite_yearly_idr=100,
    horizon_years=5,
)


def site(key, cost, covers, *, province="91", is_3t=False):
    """A candidate with one satellite option at ``cost``, covering the villages ``covers``."""
    return Candidate(
        key=key,
        label=f"Desa {key}",
        province_code=province,
        is_3t=is_3t,
        covers=tuple(covers),
        options=(BackhaulOption("satellite", cost, "satellite backhaul"),),
    )


def villages(**enterprises):
    return {key: Place(enterprises=count, people=0) for key, count in enterprises.items()}


def keys(plan):
    return {pick.candidate.key for pick in plan.picks}


def brute_force(candidates, places, budget, *, weights=None, equity=None):
    """The best value over every subset that keeps the budget and the rules; None if none does."""
    weights, equity = weights or Weights(), equity or Equity()
    best = None
    for size in range(len(candidates) + 1):
        for subset in combinations(candidates, size):
            costs = [min(option.cost_idr for option in c.options) for c in subset]
            spent = sum(costs)
            spent_3t = sum(cost for cost, c in zip(costs, subset, strict=True) if c.is_3t)
            counts = Counter(c.province_code for c in subset)
            if spent > budget:
                continue
            if equity.min_3t_share and spent_3t < equity.min_3t_share * spent - SHARE_SLACK_IDR:
                continue
            if any(counts[p] < m for p, m in equity.province_min_sites.items()):
                continue
            covered = {key for c in subset for key in c.covers}
            value = sum(
                weights.enterprise * places[key].enterprises + weights.person * places[key].people
                for key in covered
                if key in places
            )
            best = value if best is None else max(best, value)
    return best


def rules_hold(plan, equity):
    spent_3t = sum(p.backhaul.cost_idr for p in plan.picks if p.candidate.is_3t)
    counts = Counter(p.candidate.province_code for p in plan.picks)
    return (
        plan.cost_idr <= plan.budget_idr
        and spent_3t >= (equity.min_3t_share or 0) * plan.cost_idr - SHARE_SLACK_IDR
        and all(counts[p] >= m for p, m in equity.province_min_sites.items())
    )


# --- rupiah, costs and backhaul --------------------------------------------------------------


def test_rupiah_has_dots_between_thousands():
    assert rupiah(1_234_567_890) == "Rp1.234.567.890"
    assert rupiah(0) == "Rp0"
    assert rupiah(-15_000) == "-Rp15.000"


def test_default_costs_are_valid():
    Costs().validate()


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        (Costs(tower_idr=-1), "tower_idr must be positive; it is -1."),
        (Costs(satellite_yearly_idr=0), "satellite_yearly_idr must be positive; it is 0."),
        (Costs(fibre_max_km=0), "fibre_max_km must be positive; it is 0."),
        (Costs(horizon_years=0), "horizon_years must be positive; it is 0."),
        (Costs(microwave_bands=()), "microwave_bands must list at least one distance band."),
        (
            Costs(microwave_bands=((40, 500), (15, 300))),
            "microwave_bands must be sorted by distance, shortest first.",
        ),
        (
            Costs(microwave_bands=((15, -300),)),
            "microwave_bands must be positive; it is (15, -300).",
        ),
    ],
)
def test_bad_costs_are_refused_naming_the_field(costs, message):
    with pytest.raises(ValidationError) as refusal:
        costs.validate()
    assert refusal.value.messages == [message]
    with pytest.raises(Refused):
        backhaul_options(10, costs)


def test_backhaul_options_cheapest_first_with_lifetime_costs():
    options = backhaul_options(3, SMALL_COSTS)
    assert [(o.kind, o.cost_idr) for o in options] == [
        ("fibre", 1_300),  # tower + 3 km × 100
        ("microwave", 1_500),  # tower + the 15 km band
        ("satellite", 1_600),  # tower + terminal + 5 years × 100
    ]
    assert options[0].detail == "fibre backhaul over 3 km from the nearest point of presence"
    options = backhaul_options(12.5, SMALL_COSTS)
    assert [(o.kind, o.cost_idr) for o in options] == [
        ("microwave", 1_500),
        ("satellite", 1_600),
        ("fibre", 2_250),
    ]
    assert options[0].detail == "microwave backhaul over 12.5 km to the nearest point of presence"


def test_far_or_unknown_sites_have_satellite_only():
    (far,) = backhaul_options(120, SMALL_COSTS)
    assert (far.kind, far.cost_idr) == ("satellite", 1_600)
    assert (
        far.detail == "satellite backhaul: no point of presence within 20 km for fibre or microwave"
    )
    (unknown,) = backhaul_options(None, SMALL_COSTS)
    assert unknown.kind == "satellite"
    assert unknown.detail == (
        "satellite backhaul: the distance to the nearest point of presence is unknown"
    )


def test_negative_distance_is_refused():
    with pytest.raises(Refused) as refusal:
        backhaul_options(-2, SMALL_COSTS)
    assert refusal.value.messages == [
        "The distance to the nearest point of presence cannot be negative; it is -2 km."
    ]


# --- known optima ----------------------------------------------------------------------------


def four_sites():
    """A's and B's villages overlap in b; C is dear but rich; D is cheap and poor."""
    candidates = [
        site("A", 2, ["a", "b"]),
        site("B", 2, ["b", "c"]),
        site("C", 3, ["d"]),
        site("D", 1, ["e"]),
    ]
    return candidates, villages(a=10, b=4, c=6, d=10, e=1)


@pytest.mark.parametrize("solver", SOLVERS)
def test_both_solvers_find_the_known_optimum(solver):
    candidates, places = four_sites()
    assert brute_force(candidates, places, 5) == 24

    plan = plan_sites(candidates, places, 5, solver=solver)

    assert keys(plan) == {"A", "C"}
    assert (plan.cost_idr, plan.covered_enterprises, plan.objective) == (5, 24, 24)
    assert [pick.candidate.key for pick in plan.picks] == ["A", "C"]  # most valuable first
    assert plan.picks[0].newly_covered == ("a", "b")


def test_the_milp_proves_its_optimum():
    candidates, places = four_sites()
    plan = plan_sites(candidates, places, 5)
    assert (plan.status, plan.bound, plan.gap) == ("optimal", 24, 0)


def test_greedy_has_no_bound_of_its_own():
    candidates, places = four_sites()
    plan = plan_sites(candidates, places, 5, solver="greedy")
    assert (plan.status, plan.bound, plan.gap) == ("heuristic", None, None)


def greedy_trap():
    """The best value per rupiah (A) leaves too little money for the two that together win."""
    return [site("A", 6, "a"), site("B", 5, "b"), site("C", 5, "c")], villages(a=7, b=5, c=5)


def test_greedy_is_provably_beaten_and_the_milp_is_the_true_optimum():
    candidates, places = greedy_trap()
    assert brute_force(candidates, places, 10) == 10

    exact = plan_sites(candidates, places, 10)
    greedy = plan_sites(candidates, places, 10, solver="greedy")

    assert (keys(exact), exact.objective, exact.status) == ({"B", "C"}, 10, "optimal")
    assert (keys(greedy), greedy.objective) == ({"A"}, 7)


def test_compare_reports_both_the_ratio_and_the_gaps():
    candidates, places = greedy_trap()
    result = compare(candidates, places, 10)
    assert set(result) == {"milp", "greedy", "ratio", "gap", "greedy_gap_to_bound"}
    assert (result["milp"]["objective"], result["greedy"]["objective"]) == (10, 7)
    assert result["ratio"] == pytest.approx(0.7)
    assert result["gap"] == 0
    assert result["greedy_gap_to_bound"] == pytest.approx(0.3)
    assert result["greedy"]["bound"] == 10
    json.dumps(result)


def test_greedy_keeps_the_best_single_site_when_it_beats_the_ratio_order():
    # B has the best ratio, but then A no longer fits; A alone is worth more.
    candidates = [site("A", 10, "a"), site("B", 1, "b")]
    places = villages(a=9, b=2)
    assert brute_force(candidates, places, 10) == 9
    assert keys(plan_sites(candidates, places, 10, solver="greedy")) == {"A"}


@pytest.mark.parametrize("seed", range(25))
def test_random_small_cases_against_enumeration(seed):
    rng = random.Random(seed)
    names = [f"v{n}" for n in range(10)]
    places = {key: Place(rng.randint(0, 9), rng.choice([0, 50, 400, 2_000])) for key in names}
    candidates = [
        site(
            f"s{n}",
            rng.randint(2, 9),
            rng.sample(names, rng.randint(1, 4)),
            province=rng.choice(["91", "94"]),
            is_3t=rng.random() < 0.5,
        )
        for n in range(8)
    ]
    budget = rng.randint(5, 25)
    equity = rng.choice(
        [
            Equity(),
            Equity(min_3t_share=0.5),
            Equity(province_min_sites={"94": 1}),
            Equity(min_3t_share=0.3, province_min_sites={"91": 2}),
        ]
    )
    best = brute_force(candidates, places, budget, equity=equity)

    if best is None:
        with pytest.raises(Refused):
            plan_sites(candidates, places, budget, equity=equity)
        return
    exact = plan_sites(candidates, places, budget, equity=equity)
    assert exact.objective == pytest.approx(best)
    assert rules_hold(exact, equity)
    try:
        greedy = plan_sites(candidates, places, budget, solver="greedy", equity=equity)
    except Refused:
        assert equity != Equity()  # only a rule can stop the greedy
        return
    assert rules_hold(greedy, equity)
    assert greedy.objective <= exact.objective + 1e-9
    assert greedy.objective >= 0.316 * exact.objective or equity != Equity()


# --- coverage, backhaul, reasons -------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_overlapping_coverage_counts_once(solver):
    candidates = [site("A", 1, ["a", "b"]), site("B", 1, ["b", "c"]), site("X", 1, ["b"])]
    places = villages(a=3, b=10, c=4)

    plan = plan_sites(candidates, places, 10, solver=solver)

    assert [pick.candidate.key for pick in plan.picks] == ["B", "A"]  # X adds nothing: left out
    assert (plan.covered_enterprises, plan.objective, plan.cost_idr) == (17, 17, 2)
    assert [pick.newly_covered for pick in plan.picks] == [("b", "c"), ("a",)]
    assert [pick.enterprises for pick in plan.picks] == [14, 3]
    assert plan.picks[1].reason == (
        "covers 1 village with 3 businesses and 0 people; 1 more village in its reach is "
        "covered by a site above; satellite backhaul; site cost Rp1"
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_cheapest_backhaul_is_chosen_and_explained(solver):
    candidates = [
        Candidate("near", "Desa Dekat", "91", False, ("n",), backhaul_options(3, SMALL_COSTS)),
        Candidate("mid", "Desa Tengah", "91", False, ("m",), backhaul_options(12.5, SMALL_COSTS)),
        Candidate("far", "Desa Jauh", "91", True, ("f",), backhaul_options(None, SMALL_COSTS)),
    ]
    places = {
        "n": Place(4, 0),
        "m": Place(2, 5_100),
        "f": Place(42, 1_000),
    }

    plan = plan_sites(candidates, places, 10_000, solver=solver)

    assert [(p.candidate.key, p.backhaul.kind, p.backhaul.cost_idr) for p in plan.picks] == [
        ("mid", "microwave", 1_500),
        ("far", "satellite", 1_600),
        ("near", "fibre", 1_300),
    ]
    assert plan.cost_idr == 4_400
    assert [pick.reason for pick in plan.picks] == [
        "covers 1 village with 2 businesses and 5,100 people; microwave backhaul over 12.5 km "
        "to the nearest point of presence, cheaper than satellite (Rp1.600), fibre (Rp2.250); "
        "site cost Rp1.500",
        "covers 1 village with 42 businesses and 1,000 people; satellite backhaul: the "
        "distance to the nearest point of presence is unknown; site cost Rp1.600",
        "covers 1 village with 4 businesses and 0 people; fibre backhaul over 3 km from the "
        "nearest point of presence, cheaper than microwave (Rp1.500), satellite (Rp1.600); "
        "site cost Rp1.300",
    ]
    assert [pick.value for pick in plan.picks] == pytest.approx([53, 52, 4])
    assert plan.covered_people == 6_100


def test_reasons_use_the_numbers_of_the_active_language():
    with translation.override("id"):
        options = backhaul_options(12.5, SMALL_COSTS)
        candidates = [Candidate("mid", "Desa Tengah", "91", False, ("m",), options)]
        plan = plan_sites(candidates, {"m": Place(2, 5_100)}, 10_000)
    assert "5.100" in plan.picks[0].reason
    assert "12,5 km" in plan.picks[0].reason


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_pick_has_a_reason_and_the_summary_has_exactly_its_keys(solver):
    candidates, places = four_sites()
    plan = plan_sites(candidates, places, 8, solver=solver)
    assert all(pick.reason.startswith("covers ") for pick in plan.picks)
    summary = plan.summary()
    assert set(summary) == SUMMARY_KEYS
    assert (summary["solver"], summary["sites"], summary["budget_idr"]) == (solver, 4, 8)
    json.dumps(summary)


@pytest.mark.parametrize("solver", SOLVERS)
def test_people_are_weighed_by_the_weights(solver):
    candidates = [site("busy", 5, ["b"]), site("populous", 5, ["p"])]
    places = {"b": Place(enterprises=3, people=0), "p": Place(enterprises=0, people=1_000)}
    # By default 100 people weigh as one business: 1,000 people beat 3 businesses.
    assert keys(plan_sites(candidates, places, 5, solver=solver)) == {"populous"}
    heavy_business = Weights(enterprise=1.0, person=0.001)
    assert keys(plan_sites(candidates, places, 5, solver=solver, weights=heavy_business)) == {
        "busy"
    }


# --- equity rules ----------------------------------------------------------------------------


def three_t_case():
    """The richest village is outside 3T; two poorer ones are in 3T."""
    candidates = [
        site("N", 5, ["n"]),
        site("T1", 5, ["t1"], is_3t=True),
        site("T2", 5, ["t2"], is_3t=True),
    ]
    return candidates, villages(n=10, t1=4, t2=3)


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_3t_share_is_honoured_and_changes_the_answer(solver):
    candidates, places = three_t_case()
    free = plan_sites(candidates, places, 10, solver=solver)
    assert (keys(free), free.objective) == ({"N", "T1"}, 14)

    rule = Equity(min_3t_share=0.6)
    assert brute_force(candidates, places, 10, equity=rule) == 7
    plan = plan_sites(candidates, places, 10, solver=solver, equity=rule)

    assert (keys(plan), plan.objective) == ({"T1", "T2"}, 7)
    assert rules_hold(plan, rule)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_province_minimum_is_honoured_and_changes_the_answer(solver):
    candidates = [
        site("A", 5, ["a"], province="91"),
        site("B", 5, ["b"], province="91"),
        site("C", 5, ["c"], province="94"),
    ]
    places = villages(a=10, b=8, c=1)
    assert keys(plan_sites(candidates, places, 10, solver=solver)) == {"A", "B"}

    rule = Equity(province_min_sites={"94": 1})
    plan = plan_sites(candidates, places, 10, solver=solver, equity=rule)

    assert (keys(plan), plan.objective) == ({"A", "C"}, 11)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_site_that_covers_nothing_is_built_only_for_a_rule(solver):
    candidates = [site("A", 5, ["a"], province="91"), site("E", 5, ["empty"], province="94")]
    places = villages(a=10, empty=0)
    assert keys(plan_sites(candidates, places, 10, solver=solver)) == {"A"}

    plan = plan_sites(
        candidates, places, 10, solver=solver, equity=Equity(province_min_sites={"94": 1})
    )

    assert keys(plan) == {"A", "E"}
    assert plan.picks[1].reason == (
        "covers 1 village with 0 businesses and 0 people; chosen to meet an equity rule; "
        "satellite backhaul; site cost Rp5"
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_3t_site_another_site_outdoes_stays_available_to_the_share_rule(solver):
    # N covers everything T covers for the same money, but only T counts towards the 3T share.
    candidates = [site("N", 5, ["n", "t"]), site("T", 5, ["t"], is_3t=True)]
    places = villages(n=6, t=2)
    assert keys(plan_sites(candidates, places, 10, solver=solver)) == {"N"}

    rule = Equity(min_3t_share=0.5)
    plan = plan_sites(candidates, places, 10, solver=solver, equity=rule)

    assert keys(plan) == {"N", "T"}
    assert plan.objective == brute_force(candidates, places, 10, equity=rule) == 8


# --- refusals --------------------------------------------------------------------------------


def refusal(candidates, places, budget, **options):
    with pytest.raises(Refused) as caught:
        plan_sites(candidates, places, budget, **options)
    return caught.value.messages


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    ("budget", "message"),
    [
        (0, "The budget must be a positive amount; it is Rp0."),
        (-5_000, "The budget must be a positive amount; it is -Rp5.000."),
        (
            1_000_000_000,
            "The cheapest site costs Rp1.234.567.890; the budget is Rp1.000.000.000.",
        ),
    ],
)
def test_a_budget_that_buys_no_site_is_refused(solver, budget, message):
    candidates = [site("A", 1_234_567_890, ["a"]), site("B", 2_000_000_000, ["b"])]
    assert refusal(candidates, villages(a=1, b=1), budget, solver=solver) == [message]


def test_planning_errors_are_validation_errors():
    assert issubclass(Refused, ValidationError)


@pytest.mark.parametrize(
    ("budget", "code"),
    [
        (0, ConnectivityError.BUDGET_NOT_POSITIVE),
        (1_000_000_000, ConnectivityError.BUDGET_TOO_SMALL),
    ],
)
def test_a_planning_refusal_carries_its_code(budget, code):
    with pytest.raises(Refused) as caught:
        plan_sites([site("A", 1_234_567_890, ["a"])], villages(a=1), budget)
    assert (caught.value.code, caught.value.reason) == (str(code), str(code))


@pytest.mark.parametrize(
    ("candidates", "places", "message"),
    [
        ([], {}, "There are no candidate sites to plan."),
        (
            [site("A", -5, ["a"])],
            villages(a=1),
            "The costs of site A must be positive; its satellite option costs -Rp5.",
        ),
        (
            [site("A", 0, ["a"])],
            villages(a=1),
            "The costs of site A must be positive; its satellite option costs Rp0.",
        ),
        (
            [Candidate("A", "Desa A", "91", False, ("a",), ())],
            villages(a=1),
            "Site A has no backhaul option.",
        ),
        (
            [site("A", 5, ["a"]), site("A", 6, ["b"])],
            villages(a=1, b=1),
            "Site A appears more than once.",
        ),
        (
            [site("A", 5, ["a"])],
            {"a": Place(enterprises=-1, people=0)},
            "Village a has a negative number of businesses or people.",
        ),
    ],
)
def test_bad_candidates_and_places_are_refused(candidates, places, message):
    assert refusal(candidates, places, 100) == [message]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"weights": Weights(person=-0.01)},
            "The weights of businesses and people cannot be negative.",
        ),
        ({"equity": Equity(min_3t_share=1.5)}, "The 3T share must be between 0 and 1; it is 1.5."),
        (
            {"equity": Equity(min_3t_share=-0.1)},
            "The 3T share must be between 0 and 1; it is -0.1.",
        ),
        (
            {"equity": Equity(province_min_sites={"91": -1})},
            "The minimum number of sites in province 91 cannot be negative.",
        ),
        (
            {"equity": Equity(province_min_sites={"94": 2})},
            "No candidate site is in province 94, so its minimum of 2 sites cannot be met.",
        ),
        (
            {"equity": Equity(province_min_sites={"82": 3})},
            "Province 82 has only 1 candidate site; the rule asks for 3.",
        ),
        (
            {"equity": Equity(province_min_sites={"91": 2, "82": 1})},
            "The province minimums need at least Rp15; the budget is Rp12.",
        ),
    ],
)
@pytest.mark.parametrize("solver", SOLVERS)
def test_rules_that_cannot_be_met_are_refused(solver, options, message):
    candidates = [
        site("A", 5, ["a"], province="91"),
        site("B", 6, ["b"], province="91"),
        site("C", 4, ["c"], province="82"),
    ]
    assert refusal(candidates, villages(a=1, b=1, c=1), 12, solver=solver, **options) == [message]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_share_that_the_province_minimums_make_impossible_is_refused(solver):
    # Every plan must build C, outside 3T, so no plan spends all its money in 3T.
    candidates = [site("T", 5, ["t"], is_3t=True), site("C", 5, ["c"], province="94")]
    rule = Equity(min_3t_share=1.0, province_min_sites={"94": 1})
    assert refusal(candidates, villages(t=1, c=1), 10, solver=solver, equity=rule) == [
        "The 3T share of at least 100% cannot be met together with the province minimums "
        "within the budget."
    ]


def test_an_unknown_solver_is_a_programming_error():
    with pytest.raises(ValueError, match="solver"):
        plan_sites(*four_sites(), 5, solver="simplex")


# --- the time limit --------------------------------------------------------------------------


def stopped_at(*chosen, bound):
    """A stand-in for HiGHS stopped by its time limit with ``chosen`` (or nothing) found."""

    def solve(c, **_options):
        x = None
        if chosen:
            x = np.zeros(len(c))
            x[list(chosen)] = 1
        return OptimizeResult(status=1, x=x, fun=None, mip_dual_bound=-bound, message="limit")

    return solve


def test_a_plan_found_before_the_time_limit_keeps_its_proven_gap(monkeypatch):
    candidates, places = greedy_trap()  # the greedy has only 7
    monkeypatch.setattr(exact, "milp", stopped_at(1, 2, bound=12.5))  # B and C: 10

    plan = plan_sites(candidates, places, 10, time_limit=2)

    assert (plan.status, keys(plan), plan.objective, plan.bound) == (
        "time_limit",
        {"B", "C"},
        10,
        12.5,
    )
    assert plan.gap == pytest.approx(0.2)


@pytest.mark.parametrize("found", [(0, 3), ()])
def test_when_time_runs_out_the_greedy_plan_stands_in_if_better(monkeypatch, found):
    # HiGHS has A and D (15 of 24) or nothing; the greedy has A and C (24).
    candidates, places = four_sites()
    monkeypatch.setattr(exact, "milp", stopped_at(*found, bound=25.0))

    plan = plan_sites(candidates, places, 5, time_limit=2)

    assert (plan.solver, plan.status, keys(plan), plan.bound) == (
        "milp",
        "time_limit",
        {"A", "C"},
        25,
    )


def test_no_plan_within_the_time_limit_is_refused(monkeypatch):
    def no_greedy_plan(_instance):
        raise Refused(ConnectivityError.EQUITY_UNMET, "the rules stop the greedy")

    monkeypatch.setattr(exact, "milp", stopped_at(bound=25.0))
    monkeypatch.setattr(exact, "_greedy_choice", no_greedy_plan)
    assert refusal(*four_sites(), 5, time_limit=2) == [
        "The solver found no plan within the time limit (2 s); allow more time or use the "
        "greedy planner."
    ]
