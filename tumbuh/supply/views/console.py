"""The console's chain pages: the priority areas with the programme's supply measures, and one
area's network drawn over its map with the same figures as tables. Government staff who see the
dashboards (``VIEW_DASHBOARDS``) open them, each for the areas touching their regions; an area
outside them answers 404 like a missing one."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from tumbuh.accounts.permissions import Capability, require
from tumbuh.supply import chain


@require_GET
@login_required
def areas(request):
    """The visible priority areas, each with its three measures."""
    require(request.user, Capability.VIEW_DASHBOARDS)
    visible = list(chain.visible_areas(request.user))
    measures = chain.areas_measures(visible)
    # The areas where trade is recorded first, the busiest first; then the others by name.
    rows = sorted(
        ((area, measures[area.pk]) for area in visible),
        key=lambda row: (-row[1].b2b_value_idr, -row[1].processors, row[0].name),
    )
    return render(request, "supply/console_areas.html", {"rows": rows})


@require_GET
@login_required
def area(request, slug: str):
    """One area: its network over its map, the nodes and edges as tables, its measures in total
    and per regency."""
    require(request.user, Capability.VIEW_DASHBOARDS)
    found = get_object_or_404(chain.visible_areas(request.user), slug=slug)
    page = chain.area_page(found)
    return render(
        request, "supply/console_area.html", {"page": page, "area": found, "roles": chain.ROLES}
    )


urlpatterns = [
    path("konsol/rantai-pasok/", areas, name="console-areas"),
    path("konsol/rantai-pasok/kawasan/<slug:slug>/", area, name="console-area"),
]
