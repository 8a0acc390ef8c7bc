"""The programme's national picture: rollups of the registry's facts, and the targets they meet.

Dashboards never count raw rows on a page. The registry's facts that the onboarding figures
depend on (a deduplicated business, its village, kind and scale; each of its milestones) change
through many paths: the ORM, the set-based import, merges and their undoing in raw SQL, erasure.
Database triggers on ``registry_enterprise`` and ``registry_milestone`` write each change to
those facts as a signed row of :class:`OnboardingChange` (+1 for a fact that starts counting, -1
for one that stops: a merged duplicate stops counting, and so do its milestones), whatever path
made it. :func:`tumbuh.dashboards.rollups.apply_changes` folds the pending changes into
:class:`OnboardingCount` and :class:`OnboardingSeries`, and ``tumbuh rebuild_rollups`` rebuilds
both from the registry; a test checks that the two agree after random changes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.registry.models import Enterprise, Milestone


class Level(models.IntegerChoices):
    """The administrative level of a rollup row, from the whole country down to the village."""

    NATIONAL = 0, _("national")
    PROVINCE = 1, _("province")
    REGENCY = 2, _("regency")
    DISTRICT = 3, _("district")
    VILLAGE = 4, _("village")


# The length of a Kemendagri code at each level ("" is the whole country).
CODE_LENGTH = {
    Level.NATIONAL: 0,
    Level.PROVINCE: 2,
    Level.REGENCY: 5,
    Level.DISTRICT: 8,
    Level.VILLAGE: 13,
}
# The milestone value of a row that counts businesses themselves, not one of their milestones.
BUSINESSES = ""


class OnboardingChange(models.Model):
    """One pending change to the onboarding figures, written by a database trigger.

    ``milestone`` is empty for the business itself (it started or stopped counting, or moved
    village, kind or scale) or names the milestone. ``day`` is the date of the fact in Western
    Indonesian Time: when the business was registered, or when the milestone happened. ``delta``
    is the signed number of facts (a set-based statement writes one row per group). Rows live
    here only until :func:`tumbuh.dashboards.rollups.apply_changes` folds them.
    """

    id = models.BigAutoField(primary_key=True)
    village_id = models.CharField(max_length=13)
    enterprise_kind = models.CharField(max_length=12)
    scale = models.CharField(max_length=10, blank=True)
    milestone = models.CharField(max_length=20, blank=True)
    day = models.DateField()
    delta = models.IntegerField()

    def __str__(self):
        return f"{self.village_id} {self.milestone or 'business'} {self.delta:+d}"


class OnboardingCount(models.Model):
    """Deduplicated businesses, and those that reached each milestone, now, per region.

    One row per region (at every level, national to village) × 3T × kind × scale × milestone
    (empty: the businesses themselves). ``is_3t`` follows the regency, so a province's or the
    country's rows split into 3T and the rest. ``parent_code`` is the code of the region one level
    up, so the children of a region are one indexed lookup.
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    region_code = models.CharField(max_length=13, blank=True)
    parent_code = models.CharField(max_length=13, blank=True)
    is_3t = models.BooleanField()
    enterprise_kind = models.CharField(max_length=12, choices=Enterprise.Kind.choices)
    scale = models.CharField(max_length=10, choices=Enterprise.Scale.choices, blank=True)
    milestone = models.CharField(max_length=20, choices=Milestone.Kind.choices, blank=True)
    count = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "is_3t", "enterprise_kind", "scale", "milestone"],
                name="onboarding_count_key",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "parent_code"], name="onboarding_count_children_idx")
        ]

    def __str__(self):
        return f"{self.region_code or 'ID'} {self.milestone or 'businesses'}: {self.count}"


class OnboardingSeries(models.Model):
    """New businesses and milestones per month (down to the district) and week (provinces).

    A row counts the facts that happened in the period starting on ``start`` (a month's first
    day, or a week's Monday), in Western Indonesian Time; the dashboards add them up into
    cumulative lines. A merged duplicate's facts leave the period they were counted in.
    """

    class Period(models.TextChoices):
        MONTH = "M", _("month")
        WEEK = "W", _("week")

    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    region_code = models.CharField(max_length=13, blank=True)
    parent_code = models.CharField(max_length=13, blank=True)
    is_3t = models.BooleanField()
    enterprise_kind = models.CharField(max_length=12, choices=Enterprise.Kind.choices)
    milestone = models.CharField(max_length=20, choices=Milestone.Kind.choices, blank=True)
    count = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region_code", "start", "is_3t", "enterprise_kind", "milestone"],
                name="onboarding_series_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["period", "level", "parent_code"], name="onboarding_series_children_idx"
            )
        ]

    def __str__(self):
        return (
            f"{self.period} {self.start} {self.region_code or 'ID'} {self.milestone}: {self.count}"
        )


class RollupClock(models.Model):
    """When each rollup last took in the registry's changes: the "as of" of every figure."""

    name = models.CharField(max_length=40, primary_key=True)
    as_of = models.DateTimeField()
    changes_applied = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} as of {self.as_of:%Y-%m-%d %H:%M}"


class Target(models.Model):
    """A number of businesses to reach a milestone in a region by the end of a year.

    Targets are never edited in place: setting one writes a new row, so the latest row per
    region, year and milestone is the target and the earlier ones are its history
    (``services.set_target``). ``region_code`` is empty for the national target.
    """

    region_code = models.CharField(_("region"), max_length=13, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    milestone = models.CharField(_("milestone"), max_length=20, choices=Milestone.Kind.choices)
    count = models.PositiveBigIntegerField(_("target (businesses)"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["region_code", "year", "milestone", "-set_at"], name="target_latest_idx"
            )
        ]

    def __str__(self):
        return f"{self.region_code or 'ID'} {self.year} {self.milestone}: {self.count}"


class SectionFigure(models.Model):
    """One figure of a dashboard section beyond onboarding, for one region, as of its clock.

    The sections (the flagship programme, capability levels, licensing, stores and the BBI
    catalogue, connectivity, the partners' scorecard) are recomputed together by the worker
    (:func:`tumbuh.dashboards.sections.refresh_sections`) and read by the pages, which never
    count the facts themselves. ``region_code`` is empty for the whole country, else a province
    or a regency (sections stop at the regency). ``measure`` is a short name such as
    ``enrolled`` or ``paid_value``; ``dimension`` splits it (a priority area's slug, a
    partner's id, a level, a status) or is empty. The clock of a section is the
    :class:`RollupClock` named ``section:<section>``.
    """

    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        IDR = "idr", _("rupiah")
        DAYS = "days", _("days")

    section = models.CharField(max_length=20)
    region_code = models.CharField(max_length=13, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    measure = models.CharField(max_length=40)
    dimension = models.CharField(max_length=60, blank=True)
    value = models.BigIntegerField()
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.COUNT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["section", "region_code", "measure", "dimension"],
                name="section_figure_key",
            ),
        ]

    def __str__(self):
        return f"{self.section} {self.region_code or 'ID'} {self.measure} {self.dimension}: {self.value}"


class SectionSeries(models.Model):
    """What happened in one month, for one measure of a section, in one region.

    The monthly companion of :class:`SectionFigure`, for the sections' event-like measures (the
    flagship programme's enrolments and completions, NIBs and halal certificates issued, orders
    paid and their value, BTS sites going on air): ``value`` counts (or adds up, for a value in
    rupiah) the events of the month starting on ``month`` (its first day, in Western Indonesian
    Time), in ``region_code`` ("" the whole country, a province or a regency). Months without
    events have no row; the pages add the months up into cumulative lines. Capability levels
    and the partners' scorecard are stocks, not flows, and have no series. Recomputed with the
    figures by :func:`tumbuh.dashboards.sections.refresh_sections`, which replaces every row.
    """

    section = models.CharField(max_length=20)
    measure = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    region_code = models.CharField(max_length=13, blank=True)
    month = models.DateField()
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            # Led by the region: a dashboard reads one region's series (all its sections, or
            # one for the API) with one lookup of this index.
            models.UniqueConstraint(
                fields=["region_code", "section", "measure", "month"],
                name="section_series_key",
            ),
        ]

    def __str__(self):
        region = self.region_code or "ID"
        return f"{self.section} {region} {self.measure} {self.month:%Y-%m}: {self.value}"
