"""The plan: the chosen sites most valuable first, what each adds, and why it is in the plan,
in plain words.
"""

import heapq
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.connectivity.planning.costs import BackhaulOption, _kind_label
from tumbuh.connectivity.planning.instance import Candidate, _Instance, _rules_met
from tumbuh.core.money import local_number, rupiah


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
            % {"count": local_number(len(newly))},
            "businesses": ngettext("%(count)s business", "%(count)s businesses", enterprises)
            % {"count": local_number(enterprises)},
            "people": ngettext("%(count)s person", "%(count)s people", people)
            % {"count": local_number(people)},
        }
    else:
        coverage = _("covers no village that a site above does not already cover")
    if already and newly:
        coverage = ngettext(
            "%(coverage)s; %(count)s more village in its reach is covered by a site above",
            "%(coverage)s; %(count)s more villages in its reach are covered by sites above",
            already,
        ) % {"coverage": coverage, "count": local_number(already)}
    if value <= 0:
        coverage = _("%(coverage)s; chosen to meet an equity rule") % {"coverage": coverage}

    backhaul = option.detail
    dearer = [other for other in candidate.options if other.cost_idr > option.cost_idr]
    if dearer:
        backhaul = _("%(backhaul)s, cheaper than %(alternatives)s") % {
            "backhaul": backhaul,
            "alternatives": ", ".join(
                f"{_kind_label(other.kind)} ({rupiah(other.cost_idr)})"
                for other in sorted(dearer, key=lambda other: other.cost_idr)
            ),
        }
    return _("%(coverage)s; %(backhaul)s; site cost %(cost)s") % {
        "coverage": coverage,
        "backhaul": backhaul,
        "cost": rupiah(option.cost_idr),
    }
