"""A site plan's run in the background: the task for real, its phases and events, a cancel during
the solve, the time limit, a crash, a worker that died, and the guards of every transition."""

import datetime
import time

import pytest
from django.core.exceptions import PermissionDenied
from django_tasks import TaskResultStatus

from tumbuh.accounts.services import system_actor
from tumbuh.connectivity import plan_runs, planning, services
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.models import PlannedSite, SitePlan
from tumbuh.connectivity.tasks import run_plan_task
from tumbuh.connectivity.tests.helpers import HAND_MADE
from tumbuh.connectivity.tests.test_plans import SITE_IDR, blank_line  # noqa: F401 - a fixture
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused

# In English: the messages are asserted as written in the code, whatever the catalogues say.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("blank_line", "english")]

SLOW_SOLVE_SECONDS = 60


def queued(by, **options) -> SitePlan:
    """A plan for the ``blank_line`` villages, queued without its task (the test runs it)."""
    options = {"name": "Uji", "budget_idr": 2 * SITE_IDR, "region_code": HAND_MADE, **options}
    return services.queue_plan(by=by, enqueue=False, **options)


def actions(plan) -> list[tuple[str, str]]:
    """The plan's audit events: action, and who (the system actor's name, or a person's)."""
    return [
        (event.action, event.actor.full_name if event.actor else "")
        for event in AuditEvent.objects.filter(
            target_type="connectivity.siteplan", target_id=str(plan.pk)
        ).order_by("pk")
    ]


def slow_solver(calls):
    """A solver that would work for a minute (in the child process), noting its arguments."""

    def solve(candidates, places, budget_idr, **options):
        calls.append(options)
        time.sleep(SLOW_SOLVE_SECONDS)

    return solve


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(plan_runs, "POLL_SECONDS", 0.05)


def test_the_task_solves_a_queued_plan_through_its_phases(national_admin, monkeypatch):
    plan = queued(national_admin)
    phases = []
    real_beat = plan_runs._beat

    def beat(plan, attempts, **fields):
        if "phase" in fields:
            phases.append(fields["phase"])
        real_beat(plan, attempts, **fields)

    monkeypatch.setattr(plan_runs, "_beat", beat)

    result = run_plan_task.enqueue(plan.pk)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"status": "ready", "error_code": ""}
    plan.refresh_from_db()
    assert phases == ["solving", "comparing", "writing"]  # after "preparing", set at the start
    assert (plan.status, plan.phase, plan.attempts, plan.solver_status) == (
        "ready", "", 1, "optimal",
    )  # fmt: skip
    assert plan.started_at <= plan.heartbeat_at <= plan.finished_at
    assert (plan.covered_enterprises, plan.picks.count()) == (10, 2)
    assert plan.parameters["candidates"] == 5
    assert plan.comparison["solver"] == "greedy"
    assert actions(plan) == [
        ("connectivity.plan_queued", "Ratna Admin"),
        ("connectivity.plan_started", "Sistem Tumbuh"),
        ("connectivity.plan_ready", "Sistem Tumbuh"),
    ]
    assert plan.progress_percent() == 100


def test_a_plan_is_queued_with_its_task_enqueued_on_commit(
    national_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan = services.queue_plan(
            name="Uji", budget_idr=2 * SITE_IDR, region_code=HAND_MADE, by=national_admin
        )

    assert (plan.status, plan.attempts, plan.picks.count(), len(callbacks)) == ("queued", 0, 0, 1)
    assert plan.progress_percent() == 0
    callbacks[0]()
    plan.refresh_from_db()
    assert plan.status == "ready"


def test_cancelling_during_the_solve_stops_the_solver_and_keeps_nothing(
    national_admin, monkeypatch, fast_polls
):
    plan = queued(national_admin)
    calls = []
    monkeypatch.setattr(planning, "plan_sites", slow_solver(calls))
    real_beat = plan_runs._beat
    beats = []

    def beat(running, attempts, **fields):
        beats.append(fields.get("phase", "…"))
        if len(beats) == 4:  # the person presses "cancel" while the solver works
            services.cancel_plan(plan=SitePlan.objects.get(pk=running.pk), by=national_admin)
        real_beat(running, attempts, **fields)

    monkeypatch.setattr(plan_runs, "_beat", beat)
    started = time.monotonic()

    plan = services.run_plan(plan=plan, by=system_actor())

    assert time.monotonic() - started < 10  # not the solver's minute: its process was killed
    assert beats == ["solving", "…", "…", "…"]
    assert len(calls) == 0  # the call was in the child process, its note stayed there
    assert (plan.status, plan.phase, plan.error, plan.picks.count()) == ("cancelled", "", "", 0)
    assert plan.cancel_requested_at is not None and plan.finished_at is not None
    assert actions(plan) == [
        ("connectivity.plan_queued", "Ratna Admin"),
        ("connectivity.plan_started", "Sistem Tumbuh"),
        ("connectivity.plan_cancel_requested", "Ratna Admin"),
        ("connectivity.plan_cancelled", "Sistem Tumbuh"),
    ]


def test_a_cancel_that_comes_as_the_results_are_written_keeps_nothing(national_admin, monkeypatch):
    plan = queued(national_admin)
    real_beat = plan_runs._beat

    def beat(running, attempts, **fields):
        real_beat(running, attempts, **fields)
        if fields.get("phase") == SitePlan.Phase.WRITING:
            services.cancel_plan(plan=SitePlan.objects.get(pk=running.pk), by=national_admin)

    monkeypatch.setattr(plan_runs, "_beat", beat)

    plan = services.run_plan(plan=plan, by=system_actor())

    assert (plan.status, plan.picks.count(), plan.cost_idr, plan.solver_status) == (
        "cancelled", 0, 0, "",
    )  # fmt: skip
    assert not PlannedSite.objects.exists()


def test_a_solver_past_its_time_limit_is_stopped_and_the_plan_fails(
    national_admin, monkeypatch, fast_polls
):
    plan = queued(national_admin, time_limit=0.2)
    monkeypatch.setattr(plan_runs, "OVERRUN_GRACE_SECONDS", 1.0)
    monkeypatch.setattr(planning, "plan_sites", slow_solver([]))
    started = time.monotonic()

    plan = services.run_plan(plan=plan, by=system_actor())

    assert time.monotonic() - started < 10
    assert (plan.status, plan.error_code, plan.picks.count()) == (
        "failed", ConnectivityError.TIME_LIMIT_OVERRUN, 0,
    )  # fmt: skip
    assert plan.error == (
        "The solver was still working 1 s after the time limit of 0.2 s, so it was stopped. "
        "Plan a smaller region, or use the exact solver, which keeps to its time limit."
    )
    assert actions(plan)[-1] == ("connectivity.plan_failed", "Sistem Tumbuh")


def test_the_exact_solver_gets_the_plans_time_limit_and_keeps_its_best_plan_at_it(
    national_admin, monkeypatch
):
    plan = queued(national_admin, time_limit=7.5, compare=False)
    real_plan_sites = planning.plan_sites
    limits = []

    def timed_out(candidates, places, budget_idr, **options):
        limits.append(options["time_limit"])
        result = real_plan_sites(candidates, places, budget_idr, **options)
        result.status = "time_limit"  # as HiGHS reports when the limit came first
        return result

    monkeypatch.setattr(plan_runs, "_solve", lambda solve, limit, beat: solve())
    monkeypatch.setattr(planning, "plan_sites", timed_out)

    plan = services.run_plan(plan=plan, by=system_actor())

    assert limits == [7.5]
    assert (plan.status, plan.solver_status, plan.picks.count()) == ("ready", "time_limit", 2)


def test_an_unexpected_error_fails_the_plan_and_keeps_nothing(national_admin, monkeypatch, caplog):
    plan = queued(national_admin)

    def broken(*args, **options):
        return 1 / 0

    monkeypatch.setattr(planning, "plan_sites", broken)

    plan = services.run_plan(plan=plan, by=system_actor())

    assert (plan.status, plan.error_code, plan.picks.count()) == ("failed", "planner_crashed", 0)
    assert plan.error == (
        "The planner stopped on an unexpected error; nothing of the plan was kept. Try again; "
        "if it happens again, tell the platform's administrators."
    )
    assert "RuntimeError: the solver failed: ZeroDivisionError: division by zero" in caplog.text


def test_a_plan_cancelled_while_queued_is_not_run(national_admin):
    plan = queued(national_admin)
    services.cancel_plan(plan=plan, by=national_admin)

    result = run_plan_task.enqueue(plan.pk)

    plan.refresh_from_db()
    assert result.return_value == {"status": "cancelled", "error_code": ""}
    assert (plan.status, plan.attempts, plan.started_at) == ("cancelled", 0, None)


def test_a_run_that_lost_its_plan_to_another_start_writes_nothing(national_admin, monkeypatch):
    plan = queued(national_admin)
    real_beat = plan_runs._beat

    def beat(running, attempts, **fields):
        if fields.get("phase") == SitePlan.Phase.WRITING:  # meanwhile, it was started again
            SitePlan.objects.filter(pk=running.pk).update(attempts=attempts + 1)
        real_beat(running, attempts, **fields)

    monkeypatch.setattr(plan_runs, "_beat", beat)

    plan = services.run_plan(plan=plan, by=system_actor())

    assert (plan.status, plan.attempts, plan.picks.count()) == ("running", 2, 0)


# --- cancel: refusals -------------------------------------------------------------------------


def test_an_ended_plan_cannot_be_cancelled_and_nothing_changes(national_admin):
    plan = services.create_plan(
        name="Uji", budget_idr=2 * SITE_IDR, region_code=HAND_MADE, by=national_admin
    )
    events = AuditEvent.objects.count()

    with pytest.raises(Refused) as refused:
        services.cancel_plan(plan=plan, by=national_admin)

    assert refused.value.code == ConnectivityError.PLAN_NOT_ACTIVE
    plan.refresh_from_db()
    assert (plan.status, plan.cancel_requested_at, plan.picks.count()) == ("ready", None, 2)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("actor", [None, "mentor_53", "officer_32"])
def test_cancelling_needs_an_actor_who_plans_in_the_region(national_admin, actor, request):
    plan = queued(national_admin)
    by = request.getfixturevalue(actor) if actor else None
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.cancel_plan(plan=plan, by=by)

    plan.refresh_from_db()
    assert (plan.status, plan.cancel_requested_at) == ("queued", None)
    assert AuditEvent.objects.count() == events


def test_a_plan_that_is_not_ready_cannot_be_adopted(national_admin):
    plan = queued(national_admin)

    with pytest.raises(Refused) as refused:
        services.adopt_plan(plan=plan, by=national_admin)

    assert refused.value.code == ConnectivityError.PLAN_NOT_READY
    assert not plan.picks.exists()


def test_a_time_limit_that_is_not_positive_is_refused_and_nothing_saved(national_admin):
    with pytest.raises(Refused) as refused:
        queued(national_admin, time_limit=0)

    assert refused.value.code == ConnectivityError.TIME_LIMIT_NOT_POSITIVE
    assert not SitePlan.objects.exists()


# --- a worker that died -----------------------------------------------------------------------


def running(by, *, attempts=1, minutes_ago=10, **fields) -> SitePlan:
    """A plan whose run started and last beat ``minutes_ago``."""
    plan = queued(by)
    beat = plan_runs.timezone.now() - datetime.timedelta(minutes=minutes_ago)
    SitePlan.objects.filter(pk=plan.pk).update(
        status=SitePlan.Status.RUNNING,
        phase=SitePlan.Phase.SOLVING,
        attempts=attempts,
        started_at=beat,
        heartbeat_at=beat,
        **fields,
    )
    plan.refresh_from_db()
    return plan


def test_stalled_plans_are_resumed_failed_or_cancelled_and_live_ones_left_alone(
    national_admin, django_capture_on_commit_callbacks
):
    resumed = running(national_admin, attempts=1)
    given_up = running(national_admin, attempts=SitePlan.MAX_ATTEMPTS)
    cancelled = running(national_admin, cancel_requested_at=plan_runs.timezone.now())
    alive = running(national_admin, minutes_ago=1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = services.resume_stalled_plans(by=system_actor())

    assert outcome == {"resumed": 1, "failed": 1, "cancelled": 1}
    assert len(callbacks) == 1  # the resumed plan's task, run at once here
    for plan in (resumed, given_up, cancelled, alive):
        plan.refresh_from_db()
    assert (resumed.status, resumed.attempts, resumed.picks.count()) == ("ready", 2, 2)
    assert (given_up.status, given_up.error_code, given_up.picks.count()) == (
        "failed", "worker_lost", 0,
    )  # fmt: skip
    assert given_up.error == (
        "The planner stopped 3 times before the end, so the plan was given up; nothing of it "
        "was kept. Make it again, for a smaller region or with a shorter time limit."
    )
    assert (cancelled.status, cancelled.picks.count()) == ("cancelled", 0)
    assert (alive.status, alive.attempts) == ("running", 1)
    assert [action for action, _who in actions(resumed)] == [
        "connectivity.plan_queued",
        "connectivity.plan_resumed",
        "connectivity.plan_started",
        "connectivity.plan_ready",
    ]


def test_the_resume_command_says_what_it_did(national_admin):
    from io import StringIO

    from django.core.management import call_command

    running(national_admin, attempts=SitePlan.MAX_ATTEMPTS)
    out = StringIO()

    call_command("resume_plans", stdout=out)
    call_command("resume_plans", stdout=out)

    assert out.getvalue() == (
        "0 plans resumed, 1 failed, 0 cancelled\n0 plans resumed, 0 failed, 0 cancelled\n"
    )
