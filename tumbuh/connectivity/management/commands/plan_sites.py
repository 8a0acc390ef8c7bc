import json

from django.core.checks import Tags
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.services import system_actor
from tumbuh.connectivity import planning, services
from tumbuh.core.money import rupiah, thousands


def province_minimums(text: str) -> dict[str, int]:
    """``"91:5,94:3"`` → ``{"91": 5, "94": 3}``."""
    minimums = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        code, _, count = part.partition(":")
        if not code.strip().isdigit() or not count.strip().isdigit():
            raise CommandError(f"--province-min: {part!r} is not PROVINCE:SITES (e.g. 91:5).")
        minimums[code.strip()] = int(count)
    return minimums


class Command(BaseCommand):
    help = (
        "Choose sites and their backhaul for a budget over the blank-spot villages, to cover the "
        "most businesses and people: exactly (MILP with HiGHS) or fast (greedy). Prints the "
        "plan summary; --save keeps the plan for the console."
    )
    # The models' checks only: all of them import the URL configuration (every view and the
    # API), a third of a second that the planner never uses. `tumbuh check` runs them all.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("--budget-idr", type=int, required=True, help="Budget in rupiah.")
        parser.add_argument("--solver", choices=["milp", "greedy"], default="milp")
        parser.add_argument("--region", default="", help="Province or regency code (default: all).")
        parser.add_argument("--time-limit", type=float, default=60.0, help="MILP seconds.")
        parser.add_argument(
            "--min-3t-share", type=float, help="Minimum share of the money for 3T sites, 0..1."
        )
        parser.add_argument(
            "--province-min", default="", help="Minimum sites per province, e.g. 91:5,94:3."
        )
        parser.add_argument("--save", metavar="NAME", help="Save the plan under this name.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, budget_idr, solver, region, time_limit, min_3t_share, province_min,
               save, as_json, **options):  # fmt: skip
        by = system_actor()
        equity = planning.Equity(
            min_3t_share=min_3t_share, province_min_sites=province_minimums(province_min)
        )
        try:
            if save:
                # The console's write path, run here at once: queued, solved, written.
                plan = services.create_plan(
                    name=save, budget_idr=budget_idr, by=by, solver=solver, region_code=region,
                    equity=equity, time_limit=time_limit, compare=False,
                )  # fmt: skip
                if plan.status != plan.Status.READY:
                    raise CommandError(f"{plan.error} (plan {plan.public_id}: {plan.status})")
                summary = {
                    "covered_enterprises": plan.covered_enterprises,
                    "covered_people": plan.covered_people,
                    "cost_idr": plan.cost_idr,
                    "sites": plan.picks.count(),
                    "solver": plan.solver,
                    "gap": plan.gap,
                    "seconds": plan.seconds,
                    "status": plan.solver_status,
                    "budget_idr": plan.budget_idr,
                    "plan": plan.public_id,
                }
            else:
                data = services.planning_input(by, region_code=region)
                result = planning.plan_sites(
                    data.candidates, data.places, budget_idr, solver=solver, equity=equity,
                    time_limit=time_limit,
                )  # fmt: skip
                summary = result.summary()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        gap = "-" if summary["gap"] is None else f"{summary['gap']:.4%}"
        self.stdout.write(
            f"{summary['sites']} sites for {rupiah(summary['cost_idr'])} of {rupiah(budget_idr)}: "
            f"{thousands(summary['covered_enterprises'])} businesses and "
            f"{thousands(summary['covered_people'])} "
            f"people covered ({summary['solver']}, gap {gap}, {summary['seconds']:.2f} s)"
            + (f"; saved as {summary['plan']}" if save else "")
        )
