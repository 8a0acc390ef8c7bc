"""Background tasks of the dashboards (run by ``tumbuh worker``)."""

from django_tasks import task


@task()
def refresh_sections_task() -> dict:
    """Recompute the figures of the sections beyond onboarding (``sections.refresh_sections``)."""
    from tumbuh.dashboards.sections import refresh_sections

    return refresh_sections()
