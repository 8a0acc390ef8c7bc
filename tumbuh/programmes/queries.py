"""Reads shared by the console, the API and the benchmarks: scoped lists, progress, balance.

Everything region-bound goes through ``tumbuh.accounts.scoping``: cohorts, enrolments and
sessions by the cohort's venue village, mentors by their home region, assignments by the
business's village. Government staff see every one of their regions; a partner's staff only
those of the cohorts it runs and of its own mentors (docs/permissions.md). The businesses a
partner serves (:func:`served_by`) and mentors (:func:`mentored_by`) are what it may see of the
registry, capability and licensing (``settings.PARTNER_BUSINESSES``). Programmes and priority-area quotas are national settings: a regional
officer sees the national programmes and the areas that touch their region, but every count of
enrolments is limited to the cohorts they may see. Counts of businesses are of deduplicated
businesses: a record merged into another counts as the one it was merged into.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncWeek
from django.utils.html import escape

from tumbuh.accounts.scoping import reach_for, scope_for, scoped, scoped_to_organisations
from tumbuh.programmes.models import (
    Assignment,
    Attendance,
    Certificate,
    Cohort,
    Enrolment,
    Mentor,
    PartnerQuota,
    Programme,
    ProgrammeArea,
)
from tumbuh.regions.models import PriorityAreaRegency, Village
from tumbuh.registry.models import Enterprise, Milestone

# The business an enrolment counts for: the survivor when its record was merged later.
BUSINESS = Coalesce(F("enterprise__merged_into_id"), F("enterprise_id"))
HOLDING = list(Enrolment.HOLDS_PLACE)
OUTCOME_KINDS = [
    Milestone.Kind.NIB_ISSUED,
    Milestone.Kind.HALAL_CERTIFIED,
    Milestone.Kind.STORE_LIVE,
    Milestone.Kind.FIRST_ONLINE_SALE,
    Milestone.Kind.PAID_DIGITALLY,
]


def visible_programmes(user):
    """National programmes, programmes of organisations in the user's regions, and programmes
    with a cohort there."""
    scope = scope_for(user)
    programmes = Programme.objects.select_related("organisation")
    if scope.is_national:
        return programmes
    cohorts = scoped(Cohort.objects.all(), user).values("programme_id")
    return programmes.filter(
        Q(organisation__region_code="") | scope.q("organisation__region_code") | Q(pk__in=cohorts)
    ).distinct()


def visible_areas(user, programme: Programme):
    """The programme's areas with at least one regency in the user's regions."""
    areas = ProgrammeArea.objects.filter(programme=programme).select_related("area")
    scope = scope_for(user)
    if scope.is_national:
        return areas
    touching = scope.filter(PriorityAreaRegency.objects.all(), "regency__code").values("area_id")
    return areas.filter(area_id__in=touching)


def served_by(organisation_id: int):
    """The ids of the businesses enrolled in the cohorts ``organisation_id`` runs (any status),
    and of the records they were merged into. A ``settings.PARTNER_BUSINESSES`` hook."""
    enrolled = Enrolment.objects.filter(cohort__partner_id=organisation_id)
    return Enterprise.objects.filter(
        Q(pk__in=enrolled.values("enterprise_id"))
        | Q(pk__in=enrolled.values("enterprise__merged_into_id"))
    ).values("pk")


def mentored_by(organisation_id: int):
    """The ids of the businesses in the active caseloads of ``organisation_id``'s mentors. A
    ``settings.PARTNER_BUSINESSES`` hook."""
    return Assignment.objects.filter(
        mentor__organisation_id=organisation_id, is_active=True
    ).values("enterprise_id")


def cohorts_for(user):
    """Cohorts in a government membership's regions, and those a partner runs."""
    return scoped_to_organisations(
        Cohort.objects.select_related(
            "programme", "programme_area__area", "partner", "venue_village__regency"
        ),
        user,
        organisation="partner",
    )


def enrolments_for(user):
    """Enrolments in the cohorts of :func:`cohorts_for`."""
    return scoped_to_organisations(
        Enrolment.objects.select_related("cohort__programme", "cohort__partner", "enterprise"),
        user,
        organisation="cohort__partner",
    )


def mentors_for(user):
    """Mentors at home in a government membership's regions, and a partner's own mentors."""
    return scoped_to_organisations(
        Mentor.objects.select_related("user", "organisation"), user, organisation="organisation"
    )


def certificates_for(user):
    """Certificates of the enrolments of :func:`enrolments_for`."""
    return scoped_to_organisations(
        Certificate.objects.select_related("enrolment__cohort"),
        user,
        organisation="enrolment__cohort__partner",
    )


def attendances_for(user):
    """Attendances of sessions in a government membership's regions, and of the sessions a
    partner's own mentors held."""
    return scoped_to_organisations(
        Attendance.objects.all(), user, organisation="session__mentor__organisation"
    )


@dataclass
class ProgressRow:
    """Progress of one partner in one area (or an area's total when ``partner`` is None)."""

    area_id: int
    area_name: str
    partner_id: int | None
    partner_name: str
    quota: int
    businesses: int = 0  # deduplicated businesses holding a place
    applied: int = 0
    accepted: int = 0
    active: int = 0
    completed: int = 0
    withdrawn: int = 0
    rejected: int = 0
    outcomes: dict = field(default_factory=dict)
    area_slug: str = ""

    @property
    def remaining(self) -> int:
        return max(self.quota - self.businesses, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.businesses / self.quota) if self.quota else 0


def progress(user, programme: Programme) -> list[ProgressRow]:
    """Per area and partner: quota, deduplicated businesses by status, and outcomes reached.

    A fixed number of grouped queries whatever the size (areas, shares, enrolments by status,
    places held with outcomes reached, area totals), limited to the cohorts the user may see. Rows come area by area, each
    area's partners first and then the area's total (``partner_id`` None).
    """
    areas = list(visible_areas(user, programme))
    area_ids = [a.pk for a in areas]
    shares = (
        PartnerQuota.objects.filter(programme_area_id__in=area_ids)
        .select_related("partner")
        .order_by("partner__name")
    )
    reach = reach_for(user)
    if reach.regions.is_empty:
        # A partner's staff see their own partner's rows, not the other partners' (whose
        # enrolments they do not see, so their counts would read as zero).
        shares = shares.filter(partner_id__in=reach.organisation_ids)
    enrolments = enrolments_for(user).filter(cohort__programme_area_id__in=area_ids)
    by_status = (
        enrolments.values("cohort__programme_area_id", "cohort__partner_id", "status")
        .annotate(businesses=Count(BUSINESS, distinct=True))
        .order_by()
    )
    holding = (
        enrolments.filter(status__in=HOLDING)
        .values("cohort__programme_area_id", "cohort__partner_id")
        .annotate(businesses=Count(BUSINESS, distinct=True))
        .order_by()
    )
    # Outcomes: a milestone belongs to the surviving business. Enrolments of records merged
    # later (few) are looked up through their survivor, apart, so that the large query stays a
    # plain join.
    live = enrolments.filter(status__in=HOLDING, enterprise__merged_into__isnull=True)
    outcomes = (
        live.filter(enterprise__milestones__kind__in=OUTCOME_KINDS)
        .values("cohort__programme_area_id", "cohort__partner_id", "enterprise__milestones__kind")
        .annotate(businesses=Count("enterprise_id", distinct=True))
        .order_by()
    )
    merged_outcomes = set(
        enrolments.filter(
            status__in=HOLDING,
            enterprise__merged_into__isnull=False,
            enterprise__merged_into__milestones__kind__in=OUTCOME_KINDS,
        ).values_list(
            "cohort__programme_area_id",
            "cohort__partner_id",
            "enterprise__merged_into__milestones__kind",
            "enterprise__merged_into_id",
        )
    )
    if merged_outcomes:
        survivors_enrolled = set(
            live.filter(enterprise_id__in={item[3] for item in merged_outcomes}).values_list(
                "cohort__programme_area_id", "cohort__partner_id", "enterprise_id"
            )
        )
        merged_outcomes = {
            item
            for item in merged_outcomes
            if (item[0], item[1], item[3]) not in survivors_enrolled
        }
    rows: dict[tuple, ProgressRow] = {}
    names = {a.pk: a.area.name for a in areas}
    slugs = {a.pk: a.area.slug for a in areas}
    for share in shares:
        key = (share.programme_area_id, share.partner_id)
        rows[key] = ProgressRow(
            share.programme_area_id,
            names[share.programme_area_id],
            share.partner_id,
            share.partner.name,
            share.quota,
            area_slug=slugs[share.programme_area_id],
        )
    for item in by_status:
        key = (item["cohort__programme_area_id"], item["cohort__partner_id"])
        if key in rows:
            setattr(rows[key], item["status"], item["businesses"])
    for item in holding:
        key = (item["cohort__programme_area_id"], item["cohort__partner_id"])
        if key in rows:
            rows[key].businesses = item["businesses"]
    for item in outcomes:
        key = (item["cohort__programme_area_id"], item["cohort__partner_id"])
        if key in rows:
            rows[key].outcomes[item["enterprise__milestones__kind"]] = item["businesses"]
    for area_id, partner_id, kind, _business in merged_outcomes:
        if (area_id, partner_id) in rows:
            outcomes_of = rows[(area_id, partner_id)].outcomes
            outcomes_of[kind] = outcomes_of.get(kind, 0) + 1

    # Area totals: a business counts once per area even if it moved between partners.
    area_holding = dict(
        enrolments.filter(status__in=HOLDING)
        .values("cohort__programme_area_id")
        .annotate(businesses=Count(BUSINESS, distinct=True))
        .values_list("cohort__programme_area_id", "businesses")
        .order_by()
    )
    result = []
    for area in areas:
        partner_rows = [row for (area_id, _), row in rows.items() if area_id == area.pk]
        result.extend(partner_rows)
        total = ProgressRow(area.pk, area.area.name, None, "", area.quota, area_slug=area.area.slug)
        for row in partner_rows:
            for status in Enrolment.Status.values:
                setattr(total, status, getattr(total, status) + getattr(row, status))
            for kind, count in row.outcomes.items():
                total.outcomes[kind] = total.outcomes.get(kind, 0) + count
        total.businesses = area_holding.get(area.pk, 0)
        result.append(total)
    return result


def burndown(user, programme_area: ProgrammeArea, *, partner=None) -> list[tuple]:
    """Remaining quota at the end of each week in which places were taken: ``[(monday, left)]``.

    Places taken count enrolments that still hold a place, by the week they applied.
    """
    enrolments = enrolments_for(user).filter(
        cohort__programme_area=programme_area, status__in=HOLDING
    )
    quota = programme_area.quota
    if partner is not None:
        enrolments = enrolments.filter(cohort__partner=partner)
        share = PartnerQuota.objects.filter(programme_area=programme_area, partner=partner).first()
        quota = share.quota if share else 0
    weekly = (
        enrolments.annotate(week=TruncWeek("applied_at"))
        .values("week")
        .annotate(taken=Count("pk"))
        .order_by("week")
    )
    left = quota
    points = []
    for item in weekly:
        left -= item["taken"]
        week = item["week"]
        points.append((week.date() if isinstance(week, datetime.datetime) else week, left))
    return points


def burndown_svg(points: list[tuple], quota: int, *, label: str, width=360, height=120) -> str:
    """A small server-drawn SVG line of remaining quota (no chart library in the browser);
    ``label`` names the picture for screen readers."""
    if not points or quota <= 0:
        return ""
    pad = 6
    count = len(points)
    coordinates = []
    for index, (_, left) in enumerate([(None, quota), *points]):
        x = pad + (width - 2 * pad) * index / max(count, 1)
        y = pad + (height - 2 * pad) * (1 - max(left, 0) / quota)
        coordinates.append(f"{x:.1f},{y:.1f}")
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(label)}" class="burndown"><rect x="0" y="0" width="{width}" height="{height}" fill="none" '
        f'stroke="#ccc"/><polyline fill="none" stroke="#1a6" stroke-width="2" '
        f'points="{" ".join(coordinates)}"/></svg>'
    )


def mentor_balance(user):
    """Businesses per mentor (active caseload), and the villages of the user's region where
    programme participants live but no mentor covers the village.

    Returns ``(mentors, villages_without_mentor)``; mentors carry ``caseload`` and
    ``village_count``.
    """
    mentors = list(
        mentors_for(user)
        .filter(is_active=True)
        .annotate(
            caseload=Count("assignments", filter=Q(assignments__is_active=True), distinct=True),
            village_count=Count("villages", distinct=True),
        )
        .order_by("-caseload", "user__full_name")
    )
    covered = Mentor.villages.through.objects.filter(mentor__is_active=True).values("village_id")
    participant_villages = (
        enrolments_for(user)
        .filter(status__in=HOLDING)
        .values("enterprise__village_id")
        .annotate(businesses=Count(BUSINESS, distinct=True))
        .exclude(enterprise__village_id__in=covered)
        .order_by("-businesses")
    )
    counts = {
        row["enterprise__village_id"]: row["businesses"] for row in participant_villages[:200]
    }
    villages = Village.objects.filter(code__in=counts).select_related("regency")
    uncovered = sorted(
        ((village, counts[village.code]) for village in villages),
        key=lambda pair: (-pair[1], pair[0].code),
    )
    return mentors, uncovered


def caseload(mentor: Mentor):
    return (
        Assignment.objects.filter(mentor=mentor, is_active=True)
        .select_related("enterprise__village")
        .order_by("enterprise__name")
    )


def status_counts(enrolments) -> dict[str, int]:
    counts = defaultdict(int)
    for row in enrolments.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts
