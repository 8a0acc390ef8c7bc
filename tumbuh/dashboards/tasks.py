"""Background tasks of the dashboards (run by ``tumbuh worker``)."""

from django_tasks import task


@task()
def refresh_sections_task() -> dict:
    """Recompute the figures of the sections beyond onboarding (``sections.refresh_sections``)."""
    from tumbuh.dashboards.sections import refresh_sections

    return refresh_sections()


@task()
def rebuild_opendata_task() -> dict:
    """Build the open data files again when due (``opendata.publish.rebuild``), off the request.

    The capability and stores datasets come from the sections' figures, which a dashboard read
    keeps fresh; with nobody reading dashboards they would age, so they are refreshed first
    when older than their delay."""
    from django.utils import timezone

    from tumbuh.dashboards.models import RollupClock
    from tumbuh.dashboards.opendata.publish import rebuild
    from tumbuh.dashboards.sections import (
        CLOCK_PREFIX,
        SECTION_DELAY,
        SECTIONS,
        refresh_sections,
    )

    fresh = RollupClock.objects.filter(
        name__startswith=CLOCK_PREFIX, as_of__gte=timezone.now() - SECTION_DELAY
    ).count()
    if fresh < len(SECTIONS):
        refresh_sections()
    built = rebuild(only_if_due=True)
    if built is None:
        return {"skipped": "another build is running"}
    return {"stamp": built.stamp, "built_at": built.built_at, "seconds": round(built.seconds, 3)}
