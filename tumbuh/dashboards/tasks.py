"""Background tasks of the dashboards (run by ``tumbuh worker``)."""

from django_tasks import task


@task()
def refresh_sections_task() -> dict:
    """Recompute the figures of the sections beyond onboarding (``sections.refresh_sections``)."""
    from tumbuh.dashboards.sections import refresh_sections

    return refresh_sections()


@task()
def rebuild_opendata_task() -> dict:
    """Build the open data files again when due (``opendata.publish.rebuild``), off the request."""
    from tumbuh.dashboards.opendata.publish import rebuild

    built = rebuild(only_if_due=True)
    if built is None:
        return {"skipped": "another build is running"}
    return {"stamp": built.stamp, "built_at": built.built_at, "seconds": round(built.seconds, 3)}
