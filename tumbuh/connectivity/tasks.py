"""Background tasks of the connectivity ledger (run by ``tumbuh worker``)."""

from django_tasks import task

from tumbuh.connectivity.models import SitePlan


@task()
def run_plan_task(plan_id: int) -> dict:
    """Solve a queued site plan (``plan_runs.run_plan``) as the system actor."""
    from tumbuh.accounts.services import system_actor
    from tumbuh.connectivity.plan_runs import run_plan

    plan = run_plan(plan=SitePlan.objects.get(pk=plan_id), by=system_actor())
    return {"status": plan.status, "error_code": plan.error_code}
