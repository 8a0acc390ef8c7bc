"""The sections' figures: recomputed by the worker from the other apps' tables.

**Kept by the worker within a stated delay.** Unlike the onboarding figures (folded on read from
changes the database triggers record), these facts change through many apps (enrolments, cases,
orders, the connectivity ledger's recompute, imports and merges); instrumenting each would spread
the dashboard into all of them. So :func:`refresh_sections` recomputes every section with a few
set-based aggregate queries per section (``GROUP BY`` the regency, i.e. the first five
characters of a village code), adds the regencies up to the provinces and the country in Python,
and replaces :class:`~tumbuh.dashboards.models.SectionFigure` in one transaction, stamping each
section's :class:`~tumbuh.dashboards.models.RollupClock` (``section:<name>``) with the moment the
computation started: the figures' "as of". The pages read them through
:mod:`tumbuh.dashboards.sections.panels`.

Decisions, each a definition the pages repeat in their notes:

- **Flagship programme**: the programme with the largest ``target_count`` (then the latest
  start). Its quotas per priority area are national (an area spans regencies of several
  regions), so they are stored for the whole country only; enrolments (those holding a place:
  applied, accepted, active, completed — as the quotas count them) and completions are counted
  by the cohort's venue village, at every level. The same per partner, the organisation that
  runs the cohort (``Cohort.partner``), in each priority area (dimension ``<organisation
  id>:<area slug>``: ``partner_enrolled``, ``partner_completed``, and the partner's share of
  the area's quota, ``partner_quota``, national like the areas' quotas).
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
  businesses in villages without 4G. **Against plan**: the picks of the latest ready
  :class:`~tumbuh.connectivity.models.SitePlan` (:func:`latest_ready_plan`, national or of one
  region) by the village of the pick (``plan_picks``, dimension the plan's public id), and of
  them those adopted for build tracking by the status of their site (``plan_sites``, dimension
  the status: ``connectivity.services.adopt_plan`` links each pick to the ``Site`` it creates,
  ``PlannedSite.site``); picks not yet adopted are the difference.
- **Partners** (national and provincial figures only): per organisation, the deduplicated
  businesses its source records resolve to now (a record follows its business through merges),
  how many of them reached each milestone, and the duplicates it sent: records that matched an
  existing business at import (``rule`` other than ``new``) or whose business was later merged
  into another (``enterprise`` differs from ``first_enterprise``).
- **Supply chains** (``supply.chain``, whose docstring gives the roles' rules): processors in
  the chain, trained ones (milestone ``trained``) and of them those with a B2B order paid by
  transfer or QRIS, by the processor's village; the B2B value paid (invoices) by the buyer's
  village; what the buyers in a priority area's core or surrounding regencies bought (paid B2B
  invoices and BumDes collections) and the part of it from suppliers in a priority area the
  buyer's regency belongs to as well. Each business counts once (a merged record as its
  survivor). No monthly series yet.

**Monthly series** (:class:`~tumbuh.dashboards.models.SectionSeries`) of the measures that are
events, by the month they happened in Western Indonesian Time, with one grouped query each (``GROUP
BY`` the regency and the month, added up to the provinces and the country like the figures),
replaced in the same transaction:

- **Flagship programme**: ``enrolled``, the enrolments holding a place by the month of the
  application (``applied_at``: the place is taken then, as the quotas count it), and
  ``completed``, the completions by the month of ``completed_at`` (the services stamp it; a
  completed row without it counts in the month it last changed); so each line ends at the
  section's totals.
- **Licensing**: ``nib_issued``, the businesses whose NIB case reached "issued" that month
  (``step_entered_at``; a business once a month), and ``halal_issued``, the halal certificates
  by their date of issue (``issued_on``): certificates issued, not the businesses holding a
  valid one today, which is the figure ``halal_certified``.
- **Stores and BBI**: ``orders_paid`` and ``paid_value`` (rupiah) by the month of payment
  (``paid_at``), a refunded order not counted, as in the totals.
- **Connectivity**: ``sites_on_air``, the BTS sites whose status event (``SiteEvent``, written
  by the services and the imports) put them on air that month (``occurred_on``), each site
  once a month; a site back on air after being off air counts again.

Capability levels and the partners' scorecard are stocks, not flows (a business's latest
level; the businesses a partner brought), and have no series.
"""

import datetime
import statistics
import time
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Min, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone

from tumbuh.capability.queries import latest_levels
from tumbuh.catalogue.queries import listed_products
from tumbuh.connectivity.models import (
    Backhaul,
    PlannedSite,
    Site,
    SiteEvent,
    SitePlan,
    Technology,
    VillageConnectivity,
)
from tumbuh.core.times import WIB, ZONES
from tumbuh.dashboards.models import (
    CODE_LENGTH,
    Level,
    RollupClock,
    SectionFigure,
    SectionSeries,
)
from tumbuh.licensing.models import HalalCase, HalalCertificate, NibCase
from tumbuh.programmes.models import Enrolment, PartnerQuota, Programme, ProgrammeArea
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, SourceRecord
from tumbuh.stores.models import Order, Store
from tumbuh.supply.chain import regency_facts

SECTION_DELAY = datetime.timedelta(minutes=5)
CLOCK_PREFIX = "section:"
ENQUEUED_KEY = "dashboards:sections:enqueued"
ADVISORY_LOCK = 0x7475_6D73  # "tums": one writer of the section figures at a time (PostgreSQL)
REGENCY_LENGTH = CODE_LENGTH[Level.REGENCY]

PROGRAMME = "programme"
CAPABILITY = "capability"
LICENSING = "licensing"
STORES = "stores"
CONNECTIVITY = "connectivity"
PARTNERS = "partners"
SUPPLY = "supply"
SECTIONS = (PROGRAMME, CAPABILITY, LICENSING, STORES, CONNECTIVITY, PARTNERS, SUPPLY)

COUNT, IDR, DAYS = (SectionFigure.Unit.COUNT, SectionFigure.Unit.IDR, SectionFigure.Unit.DAYS)
# The unit of each measure that is not a count.
UNITS = {
    "paid_value": IDR,
    "paid_value_3t": IDR,
    "paid_value_bumdes": IDR,
    "nib_waiting_days": DAYS,
    "halal_waiting_days": DAYS,
    "b2b_value": IDR,
    "bought_value": IDR,
    "bought_inside_value": IDR,
}
# Sections whose figures stop at the province.
DEEPEST = {PARTNERS: Level.PROVINCE}

# (regency code, measure, dimension) → value, additive over regions.
Facts = dict[tuple[str, str, str], int]
# (regency code, measure, first day of the month) → value, additive over regions and months.
Monthly = dict[tuple[str, str, datetime.date], int]


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


def _month(column: str, *, is_moment: bool = True) -> TruncMonth:
    """The first day of the month of ``column`` in Western Indonesian Time (a date column
    already holds a local day). Django writes it for each engine: ``date_trunc`` of the moment
    at time zone Asia/Jakarta on PostgreSQL, its own function with the same zone on SQLite."""
    if is_moment:
        return TruncMonth(column, output_field=DateField(), tzinfo=ZONES[WIB])
    return TruncMonth(column)


def _add_months(monthly: Monthly, rows, measure: str, *, key: str = "n") -> None:
    """Add ``rows`` (dicts with ``region``, ``month`` and ``key``) to ``monthly``."""
    for row in rows:
        if not row[key]:
            continue
        at = (row["region"], measure, row["month"])
        monthly[at] = monthly.get(at, 0) + row[key]


def _business() -> Coalesce:
    """A business as it counts now: a merged record counts as its survivor."""
    return Coalesce("enterprise__merged_into_id", "enterprise_id")


def _business_region() -> Substr:
    """The regency of a business as it counts now (its survivor's village)."""
    return _regency(Coalesce("enterprise__merged_into__village_id", "enterprise__village_id"))


# --- the sections' facts ----------------------------------------------------------------------


def flagship_programme():
    """The flagship programme: the largest target, then the latest start (None without one)."""
    return Programme.objects.order_by("-target_count", "-starts_on", "-pk").first()


def _programme() -> tuple[Facts, list, Monthly]:
    programme = flagship_programme()
    if programme is None:
        return {}, [], {}
    national = [("programme", programme.public_id, programme.target_count, Level.NATIONAL, "")]
    for slug, quota in ProgrammeArea.objects.filter(programme=programme).values_list(
        "area__slug", "quota"
    ):
        national.append(("quota", slug, quota, Level.NATIONAL, ""))
    for partner, slug, quota in PartnerQuota.objects.filter(
        programme_area__programme=programme
    ).values_list("partner_id", "programme_area__area__slug", "quota"):
        national.append(("partner_quota", f"{partner}:{slug}", quota, Level.NATIONAL, ""))
    facts: Facts = {}
    rows = (
        Enrolment.objects.filter(cohort__programme=programme, status__in=Enrolment.HOLDS_PLACE)
        .annotate(region=_regency("cohort__venue_village_id"))
        .values(
            "region", area=F("cohort__programme_area__area__slug"), partner=F("cohort__partner_id")
        )
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
        )
        .order_by()
    )
    for row in rows:
        by_partner = f"{row['partner']}:{row['area']}"
        for measure, dimension, value in (
            ("enrolled", row["area"], row["n"]),
            ("completed", row["area"], row["done"]),
            ("partner_enrolled", by_partner, row["n"]),
            ("partner_completed", by_partner, row["done"]),
        ):
            key = (row["region"], measure, dimension)
            facts[key] = facts.get(key, 0) + value
    monthly: Monthly = {}
    enrolments = Enrolment.objects.filter(cohort__programme=programme).annotate(
        region=_regency("cohort__venue_village_id")
    )
    # A place is taken when the business applies (the quotas count applications).
    _add_months(
        monthly,
        enrolments.filter(status__in=Enrolment.HOLDS_PLACE)
        .values("region", month=_month("applied_at"))
        .annotate(n=Count("pk"))
        .order_by(),
        "enrolled",
    )
    # The services stamp every completion; a row without the stamp (loaded another way) counts
    # in the month it last changed, so the months still add up to the completions.
    _add_months(
        monthly,
        enrolments.filter(status=Enrolment.Status.COMPLETED)
        .values("region", month=_month(Coalesce("completed_at", "updated_at")))
        .annotate(n=Count("pk"))
        .order_by(),
        "completed",
    )
    return facts, national, monthly


def _capability() -> tuple[Facts, list, Monthly]:
    levels = latest_levels(Enterprise.objects.deduplicated(), length=REGENCY_LENGTH)
    facts = {(region, "businesses", str(level)): n for (region, level), n in levels.items()}
    return facts, [], {}  # a stock (each business's latest level): no monthly series


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


def _licensing() -> tuple[Facts, list, Monthly]:
    business, region = _business(), _business_region()
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
    monthly: Monthly = {}
    _add_months(
        monthly,
        NibCase.objects.filter(step=NibCase.Step.ISSUED)
        .annotate(region=region)
        .values("region", month=_month("step_entered_at"))
        .annotate(n=Count(business, distinct=True))
        .order_by(),
        "nib_issued",
    )
    _add_months(
        monthly,
        HalalCertificate.objects.annotate(region=region)
        .values("region", month=_month("issued_on", is_moment=False))
        .annotate(n=Count("pk"))
        .order_by(),
        "halal_issued",
    )
    return facts, figures, monthly


def _stores() -> tuple[Facts, list, Monthly]:
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
    monthly: Monthly = {}
    by_month = list(
        Order.objects.filter(paid)
        .annotate(region=_regency("store__village_id"))
        .values("region", month=_month("paid_at"))
        .annotate(n=Count("pk"), value=Sum("total_idr"))
        .order_by()
    )
    _add_months(monthly, by_month, "orders_paid")
    _add_months(monthly, by_month, "paid_value", key="value")
    return facts, [], monthly


def _connectivity() -> tuple[Facts, list, Monthly]:
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
    plan = latest_ready_plan()
    if plan is not None:
        picks = (
            PlannedSite.objects.filter(plan=plan)
            .annotate(region=F("village__regency_id"))
            .values("region", status=F("site__status"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in picks:
            key = (row["region"], "plan_picks", plan.public_id)
            facts[key] = facts.get(key, 0) + row["n"]
            if row["status"]:  # adopted: the pick's site is tracked
                key = (row["region"], "plan_sites", row["status"])
                facts[key] = facts.get(key, 0) + row["n"]
    monthly: Monthly = {}
    _add_months(
        monthly,
        SiteEvent.objects.filter(to_status=Site.Status.ON_AIR)
        .annotate(region=_regency("site__village_id"))
        .values("region", month=_month("occurred_on", is_moment=False))
        .annotate(n=Count("site_id", distinct=True))
        .order_by(),
        "sites_on_air",
    )
    return facts, [], monthly


def latest_ready_plan() -> SitePlan | None:
    """The site plan the connectivity section measures against: the latest to become ready."""
    return (
        SitePlan.objects.filter(status=SitePlan.Status.READY)
        .order_by(F("finished_at").desc(nulls_last=True), "-created_at", "-pk")
        .first()
    )


def _partners() -> tuple[Facts, list, Monthly]:
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
    return facts, [], {}  # stocks (businesses brought, milestones reached): no monthly series


def _supply() -> tuple[Facts, list, Monthly]:
    # The supply app reads its own tables once and works the roles out.
    facts: Facts = {}
    for regency, measures in regency_facts().items():
        for measure, value in (
            ("processors", measures.processors),
            ("processors_trained", measures.processors_trained),
            ("processors_trained_digital", measures.processors_trained_digital),
            ("b2b_value", measures.b2b_value_idr),
            ("bought_value", measures.bought_value_idr),
            ("bought_inside_value", measures.bought_inside_value_idr),
        ):
            if value:
                facts[(regency, measure, "")] = value
    return facts, [], {}  # processors are a stock; B2B value is kept as a total for now


COMPUTE = {
    PROGRAMME: _programme,
    CAPABILITY: _capability,
    LICENSING: _licensing,
    STORES: _stores,
    CONNECTIVITY: _connectivity,
    PARTNERS: _partners,
    SUPPLY: _supply,
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


def _series_rows(section: str, monthly: Monthly) -> list[SectionSeries]:
    """The regencies' months added up to their provinces and the country."""
    totals: dict[tuple[str, Level, str, datetime.date], int] = defaultdict(int)
    for (regency, measure, month), value in monthly.items():
        for code, level in _levels_of(regency):
            totals[(code, level, measure, month)] += value
    return [
        SectionSeries(
            section=section,
            measure=measure,
            level=level,
            region_code=code,
            month=month,
            value=value,
        )
        for (code, level, measure, month), value in totals.items()
    ]


def refresh_sections() -> dict:
    """Recompute every section's figures and monthly series and replace them in one
    transaction.

    Returns the number of rows written per section (``rows``, ``series``) and the seconds taken.
    """
    started = time.perf_counter()
    as_of = timezone.now()
    rows, series = {}, {}
    for section in SECTIONS:
        facts, figures, monthly = COMPUTE[section]()
        rows[section] = _rows(section, facts, figures)
        series[section] = _series_rows(section, monthly)
    computed = time.perf_counter() - started
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        SectionFigure.objects.all().delete()
        SectionSeries.objects.all().delete()
        for section in SECTIONS:
            SectionFigure.objects.bulk_create(rows[section], batch_size=5_000)
            SectionSeries.objects.bulk_create(series[section], batch_size=5_000)
            RollupClock.objects.update_or_create(
                name=f"{CLOCK_PREFIX}{section}",
                defaults={"as_of": as_of, "changes_applied": 0, "rebuilt_at": timezone.now()},
            )
    return {
        "rows": {section: len(rows[section]) for section in SECTIONS},
        "series": {section: len(series[section]) for section in SECTIONS},
        "compute_seconds": round(computed, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
