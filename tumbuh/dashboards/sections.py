"""The dashboard's sections beyond onboarding: the flagship programme, capability, licensing,
stores and the BBI catalogue, connectivity, and the partners' scorecard.

**Kept by the worker within a stated delay.** Unlike the onboarding figures (folded on read from
changes the database triggers record), these facts change through many apps (enrolments, cases,
orders, the connectivity ledger's recompute, imports and merges); instrumenting each would spread
the dashboard into all of them. So :func:`refresh_sections` recomputes every section with a few
set-based aggregate queries per section (``GROUP BY`` the regency, i.e. the first five
characters of a village code), adds the regencies up to the provinces and the country in Python,
and replaces :class:`~tumbuh.dashboards.models.SectionFigure` in one transaction, stamping each
section's :class:`~tumbuh.dashboards.models.RollupClock` (``section:<name>``) with the moment the
computation started: the figures' "as of".

:func:`panels` reads only those rows (one query for the clocks, one for the region's figures, and
at most one name lookup each for the priority areas, the partners and the flagship programme);
it never counts facts. When the clocks are missing or older than :data:`SECTION_DELAY` it
enqueues ``tasks.refresh_sections_task``, at most once per delay (``cache.add`` of
:data:`ENQUEUED_KEY`), and shows the figures as of their clock — or "being computed" before the
first refresh. So a figure is at most ``SECTION_DELAY`` plus one refresh old while someone looks
at a dashboard, and ``tumbuh rebuild_rollups`` recomputes them at once.

Decisions, each a definition the pages repeat in their notes:

- **Flagship programme**: the programme with the largest ``target_count`` (then the latest
  start). Its quotas per priority area are national (an area spans regencies of several
  regions), so they are stored for the whole country only; enrolments (those holding a place:
  applied, accepted, active, completed — as the quotas count them) and completions are counted
  by the cohort's venue village, at every level.
- **Capability**: deduplicated businesses by the level of their latest assessment
  (``capability.queries.latest_levels``), by the business's village.
- **Licensing**: businesses helped to a NIB (issued cases), businesses holding a halal
  certificate valid today, each counted once (a merged record counts as its survivor); cases
  still open; and the median waiting time in whole days of the cases issued, from the case's
  first event (its opening) to its reaching "issued", as the case's events record them
  (medians are computed per region, not added up).
- **Stores and BBI**: live stores, orders placed, orders paid (a paid time and not refunded) and
  their value (``total_idr``), the part of that value from stores in 3T regencies and from
  BumDes, and the products listed in the BBI catalogue (on sale in live stores), by the store's
  village.
- **Connectivity**: villages (all of them; a village not yet in the ledger has no signal) by
  last-mile signal; villages within reach of the backbone (a fibre point of presence within
  ``Costs.fibre_max_km``, the distance up to which the planner allows fibre backhaul), with a
  middle mile, with any last-mile signal, without 4G; BTS sites by status; deduplicated
  businesses in villages without 4G.
- **Partners** (national and provincial figures only): per organisation, the deduplicated
  businesses its source records resolve to now (a record follows its business through merges),
  how many of them reached each milestone, and the duplicates it sent: records that matched an
  existing business at import (``rule`` other than ``new``) or whose business was later merged
  into another (``enterprise`` differs from ``first_enterprise``).
"""

import datetime
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation
from tumbuh.capability.queries import latest_levels
from tumbuh.capability.scoring import LEVELS
from tumbuh.catalogue.queries import listed_products
from tumbuh.connectivity.models import Backhaul, Site, Technology, VillageConnectivity
from tumbuh.core.money import local_number, rupiah, thousands
from tumbuh.dashboards.models import CODE_LENGTH, Level, RollupClock, SectionFigure
from tumbuh.dashboards.tasks import refresh_sections_task
from tumbuh.licensing.models import HalalCase, HalalCertificate, NibCase
from tumbuh.programmes.models import Enrolment, Programme, ProgrammeArea
from tumbuh.regions.models import PriorityArea, Village
from tumbuh.registry.models import Enterprise, Milestone, SourceRecord
from tumbuh.stores.models import Order, Store

SECTION_DELAY = datetime.timedelta(minutes=5)
CLOCK_PREFIX = "section:"
ENQUEUED_KEY = "dashboards:sections:enqueued"
ADVISORY_LOCK = 0x7475_6D73  # "tums": one writer of the section figures at a time (PostgreSQL)
REGENCY_LENGTH = CODE_LENGTH[Level.REGENCY]
PARTNERS_SHOWN = 10

PROGRAMME = "programme"
CAPABILITY = "capability"
LICENSING = "licensing"
STORES = "stores"
CONNECTIVITY = "connectivity"
PARTNERS = "partners"
SECTIONS = (PROGRAMME, CAPABILITY, LICENSING, STORES, CONNECTIVITY, PARTNERS)

COUNT, IDR, DAYS = (SectionFigure.Unit.COUNT, SectionFigure.Unit.IDR, SectionFigure.Unit.DAYS)
# The unit of each measure that is not a count.
UNITS = {
    "paid_value": IDR,
    "paid_value_3t": IDR,
    "paid_value_bumdes": IDR,
    "nib_waiting_days": DAYS,
    "halal_waiting_days": DAYS,
}
# Sections whose figures stop at the province.
DEEPEST = {PARTNERS: Level.PROVINCE}

# (regency code, measure, dimension) → value, additive over regions.
Facts = dict[tuple[str, str, str], int]


def _regency(column: str) -> Substr:
    return Substr(column, 1, REGENCY_LENGTH)


def _add(facts: Facts, rows, measure: str, *, dimension: str | None = None) -> None:
    """Add ``rows`` (dicts with ``region``, ``n`` and the ``dimension`` key) to ``facts``."""
    for row in rows:
        key = (row["region"], measure, str(row[dimension]) if dimension else "")
        facts[key] = facts.get(key, 0) + (row["n"] or 0)


def _levels_of(regency: str) -> tuple[tuple[str, Level], ...]:
    return (
        (regency, Level.REGENCY),
        (regency[: CODE_LENGTH[Level.PROVINCE]], Level.PROVINCE),
        ("", Level.NATIONAL),
    )


# --- the sections' facts ----------------------------------------------------------------------


def flagship_programme():
    """The flagship programme: the largest target, then the latest start (None without one)."""
    return Programme.objects.order_by("-target_count", "-starts_on", "-pk").first()


def _programme() -> tuple[Facts, list]:
    programme = flagship_programme()
    if programme is None:
        return {}, []
    national = [("programme", programme.public_id, programme.target_count, Level.NATIONAL, "")]
    for slug, quota in ProgrammeArea.objects.filter(programme=programme).values_list(
        "area__slug", "quota"
    ):
        national.append(("quota", slug, quota, Level.NATIONAL, ""))
    facts: Facts = {}
    rows = (
        Enrolment.objects.filter(cohort__programme=programme, status__in=Enrolment.HOLDS_PLACE)
        .annotate(region=_regency("cohort__venue_village_id"))
        .values("region", area=F("cohort__programme_area__area__slug"))
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
        )
        .order_by()
    )
    for row in rows:
        for measure, value in (("enrolled", row["n"]), ("completed", row["done"])):
            key = (row["region"], measure, row["area"])
            facts[key] = facts.get(key, 0) + value
    return facts, national


def _capability() -> tuple[Facts, list]:
    levels = latest_levels(Enterprise.objects.deduplicated(), length=REGENCY_LENGTH)
    return {(region, "businesses", str(level)): n for (region, level), n in levels.items()}, []


def _medians(durations: dict[str, list[float]], measure: str) -> list:
    """The median whole days per regency, province and the country of ``durations`` (seconds
    by regency)."""
    by_region: dict[tuple[str, Level], list[float]] = defaultdict(list)
    for regency, seconds in durations.items():
        for code, level in _levels_of(regency):
            by_region[(code, level)].extend(seconds)
    return [
        (measure, "", round(statistics.median(values) / 86_400), level, code)
        for (code, level), values in by_region.items()
    ]


def _licensing() -> tuple[Facts, list]:
    business = Coalesce("enterprise__merged_into_id", "enterprise_id")
    region = _regency(Coalesce("enterprise__merged_into__village_id", "enterprise__village_id"))
    facts: Facts = {}
    issued = NibCase.objects.filter(step=NibCase.Step.ISSUED).annotate(region=region)
    _add(facts, issued.values("region").annotate(n=Count(business, distinct=True)), "nib_issued")
    certificates = HalalCertificate.objects.valid_on(timezone.localdate()).annotate(region=region)
    _add(
        facts,
        certificates.values("region").annotate(n=Count(business, distinct=True)),
        "halal_certified",
    )
    figures = []
    for model, prefix in ((NibCase, "nib"), (HalalCase, "halal")):
        cases = model.objects.annotate(region=region)
        _add(
            facts,
            cases.exclude(step=model.Step.ISSUED).values("region").annotate(n=Count("pk")),
            f"{prefix}_open",
        )
        durations: dict[str, list[float]] = defaultdict(list)
        issued = (
            cases.filter(step=model.Step.ISSUED)
            .annotate(opened=Min("events__at"))
            .values_list("region", "opened", "step_entered_at")
        )
        for code, opened, entered in issued.iterator(chunk_size=5_000):
            durations[code].append(max((entered - opened).total_seconds(), 0))
        figures += _medians(durations, f"{prefix}_waiting_days")
    return facts, figures


def _stores() -> tuple[Facts, list]:
    facts: Facts = {}
    region = _regency("village_id")
    _add(
        facts,
        Store.objects.live().annotate(region=region).values("region").annotate(n=Count("pk")),
        "stores_live",
    )
    paid = Q(paid_at__isnull=False) & ~Q(status=Order.Status.REFUNDED)
    rows = (
        Order.objects.annotate(region=_regency("store__village_id"))
        .values("region")
        .annotate(
            n=Count("pk"),
            paid=Count("pk", filter=paid),
            value=Sum("total_idr", filter=paid),
            value_3t=Sum("total_idr", filter=paid & Q(store__village__regency__is_3t=True)),
            value_bumdes=Sum(
                "total_idr", filter=paid & Q(store__enterprise__kind=Enterprise.Kind.BUMDES)
            ),
        )
        .order_by()
    )
    for row in rows:
        for measure, key in (
            ("orders", "n"),
            ("orders_paid", "paid"),
            ("paid_value", "value"),
            ("paid_value_3t", "value_3t"),
            ("paid_value_bumdes", "value_bumdes"),
        ):
            facts[(row["region"], measure, "")] = row[key] or 0
    _add(
        facts,
        listed_products()
        .annotate(region=_regency("store__village_id"))
        .values("region")
        .annotate(n=Count("pk"))
        .order_by(),
        "products_listed",
    )
    return facts, []


def _connectivity() -> tuple[Facts, list]:
    # The planning package imports the solvers: only the worker needs them.
    from tumbuh.connectivity.planning.costs import Costs

    facts: Facts = {}
    villages = dict(Village.objects.values_list("regency_id").annotate(n=Count("pk")).order_by())
    for regency, n in villages.items():
        facts[(regency, "villages", "")] = n
    ledger = VillageConnectivity.objects.annotate(region=F("village__regency_id"))
    by_signal: dict[str, dict[str, int]] = defaultdict(dict)
    for row in ledger.values("region", "last_mile").annotate(n=Count("pk")).order_by():
        by_signal[row["region"]][row["last_mile"]] = row["n"]
    for regency, total in villages.items():
        counts = by_signal.get(regency, {})
        in_ledger = sum(counts.values())
        for technology in Technology.values:
            n = counts.get(technology, 0) + (total - in_ledger if technology == "none" else 0)
            if n:
                facts[(regency, "villages_signal", technology)] = n
        with_4g = counts.get(Technology.G4, 0)
        facts[(regency, "villages_last_mile", "")] = in_ledger - counts.get(Technology.NONE, 0)
        facts[(regency, "villages_without_4g", "")] = total - with_4g
    layers = ledger.values("region").annotate(
        backbone=Count("pk", filter=Q(fibre_distance_km__lte=Costs().fibre_max_km)),
        middle=Count("pk", filter=~Q(middle_mile=Backhaul.NONE)),
    )
    for row in layers.order_by():
        facts[(row["region"], "villages_backbone", "")] = row["backbone"]
        facts[(row["region"], "villages_middle_mile", "")] = row["middle"]
    _add(
        facts,
        Site.objects.annotate(region=F("village__regency_id"))
        .values("region", "status")
        .annotate(n=Count("pk"))
        .order_by(),
        "sites",
        dimension="status",
    )
    waiting = (
        Enterprise.objects.deduplicated()
        .exclude(village__connectivity__last_mile=Technology.G4)
        .annotate(region=F("village__regency_id"))
        .values("region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    _add(facts, waiting, "businesses_waiting")
    return facts, []


def _partners() -> tuple[Facts, list]:
    facts: Facts = {}
    records = SourceRecord.objects.annotate(region=_regency("enterprise__village_id"))
    survivors = records.filter(enterprise__merged_into__isnull=True)
    _add(
        facts,
        survivors.values("region", "organisation_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by(),
        "businesses",
        dimension="organisation_id",
    )
    carried = (
        survivors.values("region", "organisation_id", kind=F("enterprise__milestones__kind"))
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    )
    for row in carried:
        if row["kind"] is None:  # a business with no milestone yet (one join, no filter)
            continue
        key = (row["region"], "carried", f"{row['organisation_id']}:{row['kind']}")
        facts[key] = facts.get(key, 0) + row["n"]
    duplicates = records.filter(
        ~Q(rule=SourceRecord.Rule.NEW) | ~Q(enterprise_id=F("first_enterprise_id"))
    )
    _add(
        facts,
        duplicates.values("region", "organisation_id").annotate(n=Count("pk")).order_by(),
        "duplicates",
        dimension="organisation_id",
    )
    return facts, []


COMPUTE = {
    PROGRAMME: _programme,
    CAPABILITY: _capability,
    LICENSING: _licensing,
    STORES: _stores,
    CONNECTIVITY: _connectivity,
    PARTNERS: _partners,
}


def _rows(section: str, facts: Facts, figures: list) -> list[SectionFigure]:
    deepest = DEEPEST.get(section, Level.REGENCY)
    totals: dict[tuple[str, Level, str, str], int] = defaultdict(int)
    for (regency, measure, dimension), value in facts.items():
        for code, level in _levels_of(regency):
            if level <= deepest:
                totals[(code, level, measure, dimension)] += value
    for measure, dimension, value, level, code in figures:
        if level <= deepest:
            totals[(code, level, measure, dimension)] = value
    return [
        SectionFigure(
            section=section,
            region_code=code,
            level=level,
            measure=measure,
            dimension=dimension,
            value=value,
            unit=UNITS.get(measure, COUNT),
        )
        for (code, level, measure, dimension), value in totals.items()
    ]


def refresh_sections() -> dict:
    """Recompute every section's figures and replace them in one transaction.

    Returns the number of rows written per section and the seconds taken.
    """
    started = time.perf_counter()
    as_of = timezone.now()
    rows = {section: _rows(section, *COMPUTE[section]()) for section in SECTIONS}
    computed = time.perf_counter() - started
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        SectionFigure.objects.all().delete()
        for section in SECTIONS:
            SectionFigure.objects.bulk_create(rows[section], batch_size=5_000)
            RollupClock.objects.update_or_create(
                name=f"{CLOCK_PREFIX}{section}",
                defaults={"as_of": as_of, "changes_applied": 0, "rebuilt_at": timezone.now()},
            )
    return {
        "rows": {section: len(rows[section]) for section in SECTIONS},
        "compute_seconds": round(computed, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }


# --- the panels -------------------------------------------------------------------------------


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
    the table (``table()`` gives it as plain values for a CSV or XLSX download).
    """

    key: str
    title: str
    as_of: datetime.datetime | None
    figures: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    note: str = ""

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


def panels(region_code: str) -> list[Panel]:
    """The sections' panels for ``region_code`` ("" national; a district or village shows its
    regency's figures, the deepest the sections go)."""
    region_code = region_code[:REGENCY_LENGTH]
    clocks = _clocks()
    if _is_stale(clocks) and _request_refresh():
        clocks = _clocks()  # a test's immediate backend has refreshed them already
    figures: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for section, measure, dimension, value in SectionFigure.objects.filter(
        region_code=region_code
    ).values_list("section", "measure", "dimension", "value"):
        figures[section][(measure, dimension)] = value
    level = len(region_code)
    result = [
        _programme_panel(figures[PROGRAMME], clocks.get(PROGRAMME), national=not region_code),
        _capability_panel(figures[CAPABILITY], clocks.get(CAPABILITY)),
        _licensing_panel(figures[LICENSING], clocks.get(LICENSING)),
        _stores_panel(figures[STORES], clocks.get(STORES)),
        _connectivity_panel(figures[CONNECTIVITY], clocks.get(CONNECTIVITY)),
    ]
    if level <= CODE_LENGTH[DEEPEST[PARTNERS]]:
        result.append(_partners_panel(figures[PARTNERS], clocks.get(PARTNERS)))
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
    is not asked for: the sections go down to the regency.
    """
    if len(region_code) > CODE_LENGTH[DEEPEST.get(key, Level.REGENCY)]:
        return None
    clocks = _clocks()
    if _is_stale(clocks) and _request_refresh():
        clocks = _clocks()
    stored = list(
        SectionFigure.objects.filter(section=key, region_code=region_code)
        .order_by("measure", "dimension")
        .values_list("measure", "dimension", "value", "unit")
    )
    figures = {(measure, dimension): value for measure, dimension, value, _unit in stored}
    if key == PROGRAMME:
        panel = _programme_panel(figures, clocks.get(key), national=not region_code)
    else:
        panel = PANELS[key](figures, clocks.get(key))
    labels = _labels(key, {dimension for _m, dimension, _v, _u in stored})
    return panel, [
        Figure(measure, dimension, labels.get(dimension, ""), value, unit)
        for measure, dimension, value, unit in stored
    ]


def _labels(key: str, dimensions: set[str]) -> dict[str, str]:
    """The names of a section's dimensions (a priority area's slug, a level's number, ...)."""
    if key == PROGRAMME:
        names = dict(PriorityArea.objects.filter(slug__in=dimensions).values_list("slug", "name"))
        names |= dict(
            Programme.objects.filter(public_id__in=dimensions).values_list("public_id", "name")
        )
        return {str(code): str(name) for code, name in names.items()}
    if key == CAPABILITY:
        return {str(level.number): str(level.name) for level in LEVELS}
    if key == CONNECTIVITY:
        return {
            str(value): str(label) for value, label in [*Technology.choices, *Site.Status.choices]
        }
    if key == PARTNERS:
        organisations = {dimension.split(":")[0] for dimension in dimensions}
        names = {
            str(pk): name
            for pk, name in Organisation.objects.filter(
                pk__in=[int(org) for org in organisations if org.isdigit()]
            ).values_list("pk", "name")
        }
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
    panel = Panel(PROGRAMME, _("Flagship programme by priority area"), as_of)
    quota = _dimensions(figures, "quota")
    enrolled = _dimensions(figures, "enrolled")
    completed = _dimensions(figures, "completed")
    slugs = sorted(set(quota) | set(enrolled))
    names = dict(PriorityArea.objects.filter(slug__in=slugs).values_list("slug", "name"))
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
        panel.note = _("Quotas are set for whole priority areas: see the national dashboard.")
    for slug in sorted(slugs, key=lambda slug: names.get(slug, slug)):
        cells = [_count(enrolled.get(slug, 0)), _count(completed.get(slug, 0))]
        if national:
            cells = [
                _count(quota.get(slug)),
                *cells,
                _percent(enrolled.get(slug, 0), quota.get(slug)),
            ]
        panel.rows.append(Row(names.get(slug, slug), cells))
    if panel.rows:
        totals = [sum(enrolled.values()), sum(completed.values())]
        cells = [_count(value) for value in totals]
        if national:
            whole = sum(quota.values())
            cells = [_count(whole), *cells, _percent(totals[0], whole)]
        panel.rows.append(Row(_("All areas"), cells))
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


def _connectivity_panel(figures: dict, as_of) -> Panel:
    panel = Panel(CONNECTIVITY, _("Connectivity per layer"), as_of)
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
    sites = _dimensions(figures, "sites")
    panel.figures = [
        (_("BTS sites %(status)s") % {"status": label}, thousands(sites.get(status, 0)))
        for status, label in Site.Status.choices
    ]
    panel.figures.append(
        (_("Businesses waiting for 4G"), thousands(figures.get(("businesses_waiting", ""), 0)))
    )
    return panel


def _partners_panel(figures: dict, as_of) -> Panel:
    panel = Panel(PARTNERS, _("Partners' scorecard"), as_of)
    brought = _dimensions(figures, "businesses")
    duplicates = _dimensions(figures, "duplicates")
    carried = _dimensions(figures, "carried")
    top = sorted(brought, key=lambda org: (-brought[org], int(org)))[:PARTNERS_SHOWN]
    names = {
        str(pk): name
        for pk, name in Organisation.objects.filter(pk__in=[int(org) for org in top]).values_list(
            "pk", "name"
        )
    }
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


PANELS = {
    CAPABILITY: _capability_panel,
    LICENSING: _licensing_panel,
    STORES: _stores_panel,
    CONNECTIVITY: _connectivity_panel,
    PARTNERS: _partners_panel,
}
