"""The greedy solver: best marginal value per rupiah, lazily with a heap, after the province
minimums and the 3T share are met; the better of that and the best single site plus greedy.
"""

import heapq
from collections import Counter, defaultdict

from django.utils.translation import ngettext

from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.planning.instance import _Instance, _share_and_minimums_message, _share_met
from tumbuh.connectivity.planning.plan import Plan, _plan
from tumbuh.core.refusals import Refused


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
        except Refused:
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
            raise Refused(ConnectivityError.EQUITY_UNMET, _share_and_minimums_message(instance))
        province = min(needed)
        minimum = instance.minimums[province]
        raise Refused(
            ConnectivityError.EQUITY_UNMET,
            ngettext(
                "The minimum of %(minimum)s site in province %(province)s cannot be met within the budget.",
                "The minimum of %(minimum)s sites in province %(province)s cannot be met within the budget.",
                minimum,
            )
            % {"minimum": minimum, "province": province},
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
            raise Refused(ConnectivityError.EQUITY_UNMET, _share_and_minimums_message(instance))
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
