"""Every change to the connectivity ledger goes through here: plans, their adoption, site status.

Imports live in ``importing``; coverage in ``coverage``; the planner's mathematics in ``planning``
(pure, no database); the ranking in ``ranking``. Views, the API and commands call these
functions and never write a model themselves.

Every change takes its actor ``by`` (keyword-only, required): a person, an API key, or the system
actor of the demo, commands and tasks. ``access`` checks that the actor may plan infrastructure
in the region concerned and refuses with ``PermissionDenied`` otherwise, before anything is
written. A change that cannot be made for a reason the person can act on is refused with
``core.refusals.Refused`` and a ``ConnectivityError`` code.
"""

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.services import acting_person
from tumbuh.connectivity import coverage, planning
from tumbuh.connectivity.access import Actor, planning_scope, require_planning_in
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.models import (
    PlannedSite,
    Site,
    SiteEvent,
    SitePlan,
    Technology,
    Terrain,
    VillageConnectivity,
)
from tumbuh.connectivity.ranking import blank_villages, businesses_by_village, population_estimates
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, Milestone

PLAN_OPERATOR = "BAKTI"
CANDIDATE_TERRAIN = Terrain.HILLY  # a planned site's radius: most blank spots are not flat


@dataclasses.dataclass
class PlanningInput:
    """The candidates and the places they would cover, for ``planning.plan_sites``."""

    candidates: list
    places: dict


def planning_input(
    actor=None, *, region_code: str = "", costs: planning.Costs | None = None
) -> PlanningInput:
    """One candidate site at the centre of every blank-spot village in ``actor``'s regions.

    A candidate covers the blank-spot villages within a 4G radius of it (``CANDIDATE_TERRAIN``),
    and its backhaul options come from its distance to the nearest fibre point of presence.
    """
    costs = costs or planning.Costs()
    rows = list(
        blank_villages(actor, region_code=region_code)
        .exclude(latitude=None)
        .values_list(
            "code", "name", "latitude", "longitude", "regency_id", "regency__is_3t",
            "connectivity__fibre_distance_km",
        )
    )  # fmt: skip
    codes = [row[0] for row in rows]
    points = coverage.VillagePoints.load(codes)
    radius = coverage.radius_km(Technology.G4, CANDIDATE_TERRAIN)
    businesses = {}
    for start in range(0, len(codes), 5_000):
        chunk, _bumdes = businesses_by_village(codes[start : start + 5_000])
        businesses.update(chunk)
    people = population_estimates({row[4] for row in rows})
    places = {
        code: planning.Place(
            enterprises=businesses.get(code, 0), people=round(people.get(regency, 0))
        )
        for code, _n, _la, _lo, regency, _t, _d in rows
    }
    candidates = [
        planning.Candidate(
            key=code,
            label=name,
            province_code=code[:2],
            is_3t=bool(is_3t),
            covers=tuple(points.within(latitude, longitude, radius)),
            options=planning.backhaul_options(distance, costs),
        )
        for code, name, latitude, longitude, _regency, is_3t, distance in rows
    ]
    return PlanningInput(candidates, places)


def create_plan(
    *,
    name: str,
    budget_idr: int,
    by: Actor,
    solver: str = SitePlan.Solver.MILP,
    region_code: str = "",
    costs: planning.Costs | None = None,
    weights: planning.Weights | None = None,
    equity: planning.Equity | None = None,
    time_limit: float = 60.0,
    compare: bool = True,
) -> SitePlan:
    """Plan sites for ``budget_idr`` over the blank spots in the actor's regions and save it.

    With ``compare`` the other solver runs too, so the plan shows both objectives, the proven
    gap and the ratio. Refusals (a budget too small for any site, an equity rule that cannot be
    met, bad costs) raise ``Refused`` and save nothing; an actor who may not plan there is
    refused with ``PermissionDenied``.
    """
    region_code = _plan_region(by, region_code)
    costs = costs or planning.Costs()
    weights = weights or planning.Weights()
    equity = equity or planning.Equity()
    costs.validate()
    data = planning_input(by, region_code=region_code, costs=costs)
    options = {"weights": weights, "equity": equity, "time_limit": time_limit}
    result = planning.plan_sites(data.candidates, data.places, budget_idr, solver=solver, **options)
    comparison = {}
    if compare:
        other = SitePlan.Solver.GREEDY if solver == SitePlan.Solver.MILP else SitePlan.Solver.MILP
        other_result = planning.plan_sites(
            data.candidates, data.places, budget_idr, solver=other, **options
        )
        comparison = other_result.summary()
        milp, greedy = (result, other_result) if other == "greedy" else (other_result, result)
        if milp.objective:
            comparison["ratio"] = round(greedy.objective / milp.objective, 6)
    return _save_plan(
        name=name,
        result=result,
        comparison=comparison,
        by=by,
        region_code=region_code,
        parameters={
            "costs": dataclasses.asdict(costs),
            "weights": dataclasses.asdict(weights),
            "equity": dataclasses.asdict(equity),
            "time_limit": time_limit,
            "candidates": len(data.candidates),
            "terrain": CANDIDATE_TERRAIN,
        },
    )


def _plan_region(by: Actor, region_code: str) -> str:
    """The region a plan covers: the one asked for, if the person may plan there; or their
    single region when they asked for none and are not national staff."""
    scope = planning_scope(by)
    if not region_code and not scope.is_national:
        if len(scope.codes) != 1:
            raise Refused(ConnectivityError.REGION_REQUIRED, _("Choose the region to plan for."))
        region_code = next(iter(scope.codes))
    if region_code and not scope.allows(region_code):
        raise Refused(
            ConnectivityError.REGION_OUTSIDE_SCOPE,
            _("You cannot plan for region %(code)s: it is outside your regions.")
            % {"code": region_code},
        )
    return region_code


@transaction.atomic
def _save_plan(*, name, result, comparison, by, region_code, parameters) -> SitePlan:
    summary = result.summary()
    plan = SitePlan.objects.create(
        name=name,
        region_code=region_code,
        budget_idr=result.budget_idr,
        solver=result.solver,
        parameters=parameters,
        cost_idr=result.cost_idr,
        covered_enterprises=result.covered_enterprises,
        covered_people=result.covered_people,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        status=result.status,
        seconds=summary["seconds"],
        comparison=comparison,
        created_by=acting_person(by),
    )
    PlannedSite.objects.bulk_create(
        PlannedSite(
            plan=plan,
            rank=rank,
            village_id=pick.candidate.key,
            label=pick.candidate.label,
            is_3t=pick.candidate.is_3t,
            backhaul=pick.backhaul.kind,
            backhaul_detail=pick.backhaul.detail,
            cost_idr=pick.backhaul.cost_idr,
            covered_villages=list(pick.newly_covered),
            enterprises=pick.enterprises,
            people=pick.people,
            value=pick.value,
            reason=pick.reason,
        )
        for rank, pick in enumerate(result.picks, start=1)
    )
    record_event(
        actor=by,
        action="connectivity.plan_created",
        target=plan,
        region_code=region_code,
        data={"budget_idr": plan.budget_idr, "sites": len(result.picks), "solver": plan.solver},
    )
    return plan


@transaction.atomic
def adopt_plan(*, plan: SitePlan, by: Actor) -> list[Site]:
    """Start build tracking: every pick of ``plan`` not yet tracked becomes a planned site.

    Only an actor who may plan in the plan's region adopts it (a national plan: national staff).
    """
    require_planning_in(by, plan.region_code)
    today = timezone.localdate()
    picks = list(
        PlannedSite.objects.select_for_update()
        .filter(plan=plan, site=None)
        .select_related("village")
        .order_by("rank")
    )
    created = []
    for pick in picks:
        site = Site.objects.create(
            operator=PLAN_OPERATOR,
            code=f"{plan.public_id}-{pick.rank}",
            name=pick.label,
            latitude=pick.village.latitude,
            longitude=pick.village.longitude,
            village=pick.village,
            technology=Technology.G4,
            terrain=CANDIDATE_TERRAIN,
            status=Site.Status.PLANNED,
            backhaul=pick.backhaul,
            funding=Site.Funding.STATE,
            planned_on=today,
            plan=plan,
            source=_("Site plan %(name)s") % {"name": plan.name},
            source_date=today,
        )
        SiteEvent.objects.create(
            site=site,
            to_status=site.status,
            occurred_on=today,
            note=plan.name,
            by=acting_person(by),
        )
        pick.site = site
        pick.save(update_fields=["site"])
        created.append(site)
    record_event(
        actor=by,
        action="connectivity.plan_adopted",
        target=plan,
        region_code=plan.region_code,
        data={"sites": len(created)},
    )
    return created


DATE_FIELDS = {
    Site.Status.CONTRACTED: "contracted_on",
    Site.Status.ON_AIR: "on_air_on",
}


def change_site_status(
    *, site: Site, to_status: str, by: Actor, on: datetime.date | None = None, note: str = ""
) -> dict:
    """Move ``site`` one step along its build path; when it goes on or off air, recompute coverage.

    Only an actor who may plan in the site's village changes it. Returns the villages whose last
    mile changed because of it (``gained_4g``, ``lost_4g``).
    """
    require_planning_in(by, site.village_id)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise Refused(
            ConnectivityError.DATE_IN_FUTURE,
            _("The date of a status change cannot be in the future."),
            field="on",
        )
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        allowed = Site.TRANSITIONS.get(site.status, set())
        if to_status not in allowed:
            raise Refused(
                ConnectivityError.TRANSITION_NOT_ALLOWED,
                _("A site that is %(current)s cannot become %(wanted)s; next can be: %(allowed)s.")
                % {
                    "current": Site.Status(site.status).label,
                    "wanted": Site.Status(to_status).label
                    if to_status in Site.Status.values
                    else to_status,
                    "allowed": ", ".join(str(Site.Status(s).label) for s in sorted(allowed)) or "-",
                },
            )
        before = dict(
            VillageConnectivity.objects.filter(last_mile=Technology.G4).values_list(
                "village_id", "last_mile"
            )
        )
        previous = site.status
        site.status = to_status
        if to_status in DATE_FIELDS:
            setattr(site, DATE_FIELDS[to_status], on)
        if to_status == Site.Status.UNDER_CONSTRUCTION:
            site.built_on = None
        if to_status == Site.Status.ON_AIR:
            site.built_on = site.built_on or on
        site.save()
        SiteEvent.objects.create(
            site=site,
            from_status=previous,
            to_status=to_status,
            occurred_on=on,
            note=note[:300],
            by=acting_person(by),
        )
        record_event(
            actor=by,
            action="connectivity.site_status",
            target=site,
            region_code=site.village_id,
            data={"from": previous, "to": to_status, "on": on.isoformat()},
        )
    if to_status not in (Site.Status.ON_AIR, Site.Status.OFF_AIR):
        return {"gained_4g": [], "lost_4g": []}
    coverage.recompute()
    after = set(
        VillageConnectivity.objects.filter(last_mile=Technology.G4).values_list(
            "village_id", flat=True
        )
    )
    return {
        "gained_4g": sorted(after - set(before)),
        "lost_4g": sorted(set(before) - after),
    }


def recompute_coverage(*, by: Actor) -> dict:
    """Recompute every village's connectivity (``coverage.recompute``) for national staff, the
    demo and the command: it rewrites the whole country's ledger, so a regional actor is refused.
    """
    if not planning_scope(by).is_national:
        raise PermissionDenied(_("Only national staff recompute the whole country's ledger."))
    return coverage.recompute()


def villages_served(site: Site) -> list[str]:
    """The villages whose best coverage comes from ``site``."""
    return list(
        VillageConnectivity.objects.filter(last_mile_site=site)
        .order_by("village_id")
        .values_list("village_id", flat=True)
    )


def businesses_to_onboard(village_codes):
    """Deduplicated businesses in these villages that have no online store yet."""
    with_store = Milestone.objects.filter(kind=Milestone.Kind.STORE_LIVE).values("enterprise_id")
    return (
        Enterprise.objects.deduplicated()
        .filter(village_id__in=list(village_codes))
        .exclude(pk__in=with_store)
        .order_by("village_id", "name")
    )


def village_impact(village: Village) -> dict:
    """Milestones of the village's businesses before and after 4G arrived, per kind."""
    since = (
        VillageConnectivity.objects.filter(village=village)
        .values_list("covered_4g_since", flat=True)
        .first()
    )
    milestones = Milestone.objects.filter(
        enterprise__village=village, enterprise__merged_into=None
    ).values_list("kind", "occurred_at")
    rows = {kind: {"kind": kind, "label": label, "before": 0, "after": 0}
            for kind, label in Milestone.Kind.choices}  # fmt: skip
    for kind, occurred_at in milestones:
        when = timezone.localtime(occurred_at).date()
        rows[kind]["after" if since and when >= since else "before"] += 1
    return {"covered_4g_since": since, "rows": list(rows.values())}
