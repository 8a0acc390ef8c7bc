"""Background tasks of the registry (run by ``tumbuh worker``)."""

from django_tasks import task

from tumbuh.registry.models import ImportBatch, ResolutionPart


@task()
def run_import_task(batch_id: int) -> dict:
    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.services import run_import

    batch = run_import(batch=ImportBatch.objects.get(pk=batch_id), by=system_actor())
    return {"status": batch.status, "rows": batch.processed_rows}


@task()
def resolve_part_task(part_id: int) -> dict:
    """One province (or the pairs across provinces) of a national re-resolution."""
    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.services import run_resolution_part

    part = run_resolution_part(part=ResolutionPart.objects.get(pk=part_id), by=system_actor())
    return {"status": part.status, "records": part.records, "merged": part.merged}
