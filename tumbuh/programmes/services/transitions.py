"""The enrolment status machine: every status change, guarded, with its event row."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.services import acting_person
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.models import Enrolment, EnrolmentEvent
from tumbuh.programmes.services.access import Actor


def transition(
    *, enrolment: Enrolment, to: str, by: Actor | None, reason: str = "", at=None
) -> Enrolment:
    """Move ``enrolment`` to status ``to`` along ``Enrolment.TRANSITIONS``, with an event row.

    The change is a conditional update on the status read, so two people deciding at once
    cannot both win: the second gets a refusal. Who may decide is checked by the callers
    (``decide_enrolment``, ``enrol``, attendance and completion); ``by`` is who the event row
    names, None only when the change follows from a fact nobody entered (a payment's milestone).
    """
    if to not in Enrolment.Status.values:
        raise Refused(
            ProgrammesError.UNKNOWN_STATUS, _("Unknown status: %(status)s") % {"status": to}
        )
    current = enrolment.status
    if not enrolment.can_become(to):
        raise Refused(
            ProgrammesError.TRANSITION_NOT_ALLOWED,
            _("An enrolment that is %(current)s cannot become %(new)s.")
            % {
                "current": Enrolment.Status(current).label,
                "new": Enrolment.Status(to).label,
            },
        )
    at = at or timezone.now()
    with transaction.atomic():
        fields = {"status": to, "updated_at": at}
        if to == Enrolment.Status.COMPLETED:
            fields["completed_at"] = at
        changed = Enrolment.objects.filter(pk=enrolment.pk, status=current).update(**fields)
        if not changed:
            raise Refused(
                ProgrammesError.CHANGED_MEANWHILE,
                _("This enrolment was changed by someone else meanwhile; reload and try again."),
            )
        EnrolmentEvent.objects.create(
            enrolment=enrolment,
            from_status=current,
            to_status=to,
            by=acting_person(by),
            at=at,
            reason=reason,
        )
        record_event(
            actor=by,
            action="programmes.enrolment_transition",
            target=enrolment,
            region_code=enrolment.cohort.venue_village_id,
            data={"from": current, "to": to},
        )
    enrolment.status = to
    enrolment.updated_at = at
    if to == Enrolment.Status.COMPLETED:
        enrolment.completed_at = at
    return enrolment
