"""The connectivity console: the ledger per village, blank spots ranked, site plans, build
tracking, imports and maps.

Every page needs ``Capability.PLAN_INFRASTRUCTURE`` (403 without it); every record comes through
a scoped read of ``queries``, so a village, site, plan or import outside the person's regions is
a 404, exactly like one that does not exist. Changes go through ``services`` and ``importing``;
nothing here writes a model.

The maps (``regions.maps``, over NumPy and shapely) are imported where a map is drawn: not at
start-up.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.accounts.permissions import Capability, has_capability, require
from tumbuh.accounts.scoping import scoped_businesses
from tumbuh.connectivity import importing, queries, services
from tumbuh.connectivity.forms import (
    COST_FIELDS,
    ConnectivityUploadForm,
    PlanForm,
    RankingForm,
    SiteFilterForm,
    SiteStatusForm,
)
from tumbuh.connectivity.models import ConnectivityImport, Site, SitePlan, Technology
from tumbuh.connectivity.ranking import rank_blank_spots
from tumbuh.core import keyset
from tumbuh.core.exports import csv_response
from tumbuh.core.htmx import is_htmx, render_page
from tumbuh.core.money import rupiah, thousands

BUSINESSES_SHOWN = 100
# Colours of the point map follow the order of the technologies: none, 2G, 3G, 4G.
LAST_MILE_CATEGORIES = {technology: label for technology, label in Technology.choices}


def _require_planning(request) -> None:
    require(request.user, Capability.PLAN_INFRASTRUCTURE)


# --- maps -------------------------------------------------------------------------------------


def _share_map(level: str, rows, *, within=None, href=None) -> str:
    from tumbuh.regions import maps

    return maps.choropleth(
        level,
        {row.code: row.share_4g for row in rows},
        title=_("Villages with 4G"),
        legend=_("Share of villages with 4G"),
        within=within,
        href=href,
        labels={row.code: row.name for row in rows},
        percent=True,
    )


def _waiting_map(level: str, rows, *, within=None, href=None) -> str:
    from tumbuh.regions import maps

    return maps.choropleth(
        level,
        {row.code: row.businesses_waiting for row in rows},
        title=_("Businesses waiting for 4G"),
        legend=_("Businesses in villages without 4G"),
        within=within,
        href=href,
        labels={row.code: row.name for row in rows},
    )


def _maps_href(parameter: str, rows):
    """Links from a map's shapes to the maps page one level down (``?province=53``), only for
    the regions of ``rows`` (those the viewer may open; the others are drawn without a link)."""
    base = reverse("connectivity:maps")
    codes = {row.code for row in rows}
    return lambda code: f"{base}?{parameter}={code}" if code in codes else None


# --- home -------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    _require_planning(request)
    user = request.user
    scope = queries.scope_of(user)
    provinces = queries.province_rows(user)
    figures = [_share_map("province", provinces, href=_maps_href("province", provinces))]
    if scope.is_national:
        figures.append(_waiting_map("province", provinces, href=_maps_href("province", provinces)))
    else:
        for province in provinces:
            regencies = queries.regency_rows(province.code, user)
            figures.append(
                _waiting_map(
                    "regency",
                    regencies,
                    within=province.code,
                    href=_maps_href("regency", regencies),
                )
            )
    return render(
        request,
        "connectivity/home.html",
        {
            "counts": queries.ledger_counts(user),
            "maps": figures,
            "plans": queries.visible_plans(user)[:5],
            "synthetic": queries.synthetic_in_ledger(),
        },
    )


# --- ranking ----------------------------------------------------------------------------------


@login_required
@require_GET
def ranking(request):
    _require_planning(request)
    form = RankingForm(request.GET, region_groups=queries.region_groups(request.user))
    spots = rank_blank_spots(request.user, weights=form.weights(), region_code=form.region_code())
    synthetic = queries.synthetic_in_ledger()
    if request.GET.get("format") == "csv":
        return csv_response(
            _ranking_rows(spots, synthetic=synthetic),
            file_name=_export_name("peringkat-blank-spot", synthetic),
        )
    page = Paginator(spots, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "connectivity/ranking.html",
        {
            "form": form,
            "page": page,
            "rows": [(spot, Technology(spot.last_mile).label) for spot in page],
            "csv_query": _with_format(request, "csv"),
            "synthetic": synthetic,
        },
        partial="results",
    )


def _with_format(request, value: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = value
    return query.urlencode()


def _ranking_rows(spots, *, synthetic: bool):
    yield [
        _("Rank"), _("Village code"), _("Village"), _("Regency or city"), _("Signal"),
        _("Businesses"), _("BumDes"), _("People"), _("3T"), _("Score"), _("Reasons"),
        _("Synthetic data"),
    ]  # fmt: skip
    for spot in spots:
        yield [
            spot.rank, spot.code, spot.name, spot.regency, Technology(spot.last_mile).label,
            spot.enterprises, spot.bumdes, spot.people, _("yes") if spot.is_3t else _("no"),
            spot.score, "; ".join(spot.reasons), _synthetic_cell(synthetic),
        ]  # fmt: skip


def _synthetic_cell(synthetic: bool) -> str:
    """The last column of a ledger export: whether its figures come from synthetic data."""
    return _("yes: demo data, not real") if synthetic else _("no")


def _export_name(base: str, synthetic: bool) -> str:
    """A file name that says "sintetis" when the export holds synthetic data."""
    return f"{base}-sintetis.csv" if synthetic else f"{base}.csv"


# --- one village ------------------------------------------------------------------------------


@login_required
@require_GET
def village(request, code):
    _require_planning(request)
    found = queries.visible_village(request.user, code)
    if found is None:
        raise Http404
    ledger = queries.ledger_row(found)
    serving_site = ledger.last_mile_site if ledger else None
    if serving_site and not queries.scope_of(request.user).allows(serving_site.village_id):
        serving_site = None  # a site across the border of the person's regions: not named
    businesses = services.businesses_to_onboard([found.code])
    # The village's count is the ledger's; its businesses by name only those the person may see
    # (a partner's planner: the ones it brought, serves or mentors).
    named = scoped_businesses(
        businesses, request.user, enterprise="pk", roles=queries.CONNECTIVITY_ROLES
    )
    return render(
        request,
        "connectivity/village.html",
        {
            "village": found,
            "ledger": ledger,
            "serving_site": serving_site,
            "facts": queries.village_facts(found),
            "sites": queries.visible_sites(request.user).filter(village=found),
            "impact": services.village_impact(found),
            "businesses": named[:BUSINESSES_SHOWN],
            "business_count": businesses.count(),
            "may_open_registry": has_capability(request.user, Capability.IMPORT_BUSINESSES),
            "synthetic": queries.synthetic_in_ledger(),
        },
    )


# --- plans ------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request):
    _require_planning(request)
    page = keyset.page_from_request(
        request,
        queries.visible_plans(request.user),
        ordering=queries.PLAN_ORDER,
        size=queries.PAGE_SIZE,
    )
    return render(
        request,
        "connectivity/plan_list.html",
        {"page": page, "synthetic": queries.synthetic_in_ledger()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    _require_planning(request)
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        region_groups=queries.region_groups(request.user),
        is_national=queries.scope_of(request.user).is_national,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.queue_plan(
                name=data["name"],
                budget_idr=data["budget_idr"],
                by=request.user,
                solver=data["solver"],
                region_code=data["region"] or "",
                costs=form.costs(),
                equity=form.equity(),
                time_limit=float(data["time_limit"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.info(
                request, _("The plan is being made in the background; this page shows how far.")
            )
            return redirect(plan)
    return render(request, "connectivity/plan_form.html", {"form": form})


def _visible_plan(request, public_id) -> SitePlan:
    _require_planning(request)
    plan = queries.visible_plan(request.user, public_id)
    if plan is None:
        raise Http404
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, public_id):
    plan = _visible_plan(request, public_id)
    if is_htmx(request) and not plan.is_active:
        # The progress fragment polls; once the plan ends, the whole page shows the outcome.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if plan.status != SitePlan.Status.READY:
        if request.method == "POST":
            messages.error(request, _("Only a ready plan can be adopted."))
            return redirect(plan)
        context = {"plan": plan, "progress": _progress(plan)}
        if not is_htmx(request):  # the whole page; a poll gets the progress only
            context.update(
                region_name=queries.region_name(plan.region_code) if plan.region_code else "",
                parameters=_plan_parameters(plan.parameters),
                synthetic=queries.synthetic_in_ledger(),
            )
        return render_page(request, "connectivity/plan_detail.html", context, partial="progress")
    if request.method == "POST":
        created = services.adopt_plan(plan=plan, by=request.user)
        if created:
            messages.success(
                request,
                ngettext(
                    "%(count)d planned site is now tracked from planned to on air.",
                    "%(count)d planned sites are now tracked from planned to on air.",
                    len(created),
                )
                % {"count": len(created)},
            )
        else:
            messages.info(request, _("Every site of this plan is already tracked."))
        return redirect(plan)
    picks = list(queries.plan_picks(plan))
    comparison = plan.comparison or {}
    province = plan.region_code[:2] if plan.region_code else None
    from tumbuh.regions import maps

    site_map = maps.choropleth(
        "regency",
        queries.picks_per_regency(plan),
        title=_("Planned sites per regency"),
        legend=_("Planned sites"),
        within=province,
    )
    return render(
        request,
        "connectivity/plan_detail.html",
        {
            "plan": plan,
            "picks": picks,
            "untracked": sum(1 for pick in picks if pick.site_id is None),
            "region_name": queries.region_name(plan.region_code) if plan.region_code else "",
            "comparison": comparison,
            "other_solver": _solver_label(comparison.get("solver", "")),
            "gap_percent": None if plan.gap is None else 100 * plan.gap,
            "site_map": site_map,
            "parameters": _plan_parameters(plan.parameters),
            "synthetic": queries.synthetic_in_ledger(),
        },
    )


def _progress(plan: SitePlan) -> dict:
    """What the progress of a queued or running plan shows: its steps, the one running, how
    long it has run, and the share of the time limit its exact solver has used."""
    now = timezone.now()
    steps = [SitePlan.Phase.PREPARING, SitePlan.Phase.SOLVING, SitePlan.Phase.WRITING]
    if plan.parameters.get("compare", True):
        steps.insert(2, SitePlan.Phase.COMPARING)
    current = steps.index(plan.phase) if plan.phase in steps else -1
    return {
        "steps": [
            (step.label, "done" if n < current else "current" if n == current else "")
            for n, step in enumerate(steps)
        ],
        "percent": plan.progress_percent(now),
        "phase_seconds": plan.phase_seconds(now),
        "solve_percent": plan.solve_percent(now),
        "solving": plan.phase in (SitePlan.Phase.SOLVING, SitePlan.Phase.COMPARING),
        "solver": _solver_label(plan.phase_solver),
        "limit": plan.time_limit_seconds,
    }


@login_required
@require_POST
def plan_cancel(request, public_id):
    plan = _visible_plan(request, public_id)
    try:
        services.cancel_plan(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if plan.status == SitePlan.Status.CANCELLED:
            messages.success(request, _("The plan is cancelled."))
        else:
            messages.info(request, _("The plan stops within a few seconds; nothing of it is kept."))
    return redirect(plan)


def _solver_label(value: str) -> str:
    return SitePlan.Solver(value).label if value in SitePlan.Solver.values else value


def _plan_parameters(parameters: dict) -> list[tuple[str, str]]:
    """The costs and equity rules a plan was made with, labelled as on the form."""
    costs = parameters.get("costs", {})
    shown = []
    for name, (label, unit) in COST_FIELDS.items():
        if name in costs:
            value = costs[name]
            shown.append((label, rupiah(value) if unit == "rupiah" else f"{value:g}"))
    equity = parameters.get("equity", {})
    if equity.get("min_3t_share") is not None:
        shown.append(
            (
                _("Minimum share of the budget for 3T villages"),
                f"{100 * equity['min_3t_share']:g} %",
            )
        )
    if equity.get("province_min_sites"):
        minimums = ", ".join(f"{code}: {n}" for code, n in equity["province_min_sites"].items())
        shown.append((_("Minimum sites per province"), minimums))
    if "time_limit" in parameters:
        shown.append((_("Time limit (seconds)"), f"{parameters['time_limit']:g}"))
    if "candidates" in parameters:
        shown.append((_("Candidate sites"), thousands(parameters["candidates"])))
    return shown


@login_required
@require_GET
def plan_csv(request, public_id):
    plan = _visible_plan(request, public_id)
    synthetic = queries.synthetic_in_ledger()
    # A plan that is not ready has no picks: its file holds the header only.

    def rows():
        yield [
            _("Rank"), _("Village code"), _("Village"), _("Regency or city"), _("3T"),
            _("Backhaul"), _("Backhaul detail"), _("Cost (Rp)"), _("Businesses"), _("People"),
            _("Villages covered"), _("Value"), _("Reason"), _("Synthetic data"),
        ]  # fmt: skip
        for pick in queries.plan_picks(plan):
            yield [
                pick.rank, pick.village_id, pick.label, pick.village.regency.name,
                _("yes") if pick.is_3t else _("no"), pick.get_backhaul_display(),
                pick.backhaul_detail, pick.cost_idr, pick.enterprises, pick.people,
                " ".join(pick.covered_villages), round(pick.value, 4), pick.reason,
                _synthetic_cell(synthetic),
            ]  # fmt: skip

    return csv_response(rows(), file_name=_export_name(f"rencana-{plan.public_id}", synthetic))


# --- sites ------------------------------------------------------------------------------------


@login_required
@require_GET
def site_list(request):
    _require_planning(request)
    form = SiteFilterForm(request.GET, operators=queries.operator_choices(request.user))
    sites = queries.visible_sites(request.user, form.filters())
    page = keyset.page_from_request(
        request, sites, ordering=queries.SITE_ORDER, size=queries.PAGE_SIZE
    )
    return render_page(
        request,
        "connectivity/site_list.html",
        {
            "form": form,
            "page": page,
            "count": keyset.capped_count(sites),
            "synthetic": queries.synthetic_in_ledger(),
        },
        partial="results",
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_detail(request, public_id):
    _require_planning(request)
    site = queries.visible_site(request.user, public_id)
    if site is None:
        raise Http404
    form = SiteStatusForm(request.POST if request.method == "POST" else None, site=site)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.change_site_status(
                site=site,
                to_status=data["to_status"],
                on=data["on"],
                by=request.user,
                note=data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _report_change(request, site, data["to_status"], change)
        return redirect(site)
    served = queries.villages_in_scope(request.user, services.villages_served(site))
    businesses = services.businesses_to_onboard([v.code for v in served])
    return render(
        request,
        "connectivity/site_detail.html",
        {
            "site": site,
            "events": [
                (event, _status_label(event.from_status), _status_label(event.to_status))
                for event in queries.site_events(site)
            ],
            "form": form if form.allowed else None,
            "served": served,
            "businesses": businesses.select_related("village")[:BUSINESSES_SHOWN],
            "business_count": businesses.count(),
            "may_open_registry": has_capability(request.user, Capability.IMPORT_BUSINESSES),
            "synthetic": queries.synthetic_in_ledger(),
        },
    )


def _status_label(value: str) -> str:
    return Site.Status(value).label if value in Site.Status.values else value


def _report_change(request, site: Site, to_status: str, change: dict) -> None:
    messages.success(
        request,
        _("%(site)s is now %(status)s.") % {"site": site, "status": Site.Status(to_status).label},
    )
    gained = queries.villages_in_scope(request.user, change.get("gained_4g", []))
    if gained:
        messages.info(
            request,
            ngettext(
                "%(count)d village gained 4G: %(names)s.",
                "%(count)d villages gained 4G: %(names)s.",
                len(gained),
            )
            % {"count": len(gained), "names": ", ".join(v.name for v in gained)},
        )
    lost = queries.villages_in_scope(request.user, change.get("lost_4g", []))
    if lost:
        messages.warning(
            request,
            ngettext(
                "%(count)d village lost 4G: %(names)s.",
                "%(count)d villages lost 4G: %(names)s.",
                len(lost),
            )
            % {"count": len(lost), "names": ", ".join(v.name for v in lost)},
        )


# --- imports ----------------------------------------------------------------------------------


def _import_upload(form: ConnectivityUploadForm, user) -> ConnectivityImport:
    upload = form.cleaned_data["file"]
    options = {
        "kind": form.cleaned_data["kind"],
        "organisation": queries.upload_organisation(user),
        "by": user,
        "file_name": form.file_name,
    }
    if hasattr(upload, "temporary_file_path"):
        return importing.import_csv(path=Path(upload.temporary_file_path()), **options)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "upload.csv"
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return importing.import_csv(path=path, **options)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    _require_planning(request)
    form = ConnectivityUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = _import_upload(form, request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("connectivity:import-detail", public_id=batch.public_id)
    page = Paginator(queries.visible_imports(request.user), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "connectivity/import_list.html", {"form": form, "page": page})


def _visible_import(request, public_id) -> ConnectivityImport:
    _require_planning(request)
    batch = queries.visible_imports(request.user).filter(public_id=public_id).first()
    if batch is None:
        raise Http404
    return batch


@login_required
@require_GET
def import_detail(request, public_id):
    batch = _visible_import(request, public_id)
    page = Paginator(queries.rejections(batch), queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "connectivity/import_detail.html", {"batch": batch, "page": page})


@login_required
@require_GET
def import_report_csv(request, public_id):
    batch = _visible_import(request, public_id)

    def rows():
        yield [_("Row"), _("Column"), _("Value"), _("Reason")]
        for rejection in queries.rejections(batch).iterator(chunk_size=2000):
            yield [rejection.row_number, rejection.column, rejection.value, rejection.reason]

    return csv_response(rows(), file_name=f"laporan-{batch.public_id}.csv")


# --- maps -------------------------------------------------------------------------------------


@login_required
@require_GET
def maps_page(request):
    from tumbuh.regions import maps

    _require_planning(request)
    user = request.user
    regency_code = request.GET.get("regency", "")
    province_code = request.GET.get("province", "")
    context = {"level": "province", "synthetic": queries.synthetic_in_ledger()}
    if regency_code:
        if not queries.REGENCY_CODE.match(regency_code) or not queries.scope_of(user).allows(
            regency_code
        ):
            raise Http404
        villages = queries.village_points(user, regency_code)
        points = [
            maps.MapPoint(latitude=lat, longitude=lon, label=name, category=mile)
            for _code, name, lat, lon, mile in villages
        ]
        context.update(
            level="village",
            region_name=queries.region_name(regency_code),
            province_code=regency_code[:2],
            province_name=queries.region_name(regency_code[:2]),
            maps=[
                maps.point_map(
                    regency_code,
                    points,
                    title=_("Villages by last-mile signal"),
                    categories=LAST_MILE_CATEGORIES,
                )
            ],
            villages=[
                (code, name, Technology(mile).label) for code, name, _la, _lo, mile in villages
            ],
        )
    elif province_code:
        if not queries.province_visible(user, province_code):
            raise Http404
        rows = queries.regency_rows(province_code, user)
        link = _maps_href("regency", rows)
        context.update(
            level="regency",
            region_name=queries.region_name(province_code),
            rows=rows,
            maps=[
                _share_map("regency", rows, within=province_code, href=link),
                _waiting_map("regency", rows, within=province_code, href=link),
            ],
        )
    else:
        rows = queries.province_rows(user)
        link = _maps_href("province", rows)
        context.update(
            rows=rows,
            maps=[
                _share_map("province", rows, href=link),
                _waiting_map("province", rows, href=link),
            ],
        )
    return render(request, "connectivity/maps.html", context)
