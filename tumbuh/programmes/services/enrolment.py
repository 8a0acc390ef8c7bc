"""Enrolling a business in a cohort (eligibility, area, quotas and capacity checked under
locks), enrolling a partner's list at once (idempotent with a key), and a reviewer's decisions
on enrolments.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey
from tumbuh.accounts.scoping import scope_for
from tumbuh.accounts.services import acting_person
from tumbuh.core.idempotency import Answer, run_once
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Cohort, Enrolment, EnrolmentEvent, PartnerQuota, ProgrammeArea
from tumbuh.programmes.services.access import Actor, may_run_cohort
from tumbuh.programmes.services.completion import check_completion
from tumbuh.programmes.services.eligibility import eligibility_problems, in_area, places_used
from tumbuh.programmes.services.transitions import transition
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of, surviving


def enrol(
    *, cohort: Cohort, enterprise: Enterprise, by: Actor, accept: bool = False, at=None
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
            ProgrammesError.OUTSIDE_PARTNER_SCOPE,
            _("You may not enrol businesses in this cohort: it is run by %(partner)s.")
            % {"partner": cohort.partner.name},
        )
    if isinstance(by, APIKey) and not scope_for(by).allows(enterprise.village_id):
        raise Refused(
            ProgrammesError.OUTSIDE_PARTNER_SCOPE,
            _("This business is outside your organisation's region."),
        )
    if cohort.ends_on < timezone.localdate(at):
        raise Refused(ProgrammesError.COHORT_CLOSED, _("This cohort has ended."))
    problems = eligibility_problems(programme, enterprise)
    if problems:
        raise Refused(problems[0][0], problems[0][1])
    if not in_area(cohort.programme_area, enterprise):
        raise Refused(
            ProgrammesError.OUTSIDE_AREA,
            _("%(business)s is not in the priority area %(area)s of this cohort.")
            % {"business": enterprise.name, "area": cohort.programme_area.area.name},
        )
    existing = Enrolment.objects.filter(cohort=cohort, enterprise=enterprise).first()
    if existing is not None:
        raise Refused(
            ProgrammesError.ALREADY_ENROLLED,
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
            ProgrammesError.ALREADY_IN_PROGRAMME,
            _("%(business)s already takes part in this programme, in cohort %(cohort)s.")
            % {"business": enterprise.name, "cohort": elsewhere.cohort.name},
        )

    user = acting_person(by)
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
                    ProgrammesError.NO_PARTNER_QUOTA,
                    _("%(partner)s has no quota in %(area)s.")
                    % {"partner": cohort.partner.name, "area": area.area.name},
                )
            if places_used(programme_area=area) >= area.quota:
                raise Refused(
                    ProgrammesError.AREA_QUOTA_FULL,
                    _("The quota of %(area)s (%(quota)s businesses) is used up.")
                    % {"area": area.area.name, "quota": area.quota},
                )
            if places_used(programme_area=area, partner=cohort.partner_id) >= share.quota:
                raise Refused(
                    ProgrammesError.PARTNER_QUOTA_FULL,
                    _("%(partner)s has used its quota of %(quota)s businesses in %(area)s.")
                    % {
                        "partner": cohort.partner.name,
                        "quota": share.quota,
                        "area": area.area.name,
                    },
                )
            if places_used(cohort=cohort) >= cohort.capacity:
                raise Refused(
                    ProgrammesError.COHORT_FULL,
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
                actor=by,
                action="programmes.enrolled",
                target=enrolment,
                region_code=cohort.venue_village_id,
                data={"cohort": cohort.public_id, "enterprise": enterprise.public_id},
            )
            if accept:
                enrolment = transition(
                    enrolment=enrolment, to=Enrolment.Status.ACCEPTED, by=by, at=at
                )
    except IntegrityError as error:
        raise Refused(
            ProgrammesError.ALREADY_ENROLLED,
            _("%(business)s is already in this cohort.") % {"business": enterprise.name},
        ) from error
    return enrolment


# Idempotency keys are cut to this length, as the API always did (core's records hold 100).
KEY_LENGTH = 100


def enrol_businesses(
    *,
    cohort: Cohort,
    enterprises: list[str],
    by: Actor,
    accept: bool = False,
    idempotency_key: str = "",
) -> Answer:
    """Enrol each business of ``enterprises`` (public ids) in ``cohort``, each on its own.

    The answer's body is ``{"cohort", "enrolled", "refused", "results": [...]}`` with one result
    per public id, in order: enrolled (with the enrolment and its status) or refused with a
    reason code (``unknown_business`` for one outside ``by``'s regions, or :func:`enrol`'s
    refusal). With an ``idempotency_key`` the answer is stored (``core.idempotency``): the same
    key with the same list returns it again and enrols nobody twice; with another list it is
    refused (``IdempotencyConflict``). Keys are per organisation and cohort: the API key's
    organisation, or the cohort's partner for a person.
    """

    def action() -> tuple[int, dict]:
        return 200, _enrol_each(cohort=cohort, enterprises=enterprises, by=by, accept=accept)

    key = (idempotency_key or "").strip()[:KEY_LENGTH]
    if not key:
        status_code, body = action()
        return Answer(status_code, body, created=True)
    organisation_id = by.organisation_id if isinstance(by, APIKey) else cohort.partner_id
    return run_once(
        scope=f"programmes.enrol:{cohort.public_id}:{organisation_id}",
        key=key,
        data={"enterprises": list(enterprises), "accept": accept},
        action=action,
    )


def _enrol_each(*, cohort: Cohort, enterprises: list[str], by: Actor, accept: bool) -> dict:
    visible = scope_for(by)
    results = []
    for public_id in enterprises:
        enterprise = Enterprise.objects.filter(public_id=public_id).first()
        if enterprise is None or not visible.allows(enterprise.village_id):
            results.append(
                {
                    "enterprise": public_id,
                    "outcome": "refused",
                    "reason": ProgrammesError.UNKNOWN_BUSINESS.value,
                    "detail": f"No business {public_id!r} in your regions.",
                }
            )
            continue
        try:
            enrolment = enrol(cohort=cohort, enterprise=enterprise, by=by, accept=accept)
        except ValidationError as error:
            results.append(
                {
                    "enterprise": public_id,
                    "outcome": "refused",
                    "reason": getattr(error, "reason", ProgrammesError.INVALID.value),
                    "detail": " ".join(error.messages),
                }
            )
        else:
            results.append(
                {
                    "enterprise": public_id,
                    "outcome": "enrolled",
                    "enrolment": enrolment.public_id,
                    "status": enrolment.status,
                }
            )
    return {
        "cohort": cohort.public_id,
        "enrolled": sum(r["outcome"] == "enrolled" for r in results),
        "refused": sum(r["outcome"] == "refused" for r in results),
        "results": results,
    }


def decide_enrolment(*, enrolment: Enrolment, to: str, by: Actor, reason: str = "") -> Enrolment:
    """A reviewer's decision on an enrolment (accept, reject, activate, withdraw).

    Rejecting and withdrawing need a reason. Completion is never decided by hand: it follows
    from attendance and outcomes (``check_completion``).
    """
    if not may_run_cohort(by, enrolment.cohort):
        raise Refused(
            ProgrammesError.NOT_ALLOWED, _("You may not review enrolments of this cohort.")
        )
    if to == Enrolment.Status.COMPLETED:
        raise Refused(
            ProgrammesError.COMPLETION_IS_EARNED,
            _("An enrolment completes by itself when its sessions and outcomes are reached."),
        )
    reason = (reason or "").strip()
    if to in (Enrolment.Status.REJECTED, Enrolment.Status.WITHDRAWN) and not reason:
        raise Refused(ProgrammesError.REASON_REQUIRED, _("Give the reason for this decision."))
    with transaction.atomic():
        enrolment = transition(enrolment=enrolment, to=to, by=by, reason=reason)
        if to == Enrolment.Status.ACTIVE:
            enrolment = check_completion(enrolment=enrolment, by=by)
    return enrolment
