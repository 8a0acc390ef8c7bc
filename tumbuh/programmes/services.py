"""Every change to programmes, cohorts, enrolments, quotas and certificates goes through here.

Each service checks everything first, then writes in one transaction; a refusal raises
``ValidationError`` with a translated message (and a ``reason`` code where callers branch on
it) and changes nothing. Attendance and visit notes have their own module,
``tumbuh.programmes.attendance``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey, Membership, Organisation
from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.accounts.scoping import scope_for
from tumbuh.core.services import record_event
from tumbuh.core.validators import kbli_section
from tumbuh.programmes.models import (
    Assignment,
    Attendance,
    Benefit,
    BenefitDelivery,
    Certificate,
    Cohort,
    Enrolment,
    EnrolmentEvent,
    Mentor,
    PartnerQuota,
    Programme,
    ProgrammeArea,
    QuotaTransfer,
    Session,
)
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.services import enterprises_of, record_milestone, surviving

GOVERNMENT_KINDS = frozenset(
    {
        Organisation.Kind.MINISTRY,
        Organisation.Kind.PROVINCIAL_OFFICE,
        Organisation.Kind.REGENCY_OFFICE,
    }
)
RUNNING_ROLES = frozenset({Membership.Role.ADMIN, Membership.Role.OFFICER})


class Refused(ValidationError):
    """A refused change; ``reason`` is a stable code for API clients and tests."""

    def __init__(self, reason: str, message: str):
        super().__init__(message, code=reason)
        self.reason = reason


# --- enrolment transitions --------------------------------------------------------------------


def transition(*, enrolment: Enrolment, to: str, by=None, reason: str = "", at=None) -> Enrolment:
    """Move ``enrolment`` to status ``to`` along ``Enrolment.TRANSITIONS``, with an event row.

    The change is a conditional update on the status read, so two people deciding at once
    cannot both win: the second gets a refusal.
    """
    if to not in Enrolment.Status.values:
        raise Refused("unknown_status", _("Unknown status: %(status)s") % {"status": to})
    current = enrolment.status
    if not enrolment.can_become(to):
        raise Refused(
            "transition_not_allowed",
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
                "changed_meanwhile",
                _("This enrolment was changed by someone else meanwhile; reload and try again."),
            )
        EnrolmentEvent.objects.create(
            enrolment=enrolment,
            from_status=current,
            to_status=to,
            by=by if getattr(by, "is_authenticated", False) else None,
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


# --- completion and certificates --------------------------------------------------------------


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


def check_completion(*, enrolment: Enrolment, by=None) -> Enrolment:
    """Complete an active enrolment whose requirements are all true.

    Completion records the milestone ``trained`` and issues the certificate, in the same
    transaction. An enrolment that is not active, or whose requirements are not met yet, is
    returned unchanged.
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
            by=by if getattr(by, "is_authenticated", False) else None,
        )
        issue_certificate(enrolment=enrolment, by=by)
    return enrolment


def check_completion_of(*, enterprise, by=None) -> list[Enrolment]:
    """Check every active enrolment of ``enterprise``: call after a milestone it needs."""
    enterprise = surviving(enterprise)
    enrolments = Enrolment.objects.filter(
        enterprise=enterprise, status=Enrolment.Status.ACTIVE
    ).select_related("cohort__programme")
    return [check_completion(enrolment=e, by=by) for e in enrolments]


def complete_on_milestone(sender, *, milestone, by=None, **kwargs) -> None:
    """Receiver of ``registry.signals.milestone_recorded``: an outcome may complete enrolments.

    ``trained`` is the milestone completion itself records, so it never triggers a check.
    """
    if milestone.kind == "trained":
        return
    check_completion_of(enterprise=milestone.enterprise, by=by)


def issue_certificate(*, enrolment: Enrolment, by=None) -> Certificate:
    """Issue the certificate of a completed enrolment; idempotent (one per enrolment)."""
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise Refused("not_completed", _("A certificate is issued only for a completed enrolment."))
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


def revoke_certificate(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate (e.g. issued in error or obtained by fraud), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason_required", _("Give the reason for revoking the certificate."))
    if certificate.revoked_at is not None:
        raise Refused("already_revoked", _("This certificate is already revoked."))
    now = timezone.now()
    with transaction.atomic():
        changed = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by, revocation_reason=reason
        )
        if not changed:
            raise Refused("already_revoked", _("This certificate is already revoked."))
        record_event(
            actor=by,
            action="programmes.certificate_revoked",
            target=certificate,
            region_code=certificate.enrolment.cohort.venue_village_id,
            data={"reason": reason},
        )
    certificate.revoked_at = now
    certificate.revoked_by = by
    certificate.revocation_reason = reason
    return certificate


# --- who may act ------------------------------------------------------------------------------


def partner_limits(actor) -> frozenset[int] | None:
    """The partner organisations whose cohorts ``actor`` may run, or None for "any in scope".

    Ministry and regional office staff (and superusers) run every partner's cohorts in their
    region; partner staff only their own organisation's; an API key only its organisation's.
    """
    if isinstance(actor, APIKey):
        return frozenset({actor.organisation_id})
    if getattr(actor, "is_superuser", False):
        return None
    memberships = [
        m for m in actor.memberships.select_related("organisation") if m.role in RUNNING_ROLES
    ]
    if any(m.organisation.kind in GOVERNMENT_KINDS for m in memberships):
        return None
    return frozenset(m.organisation_id for m in memberships)


def may_run_cohort(actor, cohort: Cohort) -> bool:
    """True when ``actor`` (user or API key) may enrol into and manage ``cohort``."""
    if actor is None:
        return False
    if isinstance(actor, APIKey):
        if not actor.is_active or actor.role not in RUNNING_ROLES:
            return False
    elif not has_capability(actor, Capability.RUN_PROGRAMMES):
        return False
    if not scope_for(actor, roles=RUNNING_ROLES).allows(cohort.venue_village_id):
        return False
    limits = partner_limits(actor)
    return limits is None or cohort.partner_id in limits


def is_ministry_staff(user) -> bool:
    """National ministry staff who run programmes (quota transfers are theirs alone)."""
    if getattr(user, "is_superuser", False):
        return True
    if not has_capability(user, Capability.RUN_PROGRAMMES):
        return False
    return user.memberships.filter(
        organisation__kind=Organisation.Kind.MINISTRY, region_code="", role__in=RUNNING_ROLES
    ).exists()


def _user(actor):
    return (
        actor
        if getattr(actor, "is_authenticated", False) and not isinstance(actor, APIKey)
        else None
    )


# --- eligibility, quotas and enrolment --------------------------------------------------------


def eligibility_problems(programme: Programme, enterprise: Enterprise) -> list[tuple[str, str]]:
    """Why ``enterprise`` may not join ``programme``: ``[(reason, message), ...]``, empty if it may."""
    problems = []
    if programme.kbli_sections:
        codes = list(enterprise.kbli_codes.values_list("code", flat=True))
        sections = set()
        for code in codes:
            try:
                sections.add(kbli_section(code))
            except KeyError:
                continue
        if not sections & set(programme.kbli_sections):
            wanted = ", ".join(programme.kbli_sections)
            if not codes:
                message = _(
                    "%(business)s has no KBLI code recorded; this programme is for KBLI "
                    "section %(sections)s."
                ) % {"business": enterprise.name, "sections": wanted}
            else:
                message = _(
                    "%(business)s works in KBLI section %(found)s; this programme is for "
                    "section %(sections)s."
                ) % {
                    "business": enterprise.name,
                    "found": ", ".join(sorted(sections)) or "?",
                    "sections": wanted,
                }
            problems.append(("not_eligible_kbli", message))
    if programme.scales and enterprise.scale not in programme.scales:
        labels = dict(Enterprise.Scale.choices)
        problems.append(
            (
                "not_eligible_scale",
                _("This programme is for businesses of scale %(scales)s.")
                % {"scales": ", ".join(str(labels.get(s, s)) for s in programme.scales)},
            )
        )
    if programme.region_codes and not any(
        enterprise.village_id == code or enterprise.village_id.startswith(code + ".")
        for code in programme.region_codes
    ):
        problems.append(
            ("not_eligible_region", _("This programme does not run in the business's region."))
        )
    return problems


def area_regency_codes(programme_area: ProgrammeArea) -> set[str]:
    return set(programme_area.area.members.values_list("regency_id", flat=True))


def in_area(programme_area: ProgrammeArea, enterprise: Enterprise) -> bool:
    regency = ".".join(enterprise.village_id.split(".")[:2])
    return regency in area_regency_codes(programme_area)


def places_used(*, programme_area=None, partner=None, cohort=None) -> int:
    """Enrolments that hold a place in an area, an area's partner share, or a cohort."""
    enrolments = Enrolment.objects.filter(status__in=Enrolment.HOLDS_PLACE)
    if cohort is not None:
        enrolments = enrolments.filter(cohort=cohort)
    if programme_area is not None:
        enrolments = enrolments.filter(cohort__programme_area=programme_area)
    if partner is not None:
        enrolments = enrolments.filter(cohort__partner=partner)
    return enrolments.count()


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


def transfer_quota(
    *,
    programme_area: ProgrammeArea,
    from_partner: Organisation,
    to_partner: Organisation,
    amount: int,
    reason: str,
    by,
) -> QuotaTransfer:
    """Move ``amount`` unused places of an area from one partner to another, with a record.

    Ministry staff only. The places moved must be unused by ``from_partner`` (not held by an
    enrolment); the area's total quota does not change.
    """
    if not is_ministry_staff(by):
        raise Refused("not_allowed", _("Only ministry staff may move quota between partners."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason_required", _("Give the reason for moving the quota."))
    if from_partner.pk == to_partner.pk:
        raise Refused("same_partner", _("Choose two different partners."))
    if not to_partner.is_partner:
        raise Refused("not_a_partner", _("%(name)s is not a partner.") % {"name": to_partner.name})
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0:
        raise Refused("amount_invalid", _("Move at least one place."))
    with transaction.atomic():
        area = ProgrammeArea.objects.select_for_update().get(pk=programme_area.pk)
        shares = {
            share.partner_id: share
            for share in PartnerQuota.objects.select_for_update()
            .filter(programme_area=area, partner__in=[from_partner, to_partner])
            .order_by("pk")
        }
        source = shares.get(from_partner.pk)
        if source is None:
            raise Refused(
                "no_partner_quota",
                _("%(partner)s has no quota in %(area)s.")
                % {"partner": from_partner.name, "area": area.area.name},
            )
        unused = source.quota - places_used(programme_area=area, partner=from_partner)
        if amount > unused:
            raise Refused(
                "quota_in_use",
                _("%(partner)s has only %(unused)s unused places in %(area)s.")
                % {"partner": from_partner.name, "unused": max(unused, 0), "area": area.area.name},
            )
        target = shares.get(to_partner.pk) or PartnerQuota.objects.create(
            programme_area=area, partner=to_partner, quota=0
        )
        PartnerQuota.objects.filter(pk=source.pk).update(quota=source.quota - amount)
        PartnerQuota.objects.filter(pk=target.pk).update(quota=target.quota + amount)
        transfer = QuotaTransfer.objects.create(
            programme_area=area,
            from_partner=from_partner,
            to_partner=to_partner,
            amount=amount,
            reason=reason,
            by=by,
        )
        record_event(
            actor=by,
            action="programmes.quota_transferred",
            target=transfer,
            data={"from": from_partner.pk, "to": to_partner.pk, "amount": amount},
        )
    return transfer


# --- setting up programmes --------------------------------------------------------------------


def _checked_programme_fields(fields: dict) -> dict:
    """The programme fields, normalised; refused when a rule or the period is invalid."""
    fields = dict(fields)
    sections = [s.strip().upper() for s in fields.get("kbli_sections", []) if s.strip()]
    if any(len(s) != 1 or not "A" <= s <= "U" for s in sections):
        raise Refused("bad_rule", _("KBLI sections are letters A to U."))
    fields["kbli_sections"] = sections
    if "region_codes" in fields:
        fields["region_codes"] = [c.strip() for c in fields["region_codes"] if c.strip()]
    if set(fields.get("scales", [])) - set(Enterprise.Scale.values):
        raise Refused("bad_rule", _("Unknown business scale."))
    if set(fields.get("milestones_required", [])) - set(Milestone.Kind.values):
        raise Refused("bad_rule", _("Unknown milestone."))
    for name in ("target_count", "sessions_required"):
        if int(fields.get(name) or 0) < 0:
            raise Refused("bad_number", _("Targets and counts cannot be negative."))
    if fields["starts_on"] > fields["ends_on"]:
        raise Refused("bad_period", _("The programme ends before it starts."))
    return fields


def create_programme(*, organisation: Organisation, by=None, benefits=(), **fields) -> Programme:
    """Create a programme with its eligibility and completion rules and its benefits.

    ``benefits`` is a list of names. Unknown KBLI sections, scales or milestone kinds, or a
    period that ends before it starts, are refused.
    """
    if by is not None and not is_ministry_staff(by):
        raise Refused("not_allowed", _("Only ministry staff may set up programmes."))
    fields = _checked_programme_fields(fields)
    with transaction.atomic():
        programme = Programme.objects.create(organisation=organisation, **fields)
        for name in benefits:
            Benefit.objects.create(programme=programme, name=name)
        record_event(
            actor=by,
            action="programmes.programme_created",
            target=programme,
            region_code=organisation.region_code,
            data={"name": programme.name},
        )
    return programme


def update_programme(*, programme: Programme, by=None, **fields) -> Programme:
    """Change a programme's basic fields and rules (ministry staff); same checks as creating."""
    if by is not None and not is_ministry_staff(by):
        raise Refused("not_allowed", _("Only ministry staff may set up programmes."))
    fields = _checked_programme_fields(fields)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(programme, name, value)
        programme.save()
        record_event(
            actor=by,
            action="programmes.programme_updated",
            target=programme,
            region_code=programme.organisation.region_code,
            data={"name": programme.name},
        )
    return programme


def set_area_quota(*, programme: Programme, area, quota: int, by=None) -> ProgrammeArea:
    """Add a priority area to a programme, or change its quota (never below the places used
    nor below the partners' shares)."""
    quota = int(quota)
    if by is not None and not is_ministry_staff(by):
        raise Refused("not_allowed", _("Only ministry staff may set quotas."))
    if quota < 0:
        raise Refused("amount_invalid", _("A quota cannot be negative."))
    with transaction.atomic():
        programme_area, _created = ProgrammeArea.objects.select_for_update().get_or_create(
            programme=programme, area=area, defaults={"quota": quota}
        )
        shares = programme_area.partner_quotas.aggregate(total=Sum("quota"))["total"] or 0
        if quota < max(shares, places_used(programme_area=programme_area)):
            raise Refused(
                "quota_below_use",
                _("The quota cannot be below the partners' shares (%(shares)s).")
                % {"shares": shares},
            )
        if programme_area.quota != quota:
            ProgrammeArea.objects.filter(pk=programme_area.pk).update(quota=quota)
            programme_area.quota = quota
        record_event(
            actor=by,
            action="programmes.area_quota_set",
            target=programme_area,
            data={"area": area.slug, "quota": quota},
        )
    return programme_area


def set_partner_quota(
    *, programme_area: ProgrammeArea, partner: Organisation, quota: int, by=None
) -> PartnerQuota:
    """Give a partner a share of an area's quota; the shares never exceed the area's quota."""
    quota = int(quota)
    if by is not None and not is_ministry_staff(by):
        raise Refused("not_allowed", _("Only ministry staff may set quotas."))
    if quota < 0:
        raise Refused("amount_invalid", _("A quota cannot be negative."))
    if not partner.is_partner:
        raise Refused("not_a_partner", _("%(name)s is not a partner.") % {"name": partner.name})
    with transaction.atomic():
        area = ProgrammeArea.objects.select_for_update().get(pk=programme_area.pk)
        others = (
            area.partner_quotas.exclude(partner=partner).aggregate(total=Sum("quota"))["total"] or 0
        )
        if others + quota > area.quota:
            raise Refused(
                "shares_exceed_quota",
                _("The partners' shares would exceed the area's quota of %(quota)s.")
                % {"quota": area.quota},
            )
        if quota < places_used(programme_area=area, partner=partner):
            raise Refused("quota_below_use", _("The share cannot be below the places used."))
        share, created = PartnerQuota.objects.get_or_create(
            programme_area=area, partner=partner, defaults={"quota": quota}
        )
        if not created and share.quota != quota:
            PartnerQuota.objects.filter(pk=share.pk).update(quota=quota)
            share.quota = quota
        record_event(
            actor=by,
            action="programmes.partner_quota_set",
            target=share,
            data={"partner": partner.pk, "quota": quota},
        )
    return share


def create_cohort(
    *, programme_area: ProgrammeArea, partner: Organisation, by=None, **fields
) -> Cohort:
    """Open a cohort of a partner in an area; its venue must be inside the area."""
    village = fields["venue_village"]
    if by is not None and not may_run_cohort(by, Cohort(partner=partner, venue_village=village)):
        raise Refused("not_allowed", _("You may not open cohorts of this partner in this region."))
    if village.regency_id not in area_regency_codes(programme_area):
        raise Refused(
            "outside_area",
            _("The venue is not in the priority area %(area)s.")
            % {"area": programme_area.area.name},
        )
    if fields["starts_on"] > fields["ends_on"]:
        raise Refused("bad_period", _("The cohort ends before it starts."))
    if not PartnerQuota.objects.filter(programme_area=programme_area, partner=partner).exists():
        raise Refused(
            "no_partner_quota",
            _("%(partner)s has no quota in %(area)s.")
            % {"partner": partner.name, "area": programme_area.area.name},
        )
    if int(fields.get("capacity") or 0) <= 0:
        raise Refused("bad_capacity", _("A cohort needs at least one place."))
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


def register_mentor(
    *,
    user,
    organisation: Organisation,
    region_code: str,
    villages=(),
    areas=(),
    specialities=(),
    by=None,
) -> Mentor:
    """Give a user a mentor profile (villages and areas covered, specialities); idempotent."""
    unknown = set(specialities) - set(Mentor.Speciality.values)
    if unknown:
        raise Refused(
            "bad_speciality", _("Unknown speciality: %(name)s") % {"name": sorted(unknown)[0]}
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


def assign_mentor(*, mentor: Mentor, enterprise: Enterprise, by=None, programme=None) -> Assignment:
    """Put a business in a mentor's caseload; idempotent while the assignment is active."""
    enterprise = surviving(enterprise)
    if not mentor.is_active:
        raise Refused("mentor_inactive", _("This mentor is no longer active."))
    if by is not None:
        limits = partner_limits(by)
        allowed = (
            has_capability(by, Capability.RUN_PROGRAMMES)
            and scope_for(by, roles=RUNNING_ROLES).allows(enterprise.village_id)
            and (limits is None or mentor.organisation_id in limits)
        )
        if not allowed:
            raise Refused("not_allowed", _("You may not assign businesses to this mentor."))
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
            assigned_by=_user(by),
        )
        record_event(
            actor=by,
            action="programmes.mentor_assigned",
            target=assignment,
            region_code=enterprise.village_id,
            data={"mentor": mentor.public_id},
        )
    return assignment


def end_assignment(*, assignment: Assignment, by=None) -> Assignment:
    """Take a business out of a mentor's caseload."""
    with transaction.atomic():
        changed = Assignment.objects.filter(pk=assignment.pk, is_active=True).update(
            is_active=False, ended_at=timezone.now()
        )
        if not changed:
            raise Refused("already_ended", _("This assignment has already ended."))
        record_event(actor=by, action="programmes.assignment_ended", target=assignment)
    assignment.refresh_from_db()
    return assignment


def schedule_session(
    *,
    mentor: Mentor,
    starts_at,
    title: str,
    cohort=None,
    enterprise=None,
    village=None,
    by=None,
    duration_minutes: int = 120,
) -> Session:
    """Schedule a cohort session or a one-to-one visit; a visit is for a business in the
    mentor's caseload."""
    if (cohort is None) == (enterprise is None):
        raise Refused("cohort_or_visit", _("A session is for a cohort or a visit to one business."))
    if starts_at is None:
        raise Refused("start_required", _("Give the start of the session."))
    if not (title or "").strip():
        raise Refused("title_required", _("Give the session a title."))
    if not mentor.is_active:
        raise Refused("mentor_inactive", _("This mentor is no longer active."))
    if cohort is not None:
        if by is not None and not may_run_cohort(by, cohort):
            raise Refused("not_allowed", _("You may not schedule sessions of this cohort."))
        if mentor.organisation_id != cohort.partner_id:
            raise Refused(
                "wrong_mentor",
                _("%(mentor)s is not a mentor of %(partner)s.")
                % {"mentor": mentor.user.full_name, "partner": cohort.partner.name},
            )
    if enterprise is not None:
        enterprise = surviving(enterprise)
        if not Assignment.objects.filter(
            mentor=mentor, enterprise=enterprise, is_active=True
        ).exists():
            raise Refused(
                "not_in_caseload",
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


def deliver_benefit(
    *, enrolment: Enrolment, benefit: Benefit, by=None, note: str = ""
) -> BenefitDelivery:
    """Record that a participant received a benefit (e.g. the data package was activated)."""
    if by is not None and not may_run_cohort(by, enrolment.cohort):
        raise Refused("not_allowed", _("You may not record benefits for this cohort."))
    if benefit.programme_id != enrolment.cohort.programme_id:
        raise Refused("wrong_programme", _("This benefit belongs to another programme."))
    if enrolment.status not in (
        Enrolment.Status.ACCEPTED,
        Enrolment.Status.ACTIVE,
        Enrolment.Status.COMPLETED,
    ):
        raise Refused("not_participant", _("Benefits go to accepted participants only."))
    with transaction.atomic():
        delivery, created = BenefitDelivery.objects.get_or_create(
            enrolment=enrolment,
            benefit=benefit,
            defaults={"delivered_at": timezone.now(), "delivered_by": _user(by), "note": note},
        )
        if not created:
            raise Refused("already_delivered", _("This benefit was already delivered."))
        record_event(
            actor=by,
            action="programmes.benefit_delivered",
            target=delivery,
            region_code=enrolment.cohort.venue_village_id,
        )
    return delivery
