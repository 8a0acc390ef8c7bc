"""The stats API: the onboarding figures of a region, scoped like the dashboards.

Callers are a person signed in to the console or a machine client with an API key of a
government office, in a role that views dashboards (403 otherwise). A region outside the
caller's scope answers 404, exactly like one that does not exist; an unknown milestone is a
refusal (422, reason ``unknown_milestone``). Every figure comes from the rollups, as of
``as_of``.

The other sections (``/stats/<area>``: programme, capability, licensing, stores, connectivity,
partners, supply) are aggregates the worker recomputes (``sections``), as of their own ``as_of``; they
go down to the regency, the partners' scorecard to the province (422 below it). The sections
with events (programme, licensing, stores, connectivity) also answer their monthly series.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.permissions import Capability
from tumbuh.core.errors import ErrorOut
from tumbuh.core.refusals import Refused
from tumbuh.dashboards import queries, rollups, sections
from tumbuh.dashboards.error_codes import DashboardsError
from tumbuh.dashboards.models import BUSINESSES, Level, OnboardingSeries
from tumbuh.dashboards.queries import Region
from tumbuh.dashboards.schemas import (
    Area,
    OnboardingIn,
    OnboardingOut,
    SectionIn,
    SectionOut,
    SeriesIn,
    SeriesOut,
)
from tumbuh.registry.models import Milestone

router = Router(tags=["stats"], auth=api_auth)

PERIODS = {"week": OnboardingSeries.Period.WEEK, "month": OnboardingSeries.Period.MONTH}


def _region(actor, code: str) -> Region:
    scope = queries.dashboard_scope(actor)
    if scope is None:
        raise PermissionDenied(str(Capability.VIEW_DASHBOARDS.label))
    code = queries.region_from_url(code)
    region = queries.find_region(code) if scope.allows(code) else None
    if region is None:
        raise Http404(f"No region {code or 'ID'!r} in your regions.")
    return region


def _milestone(value: str) -> str:
    if value == "businesses":
        return BUSINESSES
    if value not in Milestone.Kind.values:
        raise Refused(
            DashboardsError.UNKNOWN_MILESTONE,
            _("Unknown milestone: %(kind)s") % {"kind": value},
            field="milestone",
        )
    return value


@router.get(
    "/onboarding",
    response={200: OnboardingOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Businesses of a region that reached a milestone, against the target, per child region",
)
def onboarding(request, params: Query[OnboardingIn]):
    region = _region(request.auth, params.region)
    return queries.stats(region, _milestone(params.milestone))


@router.get(
    "/onboarding/series",
    response={200: SeriesOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Cumulative businesses of a region that reached a milestone, per week or month",
)
def onboarding_series(request, params: Query[SeriesIn]):
    region = _region(request.auth, params.region)
    milestone = _milestone(params.milestone)
    period = PERIODS[params.period]
    if period == OnboardingSeries.Period.WEEK and region.level > Level.PROVINCE:
        raise HttpError(
            422, "Weekly figures are kept for the country and the provinces; ask for months."
        )
    rollups.refresh()
    points = queries.series(region, (milestone,), period)[milestone]
    return {
        "region": {"code": region.url_code, "name": region.name, "level": region.level_name},
        "milestone": params.milestone,
        "period": params.period,
        "as_of": queries.as_of(),
        "points": [
            {"start": point.start, "new": point.new, "cumulative": point.cumulative}
            for point in points
        ],
    }


@router.get(
    "/{area}",
    response={200: SectionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A section of a region's dashboard: its figures and its table",
)
def section(request, area: Area, params: Query[SectionIn]):
    region = _region(request.auth, params.region)
    found = sections.section(area.value, region.code)
    if found is None:
        raise HttpError(422, "The partners' scorecard is kept for the country and the provinces.")
    panel, figures = found
    return {
        "area": area,
        "region": {"code": region.url_code, "name": region.name, "level": region.level_name},
        "as_of": panel.as_of,
        "figures": figures,
        "columns": panel.columns,
        "rows": [
            {"label": row.label, "values": [cell.value for cell in row.cells]} for row in panel.rows
        ],
        "note": panel.note,
        "series": panel.series.points() if panel.series else [],
    }
