"""The sections' panels: what a dashboard and the API show, read from the stored figures.

:func:`panels` reads only :class:`~tumbuh.dashboards.models.SectionFigure` and
:class:`~tumbuh.dashboards.models.SectionSeries` rows (one query for the clocks, one for the
region's figures — nationally with the provinces' connectivity, the rows of its table — one for
the region's monthly series, and at most one name lookup each for the priority areas, the
flagship programme, the programme's partners and the scorecard's partners; the provinces' names
come from ``regions.queries.region_name``, kept by the process); it never counts facts. When the
clocks are missing or older than :data:`~tumbuh.dashboards.sections.compute.SECTION_DELAY` it
enqueues ``tasks.refresh_sections_task``, at most once per delay (``cache.add`` of
``ENQUEUED_KEY``), and shows the figures as of their clock — or "being computed" before the
first refresh. So a figure is at most ``SECTION_DELAY`` plus one refresh old while someone looks
at a dashboard, and ``tumbuh rebuild_rollups`` recomputes them at once.

A :class:`Panel` is a section of one region: headline figures and one table (its ``columns``
and ``rows``), which the console downloads as CSV or XLSX (``Panel.table``) and the API returns
(:func:`section`, with the stored figures and the names of their dimensions), and for the
sections with events their monthly series (``Panel.series``, :mod:`.series`: drawn on the page,
returned by the API; the console's download path serves the panel's table only). Two tables hold
more than one kind of row: the programme's lists the priority areas, their total, then the
partners with the most enrolments, each in its area (``PARTNERS_SHOWN``); the connectivity
table is one row per province nationally, the villages by layer and signal below.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts.models import Organisation
from tumbuh.capability.scoring import LEVELS
from tumbuh.connectivity.models import Site, SitePlan, Technology
from tumbuh.core.money import local_number, rupiah, thousands
from tumbuh.dashboards.models import CODE_LENGTH, Level, RollupClock, SectionFigure
from tumbuh.dashboards.sections.compute import (
    CAPABILITY,
    CLOCK_PREFIX,
    CONNECTIVITY,
    DEEPEST,
    ENQUEUED_KEY,
    LICENSING,
    PARTNERS,
    PROGRAMME,
    REGENCY_LENGTH,
    SECTION_DELAY,
    SECTIONS,
    STORES,
    SUPPLY,
)
from tumbuh.dashboards.sections.series import Series, read_series
from tumbuh.dashboards.tasks import refresh_sections_task
from tumbuh.programmes.models import Programme
from tumbuh.regions.models import PriorityArea
from tumbuh.regions.queries import region_name
from tumbuh.registry.models import Milestone

PARTNERS_SHOWN = 10
# The measures of the national connectivity table, one row per province.
PROVINCE_COLUMNS = (
    ("villages", "", gettext_lazy("Villages")),
    ("villages_backbone", "", gettext_lazy("Backbone within reach")),
    ("villages_middle_mile", "", gettext_lazy("Middle mile")),
    ("villages_last_mile", "", gettext_lazy("Last mile")),
    ("villages_without_4g", "", gettext_lazy("Without 4G")),
    ("sites", Site.Status.ON_AIR, gettext_lazy("BTS sites on air")),
)
PROVINCE_MEASURES = sorted({measure for measure, _dimension, _label in PROVINCE_COLUMNS})


@dataclass(frozen=True)
class Cell:
    """One value of a table: the number (for CSV) and its text (for the page)."""

    value: int | float | str | None
    text: str


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Panel:
    """One section of a region's dashboard: headline figures and an optional table.

    ``as_of`` is None while the section has never been computed. ``columns`` and ``rows`` form
    the table (``table()`` gives it as plain values for a CSV or XLSX download). ``series`` is
    the section's monthly series in the region, None for a section without one.
    """

    key: str
    title: str
    as_of: datetime.datetime | None
    figures: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    series: Series | None = None

    @property
    def is_computed(self) -> bool:
        return self.as_of is not None

    def table(self) -> list[list]:
        """The table as a header row and value rows (for ``core.exports``)."""
        return [self.columns] + [[row.label, *(c.value for c in row.cells)] for row in self.rows]


def _count(value) -> Cell:
    return Cell(value, thousands(value) if value is not None else "–")


def _money(value) -> Cell:
    return Cell(value, rupiah(value) if value is not None else "–")


def _percent(part, whole) -> Cell:
    if not whole or part is None:
        return Cell(None, "–")
    share = 100 * part / whole
    return Cell(round(share, 1), f"{local_number(share, decimals=1)} %")


def _request_refresh() -> bool:
    """Enqueue the refresh unless one was enqueued within the delay; whether it was."""
    if not cache.add(ENQUEUED_KEY, timezone.now().isoformat(), SECTION_DELAY.total_seconds()):
        return False
    refresh_sections_task.enqueue()
    return True


def _clocks() -> dict[str, datetime.datetime]:
    return {
        name.removeprefix(CLOCK_PREFIX): as_of
        for name, as_of in RollupClock.objects.filter(name__startswith=CLOCK_PREFIX).values_list(
            "name", "as_of"
        )
    }


def _is_stale(clocks: dict) -> bool:
    limit = timezone.now() - SECTION_DELAY
    return any(clocks.get(section) is None or clocks[section] < limit for section in SECTIONS)


def _stored(region_code: str, section: str | None = None) -> tuple[list, dict]:
    """The stored figures of ``region_code`` (of one ``section``, or all) as rows of section,
    measure, dimension, value and unit; nationally also the provinces' connectivity per layer
    (the national panel's table), as {province code: {(measure, dimension): value}}."""
    where = Q(region_code=region_code)
    if section is not None:
        where &= Q(section=section)
    national = not region_code and section in (None, CONNECTIVITY)
    if national:
        where |= Q(section=CONNECTIVITY, level=Level.PROVINCE, measure__in=PROVINCE_MEASURES)
    rows = []
    provinces: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for key, code, measure, dimension, value, unit in (
        SectionFigure.objects.filter(where)
        .order_by("measure", "dimension")
        .values_list("section", "region_code", "measure", "dimension", "value", "unit")
    ):
        if code == region_code:
            rows.append((key, measure, dimension, value, unit))
        else:
            provinces[code][(measure, dimension)] = value
    return rows, provinces


def panels(region_code: str) -> list[Panel]:
    """The sections' panels for ``region_code`` ("" national; a district or village shows its
    regency's figures, the deepest the sections go)."""
    region_code = region_code[:REGENCY_LENGTH]
    clocks = _clocks()
    if _is_stale(clocks) and _request_refresh():
        clocks = _clocks()  # a test's immediate backend has refreshed them already
    stored, provinces = _stored(region_code)
    figures: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for section, measure, dimension, value, _unit in stored:
        figures[section][(measure, dimension)] = value
    level = len(region_code)
    result = [
        _programme_panel(figures[PROGRAMME], clocks.get(PROGRAMME), national=not region_code),
        _capability_panel(figures[CAPABILITY], clocks.get(CAPABILITY)),
        _licensing_panel(figures[LICENSING], clocks.get(LICENSING)),
        _stores_panel(figures[STORES], clocks.get(STORES)),
        _connectivity_panel(
            figures[CONNECTIVITY],
            clocks.get(CONNECTIVITY),
            provinces=None if region_code else provinces,
        ),
    ]
    if level <= CODE_LENGTH[DEEPEST[PARTNERS]]:
        result.append(_partners_panel(figures[PARTNERS], clocks.get(PARTNERS)))
    result.append(_supply_panel(figures[SUPPLY], clocks.get(SUPPLY)))
    series = read_series(region_code)
    for panel in result:
        panel.series = series.get(panel.key)
    return result


@dataclass(frozen=True)
class Figure:
    """One stored figure of a section, with the name of what its dimension denotes."""

    measure: str
    dimension: str
    label: str
    value: int
    unit: str


def section(key: str, region_code: str) -> tuple[Panel, list[Figure]] | None:
    """One section of ``region_code`` for the API: its panel and its stored figures.

    None when the section stops above the region (the partners below a province). A district
    is not asked for: the sections go down to the regency. The figures are the region's own
    (the national connectivity table's provinces are in its rows, not in the figures).
    """
    if len(region_code) > CODE_LENGTH[DEEPEST.get(key, Level.REGENCY)]:
        return None
    clocks = _clocks()
    if _is_stale(clocks) and _request_refresh():
        clocks = _clocks()
    stored, provinces = _stored(region_code, key)
    figures = {(measure, dimension): value for _s, measure, dimension, value, _u in stored}
    if key == PROGRAMME:
        panel = _programme_panel(figures, clocks.get(key), national=not region_code)
    elif key == CONNECTIVITY:
        panel = _connectivity_panel(
            figures, clocks.get(key), provinces=None if region_code else provinces
        )
    else:
        panel = PANELS[key](figures, clocks.get(key))
    panel.series = read_series(region_code, key).get(key)
    labels = _labels(key, {dimension for _s, _m, dimension, _v, _u in stored})
    return panel, [
        Figure(measure, dimension, labels.get(dimension, ""), value, unit)
        for _s, measure, dimension, value, unit in stored
    ]


def _organisation_names(ids) -> dict[str, str]:
    """The names of organisations by their id as a dimension holds it (a string)."""
    wanted = [int(pk) for pk in ids if str(pk).isdigit()]
    if not wanted:
        return {}
    return {
        str(pk): name
        for pk, name in Organisation.objects.filter(pk__in=wanted).values_list("pk", "name")
    }


def _labels(key: str, dimensions: set[str]) -> dict[str, str]:
    """The names of a section's dimensions (a priority area's slug, a level's number, ...)."""
    if key == PROGRAMME:
        pairs = [dimension.partition(":") for dimension in dimensions]
        slugs = {slug for _org, sep, slug in pairs if sep} | {
            dimension for dimension in dimensions if ":" not in dimension
        }
        names = dict(PriorityArea.objects.filter(slug__in=slugs).values_list("slug", "name"))
        names |= dict(
            Programme.objects.filter(public_id__in=dimensions).values_list("public_id", "name")
        )
        labels = {str(code): str(name) for code, name in names.items()}
        partners = _organisation_names({org for org, sep, _slug in pairs if sep})
        for org, sep, slug in pairs:
            if sep:
                labels[f"{org}{sep}{slug}"] = f"{partners.get(org, org)} · {names.get(slug, slug)}"
        return labels
    if key == CAPABILITY:
        return {str(level.number): str(level.name) for level in LEVELS}
    if key == CONNECTIVITY:
        labels = {
            str(value): str(label) for value, label in [*Technology.choices, *Site.Status.choices]
        }
        plans = dimensions - set(labels) - {""}
        if plans:
            labels |= dict(
                SitePlan.objects.filter(public_id__in=plans).values_list("public_id", "name")
            )
        return labels
    if key == PARTNERS:
        names = _organisation_names({dimension.split(":")[0] for dimension in dimensions})
        kinds = dict(Milestone.Kind.choices)
        labels = {}
        for dimension in dimensions:
            org, _sep, kind = dimension.partition(":")
            name = names.get(org, org)
            labels[dimension] = f"{name} · {kinds[kind]}" if kind in kinds else name
        return labels
    return {}


def _dimensions(figures: dict, measure: str) -> dict[str, int]:
    return {dim: value for (name, dim), value in figures.items() if name == measure}


def _programme_panel(figures: dict, as_of, *, national: bool) -> Panel:
    """The flagship programme by priority area, then the partners with the most enrolments
    in each area they run cohorts in (with their share of the area's quota nationally)."""
    panel = Panel(PROGRAMME, _("Flagship programme by priority area"), as_of)
    quota = _dimensions(figures, "quota")
    enrolled = _dimensions(figures, "enrolled")
    completed = _dimensions(figures, "completed")
    slugs = sorted(set(quota) | set(enrolled))
    names = dict(PriorityArea.objects.filter(slug__in=slugs).values_list("slug", "name"))
    notes = []
    if national:
        programme = _dimensions(figures, "programme")
        if programme:
            public_id, target = next(iter(programme.items()))
            name = Programme.objects.filter(public_id=public_id).values_list("name", flat=True)
            panel.figures.append((name.first() or public_id, thousands(target)))
        panel.columns = [_("Priority area"), _("Quota"), _("Enrolled"), _("Completed"),
                         _("% of quota")]  # fmt: skip
    else:
        panel.columns = [_("Priority area"), _("Enrolled"), _("Completed")]
        notes.append(_("Quotas are set for whole priority areas: see the national dashboard."))

    def cells(quota: int | None, enrolled: int, completed: int) -> list[Cell]:
        shown = [_count(enrolled), _count(completed)]
        if national:
            shown = [_count(quota), *shown, _percent(enrolled, quota)]
        return shown

    for slug in sorted(slugs, key=lambda slug: names.get(slug, slug)):
        panel.rows.append(
            Row(
                names.get(slug, slug),
                cells(quota.get(slug), enrolled.get(slug, 0), completed.get(slug, 0)),
            )
        )
    if panel.rows:
        totals = cells(sum(quota.values()), sum(enrolled.values()), sum(completed.values()))
        panel.rows.append(Row(_("All areas"), totals))
    partner_enrolled = _dimensions(figures, "partner_enrolled")
    partner_completed = _dimensions(figures, "partner_completed")
    partner_quota = _dimensions(figures, "partner_quota") if national else {}

    def rank(dimension: str) -> tuple:
        org, _sep, slug = dimension.partition(":")
        return (-partner_enrolled.get(dimension, 0), -partner_completed.get(dimension, 0),
                int(org), names.get(slug, slug))  # fmt: skip

    top = sorted(set(partner_enrolled) | set(partner_quota), key=rank)[:PARTNERS_SHOWN]
    partners = _organisation_names({dimension.partition(":")[0] for dimension in top})
    for dimension in top:
        org, _sep, slug = dimension.partition(":")
        label = f"{partners.get(org, org)} · {names.get(slug, slug)}"
        panel.rows.append(
            Row(
                label,
                cells(
                    partner_quota.get(dimension),
                    partner_enrolled.get(dimension, 0),
                    partner_completed.get(dimension, 0),
                ),
            )
        )
    if top:
        notes.append(
            _(
                "After the areas: the %(count)s partners with the most enrolments, each in the "
                "area where it runs cohorts (its quota: its share of the area's quota)."
            )
            % {"count": PARTNERS_SHOWN}
        )
    panel.note = " ".join(notes)
    return panel


def _capability_panel(figures: dict, as_of) -> Panel:
    panel = Panel(CAPABILITY, _("Capability levels"), as_of)
    panel.columns = [_("Level"), _("Businesses"), _("Share")]
    by_level = _dimensions(figures, "businesses")
    total = sum(by_level.values())
    for level in LEVELS:
        n = by_level.get(str(level.number), 0)
        label = f"{level.number} · {level.name}"
        panel.rows.append(Row(label, [_count(n), _percent(n, total)]))
    panel.figures.append((_("Businesses assessed"), thousands(total)))
    panel.note = _("Deduplicated businesses by the level of their latest assessment.")
    return panel


def _licensing_panel(figures: dict, as_of) -> Panel:
    panel = Panel(LICENSING, _("Licensing"), as_of)
    panel.columns = ["", _("NIB"), _("Halal certificate")]

    def pair(nib: str, halal: str, cell=_count, default=0) -> list[Cell]:
        return [cell(figures.get((nib, ""), default)), cell(figures.get((halal, ""), default))]

    def days(value) -> Cell:
        return Cell(value, "–" if value is None else _("%(days)s days") % {"days": value})

    panel.rows = [
        Row(_("Businesses issued (halal: valid today)"), pair("nib_issued", "halal_certified")),
        Row(_("Open cases"), pair("nib_open", "halal_open")),
        Row(
            _("Median waiting time"),
            pair("nib_waiting_days", "halal_waiting_days", cell=days, default=None),
        ),
    ]
    panel.note = _("Each business counted once. Waiting time: from opening the case to its issue.")
    return panel


def _stores_panel(figures: dict, as_of) -> Panel:
    panel = Panel(STORES, _("Stores and the BBI catalogue"), as_of)

    def value(measure: str) -> int:
        return figures.get((measure, ""), 0)

    paid = value("paid_value")
    panel.columns = ["", _("Value")]
    panel.rows = [
        Row(_("Live stores"), [_count(value("stores_live"))]),
        Row(_("Products in the BBI catalogue"), [_count(value("products_listed"))]),
        Row(_("Orders placed"), [_count(value("orders"))]),
        Row(_("Orders paid"), [_count(value("orders_paid"))]),
        Row(_("Paid value"), [_money(paid)]),
        Row(_("Share of paid value from 3T regions"), [_percent(value("paid_value_3t"), paid)]),
        Row(_("Share of paid value from BumDes"), [_percent(value("paid_value_bumdes"), paid)]),
    ]
    return panel


def _connectivity_panel(figures: dict, as_of, *, provinces: dict | None = None) -> Panel:
    """Connectivity per layer: nationally one row per province (``provinces``, their figures),
    below it the region's villages by layer and signal with their shares; the figures above
    the table give the BTS sites by status, the sites against the latest ready plan and the
    businesses waiting for 4G."""
    panel = Panel(CONNECTIVITY, _("Connectivity per layer"), as_of)
    if provinces is not None and as_of is not None:
        _rows_per_province(panel, figures, provinces)
    else:
        _rows_per_layer(panel, figures)
    sites = _dimensions(figures, "sites")
    panel.figures = [
        (_("BTS sites %(status)s") % {"status": label}, thousands(sites.get(status, 0)))
        for status, label in Site.Status.choices
    ]
    panel.figures.append(
        (_("Businesses waiting for 4G"), thousands(figures.get(("businesses_waiting", ""), 0)))
    )
    picked = sum(_dimensions(figures, "plan_picks").values())
    if picked:
        adopted = _dimensions(figures, "plan_sites")
        panel.figures += [
            (_("Sites picked by the latest ready site plan"), thousands(picked)),
            (_("Picked sites not yet adopted"), thousands(picked - sum(adopted.values()))),
        ]
        panel.figures += [
            (_("Picked sites %(status)s") % {"status": label}, thousands(adopted.get(status, 0)))
            for status, label in Site.Status.choices
            if status != Site.Status.OFF_AIR or adopted.get(status)
        ]
    return panel


def _rows_per_layer(panel: Panel, figures: dict) -> None:
    villages = figures.get(("villages", ""), 0)

    def share(label, n: int) -> Row:
        return Row(label, [_count(n), _percent(n, villages)])

    def layer(label, measure: str) -> Row:
        return share(label, figures.get((measure, ""), 0))

    panel.columns = ["", _("Villages"), _("Share")]
    panel.rows = [
        layer(_("Backbone within reach (fibre point of presence)"), "villages_backbone"),
        layer(_("Middle mile (backhaul)"), "villages_middle_mile"),
        layer(_("Last mile (any signal)"), "villages_last_mile"),
    ]
    for technology in reversed(Technology.values):
        label = _("Signal: %(technology)s") % {"technology": Technology(technology).label}
        panel.rows.append(share(label, figures.get(("villages_signal", technology), 0)))
    panel.rows.append(layer(_("Without 4G"), "villages_without_4g"))
    panel.rows.append(Row(_("All villages"), [_count(villages), Cell(None, "")]))


def _rows_per_province(panel: Panel, figures: dict, provinces: dict) -> None:
    panel.columns = [_("Province"), *(str(label) for _m, _d, label in PROVINCE_COLUMNS)]
    for code in sorted(provinces):
        shown = provinces[code]
        panel.rows.append(
            Row(
                region_name(code),
                [
                    _count(shown.get((measure, dimension), 0))
                    for measure, dimension, _label in PROVINCE_COLUMNS
                ],
            )
        )
    panel.rows.append(
        Row(
            _("All provinces"),
            [
                _count(figures.get((measure, dimension), 0))
                for measure, dimension, _label in PROVINCE_COLUMNS
            ],
        )
    )
    panel.note = _(
        "Villages per province: with a fibre point of presence within reach, with a middle "
        "mile (backhaul), with any last-mile signal, without 4G; and the BTS sites on air. The "
        "signals in detail are on each province's dashboard."
    )


def _partners_panel(figures: dict, as_of) -> Panel:
    panel = Panel(PARTNERS, _("Partners' scorecard"), as_of)
    brought = _dimensions(figures, "businesses")
    duplicates = _dimensions(figures, "duplicates")
    carried = _dimensions(figures, "carried")
    top = sorted(brought, key=lambda org: (-brought[org], int(org)))[:PARTNERS_SHOWN]
    names = _organisation_names(top)
    kinds = [kind for kind in Milestone.Kind if kind != Milestone.Kind.REGISTERED]
    panel.columns = [
        _("Partner"),
        _("Businesses brought"),
        *(str(kind.label) for kind in kinds),
        _("Duplicates sent"),
    ]
    for org in top:
        cells = [_count(brought[org])]
        cells += [_count(carried.get(f"{org}:{kind}", 0)) for kind in kinds]
        cells.append(_count(duplicates.get(org, 0)))
        panel.rows.append(Row(names.get(org, org), cells))
    panel.note = (
        _(
            "Deduplicated businesses each partner's records resolve to, how many reached each "
            "milestone, and the records that duplicated a business already known."
        )
        + " "
        + _("The %(count)s partners that brought the most.") % {"count": PARTNERS_SHOWN}
    )
    return panel


def _supply_panel(figures: dict, as_of) -> Panel:
    """The programme's supply measures: trained processors with a digital B2B order, the B2B
    value paid, the share of the areas' buyers' purchases sourced inside their area."""
    panel = Panel(SUPPLY, _("Supply chains"), as_of)

    def value(measure: str) -> int:
        return figures.get((measure, ""), 0)

    trained = value("processors_trained")
    bought = value("bought_value")
    panel.columns = ["", _("Value")]
    panel.rows = [
        Row(_("Processors in the chains"), [_count(value("processors"))]),
        Row(_("Trained processors"), [_count(trained)]),
        Row(
            _("Trained processors with a digital B2B order"),
            [_count(value("processors_trained_digital"))],
        ),
        Row(
            _("Share of trained processors with a digital B2B order"),
            [_percent(value("processors_trained_digital"), trained)],
        ),
        Row(_("B2B value paid"), [_money(value("b2b_value"))]),
        Row(_("Bought by the priority areas' buyers"), [_money(bought)]),
        Row(
            _("Share sourced inside the buyer's priority area"),
            [_percent(value("bought_inside_value"), bought)],
        ),
    ]
    panel.note = _(
        "Each business counted once. A digital B2B order has an invoice paid by transfer or "
        "QRIS. Bought: paid B2B invoices and BumDes collections of buyers in a priority area's "
        "core or surrounding regencies; inside: from a supplier in the same priority area."
    )
    return panel


PANELS = {
    CAPABILITY: _capability_panel,
    LICENSING: _licensing_panel,
    STORES: _stores_panel,
    CONNECTIVITY: _connectivity_panel,
    PARTNERS: _partners_panel,
    SUPPLY: _supply_panel,
}
