"""Background tasks of the registry (run by ``tumbuh worker``)."""

from django_tasks import task

from tumbuh.registry.models import ImportBatch


@task()
def run_import_task(batch_id: int) -> dict:
    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.services import run_import

    batch = run_import(batch=ImportBatch.objects.get(pk=batch_id), by=system_actor())
    return {"status": batch.status, "rows": batch.processed_rows}
