"""Site plans from the request to the result: queue, run in the background, cancel, resume.

``queue_plan`` checks at once what needs no solving (the actor's region, the costs, the time
limit) and saves the plan queued, its task enqueued once the transaction commits: the console
calls it. ``run_plan`` is the task's work (``tasks.run_plan_task``): it prepares the planner's
input from the ledger, solves, solves again with the other solver to compare, and writes the
picks in one transaction with the move to ready. ``create_plan`` does both in one go for the
command line and the demo: the same write path as the task.

While a plan runs, its row says which phase it is in and since when, and the worker beats
``heartbeat_at`` at every phase and every second of a solve. The solvers run in a forked child
process (it shares the prepared input without copying it), so that a solve can be stopped:
when the person cancels (``cancel_plan`` sets ``cancel_requested_at``; the run sees it within a
second and stops the child) and when a solver overruns its time limit by
``OVERRUN_GRACE_SECONDS`` (HiGHS stops itself at the limit; the greedy has none). SciPy's
``milp`` takes no callback, so stopping its process is the only way to interrupt it. A run that
does not reach the end writes no pick. ``resume_stalled_plans`` (``tumbuh resume_plans``)
requeues a plan whose worker died, or fails it after ``SitePlan.MAX_ATTEMPTS`` starts.

Every change of status goes through ``_transition`` (a guarded update) with an audit event.
Reasons and messages are written in the language of the person who asked (``SitePlan.language``).
"""

import dataclasses
import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.accounts.services import acting_person
from tumbuh.connectivity import coverage, planning
from tumbuh.connectivity.access import Actor, planning_scope, require_planning_in
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.models import PlannedSite, SitePlan, Technology, Terrain
from tumbuh.connectivity.ranking import blank_villages, businesses_by_village, population_estimates
from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event

logger = logging.getLogger(__name__)

CANDIDATE_TERRAIN = Terrain.HILLY  # a planned site's radius: most blank spots are not flat
# A running plan with no sign of life for this long has lost its worker. The worker beats at
# every phase and every second of a solve; preparing a national plan's data is the longest
# stretch without a beat.
STALLED_AFTER = datetime.timedelta(minutes=5)
# How often a run checks for a cancel request (and beats) while a solver works.
POLL_SECONDS = 1.0
# A solver still working this long after its time limit is stopped, and the plan fails.
OVERRUN_GRACE_SECONDS = 30.0


# --- the planner's input ----------------------------------------------------------------------


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
    covers = points.within_each([row[2] for row in rows], [row[3] for row in rows], radius)
    candidates = [
        planning.Candidate(
            key=code,
            label=name,
            province_code=code[:2],
            is_3t=bool(is_3t),
            covers=tuple(covered),
            options=planning.backhaul_options(distance, costs),
        )
        for (code, name, _la, _lo, _regency, is_3t, distance), covered in zip(
            rows, covers, strict=True
        )
    ]
    return PlanningInput(candidates, places)


# --- queue ------------------------------------------------------------------------------------


def queue_plan(
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
    enqueue: bool = True,
) -> SitePlan:
    """Save a plan for ``budget_idr`` over the blank spots in the actor's regions, queued.

    With ``enqueue`` its task starts once the transaction commits; without, the caller runs it
    (``create_plan``). With ``compare`` the other solver runs too, so the plan shows both
    objectives, the proven gap and the ratio. An actor who may not plan there is refused with
    ``PermissionDenied``, a region outside theirs, bad costs or a time limit that is not positive
    with ``Refused``; nothing is saved then. What only solving finds (a budget too small for any
    site, equity rules that cannot be met) fails the plan, with the reason.
    """
    from tumbuh.connectivity.tasks import run_plan_task

    region_code = _plan_region(by, region_code)
    if solver not in SitePlan.Solver.values:
        raise ValueError(f"solver must be one of {SitePlan.Solver.values}, not {solver!r}")
    costs = costs or planning.Costs()
    weights = weights or planning.Weights()
    equity = equity or planning.Equity()
    costs.validate()
    if not time_limit > 0:  # also refuses NaN
        raise Refused(
            ConnectivityError.TIME_LIMIT_NOT_POSITIVE,
            _("The time limit must be more than zero seconds."),
            field="time_limit",
        )
    with transaction.atomic():
        plan = SitePlan.objects.create(
            name=name,
            region_code=region_code,
            budget_idr=budget_idr,
            solver=solver,
            parameters={
                "costs": dataclasses.asdict(costs),
                "weights": dataclasses.asdict(weights),
                "equity": dataclasses.asdict(equity),
                "time_limit": time_limit,
                "compare": compare,
                "terrain": CANDIDATE_TERRAIN,
            },
            status=SitePlan.Status.QUEUED,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            created_by=acting_person(by),
        )
        record_event(
            actor=by,
            action="connectivity.plan_queued",
            target=plan,
            region_code=region_code,
            data={"budget_idr": budget_idr, "solver": solver, "time_limit": time_limit},
        )
        if enqueue:
            transaction.on_commit(partial(run_plan_task.enqueue, plan.pk))
    return plan


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


def create_plan(*, by: Actor, **options) -> SitePlan:
    """Queue a plan and run it at once, in this process (the command line, the demo).

    Takes the options of ``queue_plan``; returns the plan as the run left it: ready, or failed
    with its reason.
    """
    plan = queue_plan(by=by, enqueue=False, **options)
    return run_plan(plan=plan, by=by)


# --- run --------------------------------------------------------------------------------------


class _Stop(Exception):
    """The run no longer holds its plan: cancelled, or started again by another worker."""


def run_plan(*, plan: SitePlan, by: Actor) -> SitePlan:
    """Solve a queued plan and write its picks; return it ready, failed, or cancelled.

    ``by`` runs it (the task worker's system actor, or whoever plans in one go); the plan was
    checked against its creator's regions when it was queued, so the run reads the ledger of
    the plan's region. A plan that is not queued (cancelled meanwhile, or already taken by
    another worker) is returned as it is.
    """
    with translation.override(plan.language or settings.LANGUAGE_CODE):
        return _run_plan(plan, by)


def _run_plan(plan: SitePlan, by: Actor) -> SitePlan:
    now = timezone.now()
    if not _transition(
        plan,
        SitePlan.Status.RUNNING,
        action="connectivity.plan_started",
        actor=by,
        started_at=plan.started_at or now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        phase=SitePlan.Phase.PREPARING,
        phase_started_at=now,
    ):
        plan.refresh_from_db()
        return plan
    attempts = plan.attempts
    beat = partial(_beat, plan, attempts)
    parameters = dict(plan.parameters)
    time_limit = float(parameters["time_limit"])
    try:
        costs, weights, equity = _options(parameters)
        data = planning_input(by, region_code=plan.region_code, costs=costs)
        parameters["candidates"] = len(data.candidates)
        beat(phase=SitePlan.Phase.SOLVING, phase_started_at=timezone.now(), parameters=parameters)
        solve = partial(
            planning.plan_sites,
            data.candidates,
            data.places,
            plan.budget_idr,
            weights=weights,
            equity=equity,
            time_limit=time_limit,
        )
        result = _solve(partial(solve, solver=plan.solver), time_limit, beat)
        comparison = {}
        if parameters.get("compare", True):
            beat(phase=SitePlan.Phase.COMPARING, phase_started_at=timezone.now())
            other = _other_solver(plan.solver)
            other_result = _solve(partial(solve, solver=other), time_limit, beat)
            comparison = other_result.summary()
            milp, greedy = (result, other_result) if other == "greedy" else (other_result, result)
            if milp.objective:
                comparison["ratio"] = round(greedy.objective / milp.objective, 6)
        beat(phase=SitePlan.Phase.WRITING, phase_started_at=timezone.now())
        _write_result(plan, attempts, result, comparison, by=by)
    except _Stop:
        _stopped(plan, attempts, by=by)
    except Refused as refusal:
        _fail(plan, attempts, refusal.code, refusal.message_text, by=by)
    except planning.Overrun:
        _fail(
            plan,
            attempts,
            ConnectivityError.TIME_LIMIT_OVERRUN,
            _(
                "The solver was still working %(grace)s s after the time limit of %(limit)s s, "
                "so it was stopped. Plan a smaller region, or use the exact solver, which keeps "
                "to its time limit."
            )
            % {
                "grace": local_number(OVERRUN_GRACE_SECONDS),
                "limit": local_number(time_limit, decimals=1),
            },
            by=by,
        )
    except Exception:
        logger.exception("Site plan %s failed", plan.public_id)
        _fail(
            plan,
            attempts,
            ConnectivityError.PLANNER_CRASHED,
            _(
                "The planner stopped on an unexpected error; nothing of the plan was kept. "
                "Try again; if it happens again, tell the platform's administrators."
            ),
            by=by,
        )
    plan.refresh_from_db()
    return plan


def _options(parameters: dict) -> tuple[planning.Costs, planning.Weights, planning.Equity]:
    """The costs, weights and equity rules a plan was queued with (as kept in JSON)."""
    costs = dict(parameters["costs"])
    costs["microwave_bands"] = tuple(tuple(band) for band in costs["microwave_bands"])
    return (
        planning.Costs(**costs),
        planning.Weights(**parameters["weights"]),
        planning.Equity(**parameters["equity"]),
    )


def _other_solver(solver: str) -> str:
    return SitePlan.Solver.GREEDY if solver == SitePlan.Solver.MILP else SitePlan.Solver.MILP


def _beat(plan: SitePlan, attempts: int, **fields) -> None:
    """A sign of life of the run that holds ``plan`` (and its phase, when given); raises
    ``_Stop`` when it no longer holds it: a cancel was asked for, or another start took it."""
    held = SitePlan.objects.filter(
        pk=plan.pk, status=SitePlan.Status.RUNNING, attempts=attempts, cancel_requested_at=None
    ).update(heartbeat_at=timezone.now(), **fields)
    if not held:
        raise _Stop


def _solve(solve, time_limit: float, beat):
    return planning.solve_stoppable(
        solve,
        time_limit=time_limit,
        grace_seconds=OVERRUN_GRACE_SECONDS,
        poll_seconds=POLL_SECONDS,
        beat=beat,
    )


def _write_result(plan: SitePlan, attempts: int, result, comparison: dict, *, by: Actor) -> None:
    """The plan's figures and picks, with the move to ready, in one transaction; raises
    ``_Stop`` (and writes nothing) when a cancel came first."""
    summary = result.summary()
    now = timezone.now()
    with transaction.atomic():
        if not _transition(
            plan,
            SitePlan.Status.READY,
            action="connectivity.plan_ready",
            actor=by,
            guard={"attempts": attempts, "cancel_requested_at": None},
            data={"sites": len(result.picks), "solver": result.solver, "status": result.status},
            phase="",
            phase_started_at=None,
            finished_at=now,
            heartbeat_at=now,
            cost_idr=result.cost_idr,
            covered_enterprises=result.covered_enterprises,
            covered_people=result.covered_people,
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
            solver_status=result.status,
            seconds=summary["seconds"],
            comparison=comparison,
        ):
            raise _Stop
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


def _stopped(plan: SitePlan, attempts: int, *, by: Actor) -> None:
    """The run lost its plan: when a cancel was asked for, the plan is cancelled now; when
    another start took it, it is that start's."""
    plan.refresh_from_db()
    if plan.cancel_requested_at is not None:
        _transition(
            plan,
            SitePlan.Status.CANCELLED,
            action="connectivity.plan_cancelled",
            actor=by,
            guard={"attempts": attempts},
            phase="",
            phase_started_at=None,
            finished_at=timezone.now(),
        )


def _fail(plan: SitePlan, attempts: int, code: str, message: str, *, by: Actor) -> None:
    _transition(
        plan,
        SitePlan.Status.FAILED,
        action="connectivity.plan_failed",
        actor=by,
        guard={"attempts": attempts},
        data={"code": str(code)},
        phase="",
        phase_started_at=None,
        finished_at=timezone.now(),
        error_code=str(code),
        error=message,
    )


def _transition(
    plan: SitePlan, to: str, *, action: str, actor, guard: dict | None = None, data=None, **fields
) -> bool:
    """Move ``plan`` to status ``to`` if allowed from its current status and ``guard`` still
    holds (a guarded update), with its audit event; True when it moved."""
    allowed_from = [old for old, targets in SitePlan.TRANSITIONS.items() if to in targets]
    with transaction.atomic():
        moved = SitePlan.objects.filter(
            pk=plan.pk, status__in=allowed_from, **(guard or {})
        ).update(status=to, **fields)
        if moved:
            record_event(
                actor=actor,
                action=action,
                target=plan,
                region_code=plan.region_code,
                data={"to": str(to), **(data or {})},
            )
    if moved:
        plan.refresh_from_db()
    return bool(moved)


# --- cancel -----------------------------------------------------------------------------------


def cancel_plan(*, plan: SitePlan, by: Actor) -> SitePlan:
    """Stop a plan that is queued (cancelled at once) or running (its run stops within a
    second and keeps nothing). Asking twice changes nothing more.

    Only an actor who may plan in the plan's region cancels it; a plan that has ended is
    refused with ``PLAN_NOT_ACTIVE``.
    """
    require_planning_in(by, plan.region_code)
    if _transition(
        plan,
        SitePlan.Status.CANCELLED,
        action="connectivity.plan_cancelled",
        actor=by,
        guard={"status": SitePlan.Status.QUEUED},
        finished_at=timezone.now(),
        cancel_requested_at=timezone.now(),
    ):
        return plan
    with transaction.atomic():
        asked = SitePlan.objects.filter(
            pk=plan.pk, status=SitePlan.Status.RUNNING, cancel_requested_at=None
        ).update(cancel_requested_at=timezone.now())
        if asked:
            record_event(
                actor=by,
                action="connectivity.plan_cancel_requested",
                target=plan,
                region_code=plan.region_code,
            )
    plan.refresh_from_db()
    if plan.status not in SitePlan.ACTIVE_STATUSES:
        raise Refused(
            ConnectivityError.PLAN_NOT_ACTIVE,
            _("This plan is not being planned any more: it is %(status)s.")
            % {"status": plan.get_status_display()},
        )
    return plan


# --- resume -----------------------------------------------------------------------------------


def resume_stalled_plans(
    *, stalled_after: datetime.timedelta = STALLED_AFTER, by: Actor
) -> dict[str, int]:
    """Requeue the plans whose worker stopped; give up those that stopped too often.

    A running plan whose worker shows no sign of life for ``stalled_after`` was stopped
    (killed, restarted, out of memory): it goes back to the queue and starts again from the
    beginning (it wrote nothing). A run that was only slow notices at its next beat and stops.
    A plan started ``MAX_ATTEMPTS`` times fails instead, with the reason; one whose cancel was
    asked for is cancelled. Run by ``tumbuh resume_plans`` every few minutes. Returns how many
    were resumed, failed and cancelled.
    """
    cutoff = timezone.now() - stalled_after
    stalled = SitePlan.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, started_at__lt=cutoff),
        status=SitePlan.Status.RUNNING,
    )
    outcome = {"resumed": 0, "failed": 0, "cancelled": 0}
    for plan in stalled:
        with translation.override(plan.language or settings.LANGUAGE_CODE):
            ended = _resume_or_end(plan, by=by)
        if ended:
            outcome[ended] += 1
    return outcome


def _resume_or_end(plan: SitePlan, *, by: Actor) -> str:
    """Requeue ``plan``, or fail it after its last attempt, or cancel it when asked: which one
    ("resumed", "failed", "cancelled"); "" when a beat came since it was read."""
    from tumbuh.connectivity.tasks import run_plan_task

    # Claimed only if no beat came since it was read: a run still alive keeps its plan.
    guard = {"heartbeat_at": plan.heartbeat_at, "attempts": plan.attempts}
    ended = {"phase": "", "phase_started_at": None, "finished_at": timezone.now()}
    data = {"attempts": plan.attempts}
    if plan.cancel_requested_at is not None:
        moved = _transition(
            plan, SitePlan.Status.CANCELLED, action="connectivity.plan_cancelled", actor=by,
            guard=guard, data=data, **ended,
        )  # fmt: skip
        return "cancelled" if moved else ""
    if plan.attempts >= SitePlan.MAX_ATTEMPTS:
        message = _(
            "The planner stopped %(attempts)s times before the end, so the plan was given up; "
            "nothing of it was kept. Make it again, for a smaller region or with a shorter "
            "time limit."
        ) % {"attempts": plan.attempts}
        moved = _transition(
            plan, SitePlan.Status.FAILED, action="connectivity.plan_failed", actor=by,
            guard=guard, data={**data, "code": ConnectivityError.WORKER_LOST},
            error_code=ConnectivityError.WORKER_LOST, error=message, **ended,
        )  # fmt: skip
        return "failed" if moved else ""
    with transaction.atomic():
        moved = _transition(
            plan, SitePlan.Status.QUEUED, action="connectivity.plan_resumed", actor=by,
            guard=guard, data=data, phase="", phase_started_at=None,
        )  # fmt: skip
        if moved:
            transaction.on_commit(partial(run_plan_task.enqueue, plan.pk))
    return "resumed" if moved else ""
