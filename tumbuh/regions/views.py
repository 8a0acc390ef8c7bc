"""The region picker (public and console) and the priority-area pages (ministry staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tumbuh.accounts.permissions import Capability, has_capability, require
from tumbuh.core.htmx import render_page
from tumbuh.regions import services
from tumbuh.regions.forms import PriorityAreaForm, RegionSearchForm
from tumbuh.regions.models import PriorityArea, PriorityAreaRegency
from tumbuh.regions.queries import (
    picker_from,
    priority_areas,
    region_detail,
    search_regions,
)


def _picker_context(request) -> dict:
    picker = picker_from(request.GET)
    search = RegionSearchForm(request.GET or None)
    hits = []
    if search.is_valid() and search.cleaned_data["q"]:
        hits = search_regions(search.cleaned_data["q"])
    selected, level = picker.deepest
    if selected is not None:
        selected = region_detail(level, selected.code)
    return {"picker": picker, "search": search, "hits": hits, "selected": selected, "level": level}


@require_GET
def picker(request):
    """Public: find any region by choosing province → regency → district → village, or by name."""
    return render(request, "regions/picker.html", _picker_context(request))


@login_required
@require_GET
def console_picker(request):
    """The same picker in the console, where htmx swaps the picker without a page load."""
    return render_page(
        request, "regions/console_picker.html", _picker_context(request), partial="picker"
    )


@login_required
@require_GET
def area_list(request):
    return render(
        request,
        "regions/area_list.html",
        {
            "areas": priority_areas(),
            "may_edit": has_capability(request.user, Capability.MANAGE_PRIORITY_AREAS),
        },
    )


@login_required
@require_GET
def area_detail(request, slug):
    area = get_object_or_404(PriorityArea, slug=slug)
    members = area.members.select_related("regency", "regency__province").order_by(
        "regency__province__name", "regency__name"
    )
    return render(
        request,
        "regions/area_detail.html",
        {
            "area": area,
            "members": members,
            "may_edit": has_capability(request.user, Capability.MANAGE_PRIORITY_AREAS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request, slug):
    require(request.user, Capability.MANAGE_PRIORITY_AREAS)
    area = get_object_or_404(PriorityArea, slug=slug)
    picker = picker_from(
        request.POST if request.method == "POST" else request.GET, deepest="regency"
    )
    if request.method == "POST":
        form = PriorityAreaForm(request.POST)
        adding_only = "show_regencies" in request.POST
        if form.is_valid() and not adding_only:
            try:
                services.update_priority_area(
                    area=area,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    regency_roles=form.regency_roles(request.POST),
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The priority area was saved."))
                return redirect(area)
    else:
        form = PriorityAreaForm(initial={"name": area.name, "description": area.description})
    members = area.members.select_related("regency", "regency__province").order_by(
        "regency__province__name", "regency__name"
    )
    return render_page(
        request,
        "regions/area_edit.html",
        {
            "area": area,
            "form": form,
            "members": members,
            "picker": picker,
            "roles": PriorityAreaRegency.Role.choices,
        },
        partial="add-regency",
    )


@login_required
@require_http_methods(["POST"])
def area_create(request):
    require(request.user, Capability.MANAGE_PRIORITY_AREAS)
    name = request.POST.get("name", "")
    try:
        area = services.create_priority_area(name=name, collection="", by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("regions:area-list")
    messages.info(request, _("Now add the regencies of the new area."))
    return redirect("regions:area-edit", slug=area.slug)
