"""Cohorts of a partner in a priority area, and the sessions and visits mentors hold."""

from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey, Organisation
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import (
    Assignment,
    Cohort,
    Mentor,
    PartnerQuota,
    ProgrammeArea,
    Session,
)
from tumbuh.programmes.services.access import (
    Actor,
    may_manage_mentors_of,
    may_run_cohort,
)
from tumbuh.programmes.services.eligibility import area_regency_codes
from tumbuh.registry.services import surviving


def create_cohort(
    *, programme_area: ProgrammeArea, partner: Organisation, by: Actor, **fields
) -> Cohort:
    """Open a cohort of a partner in an area; its venue must be inside the area. ``by`` must
    run programmes for the partner in the venue's region."""
    village = fields["venue_village"]
    if not may_run_cohort(by, Cohort(partner=partner, venue_village=village)):
        raise Refused(
            ProgrammesError.NOT_ALLOWED,
            _("You may not open cohorts of this partner in this region."),
        )
    if village.regency_id not in area_regency_codes(programme_area):
        raise Refused(
            ProgrammesError.OUTSIDE_AREA,
            _("The venue is not in the priority area %(area)s.")
            % {"area": programme_area.area.name},
        )
    if fields["starts_on"] > fields["ends_on"]:
        raise Refused(ProgrammesError.BAD_PERIOD, _("The cohort ends before it starts."))
    if not PartnerQuota.objects.filter(programme_area=programme_area, partner=partner).exists():
        raise Refused(
            ProgrammesError.NO_PARTNER_QUOTA,
            _("%(partner)s has no quota in %(area)s.")
            % {"partner": partner.name, "area": programme_area.area.name},
        )
    if int(fields.get("capacity") or 0) <= 0:
        raise Refused(ProgrammesError.BAD_CAPACITY, _("A cohort needs at least one place."))
    with transaction.atomic():
        cohort = Cohort.objects.create(
            programme=programme_area.programme,
            programme_area=programme_area,
            partner=partner,
            **fields,
        )
        record_event(
            actor=by,
            action="programmes.cohort_created",
            target=cohort,
            region_code=village.code,
            data={"name": cohort.name},
        )
    return cohort


def schedule_session(
    *,
    mentor: Mentor,
    starts_at,
    title: str,
    cohort=None,
    enterprise=None,
    village=None,
    by: Actor,
    duration_minutes: int = 120,
) -> Session:
    """Schedule a cohort session or a one-to-one visit; a visit is for a business in the
    mentor's caseload. ``by`` may run the cohort; for a visit, ``by`` is the mentor or runs
    programmes for the mentor's partner in the business's region."""
    if (cohort is None) == (enterprise is None):
        raise Refused(
            ProgrammesError.COHORT_OR_VISIT,
            _("A session is for a cohort or a visit to one business."),
        )
    if starts_at is None:
        raise Refused(ProgrammesError.START_REQUIRED, _("Give the start of the session."))
    if not (title or "").strip():
        raise Refused(ProgrammesError.TITLE_REQUIRED, _("Give the session a title."))
    if not mentor.is_active:
        raise Refused(ProgrammesError.MENTOR_INACTIVE, _("This mentor is no longer active."))
    if cohort is not None:
        if not may_run_cohort(by, cohort):
            raise Refused(
                ProgrammesError.NOT_ALLOWED, _("You may not schedule sessions of this cohort.")
            )
        if mentor.organisation_id != cohort.partner_id:
            raise Refused(
                ProgrammesError.WRONG_MENTOR,
                _("%(mentor)s is not a mentor of %(partner)s.")
                % {"mentor": mentor.user.full_name, "partner": cohort.partner.name},
            )
    if enterprise is not None:
        enterprise = surviving(enterprise)
        is_mentor = not isinstance(by, APIKey) and getattr(by, "pk", None) == mentor.user_id
        if not is_mentor and not may_manage_mentors_of(
            by, mentor.organisation_id, enterprise.village_id
        ):
            raise Refused(
                ProgrammesError.NOT_ALLOWED, _("You may not schedule visits for this mentor.")
            )
        if not Assignment.objects.filter(
            mentor=mentor, enterprise=enterprise, is_active=True
        ).exists():
            raise Refused(
                ProgrammesError.NOT_IN_CASELOAD,
                _("%(business)s is not in this mentor's caseload.") % {"business": enterprise.name},
            )
    village_id = (
        village.code
        if village is not None
        else (cohort.venue_village_id if cohort is not None else enterprise.village_id)
    )
    with transaction.atomic():
        session = Session.objects.create(
            mentor=mentor,
            cohort=cohort,
            enterprise=enterprise,
            title=title,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            village_id=village_id,
        )
        record_event(
            actor=by, action="programmes.session_scheduled", target=session, region_code=village_id
        )
    return session
