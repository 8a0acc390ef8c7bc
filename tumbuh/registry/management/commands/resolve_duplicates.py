"""``tumbuh resolve_duplicates``: re-resolve the whole registry, one province at a time.

Each province is resolved on its own, then the businesses an owner or a phone links across
provinces (the only pairs across provinces the model compares). By default the parts run in
this process, with a line of progress each; ``--queue`` leaves them to the workers, one task
per province. A run that stopped (the process killed, a worker lost) continues with
``--resume``: the provinces done stay done, a part whose worker shows no sign of life for
``--stalled-after`` minutes starts again. ``--whole`` resolves the registry in one pass (small
registries only: it reads every record at once).
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.services import system_actor
from tumbuh.registry.models import Enterprise, ResolutionRun
from tumbuh.registry.services import (
    STALLED_AFTER,
    resolve_duplicates,
    resume_stalled_resolution,
    run_resolution,
    start_resolution_run,
    train_resolution_model,
)


class Command(BaseCommand):
    help = (
        "Find duplicate businesses in the registry with the trained model (training one first if "
        "there is none), one province at a time: merge sure duplicates, queue doubtful pairs for "
        "review."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retrain", action="store_true", help="Train a new model first.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")
        parser.add_argument(
            "--queue", action="store_true", help="Queue one task per province for the workers."
        )
        parser.add_argument(
            "--resume", action="store_true", help="Continue the last run that did not finish."
        )
        parser.add_argument(
            "--stalled-after",
            type=float,
            default=STALLED_AFTER.total_seconds() / 60,
            help="With --resume: minutes without a sign of life after which a running part has "
            "lost its worker (default: %(default)s).",
        )
        parser.add_argument(
            "--whole", action="store_true", help="Resolve the whole registry in one pass."
        )

    def handle(self, *args, retrain, as_json, queue, resume, stalled_after, whole, **options):
        actor = system_actor()
        if whole:
            summary = resolve_duplicates(retrain=retrain, by=actor)
            return self._print(summary, as_json)
        if retrain:
            train_resolution_model()
        if resume:
            run = ResolutionRun.objects.filter(finished_at=None).order_by("-pk").first()
            if run is None:
                raise CommandError("No unfinished run to resume.")
            resume_stalled_resolution(
                stalled_after=datetime.timedelta(minutes=max(0, stalled_after)),
                by=actor,
                enqueue=queue,
            )
        else:
            run = start_resolution_run(by=actor, enqueue=queue)
        if queue:
            self.stdout.write(f"run {run.pk}: {run.parts.count()} parts queued")
            return
        total = run.parts.count()

        def progress(part):
            done = run.parts.filter(status="done").count()
            if not as_json:
                self.stdout.write(
                    f"[{done}/{total}] {part.province_code or 'across provinces'}: {part.status}, "
                    f"{part.records} records, {part.comparisons} comparisons, {part.merged} "
                    f"merged, {part.queued} queued"
                )

        run = run_resolution(run=run, by=actor, progress=progress)
        parts = list(run.parts.all())
        summary = {
            "run": run.pk,
            "finished": run.is_finished,
            "parts": len(parts),
            "parts_done": sum(part.status == "done" for part in parts),
            "records": sum(part.records for part in parts if part.province_code),
            "comparisons": sum(part.comparisons for part in parts),
            "merged": sum(part.merged for part in parts),
            "queued": sum(part.queued for part in parts),
            "businesses": Enterprise.objects.deduplicated().count(),
        }
        self._print(summary, as_json)

    def _print(self, summary: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"{summary['records']} records, {summary.get('comparisons', 0)} comparisons: "
            f"{summary['merged']} merged, {summary['queued']} pairs queued for review; "
            f"{summary.get('businesses', summary['records'])} businesses"
        )
