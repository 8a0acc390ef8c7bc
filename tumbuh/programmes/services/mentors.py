"""Mentors: their profiles (villages, areas, specialities) and their caseloads."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import acting_person
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Assignment, Mentor
from tumbuh.programmes.services.access import Actor, may_manage_mentors_of
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import surviving


def register_mentor(
    *,
    user,
    organisation: Organisation,
    region_code: str,
    villages=(),
    areas=(),
    specialities=(),
    by: Actor,
) -> Mentor:
    """Give a user a mentor profile (villages and areas covered, specialities); idempotent.

    ``by`` runs programmes for ``organisation`` in ``region_code``.
    """
    if not may_manage_mentors_of(by, organisation.pk, region_code):
        raise Refused(
            ProgrammesError.NOT_ALLOWED,
            _("You may not register mentors of this organisation in this region."),
        )
    unknown = set(specialities) - set(Mentor.Speciality.values)
    if unknown:
        raise Refused(
            ProgrammesError.BAD_SPECIALITY,
            _("Unknown speciality: %(name)s") % {"name": sorted(unknown)[0]},
        )
    with transaction.atomic():
        mentor, created = Mentor.objects.get_or_create(
            user=user,
            defaults={
                "organisation": organisation,
                "region_code": region_code,
                "specialities": list(specialities),
            },
        )
        if villages:
            mentor.villages.add(*villages)
        if areas:
            mentor.areas.add(*areas)
        if created:
            record_event(
                actor=by,
                action="programmes.mentor_registered",
                target=mentor,
                region_code=region_code,
            )
    return mentor


def assign_mentor(
    *, mentor: Mentor, enterprise: Enterprise, by: Actor, programme=None
) -> Assignment:
    """Put a business in a mentor's caseload; idempotent while the assignment is active."""
    enterprise = surviving(enterprise)
    if not mentor.is_active:
        raise Refused(ProgrammesError.MENTOR_INACTIVE, _("This mentor is no longer active."))
    if not may_manage_mentors_of(by, mentor.organisation_id, enterprise.village_id):
        raise Refused(
            ProgrammesError.NOT_ALLOWED, _("You may not assign businesses to this mentor.")
        )
    with transaction.atomic():
        existing = Assignment.objects.filter(
            mentor=mentor, enterprise=enterprise, is_active=True
        ).first()
        if existing is not None:
            return existing
        assignment = Assignment.objects.create(
            mentor=mentor,
            enterprise=enterprise,
            programme=programme,
            assigned_at=timezone.now(),
            assigned_by=acting_person(by),
        )
        record_event(
            actor=by,
            action="programmes.mentor_assigned",
            target=assignment,
            region_code=enterprise.village_id,
            data={"mentor": mentor.public_id},
        )
    return assignment
