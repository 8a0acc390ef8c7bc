"""What the NIB and halal pipelines share, written once: who may act, opening a case, the guarded
step transition with its event row and idempotency key, the assigned mentor, and the milestone
a finished case records.

``nib`` and ``halal`` hold only what differs: the data each step needs and how a case ends.
"""

import datetime
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey, User
from tumbuh.accounts.permissions import Capability, has_capability, roles_with
from tumbuh.accounts.scoping import scope_for
from tumbuh.accounts.services import acting_person
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.licensing import queries
from tumbuh.licensing.error_codes import LicensingError
from tumbuh.licensing.models import AssistanceCase
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import record_milestone

# Who acts: a person signed in, or a partner's machine client (an API key, recorded as no one).
Actor = User | APIKey
Case = TypeVar("Case", bound=AssistanceCase)
# What a step needs before a case leaves it forwards: checks the data (raising a refusal),
# writes it onto the locked case, and returns what the event row keeps of it.
LeaveStep = Callable[[Case], dict]

MILESTONE_SOURCE = "licensing"
MAX_REASON_CHARS = 500


def region_code(enterprise: Enterprise) -> str:
    return enterprise.village_id or ""


# --- who may act ------------------------------------------------------------------------------


def require_may_start(by: Actor, enterprise: Enterprise) -> None:
    """Officers in the region, mentors working there and the business's owners start cases;
    anyone else, and no actor at all, is refused."""
    if by is None or not queries.may_start_for(by, enterprise):
        raise PermissionDenied(_("You may not start a case for this business."))


def require_may_move(by: Actor, case: AssistanceCase) -> None:
    """The region's officers and the case's assigned mentor change a case; anyone else, and no
    actor at all, is refused."""
    if by is None or not queries.may_move(by, case):
        raise PermissionDenied(_("Only the region's officers and the case's mentor move it."))


# --- the assigned mentor ----------------------------------------------------------------------


def is_mentor_for(user, enterprise: Enterprise) -> bool:
    """A user with a mentor membership whose region holds the business."""
    if not isinstance(user, User) or not has_capability(user, Capability.MENTOR_CASELOAD):
        return False
    return scope_for(user, roles=roles_with(Capability.MENTOR_CASELOAD)).allows(
        region_code(enterprise)
    )


def check_mentor(mentor: User | None, enterprise: Enterprise) -> None:
    if mentor is not None and not is_mentor_for(mentor, enterprise):
        raise Refused(
            LicensingError.MENTOR_NOT_ELIGIBLE,
            _("%(name)s is not a mentor working in the region of this business."),
            params={"name": mentor.get_full_name() or mentor.email},
        )


# --- opening a case ---------------------------------------------------------------------------


def open_case(
    *,
    model: type[Case],
    enterprise: Enterprise,
    by: Actor,
    assigned_mentor: User | None,
    already_open: str,
    **fields,
) -> Case:
    """Open a case of ``model`` for ``enterprise`` in its first step, with its first event.

    The pipeline has checked its own rules for starting. Refused when the business already has
    an open case of this kind (``already_open``, with ``%(name)s``: checked here, and held by
    the database's one-open-case constraint against a race), or when the assigned mentor does
    not mentor in the business's region. A mentor who starts a case is its assigned mentor.
    """
    if model.objects.filter(enterprise=enterprise).exclude(step=model.Step.ISSUED).exists():
        raise Refused(LicensingError.CASE_OPEN, already_open, params={"name": enterprise.name})
    if assigned_mentor is None and is_mentor_for(by, enterprise):
        assigned_mentor = by
    check_mentor(assigned_mentor, enterprise)
    now = timezone.now()
    try:
        with transaction.atomic():
            case = model.objects.create(
                enterprise=enterprise,
                step=model.Step.ACCOUNT,
                step_entered_at=now,
                assigned_mentor=assigned_mentor,
                created_by=acting_person(by),
                **fields,
            )
            case.events.create(from_step="", to_step=case.step, actor=case.created_by, at=now)
            record_event(
                actor=by,
                action=f"licensing.{model.__name__.lower()}.start",
                target=case,
                region_code=region_code(enterprise),
            )
    except IntegrityError:
        raise Refused(
            LicensingError.CASE_OPEN, already_open, params={"name": enterprise.name}
        ) from None
    return case


# --- moving a case ----------------------------------------------------------------------------


def step_label(model: type[AssistanceCase], step: str) -> str:
    return str(model.Step(step).label) if step in model.Step.values else step


def check_transition(case: AssistanceCase, to: str) -> None:
    model = type(case)
    if to not in model.Step.values:
        raise Refused(
            LicensingError.UNKNOWN_STEP, _("There is no step %(step)s."), params={"step": to}
        )
    allowed = model.TRANSITIONS[case.step]
    if to not in allowed:
        if allowed:
            raise Refused(
                LicensingError.TRANSITION_NOT_ALLOWED,
                _(
                    "A case in the step “%(current)s” cannot move to “%(target)s”; it can move "
                    "to: %(allowed)s."
                ),
                params={
                    "current": step_label(model, case.step),
                    "target": step_label(model, to),
                    "allowed": ", ".join(f"“{step_label(model, step)}”" for step in allowed),
                },
            )
        raise Refused(
            LicensingError.CASE_FINISHED,
            _("The case is finished (“%(current)s”); it cannot move any more."),
            params={"current": step_label(model, case.step)},
        )


def lock(case: Case) -> Case:
    """The case's row, locked until the transaction ends, read afresh with its business."""
    return type(case).objects.select_for_update().select_related("enterprise").get(pk=case.pk)


def key_seen(case: AssistanceCase, idempotency_key: str) -> bool:
    """Whether a change with this idempotency key was already applied to the case."""
    return bool(idempotency_key) and case.events.filter(idempotency_key=idempotency_key).exists()


def move(
    *,
    case: AssistanceCase,
    to: str,
    by: Actor,
    now: datetime.datetime,
    data: dict,
    idempotency_key: str,
) -> None:
    """Write the step change: the case, its event row and an audit event."""
    from_step = case.step
    case.step = to
    case.step_entered_at = now
    case.save()
    case.events.create(
        from_step=from_step,
        to_step=to,
        actor=acting_person(by),
        at=now,
        data=data,
        idempotency_key=idempotency_key,
    )
    record_event(
        actor=by,
        action=f"licensing.{type(case).__name__.lower()}.{to}",
        target=case,
        region_code=region_code(case.enterprise),
        data={"from": from_step, "to": to, **data},
    )


def advance_case(
    case: Case,
    *,
    to: str,
    by: Actor,
    leaving: Mapping[str, LeaveStep],
    reason: str,
    idempotency_key: str,
) -> Case:
    """Move ``case`` to ``to``, one guarded transition, in one transaction.

    Repeating a change that already happened (the case is already there, or an event carries
    the same ``idempotency_key``) changes nothing and returns the case. Moving forwards out of
    a step listed in ``leaving`` first runs that step's check, which may refuse; any other move
    (a step back, or forwards from a step that needs no data) keeps the ``reason`` given.
    """
    require_may_move(by, case)
    with transaction.atomic():
        case = lock(case)
        if key_seen(case, idempotency_key) or case.step == to:
            return case
        check_transition(case, to)
        if case.is_forward(to) and case.step in leaving:
            event_data = leaving[case.step](case)
        else:
            reason = (reason or "").strip()[:MAX_REASON_CHARS]
            event_data = {"reason": reason} if reason else {}
        move(
            case=case,
            to=to,
            by=by,
            now=timezone.now(),
            data=event_data,
            idempotency_key=idempotency_key,
        )
    return case


def record_case_milestone(
    *, enterprise: Enterprise, kind: str, occurred_at: datetime.datetime, by: Actor
) -> None:
    """The milestone a finished case gives its business (inside the case's transaction)."""
    record_milestone(
        enterprise=enterprise,
        kind=kind,
        source=MILESTONE_SOURCE,
        occurred_at=occurred_at,
        by=acting_person(by),
    )
