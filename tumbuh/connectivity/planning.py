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
"""

import heapq
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

SOLVERS = ("milp", "greedy")

# The 3T share is met to a hundredth of a rupiah: the slack absorbs floating-point rounding
# (0.3 × 10 is 3.0000000000000004) and HiGHS's feasibility tolerance (a thousandth of a rupiah).
_SHARE_TOLERANCE_IDR = 0.01
# The MILP's money rows are in thousands of rupiah: small enough numbers for HiGHS, and its
# feasibility tolerance (1e-6) stays far below one rupiah.
_MODEL_UNIT_IDR = 1000


class PlanningError(ValidationError):
    """A plan cannot be made from this input; the message says why in plain words."""


def format_idr(amount) -> str:
    """Whole rupiah with Indonesian thousands separators: 1234567890 → "Rp1.234.567.890".

    The same text as the ``rupiah`` template filter, for messages built outside templates.
    """
    if isinstance(amount, float) and not math.isfinite(amount):
        return f"Rp{amount}"
    amount = round(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def _count(number: int) -> str:
    """A count in the active language: 5.100 in Indonesian, 5,100 in English."""
    return number_format(number, force_grouping=True)


def _decimal(value: float) -> str:
    """A distance or percentage with at most one decimal, in the active language: 12,5."""
    value = round(value, 1)
    if value == int(value):
        return _count(int(value))
    return number_format(value, decimal_pos=1, force_grouping=True)


def _percent(share: float) -> str:
    return f"{_decimal(share * 100)}%"


# --- costs and backhaul ----------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    """What a site costs, part by part, in whole rupiah.

    These are planning assumptions, not prices: docs/connectivity-costs.md gives the public orders
    of magnitude they come from. Every figure can be changed for a run.
    """

    tower_idr: int = 1_500_000_000  # 4G BTS tower with power (solar and batteries), capex
    fibre_per_km_idr: int = 120_000_000  # fibre from the nearest point of presence, per km
    fibre_max_km: float = 25.0  # beyond this, fibre is not an option
    # (up to km, capex) by distance band, shortest first; beyond the last band, no microwave.
    microwave_bands: tuple[tuple[float, int], ...] = (
        (15, 300_000_000),
        (40, 500_000_000),
        (80, 900_000_000),
    )
    satellite_capex_idr: int = 150_000_000  # VSAT terminal, installation
    satellite_yearly_idr: int = 200_000_000  # leased satellite capacity for one site, per year
    horizon_years: int = 5  # yearly costs are counted over this horizon

    def validate(self) -> None:
        """Refuse costs that are not positive, and distance bands that are empty or unsorted."""
        for name in (
            "tower_idr",
            "fibre_per_km_idr",
            "fibre_max_km",
            "satellite_capex_idr",
            "satellite_yearly_idr",
            "horizon_years",
        ):
            value = getattr(self, name)
            if not value > 0:  # also refuses NaN
                raise PlanningError(
                    _("%(field)s must be positive; it is %(value)s.")
                    % {"field": name, "value": value}
                )
        if not self.microwave_bands:
            raise PlanningError(_("microwave_bands must list at least one distance band."))
        previous_km = 0.0
        for up_to_km, capex_idr in self.microwave_bands:
            if not (up_to_km > 0 and capex_idr > 0):
                raise PlanningError(
                    _("%(field)s must be positive; it is %(value)s.")
                    % {"field": "microwave_bands", "value": (up_to_km, capex_idr)}
                )
            if up_to_km <= previous_km:
                raise PlanningError(
                    _("microwave_bands must be sorted by distance, shortest first.")
                )
            previous_km = up_to_km

    @property
    def satellite_lifetime_idr(self) -> int:
        return self.satellite_capex_idr + self.satellite_yearly_idr * self.horizon_years


@dataclass(frozen=True)
class BackhaulOption:
    """One way to link a site to the network, with the site's lifetime cost if built this way."""

    kind: str  # "fibre" | "microwave" | "satellite"
    cost_idr: int  # tower + backhaul capex + yearly costs × horizon
    detail: str  # e.g. "fibre backhaul over 12.5 km from the nearest point of presence"


def _kind_label(kind: str) -> str:
    labels = {
        "fibre": pgettext("backhaul", "fibre"),
        "microwave": pgettext("backhaul", "microwave"),
        "satellite": pgettext("backhaul", "satellite"),
    }
    return labels.get(kind, kind)


def backhaul_options(distance_to_pop_km: float | None, costs: Costs) -> tuple[BackhaulOption, ...]:
    """The feasible backhauls of a site whose nearest fibre point of presence is that far away.

    Fibre up to ``costs.fibre_max_km``, microwave within the distance bands, satellite always;
    an unknown distance (None) leaves satellite only. Cheapest first.
    """
    costs.validate()
    satellite_idr = costs.tower_idr + costs.satellite_lifetime_idr
    if distance_to_pop_km is None or math.isnan(distance_to_pop_km):
        detail = _("satellite backhaul: the distance to the nearest point of presence is unknown")
        return (BackhaulOption("satellite", satellite_idr, detail),)
    if distance_to_pop_km < 0:
        raise PlanningError(
            _("The distance to the nearest point of presence cannot be negative; it is %(km)s km.")
            % {"km": _decimal(distance_to_pop_km)}
        )
    km = _decimal(distance_to_pop_km)
    options = []
    if distance_to_pop_km <= costs.fibre_max_km:
        options.append(
            BackhaulOption(
                "fibre",
                costs.tower_idr + round(costs.fibre_per_km_idr * distance_to_pop_km),
                _("fibre backhaul over %(km)s km from the nearest point of presence") % {"km": km},
            )
        )
    for up_to_km, capex_idr in costs.microwave_bands:
        if distance_to_pop_km <= up_to_km:
            options.append(
                BackhaulOption(
                    "microwave",
                    costs.tower_idr + capex_idr,
                    _("microwave backhaul over %(km)s km to the nearest point of presence")
                    % {"km": km},
                )
            )
            break
    if options:
        detail = _("satellite backhaul, %(km)s km from the nearest point of presence") % {"km": km}
    else:
        reach_km = max(costs.fibre_max_km, costs.microwave_bands[-1][0])
        detail = _(
            "satellite backhaul: no point of presence within %(km)s km for fibre or microwave"
        ) % {"km": _decimal(reach_km)}
    options.append(BackhaulOption("satellite", satellite_idr, detail))
    # sorted() is stable: on equal cost, fibre before microwave before satellite.
    return tuple(sorted(options, key=lambda option: option.cost_idr))


# --- input and output ------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A site that could be built: where, what it would cover, and how it could be linked."""

    key: str  # the site's identity: a village code like "91.01.01.2001", or an imported id
    label: str  # human name, e.g. the village name
    province_code: str  # "91"
    is_3t: bool
    covers: tuple[
        str, ...
    ]  # keys (village codes) of the places it would bring 4G to, incl. its own
    options: tuple[BackhaulOption, ...]


@dataclass(frozen=True)
class Place:
    """What bringing 4G to a village brings. A village missing from the places counts as empty."""

    enterprises: int  # deduplicated businesses registered there
    people: int  # population estimate


@dataclass(frozen=True)
class Weights:
    """How much a business and a person weigh in the objective.

    By default 100 people weigh as much as one registered business: the programme is about
    bringing businesses online, and people count so that among villages with few registered
    businesses the populous ones come first.
    """

    enterprise: float = 1.0
    person: float = 0.01


@dataclass(frozen=True)
class Equity:
    """Rules that keep a plan fair, on top of the budget."""

    # Minimum share (0..1) of the money spent that goes to sites in 3T villages.
    min_3t_share: float | None = None
    # At least N sites in these provinces, by province code.
    province_min_sites: dict[str, int] = field(default_factory=dict)


@dataclass
class Pick:
    """A chosen site, with the backhaul to build and what it adds to the sites before it.

    The backhaul is the cheapest feasible option: backhaul changes what a site costs, not what
    it covers. ``newly_covered`` and the counts are what this site adds to the picks above it
    (picks are listed most valuable first), so the counts of all picks add up to the plan's.
    """

    candidate: Candidate
    backhaul: BackhaulOption
    newly_covered: tuple[str, ...]
    enterprises: int
    people: int
    value: float
    reason: str


@dataclass
class Plan:
    """The sites to build for a budget, what they bring, and how good the plan provably is."""

    solver: str  # "milp" | "greedy"
    budget_idr: int
    picks: list[Pick]
    cost_idr: int
    covered_enterprises: int
    covered_people: int
    objective: float  # weighted value: Σ weights over the covered places
    bound: float | None  # proven upper bound on the optimum
    gap: float | None  # (bound - objective) / bound: how far from the optimum at most
    # "optimal": proven within mip_rel_gap. "time_limit": the MILP ran out of time; the plan is
    # the better of HiGHS's best and the greedy's, and the gap to the bound still holds.
    # "heuristic": the greedy.
    status: str
    seconds: float

    def summary(self) -> dict:
        """The plan's figures, ready for JSON."""
        return {
            "solver": self.solver,
            "status": self.status,
            "budget_idr": self.budget_idr,
            "cost_idr": self.cost_idr,
            "sites": len(self.picks),
            "covered_enterprises": self.covered_enterprises,
            "covered_people": self.covered_people,
            "objective": round(self.objective, 4),
            "bound": None if self.bound is None else round(self.bound, 4),
            "gap": None if self.gap is None else round(self.gap, 6),
            "seconds": round(self.seconds, 3),
        }


# --- the planner -----------------------------------------------------------------------------


def plan_sites(
    candidates: Iterable[Candidate],
    places: Mapping[str, Place],
    budget_idr: int,
    *,
    solver: str = "milp",
    weights: Weights = Weights(),
    equity: Equity = Equity(),
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
) -> Plan:
    """Choose the sites to build for the budget; raise :class:`PlanningError` on bad input.

    ``time_limit`` (seconds) and ``mip_rel_gap`` apply to the MILP solver only.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, not {solver!r}")
    started = time.perf_counter()
    instance = _prepare(candidates, places, budget_idr, weights, equity)
    if solver == "milp":
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


@dataclass
class _Instance:
    """The checked input as both solvers see it.

    Only the candidates that can matter are kept: those that cover some weight, and those an
    equity rule may need. Places are merged into groups with the same covering candidates (a
    place covered by one site only is a group of its own size one), which keeps the model small.
    """

    budget_idr: int
    weights: Weights
    places: Mapping[str, Place]
    share: float  # 0 when there is no 3T rule
    minimums: dict[str, int]  # province code -> minimum sites, positive only
    candidates: list[Candidate]
    backhaul: list[BackhaulOption]
    cost: list[int]
    is_3t: list[bool]
    province: list[str]
    groups_of: list[list[int]]  # per candidate: the groups it covers
    group_weight: list[float]
    group_members: list[list[int]]  # per group: the candidates covering it


def _prepare(candidates, places, budget_idr, weights, equity) -> _Instance:
    if not budget_idr > 0:
        raise PlanningError(
            _("The budget must be a positive amount; it is %(budget)s.")
            % {"budget": format_idr(budget_idr)}
        )
    candidates = list(candidates)
    if not candidates:
        raise PlanningError(_("There are no candidate sites to plan."))
    if not (weights.enterprise >= 0 and weights.person >= 0):
        raise PlanningError(_("The weights of businesses and people cannot be negative."))
    share = equity.min_3t_share
    if share is not None and not 0 <= share <= 1:
        raise PlanningError(
            _("The 3T share must be between 0 and 1; it is %(share)s.") % {"share": share}
        )
    share = share or 0.0
    for province, minimum in equity.province_min_sites.items():
        if minimum < 0:
            raise PlanningError(
                _("The minimum number of sites in province %(province)s cannot be negative.")
                % {"province": province}
            )
    minimums = {p: m for p, m in equity.province_min_sites.items() if m > 0}

    seen = set()
    cheapest = []
    for candidate in candidates:
        if candidate.key in seen:
            raise PlanningError(_("Site %(key)s appears more than once.") % {"key": candidate.key})
        seen.add(candidate.key)
        if not candidate.options:
            raise PlanningError(_("Site %(key)s has no backhaul option.") % {"key": candidate.key})
        for option in candidate.options:
            if not option.cost_idr > 0:
                raise PlanningError(
                    _(
                        "The costs of site %(key)s must be positive; its %(kind)s option costs %(cost)s."
                    )
                    % {
                        "key": candidate.key,
                        "kind": _kind_label(option.kind),
                        "cost": format_idr(option.cost_idr),
                    }
                )
        cheapest.append(min(candidate.options, key=lambda option: option.cost_idr))

    lowest_idr = min(option.cost_idr for option in cheapest)
    if lowest_idr > budget_idr:
        raise PlanningError(
            _("The cheapest site costs %(cost)s; the budget is %(budget)s.")
            % {"cost": format_idr(lowest_idr), "budget": format_idr(budget_idr)}
        )
    _check_province_minimums(candidates, cheapest, minimums, budget_idr)

    weight_of: dict[str, float] = {}
    for candidate in candidates:
        for key in candidate.covers:
            if key in weight_of:
                continue
            place = places.get(key)
            if place is None:
                weight_of[key] = 0.0
                continue
            if place.enterprises < 0 or place.people < 0:
                raise PlanningError(
                    _("Village %(key)s has a negative number of businesses or people.")
                    % {"key": key}
                )
            weight_of[key] = weights.enterprise * place.enterprises + weights.person * place.people

    kept = _useful_candidates(candidates, cheapest, weight_of, share, minimums)

    covering: dict[str, list[int]] = defaultdict(list)
    for position, index in enumerate(kept):
        for key in dict.fromkeys(candidates[index].covers):
            if weight_of[key] > 0:
                covering[key].append(position)
    group_of_members: dict[tuple[int, ...], int] = {}
    group_weight: list[float] = []
    group_members: list[list[int]] = []
    groups_of: list[list[int]] = [[] for _position in kept]
    for key, members in covering.items():
        signature = tuple(members)
        group = group_of_members.get(signature)
        if group is None:
            group = group_of_members[signature] = len(group_weight)
            group_weight.append(0.0)
            group_members.append(members)
            for position in members:
                groups_of[position].append(group)
        group_weight[group] += weight_of[key]

    return _Instance(
        budget_idr=budget_idr,
        weights=weights,
        places=places,
        share=share,
        minimums=minimums,
        candidates=[candidates[index] for index in kept],
        backhaul=[cheapest[index] for index in kept],
        cost=[cheapest[index].cost_idr for index in kept],
        is_3t=[candidates[index].is_3t for index in kept],
        province=[candidates[index].province_code for index in kept],
        groups_of=groups_of,
        group_weight=group_weight,
        group_members=group_members,
    )


def _useful_candidates(candidates, cheapest, weight_of, share, minimums) -> list[int]:
    """The indices of the candidates that can matter to an optimal plan.

    A candidate that covers no weight matters only to an equity rule. A candidate that no rule
    needs is left out when another site covers all its weight for no more money: swapping it for
    that site never makes a plan worse, nor breaks a rule (the other site spends no more outside
    3T, and a province minimum gains a site at worst).
    """
    valued = [frozenset(k for k in c.covers if weight_of[k] > 0) for c in candidates]
    covering: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(valued):
        for key in keys:
            covering[key].append(index)

    def dominated(i: int) -> bool:
        keys, cost = valued[i], cheapest[i].cost_idr
        rarest = min(keys, key=lambda key: len(covering[key]))
        for j in covering[rarest]:
            other = cheapest[j].cost_idr
            # Better for no more money, or the same site again (then the first one stays).
            better = other < cost or len(valued[j]) > len(keys) or j < i
            if j != i and other <= cost and keys <= valued[j] and better:
                return True
        return False

    kept = []
    for index, candidate in enumerate(candidates):
        needed_by_a_rule = candidate.province_code in minimums or (share > 0 and candidate.is_3t)
        if needed_by_a_rule or (valued[index] and not dominated(index)):
            kept.append(index)
    return kept


def _check_province_minimums(candidates, cheapest, minimums, budget_idr) -> None:
    """Refuse province minimums that no plan can meet: too few sites, or too little money."""
    costs_by_province: dict[str, list[int]] = defaultdict(list)
    for candidate, option in zip(candidates, cheapest, strict=True):
        costs_by_province[candidate.province_code].append(option.cost_idr)
    needed_idr = 0
    for province, minimum in sorted(minimums.items()):
        available = len(costs_by_province.get(province, ()))
        if available == 0:
            raise PlanningError(
                ngettext(
                    "No candidate site is in province %(province)s, so its minimum of %(minimum)s site cannot be met.",
                    "No candidate site is in province %(province)s, so its minimum of %(minimum)s sites cannot be met.",
                    minimum,
                )
                % {"province": province, "minimum": minimum}
            )
        if available < minimum:
            raise PlanningError(
                ngettext(
                    "Province %(province)s has only %(count)s candidate site; the rule asks for %(minimum)s.",
                    "Province %(province)s has only %(count)s candidate sites; the rule asks for %(minimum)s.",
                    available,
                )
                % {"province": province, "count": available, "minimum": minimum}
            )
        needed_idr += sum(sorted(costs_by_province[province])[:minimum])
    if needed_idr > budget_idr:
        raise PlanningError(
            _("The province minimums need at least %(cost)s; the budget is %(budget)s.")
            % {"cost": format_idr(needed_idr), "budget": format_idr(budget_idr)}
        )


def _share_met(share: float, spent_3t_idr: int, spent_idr: int) -> bool:
    return spent_3t_idr >= share * spent_idr - _SHARE_TOLERANCE_IDR


def _rules_met(instance: _Instance, chosen: Iterable[int]) -> bool:
    chosen = list(chosen)
    spent = sum(instance.cost[j] for j in chosen)
    spent_3t = sum(instance.cost[j] for j in chosen if instance.is_3t[j])
    counts = Counter(instance.province[j] for j in chosen)
    return (
        spent <= instance.budget_idr
        and _share_met(instance.share, spent_3t, spent)
        and all(counts[p] >= m for p, m in instance.minimums.items())
    )


def _share_and_minimums_message(instance: _Instance) -> str:
    return _(
        "The 3T share of at least %(share)s cannot be met together with the province minimums within the budget."
    ) % {"share": _percent(instance.share)}


# --- MILP ------------------------------------------------------------------------------------


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
            raise PlanningError(_share_and_minimums_message(instance))
        raise PlanningError(_("The equity rules cannot be met within the budget."))
    if result.status not in (0, 1):
        raise PlanningError(_("The solver failed: %(message)s") % {"message": result.message})
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
    except PlanningError:
        greedy = None
    if greedy is not None and (
        chosen is None or _value(instance, greedy) > _value(instance, chosen)
    ):
        chosen = greedy
    if chosen is None:
        raise PlanningError(
            _(
                "The solver found no plan within the time limit (%(seconds)s s); allow more time or use the greedy planner."
            )
            % {"seconds": _decimal(time_limit)}
        )
    return _plan(instance, chosen, solver="milp", status="time_limit", bound=bound)


def _value(instance: _Instance, chosen: list[int]) -> float:
    covered = {g for j in chosen for g in instance.groups_of[j]}
    return sum(instance.group_weight[g] for g in covered)


# --- greedy ----------------------------------------------------------------------------------


class _GreedyState:
    """A partial plan that the greedy phases grow, keeping the budget and the rules reachable."""

    def __init__(self, instance: _Instance):
        self.instance = instance
        self.chosen: list[int] = []
        self.is_chosen = bytearray(len(instance.candidates))
        self.covered = bytearray(len(instance.group_weight))
        self.spent = 0
        self.spent_3t = 0
        self.unchosen_3t = sum(c for c, t in zip(instance.cost, instance.is_3t, strict=True) if t)
        self.counts: Counter[str] = Counter()

    @property
    def remaining(self) -> int:
        return self.instance.budget_idr - self.spent

    def gain(self, j: int) -> float:
        weight, covered = self.instance.group_weight, self.covered
        return sum(weight[g] for g in self.instance.groups_of[j] if not covered[g])

    def add(self, j: int) -> None:
        cost = self.instance.cost[j]
        self.chosen.append(j)
        self.is_chosen[j] = 1
        for g in self.instance.groups_of[j]:
            self.covered[g] = 1
        self.spent += cost
        if self.instance.is_3t[j]:
            self.spent_3t += cost
            self.unchosen_3t -= cost
        self.counts[self.instance.province[j]] += 1

    def value(self) -> float:
        weight = self.instance.group_weight
        return sum(weight[g] for g, is_covered in enumerate(self.covered) if is_covered)


def _pop_best(heap: list, state: _GreedyState):
    """Pop the candidate with the best current value per rupiah, lazily.

    Entries hold the ratio when they were pushed; a site's value only falls as others are chosen
    (coverage is submodular), so a refreshed entry that still beats the next one is the best.
    Returns (ratio, j), or None when the heap is empty.
    """
    cost = state.instance.cost
    while heap:
        _stale, j = heapq.heappop(heap)
        if state.is_chosen[j] or cost[j] > state.remaining:
            continue
        ratio = state.gain(j) / cost[j]
        if heap and ratio < -heap[0][0]:
            heapq.heappush(heap, (-ratio, j))
            continue
        return ratio, j
    return None


def _solve_greedy(instance: _Instance) -> Plan:
    chosen = _greedy_choice(instance)
    return _plan(instance, chosen, solver="greedy", status="heuristic", bound=None)


def _greedy_choice(instance: _Instance) -> list[int]:
    """The greedy's sites: the better of the ratio greedy and the best single site plus greedy."""
    if not instance.candidates:
        return []
    best = _greedy(instance, seed=None)
    # The best single affordable site, then the same greedy: this guards the greedy against a
    # cheap-but-small start crowding out one large site.
    alone = [
        (sum(instance.group_weight[g] for g in instance.groups_of[j]), -j)
        for j in range(len(instance.candidates))
        if instance.cost[j] <= instance.budget_idr
    ]
    value, minus_j = max(alone, default=(0.0, 0))
    if value > 0 and not best.is_chosen[-minus_j]:
        try:
            other = _greedy(instance, seed=-minus_j)
        except PlanningError:
            other = None
        if other is not None and other.value() > best.value():
            best = other
    return best.chosen


def _greedy(instance: _Instance, seed: int | None) -> _GreedyState:
    state = _GreedyState(instance)
    if seed is not None:
        state.add(seed)
    _meet_province_minimums(state)
    _meet_3t_share(state)
    _fill(state)
    return state


def _meet_province_minimums(state: _GreedyState) -> None:
    """Satisfy the province minimums first, by value per rupiah within each province."""
    instance = state.instance
    needed = {p: m - state.counts[p] for p, m in instance.minimums.items() if m > state.counts[p]}
    if not needed:
        return
    by_cost = defaultdict(list)
    for j in sorted(range(len(instance.candidates)), key=lambda j: instance.cost[j]):
        if instance.province[j] in needed:
            by_cost[instance.province[j]].append(j)
    heap = [
        (-state.gain(j) / instance.cost[j], j)
        for p in needed
        for j in by_cost[p]
        if not state.is_chosen[j]
    ]
    heapq.heapify(heap)
    while needed:
        found = _pop_best(heap, state)
        if found is None:
            break
        _ratio, j = found
        province = instance.province[j]
        if province not in needed or not _can_finish(state, j, needed, by_cost):
            continue
        state.add(j)
        needed[province] -= 1
        if not needed[province]:
            del needed[province]
    if needed:
        if instance.share > 0:
            raise PlanningError(_share_and_minimums_message(instance))
        province = min(needed)
        minimum = instance.minimums[province]
        raise PlanningError(
            ngettext(
                "The minimum of %(minimum)s site in province %(province)s cannot be met within the budget.",
                "The minimum of %(minimum)s sites in province %(province)s cannot be met within the budget.",
                minimum,
            )
            % {"minimum": minimum, "province": province}
        )


def _can_finish(state: _GreedyState, j: int, needed: dict[str, int], by_cost) -> bool:
    """Whether, after adding j, the cheapest completion of the minimums and the share still fit."""
    instance = state.instance
    spent = state.spent + instance.cost[j]
    spent_3t = state.spent_3t + (instance.cost[j] if instance.is_3t[j] else 0)
    unchosen_3t = state.unchosen_3t - (instance.cost[j] if instance.is_3t[j] else 0)
    for province, count in needed.items():
        count -= province == instance.province[j]
        for k in by_cost[province]:
            if count <= 0:
                break
            if k == j or state.is_chosen[k]:
                continue
            spent += instance.cost[k]
            if instance.is_3t[k]:
                spent_3t += instance.cost[k]
                unchosen_3t -= instance.cost[k]
            count -= 1
    if spent > instance.budget_idr:
        return False
    if _share_met(instance.share, spent_3t, spent):
        return True
    if instance.share >= 1:
        return False
    # Money that must still go to 3T sites: x with spent_3t + x ≥ s (spent + x).
    extra = (instance.share * spent - spent_3t) / (1 - instance.share)
    return spent + extra <= instance.budget_idr and extra <= unchosen_3t


def _meet_3t_share(state: _GreedyState) -> None:
    """If the sites so far spend too little in 3T villages, add 3T sites until the share holds."""
    instance = state.instance
    if _share_met(instance.share, state.spent_3t, state.spent):
        return
    heap = [
        (-state.gain(j) / instance.cost[j], j)
        for j in range(len(instance.candidates))
        if instance.is_3t[j] and not state.is_chosen[j]
    ]
    heapq.heapify(heap)
    while not _share_met(instance.share, state.spent_3t, state.spent):
        found = _pop_best(heap, state)
        if found is None:
            raise PlanningError(_share_and_minimums_message(instance))
        state.add(found[1])


def _fill(state: _GreedyState) -> None:
    """Spend the rest of the budget by value per rupiah, never breaking the 3T share.

    A site outside 3T that the share does not allow yet waits (cheapest first) until 3T sites
    chosen later make room for it.
    """
    instance = state.instance
    share, cost = instance.share, instance.cost
    heap = [
        (-state.gain(j) / cost[j], j)
        for j in range(len(instance.candidates))
        if not state.is_chosen[j] and cost[j] <= state.remaining
    ]
    heapq.heapify(heap)
    waiting: list[tuple[int, int, float]] = []
    while True:
        found = _pop_best(heap, state)
        if found is None:
            return
        ratio, j = found
        if ratio <= 0:
            return  # nothing left adds value
        allowed = instance.is_3t[j] or _share_met(share, state.spent_3t, state.spent + cost[j])
        if not allowed:
            heapq.heappush(waiting, (cost[j], j, ratio))
            continue
        state.add(j)
        if instance.is_3t[j]:
            while waiting and _share_met(share, state.spent_3t, state.spent + waiting[0][0]):
                _cost, k, stale = heapq.heappop(waiting)
                heapq.heappush(heap, (-stale, k))


# --- the plan and its explanation ------------------------------------------------------------


def _gap(bound: float | None, objective: float) -> float | None:
    if bound is None:
        return None
    if bound <= 0:
        return 0.0
    return max(0.0, (bound - objective) / bound)


def _plan(instance: _Instance, chosen: list[int], *, solver: str, status: str, bound) -> Plan:
    """The picks of a chosen set, most valuable first, explained; idle picks are dropped.

    A pick that adds nothing (every village it covers is covered by a site above) is dropped
    unless an equity rule needs it.
    """
    order, gains = _order_by_value(instance, chosen)
    kept = list(order)
    for j, gain in reversed(list(zip(order, gains, strict=True))):
        if gain <= 0 and _rules_met(instance, [k for k in kept if k != j]):
            kept.remove(j)

    picks = []
    covered: set[str] = set()
    places, weights = instance.places, instance.weights
    for j in kept:
        candidate = instance.candidates[j]
        covers = tuple(dict.fromkeys(candidate.covers))
        newly = tuple(key for key in covers if key not in covered)
        covered.update(newly)
        enterprises = sum(places[key].enterprises for key in newly if key in places)
        people = sum(places[key].people for key in newly if key in places)
        value = weights.enterprise * enterprises + weights.person * people
        option = instance.backhaul[j]
        reason = _reason(
            candidate, option, newly, len(covers) - len(newly), enterprises, people, value
        )
        picks.append(Pick(candidate, option, newly, enterprises, people, value, reason))

    objective = sum(pick.value for pick in picks)
    if bound is not None:
        bound = max(bound, objective)
    return Plan(
        solver=solver,
        budget_idr=instance.budget_idr,
        picks=picks,
        cost_idr=sum(pick.backhaul.cost_idr for pick in picks),
        covered_enterprises=sum(pick.enterprises for pick in picks),
        covered_people=sum(pick.people for pick in picks),
        objective=objective,
        bound=bound,
        gap=_gap(bound, objective),
        status=status,
        seconds=0.0,
    )


def _order_by_value(instance: _Instance, chosen: list[int]) -> tuple[list[int], list[float]]:
    """The chosen sites, each next one the one that adds the most value to those before it."""
    covered = bytearray(len(instance.group_weight))
    weight = instance.group_weight

    def gain(j):
        return sum(weight[g] for g in instance.groups_of[j] if not covered[g])

    heap = [(-gain(j), j) for j in chosen]
    heapq.heapify(heap)
    order, gains = [], []
    while heap:
        _stale, j = heapq.heappop(heap)
        value = gain(j)
        if heap and value < -heap[0][0]:
            heapq.heappush(heap, (-value, j))
            continue
        order.append(j)
        gains.append(value)
        for g in instance.groups_of[j]:
            covered[g] = 1
    return order, gains


def _reason(candidate, option, newly, already, enterprises, people, value) -> str:
    """Why this site is in the plan, in plain words."""
    if newly:
        coverage = _("covers %(villages)s with %(businesses)s and %(people)s") % {
            "villages": ngettext("%(count)s village", "%(count)s villages", len(newly))
            % {"count": _count(len(newly))},
            "businesses": ngettext("%(count)s business", "%(count)s businesses", enterprises)
            % {"count": _count(enterprises)},
            "people": ngettext("%(count)s person", "%(count)s people", people)
            % {"count": _count(people)},
        }
    else:
        coverage = _("covers no village that a site above does not already cover")
    if already and newly:
        coverage = ngettext(
            "%(coverage)s; %(count)s more village in its reach is covered by a site above",
            "%(coverage)s; %(count)s more villages in its reach are covered by sites above",
            already,
        ) % {"coverage": coverage, "count": _count(already)}
    if value <= 0:
        coverage = _("%(coverage)s; chosen to meet an equity rule") % {"coverage": coverage}

    backhaul = option.detail
    dearer = [other for other in candidate.options if other.cost_idr > option.cost_idr]
    if dearer:
        backhaul = _("%(backhaul)s, cheaper than %(alternatives)s") % {
            "backhaul": backhaul,
            "alternatives": ", ".join(
                f"{_kind_label(other.kind)} ({format_idr(other.cost_idr)})"
                for other in sorted(dearer, key=lambda other: other.cost_idr)
            ),
        }
    return _("%(coverage)s; %(backhaul)s; site cost %(cost)s") % {
        "coverage": coverage,
        "backhaul": backhaul,
        "cost": format_idr(option.cost_idr),
    }
