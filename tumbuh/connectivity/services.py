"""Every change to the connectivity ledger goes through here: plans, their adoption, site status.

A plan's life (queued, solved in the background, cancelled, resumed) lives in ``plan_runs`` and
is imported here, so that this module stays the one entry point. Imports live in ``importing``;
coverage in ``coverage``; the planner's mathematics in ``planning`` (pure, no database); the
ranking in ``ranking``. Views, the API, commands and tasks call these functions and never write a
model themselves.

Every change takes its actor ``by`` (keyword-only, required): a person, an API key, or the system
actor of the demo, commands and tasks. ``access`` checks that the actor may plan infrastructure
in the region concerned and refuses with ``PermissionDenied`` otherwise, before anything is
written. A change that cannot be made for a reason the person can act on is refused with
``core.refusals.Refused`` and a ``ConnectivityError`` code.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.services import acting_person
from tumbuh.connectivity import coverage
from tumbuh.connectivity.access import Actor, planning_scope, require_planning_in
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.models import (
    PlannedSite,
    Site,
    SiteEvent,
    SitePlan,
    Technology,
    VillageConnectivity,
)
from tumbuh.connectivity.plan_runs import (  # noqa: F401 - the plan services, re-exported
    CANDIDATE_TERRAIN,
    PlanningInput,
    cancel_plan,
    create_plan,
    planning_input,
    queue_plan,
    resume_stalled_plans,
    run_plan,
)
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, Milestone

PLAN_OPERATOR = "BAKTI"


@transaction.atomic
def adopt_plan(*, plan: SitePlan, by: Actor) -> list[Site]:
    """Start build tracking: every pick of ``plan`` not yet tracked becomes a planned site.

    Only an actor who may plan in the plan's region adopts it (a national plan: national staff);
    a plan that is not ready is refused with ``PLAN_NOT_READY``.
    """
    require_planning_in(by, plan.region_code)
    if plan.status != SitePlan.Status.READY:
        raise Refused(
            ConnectivityError.PLAN_NOT_READY,
            _("Only a ready plan can be adopted; this one is %(status)s.")
            % {"status": plan.get_status_display()},
        )
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
        before = set(_with_4g_near(site))
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
    # Only the villages within reach of the site can change.
    coverage.recompute(around=(site.latitude, site.longitude))
    after = set(_with_4g_near(site))
    return {"gained_4g": sorted(after - before), "lost_4g": sorted(before - after)}


def _with_4g_near(site: Site):
    """The villages with 4G among those the site can reach (and a few more, in a box)."""
    box = coverage.box_around(site.latitude, site.longitude, coverage.longest_radius_km())
    return VillageConnectivity.objects.filter(
        last_mile=Technology.G4, **{f"village__{lookup}": value for lookup, value in box.items()}
    ).values_list("village_id", flat=True)


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
