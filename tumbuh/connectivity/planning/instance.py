"""The planner's input (candidate sites, places, weights, equity rules), checked and reduced
to the instance both solvers see, with the rules a plan must meet.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.planning.costs import BackhaulOption, _kind_label
from tumbuh.core.money import local_number, rupiah
from tumbuh.core.refusals import Refused

# The 3T share is met to a hundredth of a rupiah: the slack absorbs floating-point rounding
# (0.3 × 10 is 3.0000000000000004) and HiGHS's feasibility tolerance (a thousandth of a rupiah).
_SHARE_TOLERANCE_IDR = 0.01


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
        raise Refused(
            ConnectivityError.BUDGET_NOT_POSITIVE,
            _("The budget must be a positive amount; it is %(budget)s.")
            % {"budget": rupiah(budget_idr)},
        )
    candidates = list(candidates)
    if not candidates:
        raise Refused(ConnectivityError.NO_CANDIDATES, _("There are no candidate sites to plan."))
    if not (weights.enterprise >= 0 and weights.person >= 0):
        raise Refused(
            ConnectivityError.NEGATIVE_WEIGHT,
            _("The weights of businesses and people cannot be negative."),
        )
    share = equity.min_3t_share
    if share is not None and not 0 <= share <= 1:
        raise Refused(
            ConnectivityError.SHARE_OUT_OF_RANGE,
            _("The 3T share must be between 0 and 1; it is %(share)s.") % {"share": share},
        )
    share = share or 0.0
    for province, minimum in equity.province_min_sites.items():
        if minimum < 0:
            raise Refused(
                ConnectivityError.NEGATIVE_MINIMUM,
                _("The minimum number of sites in province %(province)s cannot be negative.")
                % {"province": province},
            )
    minimums = {p: m for p, m in equity.province_min_sites.items() if m > 0}

    seen = set()
    cheapest = []
    for candidate in candidates:
        if candidate.key in seen:
            raise Refused(
                ConnectivityError.DUPLICATE_CANDIDATE,
                _("Site %(key)s appears more than once.") % {"key": candidate.key},
            )
        seen.add(candidate.key)
        if not candidate.options:
            raise Refused(
                ConnectivityError.NO_BACKHAUL,
                _("Site %(key)s has no backhaul option.") % {"key": candidate.key},
            )
        for option in candidate.options:
            if not option.cost_idr > 0:
                raise Refused(
                    ConnectivityError.COST_NOT_POSITIVE,
                    _(
                        "The costs of site %(key)s must be positive; its %(kind)s option costs %(cost)s."
                    )
                    % {
                        "key": candidate.key,
                        "kind": _kind_label(option.kind),
                        "cost": rupiah(option.cost_idr),
                    },
                )
        cheapest.append(min(candidate.options, key=lambda option: option.cost_idr))

    lowest_idr = min(option.cost_idr for option in cheapest)
    if lowest_idr > budget_idr:
        raise Refused(
            ConnectivityError.BUDGET_TOO_SMALL,
            _("The cheapest site costs %(cost)s; the budget is %(budget)s.")
            % {"cost": rupiah(lowest_idr), "budget": rupiah(budget_idr)},
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
                raise Refused(
                    ConnectivityError.NEGATIVE_PLACE,
                    _("Village %(key)s has a negative number of businesses or people.")
                    % {"key": key},
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
            raise Refused(
                ConnectivityError.PROVINCE_WITHOUT_CANDIDATES,
                ngettext(
                    "No candidate site is in province %(province)s, so its minimum of %(minimum)s site cannot be met.",
                    "No candidate site is in province %(province)s, so its minimum of %(minimum)s sites cannot be met.",
                    minimum,
                )
                % {"province": province, "minimum": minimum},
            )
        if available < minimum:
            raise Refused(
                ConnectivityError.PROVINCE_TOO_FEW_CANDIDATES,
                ngettext(
                    "Province %(province)s has only %(count)s candidate site; the rule asks for %(minimum)s.",
                    "Province %(province)s has only %(count)s candidate sites; the rule asks for %(minimum)s.",
                    available,
                )
                % {"province": province, "count": available, "minimum": minimum},
            )
        needed_idr += sum(sorted(costs_by_province[province])[:minimum])
    if needed_idr > budget_idr:
        raise Refused(
            ConnectivityError.MINIMUMS_OVER_BUDGET,
            _("The province minimums need at least %(cost)s; the budget is %(budget)s.")
            % {"cost": rupiah(needed_idr), "budget": rupiah(budget_idr)},
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
    ) % {"share": f"{local_number(instance.share * 100, decimals=1)}%"}
