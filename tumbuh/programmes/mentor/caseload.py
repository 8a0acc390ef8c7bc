"""What a mentor may see and record for: reads shared by the pages, the bundle and the sync.

A mentor's caseload is the businesses of their active assignments (followed through merges to
the surviving record), and their villages are the villages they cover plus those of their
caseload. The participants of the mentor's own sessions (the cohort's enrolled businesses, or
the business of a one-to-one visit) may be recorded as present too.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core import times
from tumbuh.core.refusals import Refused
from tumbuh.programmes.attendance import ATTENDING
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Assignment, Enrolment, Mentor, Session
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise


def mentor_for(user) -> Mentor | None:
    """The active mentor profile of ``user``, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Mentor.objects.filter(user=user, is_active=True).first()


def require_mentor(user, memo: dict | None = None) -> Mentor:
    """The user's mentor profile, or a refusal; remembered in ``memo`` for the rest of a batch."""
    memo = {} if memo is None else memo
    if "mentor" not in memo:
        memo["mentor"] = mentor_for(user)
    mentor = memo["mentor"]
    if mentor is None:
        raise Refused(
            ProgrammesError.NOT_A_MENTOR, _("Only a mentor with an active profile can do this.")
        )
    return mentor


def assigned_ids(mentor: Mentor):
    return Assignment.objects.filter(mentor=mentor, is_active=True).values("enterprise_id")


def caseload(mentor: Mentor):
    """The mentor's businesses, counted once: a merged record shows as its survivor."""
    assigned = assigned_ids(mentor)
    return (
        Enterprise.objects.deduplicated()
        .filter(Q(pk__in=assigned) | Q(merged_records__in=assigned))
        .distinct()
    )


def villages(mentor: Mentor):
    """The villages the mentor covers or has a business of the caseload in."""
    return (
        Village.objects.filter(
            Q(pk__in=mentor.villages.values("pk")) | Q(pk__in=caseload(mentor).values("village_id"))
        )
        .select_related("district")
        .order_by("name", "code")
    )


def today_filter(now: datetime.datetime | None = None) -> Q:
    """Sessions that start today in their own village's zone. At 23.30 WIB it is already 00.30
    WITA: Kupang's sessions of the new day are today's, and Bandung's of the old day still are."""
    now = now or timezone.now()
    today = Q()
    for zone in (times.WIB, times.WITA, times.WIT):
        start, end = times.day_bounds(times.today(zone, now=now), zone)
        today |= Q(
            village__regency__province__time_zone=zone, starts_at__gte=start, starts_at__lt=end
        )
    return today


def sessions_today(mentor: Mentor, now: datetime.datetime | None = None):
    return (
        Session.objects.filter(today_filter(now), mentor=mentor)
        .select_related("village")
        .order_by("starts_at", "pk")
    )


def participants(session: Session):
    """The businesses that may be recorded as present at ``session``."""
    if session.is_visit:
        return Enterprise.objects.filter(pk=session.enterprise_id)
    enrolled = Enrolment.objects.filter(cohort_id=session.cohort_id, status__in=ATTENDING).values(
        "enterprise_id"
    )
    return Enterprise.objects.filter(pk__in=enrolled)


def in_caseload(mentor: Mentor, enterprise: Enterprise, memo: dict | None = None) -> bool:
    """True for a business of the caseload, or a record merged into one."""
    memo = {} if memo is None else memo
    if "caseload" not in memo:
        ids = set(caseload(mentor).values_list("pk", flat=True))
        ids |= set(Enterprise.objects.filter(merged_into__in=ids).values_list("pk", flat=True))
        memo["caseload"] = ids
    return enterprise.pk in memo["caseload"]


def is_participant(session: Session, enterprise: Enterprise, memo: dict | None = None) -> bool:
    memo = {} if memo is None else memo
    key = ("participants", session.pk)
    if key not in memo:
        memo[key] = set(participants(session).values_list("pk", flat=True))
    return enterprise.pk in memo[key]


def village_codes(mentor: Mentor, memo: dict | None = None) -> set[str]:
    memo = {} if memo is None else memo
    if "villages" not in memo:
        memo["villages"] = set(villages(mentor).values_list("code", flat=True))
    return memo["villages"]


def mentor_may_assess(user, enterprise: Enterprise) -> bool:
    """The capability app's caseload check: a mentor assesses only businesses of their caseload."""
    mentor = mentor_for(user)
    return mentor is not None and in_caseload(mentor, enterprise)
