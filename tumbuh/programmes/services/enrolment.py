"""Enrolling a business in a cohort (eligibility, area, quotas and capacity checked under
locks) and a reviewer's decisions on enrolments.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey
from tumbuh.accounts.scoping import scope_for
from tumbuh.core.services import record_event
from tumbuh.programmes.models import Cohort, Enrolment, EnrolmentEvent, PartnerQuota, ProgrammeArea
from tumbuh.programmes.services.access import Refused, _user, may_run_cohort
from tumbuh.programmes.services.completion import check_completion
from tumbuh.programmes.services.eligibility import eligibility_problems, in_area, places_used
from tumbuh.programmes.services.transitions import transition
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of, surviving


def enrol(
    *, cohort: Cohort, enterprise: Enterprise, by, accept: bool = False, at=None
) -> Enrolment:
    """Enrol ``enterprise`` in ``cohort`` (status applied, or accepted with ``accept``).

    ``by`` is programme staff or a partner (user or API key) who may run the cohort, or the
    business's own login applying for itself (never ``accept``). Refused, with the reason and
    nothing changed, when the business does not meet the programme's eligibility rule or lies
    outside the cohort's area, is already in the cohort or in another cohort of the programme,
    or when the area's quota, the partner's share of it or the cohort's capacity is used up.
    Quotas hold under concurrent enrolments: the area's and the partner's quota rows are locked
    (``SELECT ... FOR UPDATE``; SQLite serialises writers with immediate transactions) before
    places are counted.
    """
    enterprise = surviving(enterprise)
    at = at or timezone.now()
    programme = cohort.programme
    is_owner = not isinstance(by, APIKey) and any(e.pk == enterprise.pk for e in enterprises_of(by))
    if not may_run_cohort(by, cohort) and (not is_owner or accept):
        raise Refused(
            "outside_partner_scope",
            _("You may not enrol businesses in this cohort: it is run by %(partner)s.")
            % {"partner": cohort.partner.name},
        )
    if isinstance(by, APIKey) and not scope_for(by).allows(enterprise.village_id):
        raise Refused(
            "outside_partner_scope", _("This business is outside your organisation's region.")
        )
    if cohort.ends_on < timezone.localdate(at):
        raise Refused("cohort_closed", _("This cohort has ended."))
    problems = eligibility_problems(programme, enterprise)
    if problems:
        raise Refused(problems[0][0], problems[0][1])
    if not in_area(cohort.programme_area, enterprise):
        raise Refused(
            "outside_area",
            _("%(business)s is not in the priority area %(area)s of this cohort.")
            % {"business": enterprise.name, "area": cohort.programme_area.area.name},
        )
    existing = Enrolment.objects.filter(cohort=cohort, enterprise=enterprise).first()
    if existing is not None:
        raise Refused(
            "already_enrolled",
            _("%(business)s is already in this cohort (%(status)s).")
            % {"business": enterprise.name, "status": existing.get_status_display()},
        )
    elsewhere = (
        Enrolment.objects.filter(
            cohort__programme=programme,
            enterprise=enterprise,
            status__in=Enrolment.HOLDS_PLACE,
        )
        .select_related("cohort")
        .first()
    )
    if elsewhere is not None:
        raise Refused(
            "already_in_programme",
            _("%(business)s already takes part in this programme, in cohort %(cohort)s.")
            % {"business": enterprise.name, "cohort": elsewhere.cohort.name},
        )

    user = _user(by)
    try:
        with transaction.atomic():
            # Locks in one order everywhere (area, partner share, cohort) so that concurrent
            # enrolments and transfers queue instead of deadlocking.
            area = ProgrammeArea.objects.select_for_update().get(pk=cohort.programme_area_id)
            share = (
                PartnerQuota.objects.select_for_update()
                .filter(programme_area=area, partner_id=cohort.partner_id)
                .first()
            )
            Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
            if share is None:
                raise Refused(
                    "no_partner_quota",
                    _("%(partner)s has no quota in %(area)s.")
                    % {"partner": cohort.partner.name, "area": area.area.name},
                )
            if places_used(programme_area=area) >= area.quota:
                raise Refused(
                    "area_quota_full",
                    _("The quota of %(area)s (%(quota)s businesses) is used up.")
                    % {"area": area.area.name, "quota": area.quota},
                )
            if places_used(programme_area=area, partner=cohort.partner_id) >= share.quota:
                raise Refused(
                    "partner_quota_full",
                    _("%(partner)s has used its quota of %(quota)s businesses in %(area)s.")
                    % {
                        "partner": cohort.partner.name,
                        "quota": share.quota,
                        "area": area.area.name,
                    },
                )
            if places_used(cohort=cohort) >= cohort.capacity:
                raise Refused(
                    "cohort_full",
                    _("The cohort is full (%(capacity)s places).") % {"capacity": cohort.capacity},
                )
            enrolment = Enrolment.objects.create(
                cohort=cohort,
                enterprise=enterprise,
                status=Enrolment.Status.APPLIED,
                applied_at=at,
                enrolled_by=user,
            )
            EnrolmentEvent.objects.create(
                enrolment=enrolment,
                from_status="",
                to_status=Enrolment.Status.APPLIED,
                by=user,
                at=at,
            )
            record_event(
                actor=user,
                action="programmes.enrolled",
                target=enrolment,
                region_code=cohort.venue_village_id,
                data={"cohort": cohort.public_id, "enterprise": enterprise.public_id},
            )
            if accept:
                enrolment = transition(
                    enrolment=enrolment, to=Enrolment.Status.ACCEPTED, by=user, at=at
                )
    except IntegrityError as error:
        raise Refused(
            "already_enrolled",
            _("%(business)s is already in this cohort.") % {"business": enterprise.name},
        ) from error
    return enrolment


def decide_enrolment(*, enrolment: Enrolment, to: str, by, reason: str = "") -> Enrolment:
    """A reviewer's decision on an enrolment (accept, reject, activate, withdraw).

    Rejecting and withdrawing need a reason. Completion is never decided by hand: it follows
    from attendance and outcomes (``check_completion``).
    """
    if not may_run_cohort(by, enrolment.cohort):
        raise Refused("not_allowed", _("You may not review enrolments of this cohort."))
    if to == Enrolment.Status.COMPLETED:
        raise Refused(
            "completion_is_earned",
            _("An enrolment completes by itself when its sessions and outcomes are reached."),
        )
    reason = (reason or "").strip()
    if to in (Enrolment.Status.REJECTED, Enrolment.Status.WITHDRAWN) and not reason:
        raise Refused("reason_required", _("Give the reason for this decision."))
    with transaction.atomic():
        enrolment = transition(enrolment=enrolment, to=to, by=by, reason=reason)
        if to == Enrolment.Status.ACTIVE:
            enrolment = check_completion(enrolment=enrolment, by=by)
    return enrolment
