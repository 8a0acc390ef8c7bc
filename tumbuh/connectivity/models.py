"""The connectivity ledger: the three infrastructure layers per village, and the plans to fill it.

Last mile (BTS sites and the coverage they give), middle mile (satellite, microwave, fibre
backhaul) and backbone (fibre points of presence). Every fact carries its source and date.
``VillageConnectivity`` is the ledger's summary row per village, recomputed from the sites and
the reported facts by ``coverage.recompute``; ``SitePlan`` holds a budgeted plan and its picks,
which become ``Site`` rows tracked from planned to on air.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Organisation
from tumbuh.regions.models import Village
from tumbuh.registry.models import new_public_id

# The source of every row of the demo's synthetic network (tumbuh/connectivity/demo.py). Pages,
# exports and API answers that show the ledger say so whenever a row with this source is in it
# (``queries.synthetic_in_ledger``): coverage, blank spots, rankings and plans derive from them.
SYNTHETIC_SOURCE = "Demo sintetis (bukan data nyata)"


class Technology(models.TextChoices):
    """Last-mile mobile coverage, from none to 4G; the order is the order of the values."""

    NONE = "none", _("no signal")
    G2 = "2g", _("2G")
    G3 = "3g", _("3G")
    G4 = "4g", _("4G")


TECHNOLOGY_RANK = {value: rank for rank, value in enumerate(Technology.values)}


class Backhaul(models.TextChoices):
    """How a site or a village reaches the backbone (the middle mile)."""

    NONE = "none", _("none")
    SATELLITE = "satellite", _("satellite")
    MICROWAVE = "microwave", _("microwave")
    FIBRE = "fibre", _("fibre")


class Terrain(models.TextChoices):
    FLAT = "flat", _("flat")
    HILLY = "hilly", _("hilly")
    MOUNTAINOUS = "mountainous", _("mountainous")


class PointOfPresence(models.Model):
    """A fibre point of presence on the backbone (e.g. Palapa Ring), where backhaul can connect."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    operator = models.CharField(_("operator"), max_length=60, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=150)
    source_date = models.DateField(_("source date"))
    updated_at = models.DateTimeField(auto_now=True)

    region_field = "village__code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("fibre point of presence")
        verbose_name_plural = _("fibre points of presence")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_synthetic(self) -> bool:
        return self.source == SYNTHETIC_SOURCE


class SitePlan(models.Model):
    """A budgeted plan: which candidate sites to build, with which backhaul, and why.

    The parameters (costs, weights, equity rules, time limit) are kept as given, and the
    solver's result as reported: objective, proven bound and gap, and the other solver's result
    for comparison.

    A plan is solved by a background task (``plan_runs.run_plan``): it is queued, then running
    through its phases (preparing the data, solving, comparing, writing) with the worker's
    heartbeat, and ends ready, failed (``error`` says why, in the language of the person who
    asked) or cancelled. Its picks are written in one transaction with the move to ready, so a
    plan that did not get there has none. Status moves along ``TRANSITIONS`` only, each move
    with an audit event.
    """

    class Solver(models.TextChoices):
        MILP = "milp", _("exact (mixed-integer programme, HiGHS)")
        GREEDY = "greedy", _("fast (greedy)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being planned")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.CANCELLED, Status.FAILED},
        # back to the queue when its worker stopped (it starts again from the beginning)
        Status.RUNNING: {Status.READY, Status.FAILED, Status.CANCELLED, Status.QUEUED},
        Status.READY: set(),
        Status.FAILED: set(),
        Status.CANCELLED: set(),
    }
    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    class Phase(models.TextChoices):
        """The steps of a running plan, in order."""

        PREPARING = "preparing", _("preparing the data")
        SOLVING = "solving", _("solving")
        COMPARING = "comparing", _("solving with the other solver, to compare")
        WRITING = "writing", _("writing the results")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("name"), max_length=150)
    region_code = models.CharField(
        _("region"), max_length=13, blank=True, help_text=_("Empty for a national plan.")
    )
    budget_idr = models.BigIntegerField(_("budget (Rp)"))
    solver = models.CharField(_("solver"), max_length=8, choices=Solver.choices)
    parameters = models.JSONField(default=dict, help_text="Costs, weights and equity rules used.")
    cost_idr = models.BigIntegerField(default=0)
    covered_enterprises = models.PositiveIntegerField(default=0)
    covered_people = models.PositiveBigIntegerField(default=0)
    objective = models.FloatField(default=0)
    bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    # The solver's outcome: "optimal", "time_limit" (the best found in time) or "heuristic".
    solver_status = models.CharField(max_length=12, blank=True)
    seconds = models.FloatField(default=0)
    comparison = models.JSONField(default=dict, blank=True, help_text="The other solver's summary.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    # Why it failed: a ``ConnectivityError`` code and the message.
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    # The language of the person who asked: the picks' reasons and the error are written in it.
    language = models.CharField(max_length=8, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The running worker's last sign of life, and how many times a worker started the plan.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    region_field = "region_code"
    MAX_ATTEMPTS = 3

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("site plan")
        verbose_name_plural = _("site plans")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("connectivity:plan-detail", args=[self.public_id])

    @property
    def is_active(self) -> bool:
        """Queued or running: its page shows the progress."""
        return self.status in self.ACTIVE_STATUSES

    @property
    def time_limit_seconds(self) -> float | None:
        return self.parameters.get("time_limit")

    @property
    def phase_solver(self) -> str:
        """The solver of the phase running now: the plan's own, or the other one comparing."""
        if self.phase == self.Phase.SOLVING:
            return self.solver
        if self.phase == self.Phase.COMPARING:
            return self.Solver.GREEDY if self.solver == self.Solver.MILP else self.Solver.MILP
        return ""

    def phase_seconds(self, now: datetime.datetime | None = None) -> float | None:
        """Seconds since the phase running now began."""
        if self.status != self.Status.RUNNING or self.phase_started_at is None:
            return None
        return max(0.0, ((now or timezone.now()) - self.phase_started_at).total_seconds())

    def solve_percent(self, now: datetime.datetime | None = None) -> int | None:
        """While the exact solver runs: the share of its time limit used so far (it stops at
        the limit at the latest). None otherwise: the greedy's length is not known ahead."""
        seconds, limit = self.phase_seconds(now), self.time_limit_seconds
        if seconds is None or not limit or self.phase_solver != self.Solver.MILP:
            return None
        return min(100, round(100 * seconds / limit))

    def progress_percent(self, now: datetime.datetime | None = None) -> int | None:
        """How far the plan is, at least: 0 queued, 100 ended; while running, the steps done
        and the share of the exact solver's time limit used. None while running a step whose
        length is not known (the data, the greedy)."""
        if not self.is_active:
            return 100
        if self.status == self.Status.QUEUED:
            return 0
        compare = self.parameters.get("compare", True)
        solve_span = 40 if compare else 80
        start = {
            self.Phase.PREPARING: 0,
            self.Phase.SOLVING: 10,
            self.Phase.COMPARING: 10 + solve_span,
            self.Phase.WRITING: 90,
        }.get(self.phase, 0)
        if self.phase in (self.Phase.SOLVING, self.Phase.COMPARING):
            share = self.solve_percent(now)
            return None if share is None else start + round(solve_span * share / 100)
        return None if self.phase == self.Phase.PREPARING else start


class Site(models.Model):
    """A BTS site: where, whose, which technology, its backhaul, and how far it is built.

    Status moves along ``TRANSITIONS`` only, each change with a ``SiteEvent``. Only sites on air
    give coverage. ``village`` is the village whose centre is nearest to the site.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONTRACTED = "contracted", _("contracted")
        UNDER_CONSTRUCTION = "under_construction", _("under construction")
        ON_AIR = "on_air", _("on air")
        OFF_AIR = "off_air", _("off air")

    TRANSITIONS = {
        Status.PLANNED: {Status.CONTRACTED},
        Status.CONTRACTED: {Status.UNDER_CONSTRUCTION},
        Status.UNDER_CONSTRUCTION: {Status.ON_AIR},
        Status.ON_AIR: {Status.OFF_AIR},
        Status.OFF_AIR: {Status.ON_AIR},
    }

    class Funding(models.TextChoices):
        STATE = "state", _("state (BAKTI)")
        OPERATOR = "operator", _("operator")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    operator = models.CharField(_("operator"), max_length=60)
    code = models.CharField(_("site code"), max_length=40)
    name = models.CharField(_("name"), max_length=150, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    technology = models.CharField(
        _("technology"), max_length=4, choices=Technology.choices, default=Technology.G4
    )
    terrain = models.CharField(
        _("terrain"), max_length=12, choices=Terrain.choices, default=Terrain.FLAT
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    backhaul = models.CharField(
        _("backhaul"), max_length=10, choices=Backhaul.choices, default=Backhaul.NONE
    )
    funding = models.CharField(_("funding"), max_length=10, choices=Funding.choices)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    contracted_on = models.DateField(_("contracted on"), null=True, blank=True)
    built_on = models.DateField(_("built on"), null=True, blank=True)
    on_air_on = models.DateField(_("on air since"), null=True, blank=True)
    plan = models.ForeignKey(
        SitePlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites"
    )
    source = models.CharField(_("source"), max_length=150)
    source_date = models.DateField(_("source date"))
    updated_at = models.DateTimeField(auto_now=True)

    region_field = "village__code"

    class Meta:
        ordering = ["operator", "code"]
        verbose_name = _("BTS site")
        verbose_name_plural = _("BTS sites")
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="site_unique_code"),
        ]
        indexes = [
            models.Index(fields=["status"], name="site_status_idx"),
            # Finds the synthetic demo network's rows (SYNTHETIC_SOURCE) without a scan.
            models.Index(fields=["source"], name="site_source_idx"),
        ]

    def __str__(self):
        return f"{self.operator} {self.code}"

    def get_absolute_url(self):
        return reverse("connectivity:site-detail", args=[self.public_id])

    @property
    def is_synthetic(self) -> bool:
        return self.source == SYNTHETIC_SOURCE


class SiteEvent(models.Model):
    """One change of a site's status: from, to, when, who, and a note."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    occurred_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.site}: {self.from_status or '-'} → {self.to_status}"


class PlannedSite(models.Model):
    """One pick of a plan: the site's village, its backhaul, its cost and what it unlocks."""

    plan = models.ForeignKey(SitePlan, on_delete=models.CASCADE, related_name="picks")
    rank = models.PositiveIntegerField()
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=150)
    is_3t = models.BooleanField(default=False)
    backhaul = models.CharField(max_length=10, choices=Backhaul.choices)
    backhaul_detail = models.CharField(max_length=200, blank=True)
    cost_idr = models.BigIntegerField()
    covered_villages = models.JSONField(default=list)
    enterprises = models.PositiveIntegerField()
    people = models.PositiveBigIntegerField()
    value = models.FloatField()
    reason = models.TextField()
    site = models.OneToOneField(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="planned_as"
    )

    class Meta:
        ordering = ["plan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "rank"], name="planned_site_unique_rank"),
        ]

    def __str__(self):
        return f"{self.plan} #{self.rank} {self.label}"


class ConnectivityImport(models.Model):
    """One CSV of sites, points of presence or village facts, and how each row ended.

    Every data row ends as created, updated, unchanged (already known, same values) or rejected
    with its row, column and reason; the counts always add up to ``total_rows``.
    """

    class Kind(models.TextChoices):
        SITES = "sites", _("BTS sites")
        POINTS_OF_PRESENCE = "pops", _("fibre points of presence")
        FACTS = "facts", _("village connectivity facts")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "organisation__region_code"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


class ConnectivityRejection(models.Model):
    """A refused row of a connectivity import: where, and why."""

    batch = models.ForeignKey(
        ConnectivityImport, on_delete=models.CASCADE, related_name="rejections"
    )
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["row_number", "pk"]

    def __str__(self):
        return f"row {self.row_number}: {self.reason}"


class VillageFact(models.Model):
    """A reported fact about a village's connectivity, with its source and date.

    Layers: last-mile coverage (``value`` a technology), middle mile (a backhaul kind), a public
    access point (e.g. a satellite-connected site; ``value`` its kind), or a mentor's signal check
    in the field (``value`` the technology measured).
    """

    class Layer(models.TextChoices):
        LAST_MILE = "last_mile", _("last-mile coverage")
        MIDDLE_MILE = "middle_mile", _("middle mile")
        ACCESS_POINT = "access_point", _("public access point")
        SIGNAL_CHECK = "signal_check", _("signal check in the field")

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    layer = models.CharField(max_length=14, choices=Layer.choices)
    value = models.CharField(max_length=20)
    detail = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=150)
    observed_on = models.DateField()
    batch = models.ForeignKey(
        ConnectivityImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="facts"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "village__code"

    class Meta:
        ordering = ["-observed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "layer", "value", "source", "observed_on"],
                name="village_fact_unique",
            ),
        ]
        indexes = [models.Index(fields=["source"], name="village_fact_source_idx")]

    def __str__(self):
        return f"{self.village_id} {self.layer}={self.value} ({self.source}, {self.observed_on})"

    @property
    def is_synthetic(self) -> bool:
        return self.source == SYNTHETIC_SOURCE


class VillageConnectivity(models.Model):
    """The ledger's summary of one village, recomputed from sites and facts (never typed in).

    ``last_mile`` is the best of the coverage computed from sites on air and the last-mile
    facts reported; ``covered_4g_since`` is the day 4G first arrived, for before/after views.
    """

    village = models.OneToOneField(
        Village, primary_key=True, on_delete=models.CASCADE, related_name="connectivity"
    )
    last_mile = models.CharField(max_length=4, choices=Technology.choices, default=Technology.NONE)
    last_mile_site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_mile_basis = models.CharField(max_length=150, blank=True)
    middle_mile = models.CharField(max_length=10, choices=Backhaul.choices, default=Backhaul.NONE)
    fibre_distance_km = models.FloatField(null=True, blank=True)
    nearest_pop = models.ForeignKey(
        PointOfPresence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_points = models.PositiveIntegerField(default=0)
    covered_4g_since = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    region_field = "village__code"

    class Meta:
        indexes = [models.Index(fields=["last_mile"], name="village_conn_last_mile_idx")]

    def __str__(self):
        return f"{self.village_id}: {self.last_mile}"
