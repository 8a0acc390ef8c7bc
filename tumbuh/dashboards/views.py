"""The console's onboarding dashboards and targets (``/konsol/dasbor/``).

Every page needs ``Capability.VIEW_DASHBOARDS`` (403 without it) and shows only regions inside
the person's scope: a region outside it is a 404, exactly like one that does not exist. The
figures come from ``queries`` (the rollups, never the registry); the one change, setting a
target, goes through ``services.set_target``. Charts and maps are SVG drawn here, on the
server: no JavaScript is needed, drill-down is by links.
"""

import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tumbuh.accounts.permissions import Capability, capabilities
from tumbuh.core.exports import csv_response, xlsx_response
from tumbuh.core.money import decimal_text, thousands
from tumbuh.dashboards import queries, rollups, sections, services
from tumbuh.dashboards.forms import TargetForm
from tumbuh.dashboards.models import BUSINESSES, Level, RollupClock, Target
from tumbuh.dashboards.queries import MILESTONES, Onboarding, Region
from tumbuh.regions.queries import region_name
from tumbuh.registry.models import Enterprise, Milestone

FORMATS = ("csv", "xlsx")
MONTHLY_SUFFIX = "-bulanan"  # a section's table of months: /unduh/<section>-bulanan.csv
MEASURE_PARAMETER = "tonggak"  # ?tonggak=store_live: the milestone of the map and evenness


def _scope(request):
    """The viewer's regions (403 without the capability); remembers whether they may set
    targets, from the same read of their memberships."""
    held = capabilities(request.user)
    scope = queries.dashboard_scope(request.user, held)
    if scope is None:
        raise PermissionDenied(Capability.VIEW_DASHBOARDS.label)
    request.may_set_targets = Capability.SET_TARGETS in held
    return scope


def _visible_region(scope, code: str) -> Region:
    code = queries.region_from_url(code)
    region = queries.find_region(code) if scope.allows(code) else None
    if region is None:
        raise Http404(_("No such region in your regions."))
    return region


def _measure(request) -> str:
    measure = request.GET.get(MEASURE_PARAMETER, BUSINESSES)
    return measure if measure in MILESTONES else BUSINESSES


# --- tables (shown and downloaded alike) ------------------------------------------------------


@dataclass
class Table:
    slug: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # of each row's first cell

    def display(self) -> list[list]:
        """The rows as shown: numbers written the Indonesian way, each first cell with its link."""
        shown = []
        for index, row in enumerate(self.rows):
            cells = [(_cell_text(cell), _is_number(cell)) for cell in row[1:]]
            link = self.links[index] if index < len(self.links) else None
            shown.append({"link": link, "first": _cell_text(row[0]), "cells": cells})
        return shown

    def body_html(self) -> SafeString:
        """The rows as ``<tr>`` elements, written here rather than by template loops: the
        national page has a thousand cells, and the template engine spends most of a redrawn
        page's time on them."""
        lines = []
        for row in self.display():
            first = escape(row["first"])
            if row["link"]:
                first = f'<a href="{escape(row["link"])}">{first}</a>'
            cells = "".join(
                f'<td class="num">{escape(text)}</td>' if is_number else f"<td>{escape(text)}</td>"
                for text, is_number in row["cells"]
            )
            lines.append(f'<tr><th scope="row">{first}</th>{cells}</tr>')
        return mark_safe("\n".join(lines))  # noqa: S308 - every text escaped above


def _is_number(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _cell_text(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return thousands(value)
    if isinstance(value, float):
        return decimal_text(value)
    return str(value)


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def tables(data: Onboarding, measure: str) -> dict[str, Table]:
    """Every table of a region's dashboard, by the slug of its download."""
    labels = [capfirst(queries.milestone_label(milestone)) for milestone in MILESTONES]
    region = data.region
    progress = Table(
        "tonggak",
        _("Milestones against their targets"),
        [
            _("Milestone"),
            _("Count"),
            _("3T"),
            _("Not 3T"),
            _("Target %(year)s") % {"year": data.year},
            _("Progress (%)"),
        ],
    )
    for figure in data.figures:
        progress.rows.append(
            [
                capfirst(figure.label),
                figure.count,
                figure.count_3t,
                figure.count_other,
                figure.target,
                figure.percent,
            ]
        )
    # A target column and its progress for each milestone that a child region has a target for.
    targeted = [m for m in MILESTONES if any(m in child.targets for child in data.children)]
    children = Table(
        "wilayah",
        _("Regions of %(region)s") % {"region": region.name},
        [
            _("Code"),
            _("Name"),
            _("Population"),
            capfirst(
                _("%(milestone)s per 1,000 people")
                % {"milestone": queries.milestone_label(measure)}
            ),
            *labels,
        ],
    )
    for milestone in targeted:
        label = queries.milestone_label(milestone)
        children.header += [
            _("Target %(year)s: %(milestone)s") % {"year": data.year, "milestone": label},
            _("Progress (%%): %(milestone)s") % {"milestone": label},
        ]
    for child in data.children:
        row = [
            child.region.code,
            child.region.name,
            child.region.population,
            _rounded(child.per_1000(measure), 4),
            *(child.count(milestone) for milestone in MILESTONES),
        ]
        for milestone in targeted:
            target = child.targets.get(milestone)
            percent = round(child.count(milestone) * 100 / target, 1) if target else None
            row += [target, percent]
        children.rows.append(row)
        children.links.append(
            reverse("dashboards:region", args=[child.region.code])
            if data.child_level is not None and data.child_level <= Level.DISTRICT
            else None
        )
    three_t = Table("tigat", _("3T regencies and the rest"), [_("Regencies"), *labels])
    three_t.rows.append([_("3T"), *(figure.count_3t for figure in data.figures)])
    three_t.rows.append([_("Not 3T"), *(figure.count_other for figure in data.figures)])
    kinds = Table("jenis", _("By kind of business"), [_("Kind"), *labels])
    for kind, counts in data.by_kind.items():
        kinds.rows.append(
            [str(Enterprise.Kind(kind).label), *(counts.get(m, 0) for m in MILESTONES)]
        )
    scales = Table("skala", _("By scale"), [_("Scale"), *labels])
    for scale, counts in data.by_scale.items():
        scales.rows.append([queries.scale_label(scale), *(counts.get(m, 0) for m in MILESTONES)])
    lagging = Table(
        "tertinggal",
        _("Lagging regencies"),
        [_("Code"), _("Regency"), _("Count"), _("Population"), _("Per 1,000 people")],
    )
    for rate in data.evenness.lagging:
        lagging.rows.append(
            [rate.code, rate.name, rate.count, rate.population, _rounded(rate.per_1000, 4)]
        )
        lagging.links.append(
            reverse("dashboards:region", args=[rate.code]) if rate.code != region.code else None
        )
    lines = list(data.series)
    series = Table(
        "deret",
        _("Cumulative counts per week") if data.period == "W" else _("Cumulative counts per month"),
        [_("Period from"), *(capfirst(queries.milestone_label(m)) for m in lines)],
    )
    if lines:
        for index, point in enumerate(data.series[lines[0]]):
            series.rows.append(
                [point.start.isoformat(), *(data.series[m][index].cumulative for m in lines)]
            )
    return {
        table.slug: table for table in (progress, three_t, children, kinds, scales, lagging, series)
    }


# --- charts and the map -----------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 640, 220, 40
LINE_COLOURS = ("#0072b2", "#e69f00", "#009e73")  # Okabe–Ito, colour-blind safe


def line_chart(data: Onboarding) -> SafeString:
    """The cumulative series as a small SVG line chart (one polyline per milestone)."""
    lines = {m: points for m, points in data.series.items() if points}
    title = escape(_("Cumulative counts since the first record"))
    if not lines:
        return mark_safe(f'<p class="help">{escape(_("No records yet."))}</p>')  # noqa: S308
    length = max(len(points) for points in lines.values())
    top = max(max(point.cumulative for point in points) for points in lines.values()) or 1
    inner_w = CHART_WIDTH - 2 * CHART_MARGIN
    inner_h = CHART_HEIGHT - 2 * CHART_MARGIN

    def x(index: int) -> float:
        return CHART_MARGIN + (inner_w * index / (length - 1) if length > 1 else inner_w / 2)

    def y(value: int) -> float:
        return CHART_HEIGHT - CHART_MARGIN - inner_h * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
        f'width="100%" role="img" aria-label="{title}"><title>{title}</title>',
        f'<line x1="{CHART_MARGIN}" y1="{CHART_HEIGHT - CHART_MARGIN}" '
        f'x2="{CHART_WIDTH - CHART_MARGIN}" y2="{CHART_HEIGHT - CHART_MARGIN}" stroke="#8c8c8c"/>',
        f'<text x="{CHART_MARGIN}" y="{CHART_MARGIN - 10}" font-size="14">'
        f"{escape(thousands(top))}</text>",
    ]
    first_points = next(iter(lines.values()))
    parts.append(
        f'<text x="{CHART_MARGIN}" y="{CHART_HEIGHT - 12}" font-size="14">'
        f"{escape(formats.date_format(first_points[0].start, 'SHORT_DATE_FORMAT'))}</text>"
        f'<text x="{CHART_WIDTH - CHART_MARGIN}" y="{CHART_HEIGHT - 12}" font-size="14" '
        f'text-anchor="end">'
        f"{escape(formats.date_format(first_points[-1].start, 'SHORT_DATE_FORMAT'))}</text>"
    )
    for number, (milestone, points) in enumerate(lines.items()):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        coordinates = " ".join(
            f"{x(i):.1f},{y(point.cumulative):.1f}" for i, point in enumerate(points)
        )
        label = escape(queries.milestone_label(milestone))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{coordinates}">'
            f"<title>{label}: {escape(thousands(points[-1].cumulative))}</title></polyline>"
        )
        legend_x = CHART_MARGIN + 10 + number * 200
        parts.append(
            f'<rect x="{legend_x}" y="{CHART_MARGIN}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="{CHART_MARGIN + 6}" font-size="14">{label}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def choropleth(data: Onboarding, measure: str) -> SafeString | None:
    """The children coloured by ``measure`` per 1,000 people (provinces or regencies only)."""
    if data.region.level not in (Level.NATIONAL, Level.PROVINCE) or not data.children:
        return None
    from tumbuh.regions import maps  # NumPy and shapely, loaded only when a map is drawn

    level = "province" if data.region.level == Level.NATIONAL else "regency"
    return maps.choropleth(
        level,
        {child.region.code: child.per_1000(measure) for child in data.children},
        title=capfirst(
            _("%(milestone)s per 1,000 people") % {"milestone": queries.milestone_label(measure)}
        ),
        legend=_("Per 1,000 people"),
        within=data.region.code or None,
        href=lambda code: reverse("dashboards:region", args=[code]),
        labels={child.region.code: child.region.name for child in data.children},
    )


# --- pages ------------------------------------------------------------------------------------


def _ancestors(scope, region: Region) -> list[dict]:
    """Links up to the widest region of the scope (breadcrumbs)."""
    codes = [""] + [region.code[:length] for length in (2, 5) if len(region.code) > length]
    return [
        {
            "name": region_name(code),
            "url": reverse("dashboards:region", args=[queries.url_code(code)]),
        }
        for code in codes
        if scope.allows(code)
    ]


# How long a rendered part of a dashboard is kept at most. Its key is a digest of everything it
# shows, so a kept part is never stale: a fold, a target or a section refresh makes a new key.
BODY_SECONDS = 600


def _kept(name: str, shown: dict, draw) -> SafeString:
    """``draw()``'s HTML, kept under a digest of ``shown`` (and the language and time zone)."""
    digest = hashlib.sha256(
        repr((sorted(shown.items()), get_language(), timezone.get_current_timezone_name())).encode()
    ).hexdigest()
    key = f"dashboards:{name}:{digest}"
    html = cache.get(key)
    if html is None:
        html = str(draw())
        cache.set(key, html, BODY_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our templates


@dataclass(frozen=True)
class Stamps:
    """What a dashboard body shows besides the onboarding figures, read in two small queries:
    the onboarding figures' "as of", the sections' clocks (None when one is older than its delay,
    so that ``sections.panels`` asks the worker for a refresh), and the key of the body recently
    drawn for this view (None then too: draw now)."""

    onboarding_as_of: object
    sections_as_of: tuple | None
    recent_key: str | None


def _stamps(request, scope, region: Region, measure: str, others) -> Stamps:
    clocks = dict(RollupClock.objects.values_list("name", "as_of"))
    onboarding_as_of = clocks.get(rollups.CLOCK)
    sections_as_of = {
        name: as_of for name, as_of in clocks.items() if name.startswith(sections.CLOCK_PREFIX)
    }
    limit = timezone.now() - sections.SECTION_DELAY
    if len(sections_as_of) < len(sections.SECTIONS) or min(sections_as_of.values()) < limit:
        return Stamps(onboarding_as_of, None, None)
    latest_target = Target.objects.aggregate(latest=Max("id"))["latest"]
    shown = (
        region.code,
        measure,
        tuple(others),
        _ancestors(scope, region),
        request.may_set_targets,
        latest_target,
        sorted(sections_as_of.items()),
        get_language(),
        timezone.get_current_timezone_name(),
    )
    recent_key = "dashboards:recent:" + hashlib.sha256(repr(shown).encode()).hexdigest()
    return Stamps(onboarding_as_of, tuple(sorted(sections_as_of.items())), recent_key)


def _sections_html(request, region: Region, stamps: Stamps) -> SafeString:
    """The sections' part of a body, kept by the sections' clocks while they are fresh (their
    figures change only when the worker refreshes them), by their panels' content otherwise."""

    def draw(panels):
        return render_to_string(
            "dashboards/_sections.html", {"region": region, "panels": panels}, request=request
        )

    if stamps.sections_as_of is not None:
        shown = {"region": region, "clocks": stamps.sections_as_of}
        return _kept("region-sections", shown, lambda: draw(sections.panels(region.code)))
    panels = sections.panels(region.code)  # asks the worker for a refresh
    return _kept("region-sections", {"region": region, "panels": panels}, lambda: draw(panels))


def _render_region(request, scope, region: Region, *, others=()):
    """The dashboard of ``region``: its figures read from the rollups (a few milliseconds), the
    page body (tables, map, chart: most of the time) rendered once per distinct content.

    The sections are kept apart from the onboarding figures: a fold of the rollups (every few
    seconds while the registry is busy) draws the onboarding part again, not the sections, whose
    figures change only when the worker refreshes them.

    And a body drawn less than ``TUMBUH_DASHBOARD_REDRAW_SECONDS`` ago is shown again as it is,
    even if the rollups have moved on since (it says "as of" its figures): on a busy registry
    the rollups fold every few seconds, and drawing the national page again after each fold
    costs more than reading it (docs/scale.md). A target set or a section refreshed draws it
    at once."""
    measure = _measure(request)
    rollups.refresh()
    stamps = _stamps(request, scope, region, measure, others)
    recent = cache.get(stamps.recent_key) if stamps.recent_key else None
    if recent is not None:
        drawn_as_of, drawn_at, body = recent
        if (
            drawn_as_of == stamps.onboarding_as_of
            or time.time() - drawn_at < settings.TUMBUH_DASHBOARD_REDRAW_SECONDS
        ):
            return render(
                request,
                "dashboards/region.html",
                {"region": region, "body": mark_safe(body)},  # noqa: S308 - rendered by our template
            )
    data = queries.onboarding(region, measure=measure)
    sections_html = _sections_html(request, region, stamps)
    shown = {
        "data": data,
        "region": region,
        "measure": measure,
        "sections_html": sections_html,
        "ancestors": _ancestors(scope, region),
        "others": [
            {"name": region_name(code), "url": reverse("dashboards:region", args=[code])}
            for code in others
        ],
        "may_set_targets": request.may_set_targets,
    }

    def draw():
        context = {
            **shown,
            "measure_label": queries.milestone_label(measure),
            "measures": [(m, queries.milestone_label(m)) for m in MILESTONES],
            "measure_parameter": MEASURE_PARAMETER,
            "headline": [data.figure(m) for m in queries.HEADLINE],
            "targeted": [figure for figure in data.figures if figure.target],
            "tables": tables(data, measure),
            "chart": line_chart(data),
            "map": choropleth(data, measure),
        }
        return render_to_string("dashboards/_region_body.html", context, request=request)

    body = _kept("region-body", shown, draw)
    if stamps.recent_key:
        cache.set(stamps.recent_key, (data.as_of, time.time(), str(body)), BODY_SECONDS)
    return render(request, "dashboards/region.html", {"region": region, "body": body})


@login_required
@require_GET
def dashboard(request):
    scope = _scope(request)
    homes = queries.home_regions(scope)
    if not homes:
        raise PermissionDenied(Capability.VIEW_DASHBOARDS.label)
    region = queries.find_region(homes[0])
    if region is None:
        raise Http404
    return _render_region(request, scope, region, others=homes[1:])


@login_required
@require_GET
def region(request, code: str):
    scope = _scope(request)
    return _render_region(request, scope, _visible_region(scope, code))


@login_required
@require_GET
def download(request, code: str, table: str, fmt: str):
    scope = _scope(request)
    found = _visible_region(scope, code)
    if fmt not in FORMATS:
        raise Http404
    section, monthly = table.removesuffix(MONTHLY_SUFFIX), table.endswith(MONTHLY_SUFFIX)
    if section in sections.SECTIONS:
        # A section's panel (the partners' stops at the province, so below it there is none),
        # or its months ("<section>-bulanan") where it has a series.
        panel = next((p for p in sections.panels(found.code) if p.key == section), None)
        if panel is None or (monthly and not (panel.series and panel.series.months)):
            raise Http404
        title, rows = panel.title, panel.series.table() if monthly else panel.table()
    else:
        measure = _measure(request)
        chosen = tables(queries.onboarding(found, measure=measure), measure).get(table)
        if chosen is None:
            raise Http404
        title, rows = chosen.title, [chosen.header, *chosen.rows]
    file_name = f"dasbor-{found.url_code}-{table}.{fmt}"
    if fmt == "csv":
        return csv_response(rows, file_name=file_name)
    return xlsx_response(rows, file_name=file_name, sheet_title=title)


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    scope = _scope(request)
    may_set = request.may_set_targets
    if request.method == "POST" and not may_set:
        raise PermissionDenied(Capability.SET_TARGETS.label)
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        initial={"year": queries.current_year()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.set_target(
                region_code=data["region_code"],
                year=data["year"],
                milestone=data["milestone"],
                count=data["count"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as refusal:
            form.add_error(getattr(refusal, "field", None) or None, refusal)
        except PermissionDenied as refusal:
            form.add_error("region_code", str(refusal))
        else:
            messages.success(
                request,
                _("Target set: %(count)s businesses %(milestone)s in %(region)s by %(year)s.")
                % {
                    "count": thousands(target.count),
                    "milestone": queries.milestone_label(target.milestone),
                    "region": region_name(target.region_code),
                    "year": target.year,
                },
            )
            return redirect("dashboards:targets")
    groups = queries.targets_in_scope(scope)
    for group in groups:
        group["region_name"] = region_name(group["current"].region_code)
        group["milestone_label"] = str(Milestone.Kind(group["current"].milestone).label)
        group["region_url"] = reverse(
            "dashboards:region", args=[queries.url_code(group["current"].region_code)]
        )
    return render(
        request,
        "dashboards/targets.html",
        {"form": form, "groups": groups, "may_set_targets": may_set},
    )
