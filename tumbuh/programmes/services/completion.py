"""What a participant earns: completion when sessions and outcomes are reached, the
certificate (issued and revoked), and the programme's benefits delivered.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.services import acting_person
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Attendance, Benefit, BenefitDelivery, Certificate, Enrolment
from tumbuh.programmes.services.access import Actor, may_run_cohort
from tumbuh.programmes.services.transitions import transition
from tumbuh.registry.models import Milestone
from tumbuh.registry.services import record_milestone, surviving


def completion_status(enrolment: Enrolment) -> dict:
    """What the programme requires of this enrolment and what is already true.

    ``{"sessions_attended", "sessions_required", "milestones": {kind: bool}, "is_met"}``.
    Sessions count the cohort's sessions and the mentor visits of the business during the
    programme's period; milestones are the registry's, of the surviving business.
    """
    programme = enrolment.cohort.programme
    enterprise = surviving(enrolment.enterprise)
    start = datetime.datetime.combine(
        programme.starts_on, datetime.time.min, tzinfo=datetime.UTC
    ) - datetime.timedelta(days=1)
    end = datetime.datetime.combine(
        programme.ends_on, datetime.time.max, tzinfo=datetime.UTC
    ) + datetime.timedelta(days=1)
    attended = Attendance.objects.filter(enterprise=enterprise).filter(
        Q(session__cohort_id=enrolment.cohort_id)
        | Q(session__cohort__isnull=True, session__starts_at__range=(start, end))
    )
    sessions_attended = attended.count()
    reached = set(
        Milestone.objects.filter(
            enterprise=enterprise, kind__in=programme.milestones_required
        ).values_list("kind", flat=True)
    )
    milestones = {kind: kind in reached for kind in programme.milestones_required}
    return {
        "sessions_attended": sessions_attended,
        "sessions_required": programme.sessions_required,
        "milestones": milestones,
        "is_met": sessions_attended >= programme.sessions_required and all(milestones.values()),
    }


def check_completion(*, enrolment: Enrolment, by: Actor | None) -> Enrolment:
    """Complete an active enrolment whose requirements are all true.

    Completion records the milestone ``trained`` and issues the certificate, in the same
    transaction. An enrolment that is not active, or whose requirements are not met yet, is
    returned unchanged. Nobody decides completion, so there is nothing to check of ``by``: it is
    who made the last requirement true (None when nobody entered it, e.g. a payment).
    """
    if enrolment.status != Enrolment.Status.ACTIVE:
        return enrolment
    if not completion_status(enrolment)["is_met"]:
        return enrolment
    with transaction.atomic():
        enrolment = transition(
            enrolment=enrolment,
            to=Enrolment.Status.COMPLETED,
            by=by,
            reason=_("Sessions attended and required outcomes reached."),
        )
        record_milestone(
            enterprise=enrolment.enterprise,
            kind=Milestone.Kind.TRAINED,
            source=f"programmes:enrolment:{enrolment.public_id}",
            occurred_at=enrolment.completed_at,
            by=acting_person(by),
        )
        issue_certificate(enrolment=enrolment, by=by)
    return enrolment


def check_completion_of(*, enterprise, by: Actor | None) -> list[Enrolment]:
    """Check every active enrolment of ``enterprise``: call after a milestone it needs."""
    enterprise = surviving(enterprise)
    enrolments = Enrolment.objects.filter(
        enterprise=enterprise, status=Enrolment.Status.ACTIVE
    ).select_related("cohort__programme")
    return [check_completion(enrolment=e, by=by) for e in enrolments]


def complete_on_milestone(*, milestone, by: Actor | None) -> None:
    """Listed in ``settings.MILESTONE_HANDLERS``, called by ``registry.services.record_milestone``
    when a milestone is first reached: an outcome may complete enrolments.

    ``trained`` is the milestone completion itself records, so it never triggers a check.
    """
    if milestone.kind == "trained":
        return
    check_completion_of(enterprise=milestone.enterprise, by=by)


def issue_certificate(*, enrolment: Enrolment, by: Actor | None) -> Certificate:
    """Issue the certificate of a completed enrolment; idempotent (one per enrolment).

    Follows from completion (``check_completion``), like it without a check of ``by``.
    """
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise Refused(
            ProgrammesError.NOT_COMPLETED,
            _("A certificate is issued only for a completed enrolment."),
        )
    with transaction.atomic():
        certificate, created = Certificate.objects.get_or_create(
            enrolment=enrolment,
            defaults={
                "business_name": surviving(enrolment.enterprise).name,
                "issued_at": enrolment.completed_at or timezone.now(),
            },
        )
        if created:
            record_event(
                actor=by,
                action="programmes.certificate_issued",
                target=certificate,
                region_code=enrolment.cohort.venue_village_id,
                data={"enrolment": enrolment.public_id},
            )
    return certificate


def revoke_certificate(*, certificate: Certificate, by: Actor, reason: str) -> Certificate:
    """Revoke a certificate (e.g. issued in error or obtained by fraud), with the reason; by
    someone who may run the enrolment's cohort."""
    if not may_run_cohort(by, certificate.enrolment.cohort):
        raise Refused(
            ProgrammesError.NOT_ALLOWED, _("You may not revoke certificates of this cohort.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            ProgrammesError.REASON_REQUIRED, _("Give the reason for revoking the certificate.")
        )
    if certificate.revoked_at is not None:
        raise Refused(ProgrammesError.ALREADY_REVOKED, _("This certificate is already revoked."))
    now = timezone.now()
    with transaction.atomic():
        changed = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=acting_person(by), revocation_reason=reason
        )
        if not changed:
            raise Refused(
                ProgrammesError.ALREADY_REVOKED, _("This certificate is already revoked.")
            )
        record_event(
            actor=by,
            action="programmes.certificate_revoked",
            target=certificate,
            region_code=certificate.enrolment.cohort.venue_village_id,
            data={"reason": reason},
        )
    certificate.revoked_at = now
    certificate.revoked_by = acting_person(by)
    certificate.revocation_reason = reason
    return certificate


def deliver_benefit(
    *, enrolment: Enrolment, benefit: Benefit, by: Actor, note: str = ""
) -> BenefitDelivery:
    """Record that a participant received a benefit (e.g. the data package was activated)."""
    if not may_run_cohort(by, enrolment.cohort):
        raise Refused(
            ProgrammesError.NOT_ALLOWED, _("You may not record benefits for this cohort.")
        )
    if benefit.programme_id != enrolment.cohort.programme_id:
        raise Refused(
            ProgrammesError.WRONG_PROGRAMME, _("This benefit belongs to another programme.")
        )
    if enrolment.status not in (
        Enrolment.Status.ACCEPTED,
        Enrolment.Status.ACTIVE,
        Enrolment.Status.COMPLETED,
    ):
        raise Refused(
            ProgrammesError.NOT_PARTICIPANT, _("Benefits go to accepted participants only.")
        )
    with transaction.atomic():
        delivery, created = BenefitDelivery.objects.get_or_create(
            enrolment=enrolment,
            benefit=benefit,
            defaults={
                "delivered_at": timezone.now(),
                "delivered_by": acting_person(by),
                "note": note,
            },
        )
        if not created:
            raise Refused(
                ProgrammesError.ALREADY_DELIVERED, _("This benefit was already delivered.")
            )
        record_event(
            actor=by,
            action="programmes.benefit_delivered",
            target=delivery,
            region_code=enrolment.cohort.venue_village_id,
        )
    return delivery
